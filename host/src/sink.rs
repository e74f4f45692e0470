//! Where healthy conditioned bytes go. Only the daemon's release path calls these, so a sink never
//! sees a byte the health gate did not confirm. Each sink is written on its own thread behind a
//! bounded backlog (fanout.rs); the writes here can be abandoned, so that a reader that stopped
//! reading holds up neither the other sinks nor the daemon's exit.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

const KINDS: &str = "stdout, file:PATH, fifo:PATH, kernel";

/// Bits of entropy the SHA3-256 conditioner claims per output byte (full entropy).
pub const CONDITIONER_CLAIM: f64 = 8.0;
/// Credited by default: half the claim, so an error in the claim costs margin, not security.
pub const DEFAULT_ENTROPY_PER_BYTE: f64 = 4.0;

#[derive(Clone, Debug, PartialEq)]
pub enum SinkSpec {
    Stdout,
    File(PathBuf),
    Fifo(PathBuf),
    Kernel,
    /// `--egd` (egd.rs): given by its own flag, not `--output`. `not_entropy` is
    /// `--egd-serve-non-entropy-for-tests`, which lets simulated and replayed bytes through.
    Egd {
        addr: crate::egd::EgdAddr,
        not_entropy: bool,
    },
}

impl SinkSpec {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "stdout" => Ok(SinkSpec::Stdout),
            None if text == "kernel" => Ok(SinkSpec::Kernel),
            Some(("file", p)) if !p.is_empty() => Ok(SinkSpec::File(p.into())),
            Some(("fifo", p)) if !p.is_empty() => Ok(SinkSpec::Fifo(p.into())),
            _ => Err(format!("unknown output `{text}`: valid outputs are {KINDS}")),
        }
    }

    /// Whether whoever reads this sink takes every byte as entropy: the kernel pool credits it,
    /// and a later sink that hands entropy to another machine (EGD, virtio-rng) answers true too,
    /// which is all it takes for provenance.rs to refuse simulated and replayed bytes for it. The
    /// match has no catch-all so that a new sink kind must decide.
    pub fn takes_only_entropy(&self) -> bool {
        match self {
            SinkSpec::Kernel => true,
            SinkSpec::Egd { not_entropy, .. } => !not_entropy,
            SinkSpec::Stdout | SinkSpec::File(_) | SinkSpec::Fifo(_) => false,
        }
    }
}

/// As written on the command line.
impl std::fmt::Display for SinkSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SinkSpec::Stdout => f.write_str("stdout"),
            SinkSpec::File(p) => write!(f, "file:{}", p.display()),
            SinkSpec::Fifo(p) => write!(f, "fifo:{}", p.display()),
            SinkSpec::Kernel => f.write_str("kernel"),
            SinkSpec::Egd { addr, .. } => write!(f, "{addr}"),
        }
    }
}

/// What the kernel sink has credited so far: the RNDADDENTROPY calls the kernel accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Credited {
    pub calls: u64,
    pub bytes: u64,
    pub bits: u64,
}

pub enum Sink {
    Stdout,
    File(File),
    /// Opened read-write and non-blocking (see `open_fifo`).
    Fifo(File),
    Kernel {
        dev: File,
        bits_per_byte: f64,
        credited: Credited,
    },
    Egd(crate::egd::EgdServer),
}

/// How long one wait for a pipe to take bytes lasts before the writer looks whether it was told to
/// give up: the daemon's shutdown waits at most this long for a writer it abandoned.
const POLL_SLICE_MS: libc::c_int = 100;

impl Sink {
    pub fn open(spec: &SinkSpec, entropy_per_byte: f64) -> Result<Sink, String> {
        match spec {
            SinkSpec::Stdout => Ok(Sink::Stdout),
            SinkSpec::File(p) => OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map(Sink::File)
                .map_err(|e| format!("cannot open output file {}: {e}", p.display())),
            SinkSpec::Fifo(p) => open_fifo(p).map(Sink::Fifo),
            SinkSpec::Kernel => open_kernel(entropy_per_byte),
            SinkSpec::Egd { addr, .. } => crate::egd::EgdServer::bind(addr).map(Sink::Egd),
        }
    }

