//! rtl-sim against its own fixture (fixtures/fixture_acc.v, emitted by rust-hdl): a 200-bit XOR
//! accumulator, an 8-bit enable counter and a combinational 40-bit `mid = mid_in + 3`.
//! Ignored (and so reported as ignored, not passed) when Verilator was missing at build time.

use rtl_sim::{available, Dir, Error, Model};

fn fixture() -> Model {
    Model::new("fixture", "fixture_acc").expect("fixture model")
}

#[test]
fn availability_is_explained() {
    if available() {
        assert!(rtl_sim::modules().iter().any(|m| m.name == "fixture_acc"));
    } else {
        let why = rtl_sim::unavailable_reason().expect("a reason when unavailable");
        assert!(why.contains("verilator"), "{why}");
        assert!(matches!(Model::new("fixture", "fixture_acc"), Err(Error::Unavailable(_))));
    }
}

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn ports_are_read_from_the_verilog() {
    let m = fixture();
    let widths: Vec<(&str, Dir, u32)> =
        m.ports().iter().map(|p| (p.name, p.dir, p.width)).collect();
    assert_eq!(
        widths,
        vec![
            ("clock", Dir::Input, 1),
            ("reset", Dir::Input, 1),
            ("enable", Dir::Input, 1),
            ("data", Dir::Input, 200),
            ("acc", Dir::Output, 200),
            ("count", Dir::Output, 8),
            ("mid", Dir::Output, 40),
            ("mid_in", Dir::Input, 40),
        ]
    );
}

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn unknown_names_list_the_valid_ones() {
    let e = Model::new("fixture", "nope").err().expect("unknown module refused");
    assert!(e.to_string().contains("fixture/fixture_acc"), "{e}");
    let m = fixture();
    let e = m.port("nope").unwrap_err();
    assert!(e.to_string().contains("mid_in"), "{e}");
}

/// XOR-accumulates pseudo-random 200-bit words and counts enabled cycles, comparing with Rust.
#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn clocked_and_wide_ports_match_a_rust_reference() {
    let mut m = fixture();
    let [clock, reset, enable, data, acc, count] =
        ["clock", "reset", "enable", "data", "acc", "count"].map(|n| m.port(n).unwrap());
    m.set(reset, 1);
    m.tick(clock);
    m.set(reset, 0);
    let mut want = [0u32; 7];
    let mut want_count = 0u8;
    let mut x = 0x1234_5678_9abc_def0u64;
    for cycle in 0..1000 {
        let mut words = [0u32; 7];
        for w in words.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *w = x as u32;
        }
        words[6] &= 0xff; // 200 bits = 6 words + 8 bits
        let en = cycle % 3 != 0;
        m.set(enable, en as u64);
        m.set_wide(data, &words);
        m.tick(clock);
        if en {
            want.iter_mut().zip(words).for_each(|(a, w)| *a ^= w);
            want_count = want_count.wrapping_add(1);
        }
        assert_eq!(m.get_wide(acc), want.to_vec(), "cycle {cycle}");
        let mut into = [0xdead_beefu32; 8];
        m.get_wide_into(acc, &mut into);
        assert_eq!((&into[..7], into[7]), (&want[..], 0), "cycle {cycle}: get_wide_into");
        assert_eq!(m.get(count), want_count as u64, "cycle {cycle}");
    }
    assert_eq!(m.time(), 2 * 1001);
}

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn combinational_port_between_32_and_64_bits() {
    let mut m = fixture();
    let (mid_in, mid) = (m.port("mid_in").unwrap(), m.port("mid").unwrap());
    for v in [0u64, 1, 0xffff_ffff, 0x7f_ffff_fffe, 0xff_ffff_fffd, 0xff_ffff_ffff] {
        m.set(mid_in, v);
        m.eval();
        assert_eq!(m.get(mid), (v + 3) & 0xff_ffff_ffff, "mid_in = {v:#x}");
    }
}

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
#[should_panic(expected = "does not fit")]
fn overwide_values_are_refused() {
    let mut m = fixture();
    let count_in = m.port("enable").unwrap();
    m.set(count_in, 2);
}

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
#[should_panic(expected = "is an output")]
fn outputs_cannot_be_set() {
    let mut m = fixture();
    let count = m.port("count").unwrap();
    m.set(count, 1);
}

/// Instances are independent, and a model can run on another thread.
#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn instances_are_independent_and_send() {
    let handles: Vec<_> = (1..=4u64)
        .map(|n| {
            std::thread::spawn(move || {
                let mut m = fixture();
                let (clock, enable, count) =
                    (m.port("clock").unwrap(), m.port("enable").unwrap(), m.port("count").unwrap());
                m.set(enable, 1);
                for _ in 0..(10 * n) {
                    m.tick(clock);
                }
                (n, m.get(count))
            })
        })
        .collect();
    for h in handles {
        let (n, count) = h.join().unwrap();
        assert_eq!(count, 10 * n);
    }
}
