//! Byte sources: where a board's UART stream comes from, and where commands to it go.

pub mod file;
pub mod ftdi;
pub mod serial;
#[cfg(feature = "sim")]
pub mod sim;

use crate::provenance::Provenance;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// Default UART rate: the `ice40` profile's baud, which the iCEBreaker and the HX8K breakout run;
/// the ECP5-EVN runs 12 Mbaud and the ULX3S 3 Mbaud (their board files' `uart.baud`,
/// docs/boards.md), given as `@BAUD`.
pub const DEFAULT_BAUD: u32 = 6_000_000;

const KINDS: &str =
    "serial:PATH[@BAUD], ftdi:SERIAL[@BAUD], sim:SCENARIO[@ONSET][/EVERY], file:PATH, any[@BAUD]";

/// A parsed `--source` argument.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceSpec {
    Serial {
        path: PathBuf,
        baud: u32,
    },
    Ftdi {
        serial: String,
        baud: u32,
    },
    /// `onset`: samples before the scenario's fault begins (`None`: the host's default, see sim.rs);
    /// `flap_every`: `link_flap`'s samples between dark spells (`None`: the simulator's default).
    Sim {
        scenario: String,
        onset: Option<u64>,
        flap_every: Option<u64>,
    },
    File {
        path: PathBuf,
    },
}

impl SourceSpec {
    /// One `--source` word to the sources it names: `any[@BAUD]` stands for every USB serial port on
    /// the machine, so an operator with several boards plugged in need not list them (each still gets
    /// its own decoder and health state); every other word is one source.
    pub fn expand(text: &str) -> Result<Vec<Self>, String> {
        if text != "any" && !text.starts_with("any@") {
            return Self::parse(text).map(|s| vec![s]);
        }
        let (_, baud) = split_baud(text, text)?;
        let ports = serial::usb_ports()?;
        if ports.is_empty() {
            return Err(format!(
                "source `{text}`: no USB serial port found on this machine; plug a board in or name it: valid sources are {KINDS}"
            ));
        }
        Ok(ports.into_iter().map(|path| SourceSpec::Serial { path, baud }).collect())
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("source `{text}` has no kind: valid sources are {KINDS}"))?;
        if rest.is_empty() {
            return Err(format!("source `{text}` names no device: valid sources are {KINDS}"));
        }
        match kind {
            "serial" => {
                let (path, baud) = split_baud(text, rest)?;
                Ok(SourceSpec::Serial { path: path.into(), baud })
            }
            "ftdi" => {
                let (serial, baud) = split_baud(text, rest)?;
                Ok(SourceSpec::Ftdi { serial: serial.to_string(), baud })
            }
            // Refused here, before anything is opened, in a build without simulated boards.
            "sim" if !cfg!(feature = "sim") => {
                Err(crate::features::missing(&format!("--source {text}"), "sim"))
            }
            "sim" => {
                let (head, flap_every) = match rest.split_once('/') {
                    None => (rest, None),
                    Some((head, n)) => match n.parse::<u64>() {
                        Ok(every) if every > 0 => (head, Some(every)),
                        _ => return Err(format!(
                            "bad flap period `{n}` in `{text}`: give a positive whole number of samples, e.g. sim:link_flap/1048576"
                        )),
                    },
                };
                let (scenario, onset) = match head.split_once('@') {
                    None => (head, None),
                    Some((scenario, n)) => match n.parse::<u64>() {
                        Ok(onset) => (scenario, Some(onset)),
                        Err(_) => return Err(format!(
                            "bad fault onset `{n}` in `{text}`: give a whole number of samples, e.g. sim:stuck@20000 (0 = faulty from power-on)"
                        )),
                    },
                };
                Ok(SourceSpec::Sim { scenario: scenario.to_string(), onset, flap_every })
            }
            "file" => Ok(SourceSpec::File { path: rest.into() }),
            other => {
                Err(format!("unknown source kind `{other}` in `{text}`: valid sources are {KINDS}"))
            }
        }
    }

    /// Whether this kind of source can deliver entropy (see provenance.rs): only hardware can.
    pub fn provenance(&self) -> Provenance {
        match self {
            SourceSpec::Serial { .. } | SourceSpec::Ftdi { .. } => Provenance::Board,
            SourceSpec::Sim { .. } => Provenance::Simulated,
            SourceSpec::File { .. } => Provenance::Replay,
        }
    }

    pub fn open(&self, sim_seed: u64) -> Result<Box<dyn Link>, String> {
        match self {
            SourceSpec::Serial { path, baud } => {
                serial::open(path, *baud).map(|l| Box::new(l) as _)
            }
            SourceSpec::Ftdi { serial, baud } => {
                ftdi::open(serial, *baud).map(|l| Box::new(l) as _)
            }
            #[cfg(feature = "sim")]
            SourceSpec::Sim { scenario, onset, flap_every } => {
                sim::open(scenario, *onset, *flap_every, sim_seed)
            }
            #[cfg(not(feature = "sim"))]
            SourceSpec::Sim { .. } => {
                let _ = sim_seed; // seeds simulated boards only
                Err(crate::features::missing(&format!("--source {self}"), "sim"))
            }
            SourceSpec::File { path } => file::open(path).map(|l| Box::new(l) as _),
        }
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::Serial { path, baud } => write!(f, "serial:{}@{baud}", path.display()),
            SourceSpec::Ftdi { serial, baud } => write!(f, "ftdi:{serial}@{baud}"),
            SourceSpec::Sim { scenario, onset, flap_every } => {
                write!(f, "sim:{scenario}")?;
                if let Some(n) = onset {
                    write!(f, "@{n}")?;
                }
                match flap_every {
                    Some(n) => write!(f, "/{n}"),
                    None => Ok(()),
                }
            }
            SourceSpec::File { path } => write!(f, "file:{}", path.display()),
        }
    }
}

