//! Released bytes to the sinks without letting one sink hold up another: every sink is written on
//! its own thread from its own bounded backlog.
//!
//! Before this, the main loop wrote every sink in turn, so one FIFO reader that stopped reading
//! froze every sink (and, with the sources still filling an unbounded queue, grew memory without
//! bound). Now the main loop only copies released bytes into each sink's backlog, which never
//! blocks: what does not fit is dropped *for that sink alone* and counted, so a slow reader gets
//! gaps, never stale or duplicated bytes, and every other sink goes on at the normal rate. Memory
//! is bounded by the sinks' backlogs (plus one chunk per sink in flight, which the backlog counts).
//!
//! Only the main loop's mixer output is pushed here, and the mixer only ever holds blocks the
//! health gate released, so a backlog never holds a byte of an unhealthy source.

use crate::sink::{Credited, Sink};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Bytes a sink may have waiting by default (`--sink-backlog`): 1 MiB, 28 s of a 300 kbit/s
/// board, so a reader that pauses (rngd restarting) loses nothing while memory stays small.
pub const DEFAULT_BACKLOG: usize = 1 << 20;
/// The smallest backlog: one conditioned block.
pub const MIN_BACKLOG: usize = 32;
/// The largest backlog accepted, so that a typo cannot promise gigabytes of memory.
pub const MAX_BACKLOG: usize = 1 << 30;
/// A sink that keeps dropping is logged at most this often (with the count since the last line),
/// so that a reader stalled for days does not flood the journal; telemetry has the exact count.
pub const OVERFLOW_LOG_PERIOD: Duration = Duration::from_secs(10);

/// Checks `--sink-backlog`.
pub fn check_backlog(bytes: u64) -> Result<usize, String> {
    if (MIN_BACKLOG as u64..=MAX_BACKLOG as u64).contains(&bytes) {
        Ok(bytes as usize)
    } else {
        Err(format!(
            "--sink-backlog {bytes}: must be between {MIN_BACKLOG} (one block) and {MAX_BACKLOG} bytes; default {DEFAULT_BACKLOG}"
        ))
    }
}

#[derive(Default)]
struct Queue {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes in `chunks` plus the chunk being written: what the backlog bound applies to.
    queued: usize,
    dropped: u64,
    written: u64,
    /// A lowered kernel credit, applied by the sink thread before its next write.
    credit_cap: Option<f64>,
    credited: Option<Credited>,
    /// No more bytes will come: the thread writes what is queued and ends.
    closed: bool,
    /// The thread has ended.
    done: bool,
    error: Option<String>,
}

struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
    abandon: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct Outlet {
    name: String,
    shared: Arc<Shared>,
    /// Dropped-byte count when it was last logged, and when.
    logged: (u64, Option<Instant>),
    _thread: JoinHandle<()>,
}

/// What a sink did over the run, for the last lines of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub written: u64,
    pub dropped: u64,
    /// Still in the backlog when the run's end gave up waiting for the reader.
    pub unwritten: u64,
    pub credited: Option<Credited>,
}

pub struct Fanout {
    outlets: Vec<Outlet>,
    backlog: usize,
}

/// One sink's counters at one moment, as the metrics endpoint (metrics.rs) reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkStat {
    pub name: String,
    /// Bytes waiting for the reader (the chunk being written included).
    pub queued: u64,
    pub dropped: u64,
    pub written: u64,
    pub credited: Option<Credited>,
}

/// A read-only handle on every sink's counters, for a thread other than the main loop's: reading
/// takes each sink's lock only for a copy of four numbers, never the main loop's time.
#[derive(Clone)]
pub struct SinkStats(Vec<(String, Arc<Shared>)>);

impl std::fmt::Debug for SinkStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(n, _)| n)).finish()
    }
}

impl SinkStats {
    pub fn read(&self) -> Vec<SinkStat> {
        self.0
            .iter()
            .map(|(name, shared)| {
                let q = shared.lock();
                SinkStat {
                    name: name.clone(),
                    queued: q.queued as u64,
                    dropped: q.dropped,
                    written: q.written,
                    credited: q.credited,
                }
            })
            .collect()
    }
}

