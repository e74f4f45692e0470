//! `--egd PATH|ADDR`: serves the released bytes over the EGD protocol (the Entropy Gathering
//! Daemon's), which QEMU's `rng-egd` backend speaks, so a virtual machine's virtio-rng reads
//! Speckle's healthy conditioned stream (docs/fleet.md).
//!
//! The sink's thread (fanout.rs) moves released bytes into a bounded pool; client threads take
//! them out under one lock, so every byte is handed out once, to one client, and only bytes the
//! health gate released are ever in the pool. A blocking read (`0x02 N`, what QEMU sends) waits
//! until N bytes are there and takes them together, so a reply is one contiguous piece of the
//! stream. While no client reads, the pool fills, the sink's thread waits, and the fanout drops
//! for this sink alone and counts it, like any slow reader.
//!
//! Requests (EGD): `0x00` bits available (u32 big-endian); `0x01 N` up to N bytes now (a count
//! byte, then the bytes); `0x02 N` exactly N bytes, waiting for them; `0x03 HI LO N DATA` (add
//! entropy) is read and ignored, Speckle takes no entropy from clients; `0x04` the daemon's pid
//! (a length byte, then ASCII). Anything else closes the connection.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Bytes the pool holds at most: 64 requests of QEMU's largest (255 bytes) and then some; the
/// sink's backlog (`--sink-backlog`) is in front of it.
pub const POOL_BYTES: usize = 1 << 16;
/// Clients served at once; one more is closed at once (each costs a thread).
pub const MAX_CLIENTS: usize = 64;
/// How often a waiting thread looks whether the run ended.
const SLICE: Duration = Duration::from_millis(100);

/// Where `--egd` listens.
#[derive(Clone, Debug, PartialEq)]
pub enum EgdAddr {
    Unix(PathBuf),
    /// Loopback only: EGD has no authentication, and the bytes are secrets.
    Tcp(SocketAddr),
}

impl EgdAddr {
    /// `--egd PATH` (a Unix socket: anything with a `/`) or `--egd IP:PORT` on loopback.
    pub fn parse(text: &str) -> Result<EgdAddr, String> {
        if let Ok(a) = text.parse::<SocketAddr>() {
            if !a.ip().is_loopback() {
                return Err(format!(
                    "--egd {text}: TCP only on loopback (127.0.0.1:PORT or [::1]:PORT): EGD has no authentication and the bytes are secrets; use a Unix socket path for anything else"
                ));
            }
            return Ok(EgdAddr::Tcp(a));
        }
        if text.contains('/') {
            return Ok(EgdAddr::Unix(text.into()));
        }
        Err(format!(
            "--egd {text:?}: give a Unix socket PATH (with a /, e.g. /run/speckle/egd.sock) or 127.0.0.1:PORT"
        ))
    }
}

impl std::fmt::Display for EgdAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EgdAddr::Unix(p) => write!(f, "egd:{}", p.display()),
            EgdAddr::Tcp(a) => write!(f, "egd:{a}"),
        }
    }
}

/// `--egd TEXT` as a sink, refused with one line when it would break a promise: never beside the
/// kernel sink (the fanout gives every sink the same bytes, so a byte served to a guest would also
/// be credited to this host's kernel), and, as for the kernel sink (provenance.rs), never from a
/// source that cannot be entropy unless `--egd-serve-non-entropy-for-tests` says so.
pub fn check(
    text: &str,
    not_entropy: bool,
    sources: &[crate::source::SourceSpec],
    outputs: &[crate::sink::SinkSpec],
) -> Result<crate::sink::SinkSpec, String> {
    let addr = EgdAddr::parse(text)?;
    if outputs.contains(&crate::sink::SinkSpec::Kernel) {
        return Err(format!(
            "--egd {text} with --output kernel: every output gets the same bytes, so what a client is served would also be credited to this host's kernel; run one or the other"
        ));
    }
    if !not_entropy {
        if let Some(s) = sources.iter().find(|s| !s.provenance().is_entropy()) {
            return Err(format!(
                "--egd {text} serves only entropy, but source {s} is {}, not entropy; use a serial: or ftdi: board, or --egd-serve-non-entropy-for-tests in a test",
                s.provenance()
            ));
        }
    }
    Ok(crate::sink::SinkSpec::Egd { addr, not_entropy })
}

#[derive(Default)]
struct PoolState {
    bytes: VecDeque<u8>,
    /// The run ended: waiting clients are let go.
    closed: bool,
    served: u64,
}

