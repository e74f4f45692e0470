//! `speckle capture --raw`: raw samples for SP 800-90B assessment, one sample per byte (0 or 1),
//! the input format of NIST's `ea_non_iid` and `ea_restart`.
//!
//! What a restart is here: the board has no command that power-cycles the noise source, so a
//! restart is a `CLEAR_ALARMS` (which also restarts the core's startup test), acknowledged by the
//! board, after which the next `--restart-samples` raw samples are kept. Only RAW frames that arrive
//! after the command's ACK count, so every row starts after its restart. For a restart test in the
//! strict sense of SP 800-90B §3.1.4 (noise source powered down and up), power-cycle the board
//! between single captures instead and concatenate the files.
//!
//! Samples inside one RAW frame are consecutive; the board may skip samples between frames when
//! the UART is the bottleneck, and lost frames (sequence gaps) are reported on stderr.

use crate::cli::CaptureArgs;
use crate::source::{Link, SourceSpec};
use speckle_model::protocol::{Command, Decoder, Mode, Payload};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

struct Capturer {
    link: Box<dyn Link>,
    decoder: Decoder,
    seq: u16,
    deadline: Instant,
    buf: Vec<u8>,
    alarms_seen: u8,
}

impl Capturer {
    fn send(&mut self, c: Command) -> Result<u16, String> {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        self.link
            .send(&c.encode(seq))
            .map_err(|e| format!("cannot send {c:?} to the board: {e}"))?;
        Ok(seq)
    }

    /// Next decoded payload, or an error on timeout or end of stream.
    fn next(&mut self, what: &str) -> Result<Payload, String> {
        loop {
            if let Some(f) = self.decoder.pop() {
                match f.payload() {
                    Ok(Payload::Status(s)) => {
                        if s.alarms.any() && s.alarms.0 != self.alarms_seen {
                            tracing::info!("capture: board reports alarm {} (raw samples are recorded regardless)", s.alarms.names().join("+"));
                        }
                        self.alarms_seen = s.alarms.0;
                    }
                    Ok(p) => return Ok(p),
                    Err(e) => tracing::info!("capture: dropped frame: {e}"),
                }
                continue;
            }
            if Instant::now() > self.deadline {
                return Err(format!(
                    "timed out waiting for {what}: is the board sending RAW frames?"
                ));
            }
            let n = self
                .link
                .read(&mut self.buf)
                .map_err(|e| format!("source ended while waiting for {what}: {e}"))?;
            let chunk = self.buf[..n].to_vec();
            self.decoder.push(&chunk);
        }
    }

    /// Appends `n` samples, one byte each.
    fn collect(&mut self, n: u64, out: &mut impl Write) -> Result<(), String> {
        let mut got = 0;
        while got < n {
            let what = format!("raw samples ({got} of {n} so far)");
            if let Payload::Raw(frame) = self.next(&what)? {
                let take = (n - got).min(256) as usize;
                let bytes: Vec<u8> = (0..take).map(|i| (frame[i / 8] >> (i % 8)) & 1).collect();
                out.write_all(&bytes).map_err(|e| format!("writing capture: {e}"))?;
                got += take as u64;
            }
        }
        Ok(())
    }

    /// Appends `n` bytes of CONDITIONED frames, as the board sent them.
    fn collect_conditioned(&mut self, n: u64, out: &mut impl Write) -> Result<(), String> {
        let mut got = 0;
        while got < n {
            let what = format!("conditioned bytes ({got} of {n} so far)");
            if let Payload::Conditioned(blocks) = self.next(&what)? {
                for block in &blocks {
                    if got == n {
                        break;
                    }
                    let take = (n - got).min(block.len() as u64) as usize;
                    out.write_all(&block[..take]).map_err(|e| format!("writing capture: {e}"))?;
                    got += take as u64;
                }
            }
        }
        Ok(())
    }

    fn restart(&mut self) -> Result<(), String> {
        let seq = self.send(Command::ClearAlarms)?;
        loop {
            if let Payload::Ack(a) = self.next("the CLEAR_ALARMS acknowledgement")? {
                if a.cmd_seq == seq {
                    return Ok(());
                }
            }
        }
    }
}

fn open(spec: &SourceSpec, seed: u64, timeout: f64) -> Result<Capturer, String> {
    Ok(Capturer {
        link: spec.open(seed)?,
        decoder: Decoder::new(),
        seq: 0,
        deadline: Instant::now() + Duration::from_secs_f64(timeout),
        buf: vec![0; 8192],
        alarms_seen: 0,
    })
}

/// `n` raw samples (one per byte, 0/1) or `n` conditioned bytes read from `source`, for
/// `speckle audit --source`. Conditioned bytes are the board's CONDITIONED frames before the
/// daemon's host-side health gate.
pub fn read_source(
    source: &str,
    raw: bool,
    n: u64,
    seed: u64,
    timeout: f64,
) -> Result<Vec<u8>, String> {
    let spec = SourceSpec::parse(source)?;
    let mut cap = open(&spec, seed, timeout)?;
    let mut out = Vec::with_capacity(n as usize);
    if raw {
        cap.send(Command::SetMode(Mode::Raw))?;
        cap.collect(n, &mut out)?;
    } else {
        cap.send(Command::SetMode(Mode::Conditioned))?;
        cap.collect_conditioned(n, &mut out)?;
    }
    Ok(out)
}

pub fn run(a: CaptureArgs) -> Result<(), String> {
    let spec = SourceSpec::parse(&a.source)?;
    if a.restart && matches!(spec, SourceSpec::File { .. }) {
        return Err("--restart needs a live board (serial:, ftdi: or sim:), not a file: replay, to send CLEAR_ALARMS between restarts".into());
    }
    if a.restart && (a.restarts == 0 || a.restart_samples == 0) {
        return Err(
            "--restarts and --restart-samples must be at least 1 (SP 800-90B uses 1000 × 1000)"
                .into(),
        );
    }
    if !a.restart && a.samples == 0 {
        return Err("--samples must be at least 1 (SP 800-90B asks for 1000000)".into());
    }
    let mut cap = open(&spec, a.sim_seed, a.timeout)?;
    let file = File::create(&a.output)
        .map_err(|e| format!("cannot create {}: {e}", a.output.display()))?;
    let mut out = BufWriter::new(file);
    cap.send(Command::SetMode(Mode::Raw))?;
    if a.restart {
        for r in 0..a.restarts {
            cap.restart().map_err(|e| format!("restart {r}: {e}"))?;
            cap.collect(a.restart_samples as u64, &mut out)?;
        }
    } else {
        cap.collect(a.samples, &mut out)?;
    }
    out.flush().map_err(|e| format!("writing capture: {e}"))?;
    let st = cap.decoder.stats();
    let total = if a.restart { a.restarts as u64 * a.restart_samples as u64 } else { a.samples };
    tracing::info!(
        "captured {total} samples to {} (frames ok {}, bad CRC {}, lost {})",
        a.output.display(),
        st.frames_ok,
        st.bad_crc,
        st.lost
    );
    Ok(())
}
