//! Where the monitor's data comes from: simulated boards run in-process (the frames decoded with
//! `speckle_model::protocol`, exactly as the host would see them), or a running daemon's status
//! socket (JSON lines of telemetry rows). Nothing here writes entropy anywhere: conditioned bytes
//! go to the audit only.

use crate::row::TelemetryRow;
use speckle_model::protocol::{Command, Decoder, DecoderStats, Mode, Payload, SfpDiag, Status};
use speckle_sim::{board_params, open_fpga, Bench, CoreChoice, Scenario};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

/// REQUEST_STATUS every this many RD samples (10 ms of board time), so the views update smoothly;
/// the board's own STATUS period is 0.56 s (2^24 clocks at 30 MHz).
pub const REQUEST_EVERY: u64 = 60_000;

/// Samples simulated between decodes (170 µs of board time).
const DECODE_STEP: u64 = 1024;

/// What a source reports to the app.
#[derive(Clone, Debug)]
pub enum Update {
    Status {
        source: String,
        t_s: f64,
        status: Status,
    },
    Sfp {
        source: String,
        diag: SfpDiag,
    },
    /// Conditioned output, for the audit only.
    Conditioned {
        source: String,
        bytes: Vec<u8>,
    },
    /// Raw samples from the separate raw-tap board (RAW frames), never from the conditioned path.
    RawTap {
        source: String,
        bytes: Vec<u8>,
    },
    Link {
        source: String,
        t_s: f64,
        bytes_in: u64,
        stats: DecoderStats,
    },
    Row(Box<TelemetryRow>),
    /// Source `old` was replaced by a fresh board `new`: everything about `old` sent before this
    /// (the channel is in order) is history, everything after belongs to `new`.
    Restarted {
        old: String,
        new: String,
    },
    Event {
        source: String,
        text: String,
    },
}

/// One simulated source: the board whose output is monitored, plus a second board with the same
/// scenario (another seed) in raw mode as the raw tap.
pub struct SimSource {
    pub name: String,
    pub scenario: Scenario,
    seed: u64,
    main: Bench,
    raw: Bench,
    dec: Decoder,
    raw_dec: Decoder,
    bytes_in: u64,
    next_request: u64,
    seq: u16,
}

fn open_bench(s: Scenario, seed: u64) -> Result<Bench, String> {
    let p = board_params(speckle_sim::DEFAULT_BAUD)?;
    // The Rust models, not Verilator: the Verilated board runs far slower than real time, and the
    // monitor shows a live picture. The sim's tests hold models and RTL to the same behaviour.
    let fpga = open_fpga(CoreChoice::Model, "ice40", &p)?;
    Ok(Bench::new(s, seed, fpga.core, fpga.front))
}

impl SimSource {
    pub fn new(scenario: Scenario, seed: u64) -> Result<Self, String> {
        let mut raw = open_bench(scenario, seed.wrapping_add(0x5eed))?;
        raw.core.push_host_bytes(&Command::SetMode(Mode::Raw).encode(0));
        Ok(SimSource {
            name: format!("sim:{}", scenario.name()),
            scenario,
            seed,
            main: open_bench(scenario, seed)?,
            raw,
            dec: Decoder::new(),
            raw_dec: Decoder::new(),
            bytes_in: 0,
            next_request: 0,
            seq: 0,
        })
    }

    /// A fresh board with another scenario (a tripped interlock needs a restart, as on hardware).
    pub fn restart(&mut self, scenario: Scenario) -> Result<Vec<Update>, String> {
        let old = std::mem::take(&mut self.name);
        *self = SimSource::new(scenario, self.seed)?;
        Ok(vec![Update::Restarted { old, new: self.name.clone() }])
    }

    pub fn t_s(&self) -> f64 {
        self.main.t as f64 / self.main.sample_rate_hz()
    }

    pub fn sample_rate_hz(&self) -> f64 {
        self.main.sample_rate_hz()
    }

    /// Simulates `samples` RD samples on both boards and decodes what they sent.
    pub fn pump(&mut self, samples: u64) -> Vec<Update> {
        let mut out = Vec::new();
        let end = self.main.t + samples;
        while self.main.t < end {
            if self.main.t >= self.next_request {
                self.seq = self.seq.wrapping_add(1);
                self.main.core.push_host_bytes(&Command::RequestStatus.encode(self.seq));
                self.next_request = self.main.t + REQUEST_EVERY;
            }
            // Small steps so a frame's arrival time (t_s) is known to within DECODE_STEP samples.
            let n = (end - self.main.t).min(self.next_request - self.main.t).min(DECODE_STEP);
            let bytes = self.main.run(n);
            self.bytes_in += bytes.len() as u64;
            let raw_bytes = self.raw.run(n);
            self.decode(&bytes, &raw_bytes, &mut out);
        }
        out.push(Update::Link {
            source: self.name.clone(),
            t_s: self.t_s(),
            bytes_in: self.bytes_in,
            stats: self.dec.stats(),
        });
        out
    }

