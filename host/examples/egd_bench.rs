//! EGD benchmark (`make egd-bench`, docs/fleet.md "EGD throughput"): bytes per second served over
//! `--egd` to one and to four clients, each beside the daemon's conditioned output rate in the
//! same run.
//!
//! The source is a replayed capture (`file:`) of healthy STATUS and CONDITIONED frames, which the
//! daemon reads as fast as it can: the simulated board makes only ~1 kB/s, far below what the EGD
//! server can pass, so it would measure the board, not the server. Replayed bytes are not entropy,
//! hence `--egd-serve-non-entropy-for-tests`. Clients ask as QEMU's rng-egd does: blocking reads
//! (`0x02 N`) of 255 bytes, back to back.
//!
//! Usage: `egd_bench SPECKLE_BINARY OUT.md [BLOCKS] [REPS]`.

use sha3::Digest;
use speckle_model::params::CoreParams;
use speckle_model::protocol::{encode, Frame, FrameType, Status};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// CONDITIONED blocks between two STATUS frames (a board sends about 25 per STATUS interval; more
/// here keeps the frames the gate must hold per STATUS representative of a fast board).
const BLOCKS_PER_STATUS: usize = 64;
const REQUEST: u8 = 255;

fn status_frame(seq: u16, p: &CoreParams) -> Vec<u8> {
    let s = Status { markov_min: 0xFFFF, ..Status::claiming(p) };
    encode(&Frame::new(FrameType::Status, seq, s.serialize().to_vec()))
}

/// A capture of `blocks` CONDITIONED frames (SHA3 of a counter) with a healthy STATUS before,
/// between every `BLOCKS_PER_STATUS` and after them.
fn capture(path: &Path, blocks: usize) {
    let p = CoreParams::ice40();
    let mut out = Vec::new();
    let mut seq = 0u16;
    let next = |s: &mut u16| {
        let v = *s;
        *s = s.wrapping_add(1);
        v
    };
    out.extend(status_frame(next(&mut seq), &p));
    for i in 0..blocks {
        let payload: [u8; 32] = sha3::Sha3_256::digest((i as u64).to_le_bytes()).into();
        out.extend(encode(&Frame::new(FrameType::Conditioned, next(&mut seq), payload.to_vec())));
        if i % BLOCKS_PER_STATUS == BLOCKS_PER_STATUS - 1 {
            out.extend(status_frame(next(&mut seq), &p));
        }
    }
    out.extend(status_frame(next(&mut seq), &p));
    std::fs::write(path, out).expect("writing the capture");
}

/// One run: the daemon on the capture with `clients` EGD clients. Returns (bytes served per
/// second over the clients' reading time, conditioned bytes out per second of the daemon's run,
/// the share of the output's bytes that the clients got).
fn run(speckle: &Path, cap: &Path, dir: &Path, clients: usize) -> (f64, f64, f64) {
    let sock = dir.join(format!("egd-{clients}.sock"));
    let _ = std::fs::remove_file(&sock);
    // A FIFO holds the capture back until every client is connected, so that all of the run is
    // measured; then `cat` feeds it at full speed.
    let fifo = dir.join(format!("cap-{clients}.fifo"));
    let _ = std::fs::remove_file(&fifo);
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let mut daemon = Command::new(speckle)
        .args(["run", "--source", &format!("file:{}", fifo.display())])
        .args(["--output", "file:/dev/null", "--egd", sock.to_str().unwrap()])
        .arg("--egd-serve-non-entropy-for-tests")
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting speckle");
    let t0 = Instant::now();
    while !sock.exists() {
        assert!(t0.elapsed() < Duration::from_secs(30), "no EGD socket");
        std::thread::sleep(Duration::from_millis(5));
    }
    let readers: Vec<_> = (0..clients)
        .map(|_| {
            let mut c = UnixStream::connect(&sock).expect("connecting to the EGD socket");
            c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            std::thread::spawn(move || {
                let (mut got, mut buf) = (0u64, [0u8; REQUEST as usize]);
                let (mut first, mut last) = (None, Instant::now());
                while c.write_all(&[0x02, REQUEST]).is_ok() && c.read_exact(&mut buf).is_ok() {
                    first.get_or_insert_with(Instant::now);
                    last = Instant::now();
                    got += REQUEST as u64;
                }
                (got, first.map(|f| last.duration_since(f)).unwrap_or_default())
            })
        })
        .collect();
    let fifo_w = std::fs::File::create(&fifo).expect("opening the FIFO");
    Command::new("cat").arg(cap).stdout(fifo_w).status().expect("cat");
    let mut err = String::new();
    daemon.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(daemon.wait().unwrap().success(), "{err}");
    let served: Vec<(u64, Duration)> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    let bytes: u64 = served.iter().map(|s| s.0).sum();
    let span = served.iter().map(|s| s.1).max().unwrap_or_default().as_secs_f64().max(1e-9);
    // "speckle: wrote N bytes in T s ..."
    let line = err.lines().find(|l| l.starts_with("speckle: wrote ")).expect(&err);
    let words: Vec<&str> = line.split_whitespace().collect();
    let (n, t): (f64, f64) = (words[2].parse().unwrap(), words[5].parse().unwrap());
    (bytes as f64 / span, n / t, bytes as f64 / n)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: egd_bench SPECKLE_BINARY OUT.md [BLOCKS] [REPS]");
        std::process::exit(2);
    }
    let (speckle, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let blocks: usize = args.get(3).map_or(200_000, |b| b.parse().expect("BLOCKS"));
    let reps: usize = args.get(4).map_or(5, |r| r.parse().expect("REPS"));
    let dir = std::env::temp_dir().join(format!("speckle-egd-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cap = dir.join("capture.bin");
    capture(&cap, blocks);
    let mut rows = Vec::new();
    for clients in [1, 4] {
        let (mut egd, mut output, mut share) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..reps {
            let (e, o, s) = run(&speckle, &cap, &dir, clients);
            egd.push(e);
            output.push(o);
            share.push(s);
        }
        rows.push((clients, median(egd), median(output), median(share)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut md = format!(
        "<!-- egd-bench -->\nWritten by `make egd-bench` (host/examples/egd_bench.rs); medians of {reps} runs per row, \
         {blocks} CONDITIONED blocks ({} MB) replayed per run through a release `speckle run --egd` on a \
         {cores}-core machine. Clients ask `0x02 255` back to back, as QEMU's rng-egd does.\n\n\
         | EGD clients | served over EGD (MB/s, all clients, over their reading time) | daemon's conditioned output (MB/s, over its whole run) | share of the output's bytes served |\n|---:|---:|---:|---:|\n",
        blocks * 32 / 1_000_000
    );
    for (c, e, o, share) in &rows {
        md += &format!("| {c} | {:.2} | {:.2} | {:.0} % |\n", e / 1e6, o / 1e6, 100.0 * share);
    }
    md += "<!-- /egd-bench -->";
    let doc = std::fs::read_to_string(&out).expect("reading the doc");
    let (a, b) = (doc.find("<!-- egd-bench -->"), doc.find("<!-- /egd-bench -->"));
    let new = match (a, b) {
        (Some(a), Some(b)) => {
            format!("{}{md}{}", &doc[..a], &doc[b + "<!-- /egd-bench -->".len()..])
        }
        _ => panic!("{} has no <!-- egd-bench --> markers", out.display()),
    };
    std::fs::write(&out, new).unwrap();
    println!("{md}");
}