    /// Writes all of `bytes`, however long the reader takes.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_until(bytes, &AtomicBool::new(false)).map(|_| ())
    }

    /// Writes `bytes` until all are written or `abandon` is set; returns how many were written.
    /// Pipes (stdout, which may be one, and FIFOs) are written in waits of at most
    /// [`POLL_SLICE_MS`] and pieces of at most `PIPE_BUF`, so a reader that stopped reading never
    /// holds the thread in a write it cannot leave. A regular file and the kernel pool do not
    /// wait on a reader.
    pub fn write_until(&mut self, bytes: &[u8], abandon: &AtomicBool) -> io::Result<usize> {
        match self {
            Sink::Stdout => write_polled(libc::STDOUT_FILENO, bytes, abandon, true),
            Sink::Fifo(f) => write_polled(f.as_raw_fd(), bytes, abandon, false),
            Sink::File(f) => f.write_all(bytes).map(|()| bytes.len()),
            Sink::Kernel { dev, bits_per_byte, credited } => {
                let bits = add_entropy(dev, bytes, *bits_per_byte)?;
                credited.calls += 1;
                credited.bytes += bytes.len() as u64;
                credited.bits += bits as u64;
                Ok(bytes.len())
            }
            Sink::Egd(server) => Ok(server.write_until(bytes, abandon)),
        }
    }

    /// Lowers the credit per byte to `bits` when it is above (a board's attested claim supports
    /// no more); returns the credit it replaced, `None` when nothing changed or the sink credits
    /// nothing.
    pub fn cap_credit(&mut self, bits: f64) -> Option<f64> {
        match self {
            Sink::Kernel { bits_per_byte, .. } if *bits_per_byte > bits => {
                Some(std::mem::replace(bits_per_byte, bits))
            }
            _ => None,
        }
    }

    /// The kernel sink's tally, for the line at the end of a run.
    pub fn credited(&self) -> Option<Credited> {
        match self {
            Sink::Kernel { credited, .. } => Some(*credited),
            _ => None,
        }
    }
}

/// Checks the entropy credit: positive and no more than the conditioner claims.
pub fn check_entropy_per_byte(x: f64) -> Result<f64, String> {
    if x > 0.0 && x <= CONDITIONER_CLAIM {
        Ok(x)
    } else {
        Err(format!(
            "--entropy-per-byte {x}: must be > 0 and at most {CONDITIONER_CLAIM} (the conditioner's claim of full entropy); default {DEFAULT_ENTROPY_PER_BYTE}"
        ))
    }
}

/// Writes to a pipe-like descriptor in pieces of at most `PIPE_BUF` bytes. A non-blocking one (the
/// FIFO) is written at once and, when full (`EAGAIN`), waited on with poll(2) in slices of
/// [`POLL_SLICE_MS`]. A blocking one (stdout: its flags are shared with the shell that started the
/// daemon, so they are left alone) is polled before every write, and a piece of at most
/// `PIPE_BUF` bytes is what a pipe with room takes without blocking. Between slices the writer
/// looks at `abandon`.
fn write_polled(
    fd: RawFd,
    bytes: &[u8],
    abandon: &AtomicBool,
    blocking: bool,
) -> io::Result<usize> {
    let mut done = 0;
    let mut wait = blocking;
    while done < bytes.len() {
        if abandon.load(Ordering::Relaxed) {
            break;
        }
        if wait {
            let mut p = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
            let rc = unsafe { libc::poll(&mut p, 1, POLL_SLICE_MS) };
            if rc < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return Err(io::Error::last_os_error());
            }
            if rc <= 0 {
                continue;
            }
            // POLLERR or POLLHUP (a reader that went away) fall through: the write reports them.
        }
        let n = (bytes.len() - done).min(libc::PIPE_BUF);
        let rc = unsafe { libc::write(fd, bytes[done..].as_ptr().cast(), n) };
        if rc >= 0 {
            done += rc as usize;
            wait = blocking;
            continue;
        }
        let e = io::Error::last_os_error();
        match e.kind() {
            io::ErrorKind::WouldBlock => wait = true,
            io::ErrorKind::Interrupted => {}
            _ => return Err(e),
        }
    }
    Ok(done)
}

/// rngd (`rngd -r PATH`) and other readers take the FIFO; opened read-write so the daemon neither
/// blocks waiting for a reader nor dies when one goes away (writes just wait for the next), and
/// non-blocking so that a full pipe makes a write return instead of wait.
fn open_fifo(p: &Path) -> Result<File, String> {
    match std::fs::metadata(p) {
        Ok(m) if !m.file_type().is_fifo() => {
            return Err(format!(
                "{} exists and is not a FIFO: remove it or choose another path",
                p.display()
            ))
        }
        Ok(_) => {}
        Err(_) => {
            let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes())
                .map_err(|_| format!("FIFO path {} contains a NUL byte", p.display()))?;
            if unsafe { libc::mkfifo(c.as_ptr(), 0o600) } != 0 {
                return Err(format!(
                    "cannot create FIFO {}: {}",
                    p.display(),
                    io::Error::last_os_error()
                ));
            }
        }
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(p)
        .map_err(|e| format!("cannot open FIFO {}: {e}", p.display()))
}

/// `RNDADDENTROPY` = _IOW('R', 0x03, int[2]).
const RNDADDENTROPY: libc::c_ulong = 0x4008_5203;

fn open_kernel(bits_per_byte: f64) -> Result<Sink, String> {
    let bits_per_byte = check_entropy_per_byte(bits_per_byte)?;
    let dev = OpenOptions::new()
        .write(true)
        .open("/dev/random")
        .map_err(|e| format!("cannot open /dev/random for the kernel sink: {e}"))?;
    // A zero-length add is a harmless permission probe: better to refuse at start than at the first block.
    add_entropy(&dev, &[], 0.0).map_err(|e| {
        if e.raw_os_error() == Some(libc::EPERM) {
            "the kernel sink needs CAP_SYS_ADMIN to credit entropy (RNDADDENTROPY): run as root or \
             under packaging/speckle.service, or use --output fifo:PATH with rngd"
                .to_string()
        } else {
            format!("RNDADDENTROPY on /dev/random failed: {e}")
        }
    })?;
    Ok(Sink::Kernel { dev, bits_per_byte, credited: Credited::default() })
}

