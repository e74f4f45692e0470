//! Unix-domain socket streaming telemetry rows as JSON lines, for the monitor and other tools.
//! Connect with e.g. `socat - UNIX-CONNECT:/run/speckle/status.sock`. A client that cannot keep up
//! is dropped rather than allowed to stall the daemon.
//!
//! A client may also send one request per line; today the only one is `clear SOURCE` (what
//! `speckle ctl clear SOURCE` sends): the operator's clear of a source held failed (docs/host.md,
//! "Recovery"). The daemon answers that client with one line starting `ok:` or `error:`.

use crate::row::Row;
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub struct StatusSocket {
    listener: UnixListener,
    clients: Vec<UnixStream>,
    /// What each client sent that is not a whole line yet.
    pending: Vec<Vec<u8>>,
    /// Each source's name and its operator-clear flag (read by its thread).
    sources: Vec<(String, Arc<AtomicBool>)>,
    path: PathBuf,
}

impl StatusSocket {
    pub fn bind(path: &Path) -> Result<Self, String> {
        if let Ok(m) = std::fs::symlink_metadata(path) {
            if !m.file_type().is_socket() {
                return Err(format!(
                    "{} exists and is not a socket: choose another --status-socket path",
                    path.display()
                ));
            }
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(format!("{} is served by another running process: stop it or choose another --status-socket path", path.display()));
            }
            // A socket left by a run that ended: nobody listens on it any more.
            let _ = std::fs::remove_file(path);
        }
        // Bound under a temporary name and renamed into place once listening, so a client that
        // sees the path never meets a socket that refuses connections (bind comes before listen).
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = std::path::PathBuf::from(tmp);
        let _ = std::fs::remove_file(&tmp);
        let listener = UnixListener::bind(&tmp)
            .map_err(|e| format!("cannot bind status socket {}: {e}", path.display()))?;
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("cannot bind status socket {}: {e}", path.display()));
        }
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        Ok(StatusSocket {
            listener,
            clients: Vec::new(),
            pending: Vec::new(),
            sources: Vec::new(),
            path: path.to_path_buf(),
        })
    }

    /// The sources `clear SOURCE` may name, with the flag each source's thread reads.
    pub fn set_sources(&mut self, sources: Vec<(String, Arc<AtomicBool>)>) {
        self.sources = sources;
    }

    fn accept(&mut self) {
        while let Ok((s, _)) = self.listener.accept() {
            if s.set_nonblocking(true).is_ok() {
                self.clients.push(s);
                self.pending.push(Vec::new());
            }
        }
    }

    /// Reads what clients sent and answers each whole line.
    fn requests(&mut self) {
        let mut buf = [0u8; 256];
        for (c, pending) in self.clients.iter_mut().zip(self.pending.iter_mut()) {
            while let Ok(n) = c.read(&mut buf) {
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buf[..n]);
                if pending.len() > 4096 {
                    pending.clear();
                }
            }
            while let Some(i) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=i).collect();
                let reply = answer(&self.sources, String::from_utf8_lossy(&line).trim());
                let _ = c.write_all(format!("{reply}\n").as_bytes());
            }
        }
    }

    pub fn send(&mut self, row: &Row) {
        self.accept();
        self.requests();
        let mut line = serde_json::to_vec(row).expect("rows always serialise");
        line.push(b'\n');
        // A client that cannot take a whole line now (WouldBlock) or is gone is dropped.
        let mut i = 0;
        while i < self.clients.len() {
            if self.clients[i].write_all(&line).is_ok() {
                i += 1;
            } else {
                self.clients.remove(i);
                self.pending.remove(i);
            }
        }
    }
}

fn answer(sources: &[(String, Arc<AtomicBool>)], line: &str) -> String {
    match line.split_once(' ') {
        Some(("clear", name)) => match sources.iter().find(|(n, _)| n == name.trim()) {
            Some((n, flag)) => {
                flag.store(true, Ordering::Relaxed);
                format!("ok: clear requested for {n}")
            }
            None => format!(
                "error: no source `{}`; sources are {}",
                name.trim(),
                sources.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
            ),
        },
        _ => format!("error: unknown request `{line}`; known: clear SOURCE"),
    }
}

