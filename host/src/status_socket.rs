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
