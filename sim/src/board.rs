//! The simulated board on a pseudo-terminal: the host opens the pty path exactly as it would open
//! a USB serial port, and sees the core's UART stream paced to the baud rate.

use crate::bench::{board_params, open_fpga, Bench};
use crate::core::CoreChoice;
use crate::scenario::Scenario;
use std::ffi::CStr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a board should be built.
#[derive(Clone, Debug)]
pub struct BoardConfig {
    pub scenario: Scenario,
    pub seed: u64,
    pub baud: u64,
    pub core: CoreChoice,
    /// Pace to real time (bytes/s = baud/10 while the line is busy); off runs flat out.
    pub realtime: bool,
    /// Samples from the scenario's start to its fault (`None`: `ONSET_SAMPLES`; `Some(0)`: the
    /// board is faulty from power-on, so it never passes its startup test and sends no block).
    pub fault_onset_samples: Option<u64>,
    /// `link_flap`: samples between dark spells (`None`: `FLAP_EVERY_SAMPLES`).
    pub flap_every_samples: Option<u64>,
}

/// What the board's thread did, returned by [`Board::stop`].
#[derive(Clone, Copy, Debug, Default)]
pub struct BoardStats {
    pub samples: u64,
    pub bytes_sent: u64,
    /// Bytes the pty refused because nobody was reading: lost, as on a real serial line.
    pub bytes_dropped: u64,
    pub host_bytes: u64,
}

pub struct Board {
    path: PathBuf,
    core_kind: &'static str,
    front_kind: &'static str,
    warning: Option<String>,
    stop: Arc<AtomicBool>,
    next_scenario: Arc<Mutex<Option<Scenario>>>,
    thread: Option<JoinHandle<BoardStats>>,
    // Held open so the master never sees EOF/EIO while no host has the path open.
    _slave: OwnedFd,
}

/// Starts a board with `scenario`, `seed` and `baud`, choosing the Verilated core and front end
/// where available.
pub fn start_board(scenario: Scenario, seed: u64, baud: u64) -> Result<Board, String> {
    Board::start(BoardConfig {
        scenario,
        seed,
        baud,
        core: CoreChoice::Auto,
        realtime: true,
        fault_onset_samples: None,
        flap_every_samples: None,
    })
}

impl Board {
    pub fn start(cfg: BoardConfig) -> Result<Board, String> {
        let params = board_params(cfg.baud)?;
        let fpga = open_fpga(cfg.core, "ice40", &params)?;
        let warning = (!fpga.fallbacks.is_empty()).then(|| {
            format!(
                "WARNING: the simulated board does NOT run all of the generated RTL: Verilator could not run its\n{}\n\
                 so pure-Rust stand-ins (CoreModel / the sfp_frontend reference model) run in their place",
                fpga.fallbacks.iter().map(|w| format!("  {w}")).collect::<Vec<_>>().join("\n")
            )
        });
        if let Some(w) = &warning {
            eprintln!("{}\n{w}\n{}", "!".repeat(78), "!".repeat(78));
        }
        let (core_kind, front_kind) = (fpga.core.kind(), fpga.front.kind());
        let (master, slave, path) = open_pty()?;
        let stop = Arc::new(AtomicBool::new(false));
        let next_scenario = Arc::new(Mutex::new(None));
        let mut bench = Bench::new(cfg.scenario, cfg.seed, fpga.core, fpga.front);
        if let Some(onset) = cfg.fault_onset_samples {
            bench.timing.onset = onset;
        }
        if let Some(every) = cfg.flap_every_samples {
            bench.timing.flap_every = every;
        }
        let (s, n) = (stop.clone(), next_scenario.clone());
        let thread = std::thread::Builder::new()
            .name("speckle-sim-board".into())
            .spawn(move || run_board(bench, master, s, n, cfg.realtime))
            .map_err(|e| format!("cannot start the board thread: {e}"))?;
        Ok(Board {
            path,
            core_kind,
            front_kind,
            warning,
            stop,
            next_scenario,
            thread: Some(thread),
            _slave: slave,
        })
    }

