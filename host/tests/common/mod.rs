//! A board double: builds the byte streams a Speckle board sends, from the protocol's own encoder,
//! so the host can be tested without the simulated board.
#![allow(dead_code)]

use speckle_model::params::CoreParams;
use speckle_model::protocol::{encode, Alarms, Frame, FrameType, StateBits, Status};

pub struct BoardDouble {
    pub seq: u16,
    pub params: CoreParams,
    pub bytes: Vec<u8>,
    pub raw_mode: bool,
    pub rct_failures: u16,
    /// Applied to every STATUS before it is sent: a board that misreports its claim.
    pub edit_status: fn(&mut Status),
}

impl BoardDouble {
    pub fn new() -> Self {
        BoardDouble {
            seq: 0,
            params: CoreParams::ice40(),
            bytes: Vec::new(),
            raw_mode: false,
            rct_failures: 0,
            edit_status: |_| {},
        }
    }

    fn frame(&mut self, ftype: FrameType, payload: Vec<u8>) -> &mut Self {
        self.bytes.extend(encode(&Frame::new(ftype, self.seq, payload)));
        self.seq = self.seq.wrapping_add(1);
        self
    }

    pub fn status(&mut self, alarms: u8) -> &mut Self {
        let gate = if alarms == 0 { StateBits::GATE_OPEN } else { 0 };
        let vn = if self.params.vn_enable { StateBits::VN_ENABLED } else { 0 };
        let mut s = Status {
            mode: u8::from(self.raw_mode),
            state: StateBits(StateBits::STARTUP_DONE | gate | vn),
            alarms: Alarms(alarms),
            rct_failures: self.rct_failures,
            markov_min: 0xFFFF,
            ..Status::claiming(&self.params)
        };
        (self.edit_status)(&mut s);
        self.frame(FrameType::Status, s.serialize().to_vec())
    }

    /// A conditioned block whose bytes say where it came from: `tag` repeated.
    pub fn block(&mut self, tag: u8) -> &mut Self {
        self.frame(FrameType::Conditioned, vec![tag; 32])
    }

    /// A conditioned block with this payload.
    pub fn block_of(&mut self, payload: [u8; 32]) -> &mut Self {
        self.frame(FrameType::Conditioned, payload.to_vec())
    }

    pub fn raw(&mut self, samples: [u8; 32]) -> &mut Self {
        self.frame(FrameType::Raw, samples.to_vec())
    }

    pub fn garbage(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }
}

