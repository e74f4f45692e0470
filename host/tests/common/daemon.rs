//! A daemon under test (host/tests/service*.rs): killed on drop, its status-socket rows, its
//! memory, and SIGTERM with the time it took to exit.

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Kills the daemon if a test panics before it ended it.
pub struct Daemon(pub Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Reads the status socket's JSON lines on a thread, once the daemon has bound it.
pub fn rows_of(sock: &Path) -> Arc<Mutex<Vec<serde_json::Value>>> {
    let t0 = Instant::now();
    while !sock.exists() && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let client = UnixStream::connect(sock).expect("status socket");
    let rows = Arc::new(Mutex::new(Vec::new()));
    let r = rows.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(client).lines().map_while(Result::ok) {
            r.lock().unwrap().push(serde_json::from_str(&line).unwrap());
        }
    });
    rows
}

pub fn kib(status: &str, key: &str) -> u64 {
    let line = status.lines().find(|l| l.starts_with(key)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// SIGTERM; returns how long the daemon took to exit, and its exit status and stderr.
pub fn terminate(mut d: Daemon) -> (Duration, std::process::ExitStatus, String) {
    let t = Instant::now();
    assert_eq!(unsafe { libc::kill(d.0.id() as i32, libc::SIGTERM) }, 0);
    let status = loop {
        if let Some(s) = d.0.try_wait().unwrap() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "no exit 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(2));
    };
    let took = t.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(d.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    (took, status, err)
}
