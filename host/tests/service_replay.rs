//! The stalled-output case at replay speed, in its own test binary: it keeps both cores busy for a
//! few seconds, and beside service.rs's 60 s stall test (same binary, run in parallel) it starved
//! that test's file writer into dropping bytes.

mod common;
use common::daemon::{kib, Daemon};

use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Peak RSS bound for the replay test: far below the 64 MiB the capture releases, so a daemon that
/// queued the stream for its stalled output (as it once did) could not pass.
const REPLAY_RSS_BOUND_KIB: u64 = 32 * 1024;

/// The same stall at replay speed, where a daemon that held the stream for its slow output would
/// show in memory: a 64 MiB capture released as fast as the machine can, a file and a FIFO
/// nobody reads. The daemon's peak RSS stays far below the stream's size, and every byte is
/// accounted for: written, dropped for that output, or left unwritten at the end (≤ its backlog).
#[test]
fn a_fast_replay_beside_a_stalled_fifo_keeps_memory_bounded() {
    let dir = common::tmpdir("svc-replay");
    let (cap, out, fifo) = (dir.join("cap.bin"), dir.join("out.bin"), dir.join("stalled.fifo"));
    let mut b = common::BoardDouble::new();
    b.status(0);
    for i in 0..8192u32 {
        for j in 0..256 {
            b.block_of([(i * 7 + j) as u8; 32]);
        }
        b.status(0);
    }
    std::fs::write(&cap, &b.bytes).unwrap();
    drop(b);
    let released = 8192 * 256 * 32u64;
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader =
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&fifo).unwrap();
    let pipe = unsafe { libc::fcntl(reader.as_raw_fd(), libc::F_GETPIPE_SZ) } as u64;
    let (file_sink, fifo_sink) =
        (format!("file:{}", out.display()), format!("fifo:{}", fifo.display()));
    let backlog = 1u64 << 20;
    let mut d = Daemon(
        Command::new(env!("CARGO_BIN_EXE_speckle"))
            .args(["run", "--source", &format!("file:{}", cap.display())])
            .args(["--output", &file_sink, "--output", &fifo_sink, "--duration", "120"])
            .args(["--sink-backlog", &backlog.to_string()])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let proc_status = format!("/proc/{}/status", d.0.id());
    let mut hwm = 0;
    while let Ok(s) = std::fs::read_to_string(&proc_status) {
        if !s.contains("VmHWM:") {
            break; // a zombie: it has exited
        }
        hwm = hwm.max(kib(&s, "VmHWM:"));
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = d.0.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(d.0.stderr.as_mut().unwrap(), &mut err).unwrap();
    eprintln!("replay test: VmHWM {hwm} KiB for a {released}-byte stream");
    assert!(status.success(), "{err}");
    assert!(err.contains(&format!("wrote {released} bytes")), "{err}");
    assert!(hwm > 0 && hwm < REPLAY_RSS_BOUND_KIB, "peak RSS {hwm} KiB: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with(&format!("speckle: output {fifo_sink}: ")) && l.contains("written"))
        .unwrap_or_else(|| panic!("no final line for the FIFO: {err}"));
    let nums: Vec<u64> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert!(nums[0] <= pipe && nums[2] <= backlog, "{line}");
    assert_eq!(nums[0] + nums[1] + nums[2], released, "{line}");
    // The file may drop too if its writer falls a backlog behind; what it holds is accounted for.
    let file_len = std::fs::metadata(&out).unwrap().len();
    let file_dropped = err
        .lines()
        .find(|l| l.starts_with(&format!("speckle: output {file_sink}: ")) && l.contains("written"))
        .map_or(0, |l| l.split(' ').filter_map(|w| w.parse::<u64>().ok()).nth(1).unwrap());
    assert_eq!(file_len + file_dropped, released, "{err}");
    drop(reader);
    std::fs::remove_dir_all(&dir).unwrap();
}