    /// The pty to open as the board's serial port.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// "verilator" or "model".
    pub fn core_kind(&self) -> &'static str {
        self.core_kind
    }
    /// "verilator" or "model": which SFP front end runs.
    pub fn front_kind(&self) -> &'static str {
        self.front_kind
    }
    /// The fallback warning, when a Rust model stands in for some of the RTL.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }
    /// Switches scenario at the next chunk; its onset follows after the board's onset setting.
    pub fn set_scenario(&self, s: Scenario) {
        *self.next_scenario.lock().unwrap() = Some(s);
    }
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
    pub fn stop(mut self) -> BoardStats {
        self.halt()
    }
    fn halt(&mut self) -> BoardStats {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or_default()
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Samples simulated between pty reads and writes: 1 ms of board time at the ice40 rate.
const CHUNK_S: f64 = 1e-3;

fn run_board(
    mut bench: Bench,
    master: OwnedFd,
    stop: Arc<AtomicBool>,
    next: Arc<Mutex<Option<Scenario>>>,
    realtime: bool,
) -> BoardStats {
    let mut stats = BoardStats::default();
    let chunk = (CHUNK_S * bench.sample_rate_hz()) as u64;
    let start = Instant::now();
    let fd = master.as_raw_fd();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        if let Some(s) = next.lock().unwrap().take() {
            bench.set_scenario(s);
        }
        // SAFETY: fd is our open, non-blocking pty master and buf is a valid writable buffer.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            bench.core.push_host_bytes(&buf[..n as usize]);
            stats.host_bytes += n as u64;
        }
        let out = bench.run(chunk);
        stats.samples = bench.t;
        let mut off = 0;
        while off < out.len() {
            // SAFETY: as above; the slice is in bounds.
            let w = unsafe { libc::write(fd, out[off..].as_ptr().cast(), out.len() - off) };
            if w <= 0 {
                break;
            }
            off += w as usize;
        }
        stats.bytes_sent += off as u64;
        stats.bytes_dropped += (out.len() - off) as u64;
        if realtime {
            let sim = Duration::from_secs_f64(bench.t as f64 / bench.sample_rate_hz());
            if let Some(ahead) = sim.checked_sub(start.elapsed()) {
                std::thread::sleep(ahead);
            }
        }
    }
    stats
}

/// Opens a pty pair in raw mode; returns (master, slave, slave path). The master is non-blocking.
fn open_pty() -> Result<(OwnedFd, OwnedFd, PathBuf), String> {
    let (mut m, mut s) = (-1, -1);
    // SAFETY: openpty writes two fds; null name/termios/winsize are allowed.
    let rc = unsafe {
        libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), std::ptr::null())
    };
    if rc != 0 {
        return Err(format!("openpty failed: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: both fds were just returned by openpty and are owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
    // SAFETY: termios is plain data; tcgetattr fills it, cfmakeraw edits it, tcsetattr applies it.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(s, &mut t) == 0 {
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(s, libc::TCSANOW, &t);
        }
        let flags = libc::fcntl(m, libc::F_GETFL);
        libc::fcntl(m, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let mut name = [0 as libc::c_char; 256];
    // SAFETY: ttyname_r writes at most name.len() bytes, NUL-terminated, into our buffer.
    let rc = unsafe { libc::ttyname_r(s, name.as_mut_ptr(), name.len()) };
    if rc != 0 {
        return Err(format!("ttyname_r failed: {}", std::io::Error::from_raw_os_error(rc)));
    }
    // SAFETY: ttyname_r succeeded, so the buffer holds a NUL-terminated path.
    let path =
        PathBuf::from(unsafe { CStr::from_ptr(name.as_ptr()) }.to_string_lossy().into_owned());
    Ok((master, slave, path))
}