/// One RNDADDENTROPY call; returns the bits credited, once the kernel accepted them.
fn add_entropy(dev: &File, bytes: &[u8], bits_per_byte: f64) -> io::Result<u32> {
    // struct rand_pool_info { int entropy_count; int buf_size; __u32 buf[]; }
    let mut info = vec![0u32; 2 + bytes.len().div_ceil(4)];
    info[0] = (bytes.len() as f64 * bits_per_byte).floor() as u32;
    info[1] = bytes.len() as u32;
    let body: &mut [u8] =
        unsafe { std::slice::from_raw_parts_mut(info[2..].as_mut_ptr() as *mut u8, bytes.len()) };
    body.copy_from_slice(bytes);
    let rc = unsafe { libc::ioctl(dev.as_raw_fd(), RNDADDENTROPY as _, info.as_ptr()) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_names_and_entropy_credit_are_checked() {
        assert_eq!(SinkSpec::parse("file:/tmp/x").unwrap(), SinkSpec::File("/tmp/x".into()));
        assert_eq!(SinkSpec::parse("kernel").unwrap(), SinkSpec::Kernel);
        assert!(SinkSpec::parse("tcp:1.2.3.4").unwrap_err().contains("stdout, file:PATH"));
        assert!(check_entropy_per_byte(8.5).is_err());
        assert!(check_entropy_per_byte(0.0).is_err());
        assert_eq!(check_entropy_per_byte(8.0), Ok(8.0));
        for text in ["stdout", "file:/tmp/x", "fifo:/tmp/f", "kernel"] {
            assert_eq!(SinkSpec::parse(text).unwrap().to_string(), text);
        }
        assert!(SinkSpec::Kernel.takes_only_entropy());
        assert!(!SinkSpec::Stdout.takes_only_entropy());
        assert!(!SinkSpec::Fifo("/tmp/f".into()).takes_only_entropy());
    }

    #[test]
    fn only_the_kernel_sink_has_a_credit_to_cap() {
        let f = std::env::temp_dir().join(format!("speckle-cap-{}", std::process::id()));
        let mut file = Sink::open(&SinkSpec::File(f.clone()), 4.0).unwrap();
        assert_eq!((file.cap_credit(1.0), file.credited()), (None, None));
        std::fs::remove_file(&f).unwrap();
        // The capping itself, without /dev/random: a kernel sink value built by hand.
        let dev = File::open("/dev/null").unwrap();
        let mut k = Sink::Kernel { dev, bits_per_byte: 4.0, credited: Credited::default() };
        assert_eq!(k.cap_credit(8.0), None, "a cap above the credit changes nothing");
        assert_eq!(k.cap_credit(3.5), Some(4.0));
        assert_eq!(k.cap_credit(3.5), None);
        assert!(matches!(k, Sink::Kernel { bits_per_byte, .. } if bits_per_byte == 3.5));
    }

    #[test]
    fn fifo_is_created_and_a_regular_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("speckle-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("rng.fifo");
        let _ = std::fs::remove_file(&f);
        let mut s = Sink::open(&SinkSpec::Fifo(f.clone()), 4.0).unwrap();
        assert!(std::fs::metadata(&f).unwrap().file_type().is_fifo());
        s.write(&[1, 2, 3]).unwrap();
        let plain = dir.join("plain");
        std::fs::write(&plain, b"x").unwrap();
        assert!(Sink::open(&SinkSpec::Fifo(plain), 4.0).err().unwrap().contains("not a FIFO"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A FIFO nobody reads: the write fills the pipe, then waits in poll slices until it is told
    /// to give up, and says how much it wrote: exactly what the pipe holds.
    #[test]
    fn a_write_to_a_full_fifo_is_abandoned_promptly() {
        let dir = std::env::temp_dir().join(format!("speckle-fifo-full-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("stalled.fifo");
        let mut s = Sink::open(&SinkSpec::Fifo(f), 4.0).unwrap();
        let Sink::Fifo(file) = &s else { panic!("a FIFO sink") };
        let pipe = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETPIPE_SZ) };
        assert!(pipe > 0, "F_GETPIPE_SZ: {}", io::Error::last_os_error());
        let abandon = std::sync::Arc::new(AtomicBool::new(false));
        let flag = abandon.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            flag.store(true, Ordering::Relaxed);
            std::time::Instant::now()
        });
        let written = s.write_until(&vec![7u8; 4 * pipe as usize], &abandon).unwrap();
        let late = t.join().unwrap().elapsed();
        assert_eq!(written, pipe as usize, "the pipe takes exactly its size");
        assert!(late < std::time::Duration::from_millis(250), "gave up {late:?} after being told");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