impl Fanout {
    /// Starts one writer thread per sink; `name` is the sink as the operator wrote it.
    pub fn start(sinks: Vec<(String, Sink)>, backlog: usize) -> Fanout {
        let outlets = sinks
            .into_iter()
            .enumerate()
            .map(|(i, (name, sink))| {
                let shared = Arc::new(Shared {
                    queue: Mutex::new(Queue { credited: sink.credited(), ..Queue::default() }),
                    changed: Condvar::new(),
                    abandon: AtomicBool::new(false),
                });
                let s = shared.clone();
                let thread = std::thread::Builder::new()
                    .name(format!("sink-{i}"))
                    .spawn(move || drain(sink, &s))
                    .expect("spawning a sink thread");
                Outlet { name, shared, logged: (0, None), _thread: thread }
            })
            .collect();
        Fanout { outlets, backlog }
    }

    /// A handle on the sinks' counters for the metrics endpoint.
    pub fn stats(&self) -> SinkStats {
        SinkStats(self.outlets.iter().map(|o| (o.name.clone(), o.shared.clone())).collect())
    }

    /// Queues released bytes for every sink; never waits. A sink whose backlog cannot take all of
    /// them takes the first bytes that fit and the rest are dropped for it and counted.
    pub fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        for o in &self.outlets {
            let mut q = o.shared.lock();
            if q.error.is_some() || q.closed {
                continue;
            }
            let take = bytes.len().min(self.backlog.saturating_sub(q.queued));
            q.dropped += (bytes.len() - take) as u64;
            if take > 0 {
                q.queued += take;
                q.chunks.push_back(bytes[..take].to_vec());
                o.shared.changed.notify_all();
            }
        }
    }

    /// Logs every sink that dropped bytes since its last line, at most once per
    /// [`OVERFLOW_LOG_PERIOD`]; the first drop is logged at once.
    pub fn log_overflow(&mut self) {
        let backlog = self.backlog;
        for o in &mut self.outlets {
            let dropped = o.shared.lock().dropped;
            let due = o.logged.1.is_none_or(|t| t.elapsed() >= OVERFLOW_LOG_PERIOD);
            if dropped > o.logged.0 && due {
                tracing::warn!(
                    "output {}: its reader is not keeping up: {} bytes dropped for it since the last report ({dropped} in total; backlog {backlog} bytes full); the other outputs go on",
                    o.name,
                    dropped - o.logged.0
                );
                o.logged = (dropped, Some(Instant::now()));
            }
        }
    }

    /// Lowers the kernel sink's credit per byte before its next write (a board's attested claim
    /// supports no more). Bytes already queued are credited at the lower rate too: never more.
    pub fn cap_credit(&self, bits: f64) {
        for o in &self.outlets {
            let mut q = o.shared.lock();
            q.credit_cap = Some(q.credit_cap.map_or(bits, |c| c.min(bits)));
        }
    }

    /// The first sink whose write failed, as `NAME: error`.
    pub fn error(&self) -> Option<String> {
        self.outlets
            .iter()
            .find_map(|o| o.shared.lock().error.as_ref().map(|e| format!("{}: {e}", o.name)))
    }

    /// Bytes dropped per sink so far, as the telemetry column `sink_dropped_bytes` carries them.
    /// Bits the kernel sink has credited so far (RNDADDENTROPY calls it accepted); 0 without one.
    pub fn credited_bits(&self) -> u64 {
        self.outlets.iter().filter_map(|o| o.shared.lock().credited).map(|c| c.bits).sum()
    }

    pub fn dropped_json(&self) -> String {
        let m: serde_json::Map<String, serde_json::Value> =
            self.outlets.iter().map(|o| (o.name.clone(), o.shared.lock().dropped.into())).collect();
        serde_json::Value::Object(m).to_string()
    }

    /// Ends the run's output: every sink writes what it holds until `deadline`; a writer still
    /// waiting on its reader then is told to give up (and left behind), and what it did not
    /// write is reported as unwritten.
    pub fn finish(self, deadline: Instant) -> Vec<Outcome> {
        for o in &self.outlets {
            o.shared.lock().closed = true;
            o.shared.changed.notify_all();
        }
        for o in &self.outlets {
            let mut q = o.shared.lock();
            while !q.done {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                q = o.shared.changed.wait_timeout(q, left).unwrap_or_else(|p| p.into_inner()).0;
            }
        }
        self.outlets
            .iter()
            .map(|o| {
                o.shared.abandon.store(true, Ordering::Relaxed);
                let q = o.shared.lock();
                Outcome {
                    name: o.name.clone(),
                    written: q.written,
                    dropped: q.dropped,
                    unwritten: q.queued as u64,
                    credited: q.credited,
                }
            })
            .collect()
    }
}