    fn decode(&mut self, bytes: &[u8], raw_bytes: &[u8], out: &mut Vec<Update>) {
        let (source, t_s) = (self.name.clone(), self.t_s());
        let mut conditioned = Vec::new();
        for f in self.dec.feed(bytes) {
            match f.payload() {
                Ok(Payload::Conditioned(d)) => conditioned.extend(d.iter().flatten()),
                Ok(Payload::Status(status)) => {
                    out.push(Update::Status { source: source.clone(), t_s, status })
                }
                Ok(Payload::SfpDiag(diag)) => {
                    out.push(Update::Sfp { source: source.clone(), diag })
                }
                Ok(_) => {}
                Err(e) => out.push(Update::Event {
                    source: source.clone(),
                    text: format!("bad payload: {e}"),
                }),
            }
        }
        if !conditioned.is_empty() {
            out.push(Update::Conditioned { source: source.clone(), bytes: conditioned });
        }
        let mut raw = Vec::new();
        for f in self.raw_dec.feed(raw_bytes) {
            if let Ok(Payload::Raw(r)) = f.payload() {
                raw.extend_from_slice(&r);
            }
        }
        if !raw.is_empty() {
            out.push(Update::RawTap { source, bytes: raw });
        }
    }
}

/// Control messages for the simulation thread.
pub enum SimControl {
    Restart(usize, Scenario),
}

/// Runs the boards on their own thread, paced to real time at most (slower when the machine cannot
/// keep up), until the update receiver is dropped.
pub fn spawn_sims(mut sims: Vec<SimSource>, tx: Sender<Update>, ctl: Receiver<SimControl>) {
    std::thread::spawn(move || {
        let start = Instant::now();
        let rate = sims.first().map(|s| s.sample_rate_hz()).unwrap_or(6e6);
        let chunk = (rate * 0.005) as u64;
        let mut simulated = 0u64;
        loop {
            while let Ok(SimControl::Restart(i, s)) = ctl.try_recv() {
                if let Some(sim) = sims.get_mut(i) {
                    for u in sim.restart(s).unwrap_or_else(|e| {
                        vec![Update::Event { source: sim.name.clone(), text: e }]
                    }) {
                        let _ = tx.send(u);
                    }
                }
            }
            for sim in sims.iter_mut() {
                for u in sim.pump(chunk) {
                    if tx.send(u).is_err() {
                        return;
                    }
                }
            }
            simulated += chunk;
            let sim_time = Duration::from_secs_f64(simulated as f64 / rate);
            if let Some(ahead) = sim_time.checked_sub(start.elapsed()) {
                std::thread::sleep(ahead);
            }
        }
    });
}

/// Follows a daemon's status socket, reconnecting once a second while it is absent.
pub fn spawn_socket(path: PathBuf, tx: Sender<Update>) {
    std::thread::spawn(move || {
        let label = path.display().to_string();
        let mut announced = false;
        loop {
            match std::os::unix::net::UnixStream::connect(&path) {
                Ok(s) => {
                    announced = false;
                    if tx
                        .send(Update::Event {
                            source: label.clone(),
                            text: "connected to the status socket".into(),
                        })
                        .is_err()
                    {
                        return;
                    }
                    for line in std::io::BufReader::new(s).lines() {
                        let Ok(line) = line else { break };
                        let u = match serde_json::from_str::<TelemetryRow>(&line) {
                            Ok(r) => Update::Row(Box::new(r)),
                            Err(e) => Update::Event {
                                source: label.clone(),
                                text: format!("unreadable telemetry line: {e}"),
                            },
                        };
                        if tx.send(u).is_err() {
                            return;
                        }
                    }
                    let _ = tx.send(Update::Event {
                        source: label.clone(),
                        text: "status socket closed; reconnecting".into(),
                    });
                }
                Err(e) if !announced => {
                    announced = true;
                    if tx
                        .send(Update::Event {
                            source: label.clone(),
                            text: format!("cannot connect: {e}; retrying"),
                        })
                        .is_err()
                    {
                        return;
                    }
                }
                Err(_) => {}
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
}
