//! `speckle run --egd`: EGD clients (what QEMU's rng-egd backend speaks) read the daemon's
//! released stream; every byte goes to one client, all of it is the stream the other outputs got.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PIECE: usize = 32;
const PIECES_PER_CLIENT: usize = 8;

/// Four clients each ask `0x02 32` eight times (blocking reads, as QEMU does) from a daemon on
/// `sim:optimal` with a file output beside: every piece they get is a run of the file's bytes,
/// no two pieces overlap (no byte served twice), and nothing else was invented.
#[test]
fn four_egd_clients_get_disjoint_pieces_of_the_released_stream() {
    let _one = common::one_at_a_time();
    let dir = common::tmpdir("egd");
    let (sock, out) = (dir.join("egd.sock"), dir.join("out.bin"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--duration", "120"])
        .args(["--output", &format!("file:{}", out.display())])
        .args(["--egd", sock.to_str().unwrap(), "--egd-serve-non-entropy-for-tests"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !sock.exists() && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let mut c = UnixStream::connect(&sock).expect("the EGD socket");
            c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            std::thread::spawn(move || {
                (0..PIECES_PER_CLIENT)
                    .map(|_| {
                        c.write_all(&[0x02, PIECE as u8]).unwrap();
                        let mut got = vec![0u8; PIECE];
                        c.read_exact(&mut got).unwrap();
                        got
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let pieces: Vec<Vec<u8>> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    let served_in = t0.elapsed();
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(child.wait().unwrap().success(), "{err}");
    assert!(err.contains("egd: serving EGD requests on egd:"), "{err}");
    let total = pieces.len() * PIECE;
    assert!(err.contains(&format!("egd: {total} bytes served to clients")), "{err}");
    let file = std::fs::read(&out).unwrap();
    let mut at: Vec<usize> = pieces
        .iter()
        .map(|p| {
            let found = file.windows(PIECE).position(|w| w == &p[..]);
            found.unwrap_or_else(|| panic!("a served piece is not in the released stream"))
        })
        .collect();
    at.sort();
    for w in at.windows(2) {
        assert!(
            w[1] >= w[0] + PIECE,
            "pieces at {} and {} overlap: a byte served twice",
            w[0],
            w[1]
        );
    }
    eprintln!(
        "egd: {total} bytes to 4 clients in {:.1} s; the file output got {} bytes",
        served_in.as_secs_f64(),
        file.len()
    );
    assert!(!sock.exists(), "the socket is removed at the end");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Simulated bytes without the test flag, EGD beside the kernel sink, and TCP off loopback are
/// each one line and exit status 1, before anything runs.
#[test]
fn egd_refuses_what_would_break_its_promises() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--egd", "/tmp/speckle-egd-refused.sock"],
            "serves only entropy, but source sim:optimal is simulated",
        ),
        (
            &[
                "--egd",
                "/tmp/speckle-egd-refused.sock",
                "--egd-serve-non-entropy-for-tests",
                "--output",
                "kernel",
            ],
            "with --output kernel",
        ),
        (&["--egd", "10.1.2.3:7000"], "TCP only on loopback"),
        (&["--egd", "egd.sock"], "give a Unix socket PATH"),
    ];
    for (args, want) in cases {
        let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
            .args(["run", "--source", "sim:optimal", "--duration", "5"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("speckle: error: --egd ") && err.contains(want), "{args:?}: {err}");
    }
}