struct Pool {
    state: Mutex<PoolState>,
    changed: Condvar,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes exactly `n` bytes, waiting for them; `None` once the run ended.
    fn take_exactly(&self, n: usize) -> Option<Vec<u8>> {
        let mut st = self.lock();
        loop {
            if st.closed {
                return None;
            }
            if st.bytes.len() >= n {
                st.served += n as u64;
                let out: Vec<u8> = st.bytes.drain(..n).collect();
                self.changed.notify_all();
                return Some(out);
            }
            st = self.changed.wait_timeout(st, SLICE).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    /// Takes what there is, up to `n`, without waiting.
    fn take_up_to(&self, n: usize) -> Vec<u8> {
        let mut st = self.lock();
        let k = n.min(st.bytes.len());
        st.served += k as u64;
        let out = st.bytes.drain(..k).collect();
        self.changed.notify_all();
        out
    }
}

/// The EGD server: a listener thread, a thread per client, and the pool the sink fills.
pub struct EgdServer {
    pool: Arc<Pool>,
    stop: Arc<AtomicBool>,
    path: Option<PathBuf>,
}

enum Listener {
    Unix(UnixListener),
    Tcp(TcpListener),
}

impl EgdServer {
    pub fn bind(addr: &EgdAddr) -> Result<EgdServer, String> {
        let (listener, path) = match addr {
            EgdAddr::Unix(p) => {
                if let Ok(m) = std::fs::symlink_metadata(p) {
                    if !m.file_type().is_socket() {
                        return Err(format!("--egd {}: exists and is not a socket", p.display()));
                    }
                    if std::os::unix::net::UnixStream::connect(p).is_ok() {
                        return Err(format!(
                            "--egd {}: served by another running process",
                            p.display()
                        ));
                    }
                    let _ = std::fs::remove_file(p);
                }
                let l = UnixListener::bind(p)
                    .map_err(|e| format!("--egd {}: cannot listen: {e}", p.display()))?;
                (Listener::Unix(l), Some(p.clone()))
            }
            EgdAddr::Tcp(a) => {
                let l =
                    TcpListener::bind(a).map_err(|e| format!("--egd {a}: cannot listen: {e}"))?;
                (Listener::Tcp(l), None)
            }
        };
        let pool = Arc::new(Pool { state: Mutex::default(), changed: Condvar::new() });
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (pool.clone(), stop.clone());
        std::thread::Builder::new()
            .name("egd".into())
            .spawn(move || accept(listener, &p, &s))
            .map_err(|e| format!("--egd: cannot start its thread: {e}"))?;
        tracing::info!("egd: serving EGD requests on {addr}");
        Ok(EgdServer { pool, stop, path })
    }

    /// Moves `bytes` into the pool, waiting while it is full, until all are in or `abandon` is
    /// set; returns how many went in.
    pub fn write_until(&self, bytes: &[u8], abandon: &AtomicBool) -> usize {
        let mut done = 0;
        let mut st = self.pool.lock();
        while done < bytes.len() && !abandon.load(Ordering::Relaxed) {
            let room = POOL_BYTES.saturating_sub(st.bytes.len()).min(bytes.len() - done);
            if room == 0 {
                st = self.pool.changed.wait_timeout(st, SLICE).unwrap_or_else(|p| p.into_inner()).0;
                continue;
            }
            st.bytes.extend(&bytes[done..done + room]);
            done += room;
            self.pool.changed.notify_all();
        }
        done
    }

    /// Bytes handed to clients so far.
    pub fn served(&self) -> u64 {
        self.pool.lock().served
    }
}

impl Drop for EgdServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let served = {
            let mut st = self.pool.lock();
            st.closed = true;
            st.served
        };
        self.pool.changed.notify_all();
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
        tracing::info!("egd: {served} bytes served to clients");
    }
}

fn accept(listener: Listener, pool: &Arc<Pool>, stop: &Arc<AtomicBool>) {
    let clients = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let _ = match &listener {
        Listener::Unix(l) => l.set_nonblocking(true),
        Listener::Tcp(l) => l.set_nonblocking(true),
    };
    while !stop.load(Ordering::SeqCst) {
        let conn: io::Result<Box<dyn Conn>> = match &listener {
            Listener::Unix(l) => l.accept().map(|(s, _)| Box::new(s) as Box<dyn Conn>),
            Listener::Tcp(l) => l.accept().map(|(s, _)| Box::new(s) as Box<dyn Conn>),
        };
        let mut c = match conn {
            Ok(c) => c,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if clients.load(Ordering::SeqCst) >= MAX_CLIENTS || c.setup().is_err() {
            continue;
        }
        clients.fetch_add(1, Ordering::SeqCst);
        let (p, n) = (pool.clone(), clients.clone());
        let spawned = std::thread::Builder::new().name("egd-client".into()).spawn(move || {
            let _ = serve(&mut *c, &p);
            n.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            clients.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A client's stream, Unix or TCP.
trait Conn: Read + Write + Send {
    fn setup(&mut self) -> io::Result<()>;
}

impl Conn for std::os::unix::net::UnixStream {
    fn setup(&mut self) -> io::Result<()> {
        self.set_nonblocking(false)?;
        self.set_write_timeout(Some(Duration::from_secs(10)))
    }
}

impl Conn for std::net::TcpStream {
    fn setup(&mut self) -> io::Result<()> {
        self.set_nonblocking(false)?;
        self.set_nodelay(true)?;
        self.set_write_timeout(Some(Duration::from_secs(10)))
    }
}

/// Answers one client's requests until it leaves, sends something that is not EGD, or the run
/// ends.
fn serve(c: &mut dyn Conn, pool: &Pool) -> io::Result<()> {
    let mut op = [0u8; 1];
    loop {
        c.read_exact(&mut op)?;
        match op[0] {
            0x00 => {
                let bits = (pool.lock().bytes.len() as u64 * 8).min(u32::MAX as u64) as u32;
                c.write_all(&bits.to_be_bytes())?;
            }
            0x01 => {
                let n = read_u8(c)? as usize;
                let got = pool.take_up_to(n);
                c.write_all(&[got.len() as u8])?;
                c.write_all(&got)?;
            }
            0x02 => {
                let n = read_u8(c)? as usize;
                let Some(got) = pool.take_exactly(n) else { return Ok(()) };
                c.write_all(&got)?;
            }
            0x03 => {
                let mut head = [0u8; 3];
                c.read_exact(&mut head)?;
                let mut data = vec![0u8; head[2] as usize];
                c.read_exact(&mut data)?;
            }
            0x04 => {
                let pid = std::process::id().to_string();
                c.write_all(&[pid.len() as u8])?;
                c.write_all(pid.as_bytes())?;
            }
            _ => return Ok(()),
        }
    }
}

fn read_u8(c: &mut dyn Conn) -> io::Result<u8> {
    let mut b = [0u8; 1];
    c.read_exact(&mut b)?;
    Ok(b[0])
}

#[cfg(test)]
#[path = "egd_tests.rs"]
mod tests;