/// `speckle ctl clear SOURCE`: asks the daemon on `path` to clear `source`; returns its answer.
pub fn ctl_clear(path: &Path, source: &str) -> Result<String, String> {
    use std::io::{BufRead, BufReader};
    let mut s = UnixStream::connect(path)
        .map_err(|e| format!("cannot connect to status socket {}: {e}", path.display()))?;
    s.write_all(format!("clear {source}\n").as_bytes()).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).map_err(|e| e.to_string())?;
    for line in BufReader::new(s).lines() {
        let line = line.map_err(|e| format!("no answer from the daemon: {e}"))?;
        if let Some(ok) = line.strip_prefix("ok: ") {
            return Ok(ok.to_string());
        }
        if let Some(e) = line.strip_prefix("error: ") {
            return Err(e.to_string());
        }
    }
    Err("the daemon closed the status socket without answering".into())
}

impl Drop for StatusSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};

    #[test]
    fn a_client_that_does_not_read_is_dropped_without_stalling_the_others() {
        let path = std::env::temp_dir().join(format!("speckle-sock-test-{}", std::process::id()));
        let mut sock = StatusSocket::bind(&path).unwrap();
        let _stalled = UnixStream::connect(&path).unwrap();
        let reader = UnixStream::connect(&path).unwrap();
        reader.set_nonblocking(true).unwrap();
        let mut lines = BufReader::new(reader);
        let row = Row { source: "sim:optimal".into(), healthy: true, ..Default::default() };
        let t = Instant::now();
        let mut got = 0;
        let mut buf = String::new();
        for _ in 0..20_000 {
            sock.send(&row);
            while lines.read_line(&mut buf).is_ok_and(|n| n > 0) {
                let v: serde_json::Value = serde_json::from_str(&buf).unwrap();
                assert_eq!(v["source"], "sim:optimal");
                got += 1;
                buf.clear();
            }
        }
        assert!(t.elapsed() < Duration::from_secs(20), "sending stalled");
        assert_eq!(sock.clients.len(), 1, "the stalled client was dropped, the reading one kept");
        assert!(got >= 19_000, "reader got {got} lines");
        drop(sock);
        assert!(!path.exists(), "socket file removed on drop");
    }

    #[test]
    fn clear_sets_the_named_sources_flag_and_anything_else_is_an_error() {
        let flags: Vec<Arc<AtomicBool>> = vec![Arc::default(), Arc::default()];
        let sources =
            vec![("sim:a".to_string(), flags[0].clone()), ("sim:b".into(), flags[1].clone())];
        assert_eq!(answer(&sources, "clear sim:b"), "ok: clear requested for sim:b");
        assert!(!flags[0].load(Ordering::Relaxed) && flags[1].load(Ordering::Relaxed));
        assert_eq!(
            answer(&sources, "clear sim:c"),
            "error: no source `sim:c`; sources are sim:a, sim:b"
        );
        assert!(answer(&sources, "reset").starts_with("error: unknown request `reset`"));
    }

    #[test]
    fn a_regular_file_in_the_way_is_refused() {
        let path = std::env::temp_dir().join(format!("speckle-sock-file-{}", std::process::id()));
        std::fs::write(&path, b"x").unwrap();
        assert!(StatusSocket::bind(&path).err().unwrap().contains("is not a socket"));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_live_socket_is_not_stolen_but_a_dead_one_is_reused() {
        let path = std::env::temp_dir().join(format!("speckle-sock-live-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let first = StatusSocket::bind(&path).unwrap();
        let err = StatusSocket::bind(&path).err().unwrap();
        assert!(err.contains("served by another running process"), "{err}");
        // A socket file whose listener is gone (a killed daemon leaves one) is taken over.
        let stale = std::os::unix::net::UnixListener::bind(path.with_extension("stale")).unwrap();
        drop(stale);
        drop(first);
        std::fs::rename(path.with_extension("stale"), &path).unwrap();
        let second = StatusSocket::bind(&path).unwrap();
        assert!(std::os::unix::net::UnixStream::connect(&path).is_ok());
        drop(second);
    }
}
