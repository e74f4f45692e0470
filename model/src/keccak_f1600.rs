//! Keccak-f[1600] written plainly from FIPS 202 §3.2, one step function at a time.
//!
//! The RTL generators take their round constants and rotation offsets from here, and the RTL tests
//! compare against the `sha3` crate, so a mistake in this file cannot hide in both places at once:
//! the unit tests below check it against the independent `keccak` crate.

/// Lanes are indexed `x + 5 * y`; bit z of a lane is bit z of the u64 (FIPS 202 §3.1.2).
pub type State = [u64; 25];

pub const ROUNDS: usize = 24;

/// Index of lane (x, y) in a [`State`].
pub const fn lane(x: usize, y: usize) -> usize {
    (x % 5) + 5 * (y % 5)
}

/// rc(t) of FIPS 202 Algorithm 5: the output of an 8-bit LFSR with polynomial x^8+x^6+x^5+x^4+1.
fn rc_bit(t: usize) -> u64 {
    if t.is_multiple_of(255) {
        return 1;
    }
    let mut r: u16 = 0x80; // R = 10000000, R[0] is the most significant bit of this u16's low byte
    for _ in 0..t % 255 {
        // R = 0 || R; R[0] ^= R[8]; R[4] ^= R[8]; R[5] ^= R[8]; R[6] ^= R[8]; R = Trunc8(R)
        let r8 = r & 1;
        r >>= 1;
        if r8 == 1 {
            r ^= 0x80 | 0x08 | 0x04 | 0x02;
        }
    }
    ((r >> 7) & 1) as u64
}

/// Round constant of round `ir` (FIPS 202 Algorithm 6): bit 2^j - 1 is rc(j + 7 ir).
pub fn round_constant(ir: usize) -> u64 {
    (0..=6).fold(0, |rc, j| rc | rc_bit(j + 7 * ir) << ((1usize << j) - 1))
}

/// ρ offsets per lane (FIPS 202 Algorithm 2), indexed like [`State`].
pub fn rho_offsets() -> [u32; 25] {
    let mut off = [0u32; 25];
    let (mut x, mut y) = (1usize, 0usize);
    for t in 0..24u32 {
        off[lane(x, y)] = ((t + 1) * (t + 2) / 2) % 64;
        (x, y) = (y, (2 * x + 3 * y) % 5);
    }
    off
}

/// Where π moves lane (x, y): A'[x, y] = A[(x + 3y) mod 5, x], i.e. lane (x, y) goes to (y, 2x + 3y).
pub const fn pi_destination(x: usize, y: usize) -> usize {
    lane(y, 2 * x + 3 * y)
}

pub fn theta(a: &mut State) {
    let c: [u64; 5] = std::array::from_fn(|x| (0..5).fold(0, |p, y| p ^ a[lane(x, y)]));
    for x in 0..5 {
        let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
        for y in 0..5 {
            a[lane(x, y)] ^= d;
        }
    }
}

pub fn rho(a: &mut State) {
    let off = rho_offsets();
    for (l, r) in a.iter_mut().zip(off) {
        *l = l.rotate_left(r);
    }
}

pub fn pi(a: &mut State) {
    let src = *a;
    for x in 0..5 {
        for y in 0..5 {
            a[pi_destination(x, y)] = src[lane(x, y)];
        }
    }
}

pub fn chi(a: &mut State) {
    for y in 0..5 {
        let row: [u64; 5] = std::array::from_fn(|x| a[lane(x, y)]);
        for x in 0..5 {
            a[lane(x, y)] = row[x] ^ (!row[(x + 1) % 5] & row[(x + 2) % 5]);
        }
    }
}

pub fn iota(a: &mut State, ir: usize) {
    a[0] ^= round_constant(ir);
}

/// Rnd(A, ir) = ι(χ(π(ρ(θ(A)))), ir).
pub fn round(a: &mut State, ir: usize) {
    theta(a);
    rho(a);
    pi(a);
    chi(a);
    iota(a, ir);
}

/// Keccak-f[1600] = Keccak-p[1600, 24].
pub fn f1600(a: &mut State) {
    for ir in 0..ROUNDS {
        round(a, ir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn reference(a: &mut State) {
        keccak::Keccak::new().with_f1600(|f| f(a));
    }

    #[test]
    fn round_constants_match_the_published_table() {
        // First, a middle and the last entry of the table in the Keccak reference (and FIPS 202 §3.2.5).
        assert_eq!(round_constant(0), 0x0000_0000_0000_0001);
        assert_eq!(round_constant(1), 0x0000_0000_0000_8082);
        assert_eq!(round_constant(12), 0x0000_0000_8000_808B);
        assert_eq!(round_constant(23), 0x8000_0000_8000_8008);
    }

    #[test]
    fn rho_offsets_match_fips202_table2() {
        let off = rho_offsets();
        assert_eq!(off[lane(0, 0)], 0);
        assert_eq!(off[lane(1, 0)], 1);
        assert_eq!(off[lane(3, 0)], 28);
        assert_eq!(off[lane(4, 4)], 14);
        assert_eq!(off[lane(3, 2)], 25);
        assert_eq!(off[lane(2, 3)], 15);
    }

    #[test]
    fn f1600_matches_the_keccak_crate() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1600);
        for i in 0..200 {
            let mut a: State = if i == 0 { [0; 25] } else { std::array::from_fn(|_| rng.random()) };
            let mut b = a;
            f1600(&mut a);
            reference(&mut b);
            assert_eq!(a, b, "input #{i}");
        }
    }
}
