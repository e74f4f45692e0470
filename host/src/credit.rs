//! The kernel sink's credit per byte over a run.

use crate::attest::Claim;
use crate::source::SourceSpec;

/// The kernel sink's credit per byte: `--entropy-per-byte`, lowered to what the least of the
/// boards' attested claims supports (attest.rs), and never raised again during the run. Blocks of a
/// source reach the sinks only after its first attested STATUS, so its claim is always counted
/// before its bytes are credited.
pub struct Credit {
    asked: f64,
    now: f64,
    kernel: bool,
}

/// A credit lowered by a claim: the new bits per byte, and the line to log when a kernel sink
/// is in the run.
#[derive(Debug, PartialEq)]
pub struct Lowered {
    pub bits: f64,
    pub notice: Option<String>,
}

impl Credit {
    pub fn new(asked: f64, kernel: bool) -> Self {
        Credit { asked, now: asked, kernel }
    }

    /// Takes a source's attested claim; says so when it lowers the credit.
    pub fn attested(&mut self, source: &SourceSpec, claim: &Claim) -> Option<Lowered> {
        let supported = claim.creditable_bits_per_byte();
        if supported >= self.now {
            return None;
        }
        self.now = supported;
        let notice = self.kernel.then(|| {
            format!(
                "kernel: crediting {supported} bits per byte, not the {} asked for (--entropy-per-byte): {source} attests {claim}, which supports no more",
                self.asked
            )
        });
        Some(Lowered { bits: supported, notice })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No board that passes attestation supports less than 8 bits per byte (attest.rs requires
    /// n_in · H >= 256 + 64), so the clamp is shown here on a claim built by hand. The sink side
    /// (`Sink::cap_credit`, applied by the kernel sink's thread before its next write) is tested in
    /// sink.rs.
    #[test]
    fn the_kernel_credit_never_exceeds_what_an_attested_claim_supports_and_says_so() {
        let mut credit = Credit::new(8.0, true);
        let src = SourceSpec::parse("serial:/dev/ttyUSB0").unwrap();
        let full = Claim { h_milli: 500, alpha_log2: 30, window: 1024, n_in: 640 };
        assert_eq!(credit.attested(&src, &full), None);
        let thin = Claim { n_in: 576, ..full };
        let lowered = credit.attested(&src, &thin).unwrap();
        assert_eq!(lowered.bits, 7.0);
        assert_eq!(
            lowered.notice.unwrap(),
            format!("kernel: crediting 7 bits per byte, not the 8 asked for (--entropy-per-byte): serial:/dev/ttyUSB0@{} attests H = 0.500, α = 2^-30, W = 1024, n_in = 576, which supports no more", crate::source::DEFAULT_BAUD)
        );
        // A later, better claim does not raise it again.
        assert_eq!(credit.attested(&src, &full), None);
        // Without a kernel sink the credit still falls, silently.
        let mut quiet = Credit::new(8.0, false);
        assert_eq!(quiet.attested(&src, &thin), Some(Lowered { bits: 7.0, notice: None }));
    }
}