/// A fresh, empty directory for one test (removed by the test when it passes).
pub fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("speckle-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every file in a telemetry directory: its top and its hive partitions
/// (`source=…/date=…/`), sorted.
pub fn telemetry_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let (mut files, mut dirs) = (Vec::new(), vec![dir.to_path_buf()]);
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

/// Every row of every finished telemetry file under `dir` (partitions included), as column name
/// → value; panics on a file that does not read, which is the point of the SIGKILL test.
pub fn read_telemetry(
    dir: &std::path::Path,
) -> (usize, Vec<std::collections::HashMap<String, parquet::record::Field>>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let files: Vec<_> = telemetry_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    let mut rows = Vec::new();
    for f in &files {
        let reader = SerializedFileReader::new(std::fs::File::open(f).unwrap())
            .unwrap_or_else(|e| panic!("{} is not a valid parquet file: {e}", f.display()));
        for row in reader.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            rows.push(row.get_column_iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        }
    }
    (files.len(), rows)
}

/// Held by each test that starts daemons on pseudo-terminals, so those tests run one at a time: run
/// together, a board's freshly opened pty fds (not yet close-on-exec) leak into another test's
/// daemon, and four daemons plus four boards starve a small CI machine into timing failures.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A pseudo-terminal whose master side plays a board: the host opens the slave like a USB UART.
pub struct PtyBoard {
    pub path: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<[u8; 32]>>>,
}

/// How a [`PtyBoard`] behaves.
#[derive(Clone, Copy)]
pub struct PtyOptions {
    /// Goes into every STATUS.
    pub alarms: u8,
    /// Block payloads from the OS RNG (getrandom) instead of tags: bytes that can be entropy,
    /// for the kernel sink's test.
    pub os_random: bool,
    /// Applied to every STATUS (see [`BoardDouble::edit_status`]).
    pub edit_status: fn(&mut Status),
}

impl Default for PtyOptions {
    fn default() -> Self {
        PtyOptions { alarms: 0, os_random: false, edit_status: |_| {} }
    }
}

/// 32 bytes from the kernel's RNG.
pub fn os_random_block() -> [u8; 32] {
    let mut b = [0u8; 32];
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    assert_eq!(n, 32, "getrandom: {}", std::io::Error::last_os_error());
    b
}

impl PtyBoard {
    /// Streams 8 blocks (tags counting up from 1, wrapping below 0xF0) and then one STATUS every
    /// 50 ms; `alarms` goes into every STATUS.
    pub fn start(alarms: u8) -> Self {
        Self::start_with(PtyOptions { alarms, ..Default::default() })
    }

    /// As [`PtyBoard::start`], as `o` says.
    pub fn start_with(o: PtyOptions) -> Self {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        let (mut master, mut slave) = (0, 0);
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        let path = unsafe { std::ffi::CStr::from_ptr(libc::ttyname(slave)) }
            .to_string_lossy()
            .into_owned();
        // Raw mode on our side too, so the line discipline passes frames through untouched.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            libc::tcgetattr(slave, &mut t);
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(slave, libc::TCSANOW, &t);
        }
        // Children (the daemon under test) must not inherit the master, or it never hangs up.
        unsafe {
            libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC);
            libc::fcntl(slave, libc::F_SETFD, libc::FD_CLOEXEC);
        }
        // A UART nobody listens to loses bytes rather than stalling the board.
        unsafe {
            libc::fcntl(
                master,
                libc::F_SETFL,
                libc::fcntl(master, libc::F_GETFL) | libc::O_NONBLOCK,
            )
        };
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut m = unsafe { std::fs::File::from_raw_fd(master) };
            let mut b = BoardDouble::new();
            b.edit_status = o.edit_status;
            let mut tag = 1u8;
            let mut sent = Vec::new();
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                b.bytes.clear();
                for _ in 0..8 {
                    let payload = if o.os_random { os_random_block() } else { [tag; 32] };
                    b.block_of(payload);
                    sent.push(payload);
                    tag = if tag >= 0xEF { 1 } else { tag + 1 };
                }
                b.status(o.alarms);
                match m.write(&b.bytes) {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => break,
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            unsafe { libc::close(slave) };
            sent
        });
        PtyBoard { path, stop, thread: Some(thread) }
    }

    /// Stops the board; returns every block payload it wrote (or tried to write) to the pty.
    pub fn stop(mut self) -> Vec<[u8; 32]> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

/// A raw-mode capture: a healthy STATUS, the frames with another STATUS after every
/// `status_every` of them (none between when `None`), and a closing STATUS.
#[allow(dead_code)]
pub fn raw_capture(frames: &[[u8; 32]], status_every: Option<usize>) -> Vec<u8> {
    let mut b = BoardDouble::new();
    b.raw_mode = true;
    b.status(0);
    for (i, f) in frames.iter().enumerate() {
        b.raw(*f);
        if status_every.is_some_and(|n| i % n == n - 1) {
            b.status(0);
        }
    }
    b.status(0);
    b.bytes
}

/// Deterministic raw samples (an LCG's top bytes): healthy for the host's tests, reproducible.
#[allow(dead_code)]
pub fn lcg_samples(n_frames: usize, seed: u64) -> Vec<[u8; 32]> {
    let mut x = seed;
    (0..n_frames)
        .map(|_| {
            let mut f = [0u8; 32];
            for b in f.iter_mut() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *b = (x >> 56) as u8;
            }
            f
        })
        .collect()
}
pub mod daemon;
