//! Entropy provenance: which bytes may be handed on as entropy.
//!
//! Every source kind says whether its bytes can be entropy at all. A board's UART stream can: its
//! conditioned blocks come from a physical noise source, vouched for by its STATUS frames. A
//! simulated board cannot: its "noise" is a seeded software model, so anyone with the seed has the
//! bytes. A replayed capture cannot either: the bytes were made once already and whoever holds the
//! file has them. The health gate cannot tell these apart (a simulated board is healthy by design),
//! so the distinction is made here, from the source kind, before anything is opened.
//!
//! Sinks whose reader takes every byte as entropy (the kernel pool, and any later sink that hands
//! entropy to another machine: EGD, virtio-rng) say so through
//! [`SinkSpec::takes_only_entropy`]; [`check`] refuses a run that feeds one from a source that
//! cannot be entropy. Other sinks take simulated bytes (demos, tests), and the telemetry rows and
//! the summary lines mark them.

use crate::sink::SinkSpec;
use crate::source::SourceSpec;
use std::fmt;

/// Where a source's bytes come from, as far as entropy is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provenance {
    /// A hardware board (`serial:`, `ftdi:`): its bytes can be entropy.
    Board,
    /// The simulated board (`sim:`): a seeded model, reproducible by anyone with the seed.
    Simulated,
    /// A replayed capture (`file:`): bytes made once already, held by whoever has the file.
    Replay,
}

impl Provenance {
    /// Why bytes of this provenance cannot be entropy; `None` when they can.
    pub fn why_not_entropy(self) -> Option<&'static str> {
        match self {
            Provenance::Board => None,
            Provenance::Simulated => Some(
                "it is a simulated board, whose bytes come from a seeded software model that anyone with the seed can reproduce",
            ),
            Provenance::Replay => Some(
                "it replays a capture, whose bytes were made once already and are known to whoever holds the file",
            ),
        }
    }

    pub fn is_entropy(self) -> bool {
        self.why_not_entropy().is_none()
    }
}

/// The word telemetry rows and summary lines carry: `board`, `simulated` or `replay`.
impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provenance::Board => "board",
            Provenance::Simulated => "simulated",
            Provenance::Replay => "replay",
        })
    }
}

/// Refuses a run in which a sink that takes only entropy would get bytes from a source that cannot
/// be entropy. Called before any source or sink is opened, so a refused run writes nothing.
pub fn check(sources: &[SourceSpec], sinks: &[SinkSpec]) -> Result<(), String> {
    let Some(sink) = sinks.iter().find(|s| s.takes_only_entropy()) else { return Ok(()) };
    for source in sources {
        if let Some(why) = source.provenance().why_not_entropy() {
            return Err(format!(
                "output {sink} takes only entropy, but source {source} cannot be entropy: {why}; \
                 use a serial: or ftdi: board for --output {sink}, or send these bytes to stdout, file:PATH or fifo:PATH"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sim:` words are built directly: a build without the `sim` feature refuses to parse them,
    /// and provenance does not depend on the parser.
    fn spec(t: &str) -> SourceSpec {
        match t.strip_prefix("sim:") {
            Some(s) => SourceSpec::Sim { scenario: s.into(), onset: None, flap_every: None },
            None => SourceSpec::parse(t).unwrap(),
        }
    }

    fn sources(text: &[&str]) -> Vec<SourceSpec> {
        text.iter().map(|t| spec(t)).collect()
    }

    #[test]
    fn every_source_kind_states_its_provenance() {
        let p = |t: &str| spec(t).provenance();
        assert_eq!(p("serial:/dev/ttyUSB0"), Provenance::Board);
        assert_eq!(p("ftdi:FT123456"), Provenance::Board);
        assert_eq!(p("sim:optimal"), Provenance::Simulated);
        assert_eq!(p("file:cap.bin"), Provenance::Replay);
        assert!(Provenance::Board.is_entropy());
        assert!(!Provenance::Simulated.is_entropy() && !Provenance::Replay.is_entropy());
        assert_eq!(Provenance::Simulated.to_string(), "simulated");
    }

    #[test]
    fn the_kernel_sink_refuses_sources_that_cannot_be_entropy_and_others_take_them() {
        let kernel = [SinkSpec::Kernel];
        assert_eq!(check(&sources(&["serial:/dev/ttyUSB0", "ftdi:A"]), &kernel), Ok(()));
        let e = check(&sources(&["serial:/dev/ttyUSB0", "sim:optimal"]), &kernel).unwrap_err();
        assert!(
            e.starts_with(
                "output kernel takes only entropy, but source sim:optimal cannot be entropy"
            ) && e.contains("simulated board"),
            "{e}"
        );
        let e =
            check(&sources(&["file:cap.bin"]), &[SinkSpec::Stdout, SinkSpec::Kernel]).unwrap_err();
        assert!(e.contains("source file:cap.bin") && e.contains("replays a capture"), "{e}");
        let demo = [SinkSpec::Stdout, SinkSpec::File("o".into()), SinkSpec::Fifo("f".into())];
        assert_eq!(check(&sources(&["sim:optimal", "file:cap.bin"]), &demo), Ok(()));
    }
}
