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
            if m.file_type().is_socket() {
                // A socket left by a previous run: nobody can be listening on it any more.
                let _ = std::fs::remove_file(path);
            } else {
                return Err(format!("{} exists and is not a socket: choose another --status-socket path", path.display()));
            }
        }
        let listener = UnixListener::bind(path).map_err(|e| format!("cannot bind status socket {}: {e}", path.display()))?;
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
}
