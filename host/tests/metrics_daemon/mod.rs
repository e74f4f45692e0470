//! Shared by the tests that scrape a daemon (metrics.rs, prometheus_alert.rs): a daemon started
//! with `--metrics 127.0.0.1:0`, the port it bound read from its log line, and a plain HTTP GET.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A daemon started with `--metrics 127.0.0.1:0`, and the address its log line says it bound.
pub struct Daemon {
    child: Child,
    pub addr: SocketAddr,
    /// Its stderr, line by line, after the metrics line.
    _lines: mpsc::Receiver<String>,
}

impl Daemon {
    pub fn start(args: &[&str]) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_speckle"))
            .arg("run")
            .args(args)
            .args(["--metrics", "127.0.0.1:0", "--log", "stderr"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let t0 = Instant::now();
        let mut seen = Vec::new();
        let addr = loop {
            let left = Duration::from_secs(30).saturating_sub(t0.elapsed());
            let l = rx.recv_timeout(left).unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("no `metrics:` line within 30 s: {seen:?}")
            });
            if let Some(rest) = l.split("metrics: Prometheus text format on http://").nth(1) {
                break rest.trim_end_matches("/metrics").parse().unwrap();
            }
            seen.push(l);
        };
        Daemon { child, addr, _lines: rx }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// One HTTP/1.0 GET over loopback: status line, headers, body.
pub fn get(addr: SocketAddr, path: &str) -> (String, String, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_string(), headers.to_lowercase(), body.to_string())
}