/// A sink's thread. The sink is dropped before the sink is reported done, so what its drop
/// does (the EGD server's last log line, closing a file) happens before the process can exit.
fn drain(mut sink: Sink, shared: &Shared) {
    write_queued(&mut sink, shared);
    drop(sink);
    shared.lock().done = true;
    shared.changed.notify_all();
}

/// Writes queued chunks in order until the queue is closed and empty, the sink fails, or it is
/// told to give up.
fn write_queued(sink: &mut Sink, shared: &Shared) {
    loop {
        let (chunk, cap) = {
            let mut q = shared.lock();
            loop {
                if let Some(c) = q.chunks.pop_front() {
                    break (c, q.credit_cap.take());
                }
                if q.closed {
                    return;
                }
                q = shared.changed.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        };
        if let Some(bits) = cap {
            sink.cap_credit(bits);
        }
        let result = sink.write_until(&chunk, &shared.abandon);
        let mut q = shared.lock();
        q.credited = sink.credited();
        match result {
            Ok(n) if n == chunk.len() => {
                q.written += n as u64;
                q.queued -= n;
            }
            Ok(n) => {
                // Abandoned at the end of the run: the rest of the chunk stays counted in `queued`.
                q.written += n as u64;
                q.queued -= n;
                return;
            }
            Err(e) => {
                q.error = Some(e.to_string());
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::SinkSpec;
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("speckle-fanout-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A FIFO nobody reads beside a file: the file gets every byte in order, the FIFO gets what
    /// its pipe and backlog hold, every other byte is counted as dropped for the FIFO alone, and
    /// the end of the run does not wait for the FIFO's reader beyond its deadline.
    #[test]
    fn a_stalled_fifo_drops_and_counts_while_the_file_gets_every_byte() {
        let dir = tmp("stall");
        let (file, fifo) = (dir.join("out.bin"), dir.join("stalled.fifo"));
        let open = |s: &SinkSpec| (s.to_string(), Sink::open(s, 4.0).unwrap());
        let sinks = vec![open(&SinkSpec::File(file.clone())), open(&SinkSpec::Fifo(fifo.clone()))];
        // The reader: opened, shrunk to one page, never read until the end.
        let mut reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        let pipe = unsafe { libc::fcntl(reader.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
        assert_eq!(pipe, 4096);
        let backlog = 1024;
        let mut fan = Fanout::start(sinks, backlog);
        let mut sent = Vec::new();
        for i in 0..400u32 {
            let chunk: Vec<u8> = (0..64).map(|j| (i * 64 + j) as u8 ^ (i >> 2) as u8).collect();
            fan.push(&chunk);
            sent.extend_from_slice(&chunk);
            std::thread::sleep(Duration::from_micros(200));
        }
        let dropped: serde_json::Value = serde_json::from_str(&fan.dropped_json()).unwrap();
        let t = Instant::now();
        let out = fan.finish(Instant::now() + Duration::from_millis(300));
        assert!(t.elapsed() < Duration::from_millis(450), "finish took {:?}", t.elapsed());
        assert_eq!(std::fs::read(&file).unwrap(), sent, "the file got every byte, in order");
        let (f, q) = (&out[0], &out[1]);
        assert_eq!((f.written, f.dropped, f.unwritten), (sent.len() as u64, 0, 0));
        assert_eq!(q.written, pipe as u64, "the FIFO took what its pipe holds");
        assert!(q.unwritten <= backlog as u64 && q.unwritten > 0, "{q:?}");
        assert_eq!(q.written + q.dropped + q.unwritten, sent.len() as u64, "{q:?}");
        assert!(dropped[&q.name].as_u64().unwrap() > 0, "{dropped}");
        assert_eq!(dropped[&f.name], 0);
        // What the FIFO got is a prefix of what was sent: gaps come after, never duplicates.
        let mut got = vec![0u8; 8192];
        let n = reader.read(&mut got).unwrap();
        assert_eq!(&got[..n], &sent[..n]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_sink_is_reported_by_name_and_bad_backlogs_are_refused() {
        // /dev/full refuses every write with ENOSPC.
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let mut fan = Fanout::start(vec![("file:/dev/full".into(), Sink::File(full))], 4096);
        fan.push(&[1; 32]);
        let t = Instant::now();
        while fan.error().is_none() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let e = fan.error().unwrap();
        assert!(e.starts_with("file:/dev/full: ") && e.contains("space"), "{e}");
        assert_eq!(check_backlog(1 << 20), Ok(1 << 20));
        for bad in [0, 31, (1 << 30) + 1] {
            assert!(check_backlog(bad).unwrap_err().contains("--sink-backlog"), "{bad}");
        }
    }
}
