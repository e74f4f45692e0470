//! Unix-domain socket streaming telemetry rows as JSON lines, for the monitor and other tools.
//! Connect with e.g. `socat - UNIX-CONNECT:/run/speckle/status.sock`. A client that cannot keep up
//! is dropped rather than allowed to stall the daemon.

use crate::row::Row;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

pub struct StatusSocket {
    listener: UnixListener,
    clients: Vec<UnixStream>,
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
        Ok(StatusSocket { listener, clients: Vec::new(), path: path.to_path_buf() })
    }

    fn accept(&mut self) {
        while let Ok((s, _)) = self.listener.accept() {
            if s.set_nonblocking(true).is_ok() {
                self.clients.push(s);
            }
        }
    }

    pub fn send(&mut self, row: &Row) {
        self.accept();
        let mut line = serde_json::to_vec(row).expect("rows always serialise");
        line.push(b'\n');
        self.clients.retain_mut(|c| match c.write_all(&line) {
            Ok(()) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(_) => false,
        });
    }
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
