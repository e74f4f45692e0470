//! End to end: the built program in a real terminal (tmux, 80×24), keys sent with `send-keys`, the
//! screen read back with `capture-pane`. Runs the crate's example binary (`examples/monitor.rs`)
//! and, when the workspace's `speckle` binary next to it has the `monitor` subcommand, that too.
//! Needs tmux (in .ci/apt-packages); without it the test fails and says so.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is required for this test (apt-get install tmux)")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "m"]).stdout).into_owned()
    }

    /// Waits until every needle is on screen; panics with the screen after 30 s.
    fn wait_for(&self, needles: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if needles.iter().all(|n| s.contains(n)) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("waited 30 s for {needles:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn keys(&self, k: &str) {
        assert!(self.cmd(&["send-keys", "-t", "m", k]).status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn drive(program: &str, tag: &str) {
    let t = Tmux { socket: format!("speckle-monitor-e2e-{}-{tag}", std::process::id()) };
    let cmd = format!("NO_COLOR=1 {program} --source sim:stuck; echo MONITOR-EXITED-$?; sleep 30");
    let out = t.cmd(&["new-session", "-d", "-s", "m", "-x", "80", "-y", "24", &cmd]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    t.wait_for(&["speckle monitor · Channels", "sim:stuck RX", "c:Channels"]);
    t.keys("h");
    let s = t.wait_for(&["speckle monitor · Health", "alarms latched: RCT", "FAIL RCT max run"]);
    assert!(s.contains("cutoff    61"), "{s}");
    t.keys("e");
    t.wait_for(&["speckle monitor · Events", "ALARM latched: RCT"]);
    t.keys("r");
    t.wait_for(&["raw tap · hex · vertical", "ffffffff"]);
    t.keys("f");
    t.wait_for(&["raw tap · base64"]);
    t.keys("Tab");
    t.wait_for(&["speckle monitor · Events"]);
    t.keys("q");
    t.wait_for(&["MONITOR-EXITED-0"]);
}

/// The monitor attached to a live daemon's status socket (`speckle run --source sim:stuck`).
fn drive_socket(program: &str, speckle: &Path) {
    let sock =
        std::env::temp_dir().join(format!("speckle-monitor-e2e-{}.sock", std::process::id()));
    let mut daemon = Command::new(speckle)
        .args([
            "run",
            "--source",
            "sim:stuck",
            "--output",
            "file:/dev/null",
            "--duration",
            "60",
            "--status-socket",
        ])
        .arg(&sock)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start speckle run");
    let t = Tmux { socket: format!("speckle-monitor-e2e-{}-socket", std::process::id()) };
    let cmd = format!(
        "NO_COLOR=1 {program} --socket {}; echo MONITOR-EXITED-$?; sleep 30",
        sock.display()
    );
    assert!(t
        .cmd(&["new-session", "-d", "-s", "m", "-x", "80", "-y", "24", &cmd])
        .status
        .success());
    t.keys("h");
    let shown = std::panic::catch_unwind(|| {
        t.wait_for(&["speckle monitor · Health", "daemon: board alarm", "alarms latched: RCT"])
    });
    t.keys("q");
    let _ = daemon.kill();
    let _ = daemon.wait();
    shown.unwrap();
    t.wait_for(&["MONITOR-EXITED-0"]);
}

fn bin_dir() -> PathBuf {
    // target/<profile>/deps/e2e_tmux-HASH → target/<profile>
    std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf()
}

fn has_monitor_subcommand(speckle: &Path) -> bool {
    speckle.exists()
        && Command::new(speckle)
            .args(["monitor", "--help"])
            .output()
            .is_ok_and(|o| o.status.success())
}

#[test]
fn monitor_in_tmux_switches_views_and_shows_the_stuck_alarm() {
    let example = bin_dir().join("examples/monitor");
    assert!(
        example.exists(),
        "{} missing: cargo test builds examples; run cargo test -p speckle-monitor",
        example.display()
    );
    drive(&example.display().to_string(), "example");
    let speckle = bin_dir().join("speckle");
    if speckle.exists() {
        drive_socket(&example.display().to_string(), &speckle);
    } else {
        eprintln!("note: {} not built (cargo test --workspace builds it): the live-socket run was left out", speckle.display());
    }
    if has_monitor_subcommand(&speckle) {
        drive(&format!("{} monitor", speckle.display()), "speckle");
    } else {
        eprintln!(
            "note: {} has no monitor subcommand (or is not built): only the example ran",
            speckle.display()
        );
    }
}