fn split_baud<'a>(text: &str, rest: &'a str) -> Result<(&'a str, u32), String> {
    match rest.rsplit_once('@') {
        None => Ok((rest, DEFAULT_BAUD)),
        Some((dev, baud)) => match baud.parse::<u32>() {
            Ok(b) if (300..=12_000_000).contains(&b) => Ok((dev, b)),
            _ => Err(format!(
                "bad baud `{baud}` in `{text}`: give a whole number of bits per second between 300 and 12000000, e.g. @6000000"
            )),
        },
    }
}

/// A byte pipe to one board. `read` returns `Ok(0)` when nothing arrived within its short timeout,
/// so callers can keep checking health deadlines; `Err` means the link is gone.
pub trait Link: Send {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// True when the stream has a natural end (a capture file) rather than going silent.
    fn finite(&self) -> bool {
        false
    }
}

/// An in-memory capture, read in fixed chunks so frame boundaries fall anywhere; for tests and tools.
pub struct MemoryLink {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
}

impl MemoryLink {
    pub fn new(data: Vec<u8>, chunk: usize) -> Self {
        MemoryLink { data, pos: 0, chunk: chunk.max(1) }
    }
}

impl Link for MemoryLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.data.len() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "end of capture"));
        }
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
    fn send(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn finite(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_refuses_bad_input_with_the_valid_forms() {
        assert_eq!(
            SourceSpec::parse("serial:/dev/ttyUSB1@2000000").unwrap(),
            SourceSpec::Serial { path: "/dev/ttyUSB1".into(), baud: 2_000_000 }
        );
        assert_eq!(
            SourceSpec::parse("serial:/dev/ttyUSB1").unwrap(),
            SourceSpec::Serial { path: "/dev/ttyUSB1".into(), baud: DEFAULT_BAUD }
        );
        assert_eq!(
            SourceSpec::parse("file:x.bin").unwrap(),
            SourceSpec::File { path: "x.bin".into() }
        );
        assert!(SourceSpec::parse("usb:/dev/x").unwrap_err().contains("serial:PATH"));
        assert_eq!(
            SourceSpec::expand("file:x.bin").unwrap(),
            vec![SourceSpec::File { path: "x.bin".into() }]
        );
        assert!(SourceSpec::expand("any@fast").unwrap_err().contains("bad baud `fast`"));
        // Whatever this machine has: every expansion is a serial source at the asked baud, and none
        // at all is an error that says so.
        match SourceSpec::expand("any@2000000") {
            Ok(specs) => assert!(specs
                .iter()
                .all(|s| matches!(s, SourceSpec::Serial { baud: 2_000_000, .. }))),
            Err(e) => assert!(e.contains("no USB serial port found"), "{e}"),
        }
        assert!(SourceSpec::parse("serial:/dev/x@fast").unwrap_err().contains("bad baud `fast`"));
        assert!(SourceSpec::parse("serial:/dev/x@0").unwrap_err().contains("between 300"));
        assert!(SourceSpec::parse("nocolon").unwrap_err().contains("no kind"));
    }

    /// Every board's rate parses (docs/boards.md: 12, 6 and 3 Mbaud), and the default is the ice40
    /// profile's own rate, so that it follows a retuned profile or fails here.
    #[test]
    fn board_rates_parse_and_the_default_is_the_ice40_rate() {
        assert_eq!(DEFAULT_BAUD as u64, speckle_model::params::CoreParams::ice40().baud);
        for baud in [12_000_000, 6_000_000, 3_000_000] {
            assert_eq!(
                SourceSpec::parse(&format!("serial:/dev/ttyUSB0@{baud}")).unwrap(),
                SourceSpec::Serial { path: "/dev/ttyUSB0".into(), baud }
            );
        }
        assert!(SourceSpec::parse("serial:/dev/x@12000001").unwrap_err().contains("12000000"));
    }

    #[cfg(feature = "sim")]
    #[test]
    fn parses_sim_words_with_onset_and_flap_period() {
        assert_eq!(
            SourceSpec::parse("sim:stuck").unwrap(),
            SourceSpec::Sim { scenario: "stuck".into(), onset: None, flap_every: None }
        );
        assert_eq!(
            SourceSpec::parse("sim:stuck@20000").unwrap(),
            SourceSpec::Sim { scenario: "stuck".into(), onset: Some(20_000), flap_every: None }
        );
        assert_eq!(SourceSpec::parse("sim:stuck@20000").unwrap().to_string(), "sim:stuck@20000");
        assert_eq!(
            SourceSpec::parse("sim:link_flap@0/1048576").unwrap(),
            SourceSpec::Sim {
                scenario: "link_flap".into(),
                onset: Some(0),
                flap_every: Some(1 << 20)
            }
        );
        for t in ["sim:link_flap/1048576", "sim:link_flap@0/1048576"] {
            assert_eq!(SourceSpec::parse(t).unwrap().to_string(), t);
        }
        assert!(SourceSpec::parse("sim:link_flap/0").unwrap_err().contains("bad flap period `0`"));
        assert!(SourceSpec::parse("sim:stuck@soon")
            .unwrap_err()
            .contains("bad fault onset `soon`"));
    }

    /// A production build refuses every `sim:` word when it is parsed, before anything opens.
    #[cfg(not(feature = "sim"))]
    #[test]
    fn sim_words_are_refused_naming_the_feature() {
        let e = SourceSpec::parse("sim:optimal").unwrap_err();
        assert!(
            e.starts_with("--source sim:optimal: this speckle was built without the `sim` feature"),
            "{e}"
        );
    }
}
