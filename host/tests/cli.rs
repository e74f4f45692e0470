//! The built binary: bad input gets one clear line and a non-zero exit; good input works end to end.

mod common;

use common::BoardDouble;
use std::process::{Command, Output};

fn speckle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_speckle")).args(args).output().expect("running speckle")
}

/// Fails with exactly one stderr line that contains every `needles` entry.
fn fails_clearly(args: &[&str], needles: &[&str]) {
    let out = speckle(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: want one line, got:\n{err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` missing from: {err}");
    }
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
}

#[test]
fn bad_sources_sinks_and_options_get_one_clear_line() {
    fails_clearly(
        &["run", "--source", "usb:/dev/x"],
        &["unknown source kind `usb`", "serial:PATH[@BAUD]", "sim:SCENARIO"],
    );
    fails_clearly(
        &["run", "--source", "file:/nonexistent/cap.bin"],
        &["cannot read capture file /nonexistent/cap.bin"],
    );
    fails_clearly(&["run", "--source", "serial:/dev/ttyNOPE9"], &["/dev/ttyNOPE9 does not exist"]);
    fails_clearly(
        &["run", "--source", "serial:/dev/ttyUSB0@fast"],
        &["bad baud `fast`", "between 300 and 12000000"],
    );
    fails_clearly(&["run", "--source", "ftdi:FT123456"], &["libftd2xx.so"]);
    fails_clearly(
        &["run", "--source", "file:/dev/null", "--output", "tcp:1"],
        &["unknown output `tcp:1`", "fifo:PATH", "kernel"],
    );
    fails_clearly(
        &["run", "--source", "file:/dev/null", "--entropy-per-byte", "9"],
        &["at most 8"],
    );
    fails_clearly(&["run"], &["no --source"]);
    fails_clearly(
        &["run", "--source", "file:/dev/null", "--config", "/nonexistent.toml"],
        &["cannot read config /nonexistent.toml"],
    );
    // clap's own errors (bad enum value) name the valid values too.
    let out = speckle(&["run", "--source", "file:/dev/null", "--mode", "fast"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("conditioned"));
}

#[test]
fn help_and_completions_are_complete() {
    let help = String::from_utf8(speckle(&["run", "--help"]).stdout).unwrap();
    for opt in [
        "--source",
        "--mode",
        "--mix",
        "--whiten",
        "--output",
        "--entropy-per-byte",
        "--profile",
        "--duration",
        "--bytes",
        "--status-socket",
        "--telemetry-dir",
        "--config",
    ] {
        assert!(help.contains(opt), "run --help lacks {opt}");
    }
    let out = speckle(&["completions", "bash"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--entropy-per-byte"));
}

#[test]
fn a_capture_replays_into_a_file_sink_and_config_values_apply() {
    let dir = common::tmpdir("cli-replay");
    let mut b = BoardDouble::new();
    b.status(0).block(1).block(2).status(0).block(3).status(0).block(4);
    let cap = dir.join("cap.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let out_path = dir.join("out.bin");
    let config = dir.join("speckle.toml");
    std::fs::write(
        &config,
        format!(
            "source = [\"file:{}\"]\noutput = [\"file:{}\"]\nbytes = 80\n",
            cap.display(),
            out_path.display()
        ),
    )
    .unwrap();
    let out = speckle(&["run", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut want = vec![1u8; 32];
    want.extend([2u8; 32]);
    want.extend([3u8; 16]);
    assert_eq!(std::fs::read(&out_path).unwrap(), want, "--bytes 80 from the config file");

    // The command line overrides the file: stdout instead of the file sink, no byte limit.
    let out = speckle(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--output",
        "stdout",
        "--bytes",
        "1000",
    ]);
    assert!(out.status.success());
    assert_eq!(out.stdout.len(), 96);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--whiten gpu` on a raw capture: the daemon's output is byte-identical to `--whiten cpu` (the
/// gpu-offload backend here is lavapipe, or the CPU backend when no Vulkan adapter opens), and
/// BLAKE3 with an explicit `gpu` is refused by name.
#[test]
fn raw_replay_with_whiten_gpu_equals_whiten_cpu() {
    let dir = common::tmpdir("cli-whiten");
    let cap = dir.join("raw.bin");
    std::fs::write(&cap, common::raw_capture(&common::lcg_samples(400, 5), Some(50))).unwrap();
    let src = format!("file:{}", cap.display());
    let run = |whiten: &str| {
        speckle(&[
            "run", "--source", &src, "--mode", "raw", "--whiten", whiten, "--output", "stdout",
        ])
    };
    let (cpu, gpu) = (run("cpu"), run("gpu"));
    let err = String::from_utf8_lossy(&gpu.stderr);
    assert!(cpu.status.success() && gpu.status.success(), "{err}");
    assert!(err.contains("speckle gpu-offload: whiten:"), "the backend choice is reported: {err}");
    assert!(cpu.stdout.len() >= 32 * 10, "only {} bytes", cpu.stdout.len());
    assert_eq!(gpu.stdout, cpu.stdout);
    fails_clearly(
        &["run", "--source", &src, "--mode", "raw", "--whiten", "gpu", "--conditioner", "blake3"],
        &["--whiten gpu", "sha3"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_config_key_is_refused_by_name() {
    let dir = common::tmpdir("cli-badcfg");
    let config = dir.join("bad.toml");
    std::fs::write(&config, "sources = [\"file:/dev/null\"]\n").unwrap();
    fails_clearly(&["run", "--config", config.to_str().unwrap()], &["unknown field `sources`"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_packaged_config_file_is_valid() {
    let dir = common::tmpdir("cli-pkgcfg");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../packaging/speckle.toml");
    // Override what needs a board, root or /var: every other key comes from the packaged file.
    let out = speckle(&[
        "run",
        "--config",
        config,
        "--source",
        "file:/dev/null",
        "--output",
        "stdout",
        "--telemetry-dir",
        dir.join("t").to_str().unwrap(),
        "--status-socket",
        dir.join("s").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The bench runs end to end and reports figures it measured (their size is checked by nobody: speed
/// goals belong in docs/host-bench.md, not in timed tests).
#[test]
fn bench_writes_a_report_with_measured_rows() {
    let dir = common::tmpdir("cli-bench");
    let report = dir.join("bench.md");
    let out =
        speckle(&["bench", "--mib", "1", "--reps", "1", "--report", report.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&report).unwrap();
    for stage in
        ["deframe + CRC-32", "word-parallel", "SHA3-256", "BLAKE3", "rngtest", "b3sum", "## Goals"]
    {
        assert!(text.contains(stage), "report lacks {stage}:\n{text}");
    }
    let rate = text
        .lines()
        .find(|l| l.contains("SHA3-256"))
        .unwrap()
        .split('|')
        .nth(2)
        .unwrap()
        .trim()
        .parse::<f64>()
        .unwrap();
    assert!(rate > 0.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `speckle bench --whiten gpu` is gpu-offload's benchmark: its page on stdout, the same page in
/// docs/gpu-bench.md with --write-doc (relative to the working directory, like --report), figures
/// from this run (not the committed page), and the bit-exactness check.
#[test]
fn bench_whiten_gpu_prints_and_writes_the_gpu_offload_page() {
    let dir = common::tmpdir("cli-bench-gpu");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["bench", "--whiten", "gpu", "--mib", "1", "--reps", "1", "--write-doc"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("# GPU whitening benchmark"), "{page}");
    assert!(
        page.contains("1 MiB"),
        "the page describes this run's input, not a committed one: {page}"
    );
    let rows: Vec<&str> =
        page.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| mode")).collect();
    assert_eq!(rows.len(), 3, "{page}");
    assert!(rows.iter().all(|r| r.split('|').nth(6).unwrap().trim() == "yes"), "{page}");
    assert_eq!(std::fs::read_to_string(dir.join("docs/gpu-bench.md")).unwrap(), page);
    fails_clearly(&["bench", "--whiten", "auto"], &["--whiten auto", "gpu", "cpu"]);
    fails_clearly(&["bench", "--write-doc"], &["--write-doc", "--whiten gpu"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn link_errors_are_logged_with_what_went_wrong() {
    let dir = common::tmpdir("cli-linkerr");
    let mut b = BoardDouble::new();
    b.status(0).block(1);
    let n = b.bytes.len();
    b.bytes[n - 20] ^= 1; // corrupt block 1's payload
    b.seq += 3;
    b.block(2).status(0);
    let cap = dir.join("cap.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let out =
        speckle(&["run", "--source", &format!("file:{}", cap.display()), "--output", "stdout"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, vec![2u8; 32]);
    assert!(err.contains("+1 bad CRC") && err.contains("+4 frames lost in +1 gaps"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Without CAP_SYS_ADMIN the kernel sink is refused at start, in one line that says what to do.
#[test]
fn kernel_sink_without_the_capability_says_what_is_needed() {
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        // The checkout may lie under a directory `nobody` cannot enter (/root): run a copy of the
        // binary from a world-readable scratch directory instead.
        use std::os::unix::fs::PermissionsExt;
        let dir = common::tmpdir("cli-nobody");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let exe = dir.join("speckle");
        std::fs::copy(env!("CARGO_BIN_EXE_speckle"), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(nobody).arg(exe);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_speckle"))
    };
    // A source that can be entropy (provenance.rs refuses file: for the kernel before this check);
    // sinks open before sources, so the device need not exist.
    let out = cmd
        .args(["run", "--source", "serial:/dev/ttyNOPE9", "--output", "kernel"])
        .current_dir("/")
        .output()
        .expect("setpriv (util-linux) runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.starts_with("setpriv:"), "setpriv could not run the binary as nobody: {err}");
    assert!(!out.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("needs CAP_SYS_ADMIN") && err.contains("fifo:PATH"), "{err}");
}

/// Simulated and replayed bytes never reach the kernel pool: the run is refused in one line that
/// names the source and why, before anything is opened (no simulated board starts, a missing
/// capture file is not even looked at, no other sink is created), whatever else is in the run and
/// whether it comes from the command line or the config file.
#[test]
fn sources_that_cannot_be_entropy_are_refused_for_the_kernel_sink() {
    let dir = common::tmpdir("cli-provenance");
    let out = dir.join("out.bin");
    let file_sink = format!("file:{}", out.display());
    fails_clearly(
        &["run", "--source", "sim:optimal", "--output", "kernel"],
        &["output kernel takes only entropy", "source sim:optimal", "simulated board", "seed"],
    );
    let missing = dir.join("never-read.bin");
    let replay = format!("file:{}", missing.display());
    fails_clearly(
        &["run", "--source", &replay, "--output", &file_sink, "--output", "kernel"],
        &["output kernel takes only entropy", &format!("source {replay}"), "replays a capture"],
    );
    // A hardware source beside it does not help: every source of the run must be able to be entropy.
    fails_clearly(
        &["run", "--source", "serial:/dev/ttyNOPE9,sim:stuck", "--output", "kernel"],
        &["source sim:stuck cannot be entropy"],
    );
    let config = dir.join("speckle.toml");
    std::fs::write(&config, "source = [\"sim:optimal\"]\noutput = [\"kernel\"]\n").unwrap();
    fails_clearly(&["run", "--config", config.to_str().unwrap()], &["source sim:optimal"]);
    assert!(!out.exists(), "a sink was opened for a refused run");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A source entry of the config file names the profile its board must attest; the command line's
/// `--profile` overrides it. A board of another profile gives no byte and a non-zero exit.
#[test]
fn a_source_entry_in_the_config_names_its_profile() {
    let dir = common::tmpdir("cli-profile");
    let mut b = BoardDouble::new();
    b.status(0).block(1).block(2).status(0);
    let cap = dir.join("cap.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let p = speckle_model::params::CoreParams::ice40();
    let profile = dir.join("a20.toml");
    std::fs::write(
        &profile,
        format!(
            "h_claim = {}\nalpha_log2 = {}\nwindow = {}\nn_in = {}\nfold_k = {}\noversample = {}\nvn_enable = {}\n",
            p.h_claim,
            p.alpha_log2 - 10,
            p.window,
            p.n_in,
            p.fold_k,
            p.oversample,
            p.vn_enable
        ),
    )
    .unwrap();
    let config = dir.join("speckle.toml");
    std::fs::write(
        &config,
        format!(
            "source = [{{ source = \"file:{}\", profile = \"{}\" }}]\noutput = [\"stdout\"]\n",
            cap.display(),
            profile.display()
        ),
    )
    .unwrap();
    let out = speckle(&["run", "--config", config.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "{} bytes passed", out.stdout.len());
    let want = format!(
        "board attestation failed: alpha_log2: expected {} (profile file {}), received {}",
        p.alpha_log2 - 10,
        profile.display(),
        p.alpha_log2
    );
    assert!(err.contains(&want), "want `{want}` in:\n{err}");
    let last = err.trim_end().lines().last().unwrap();
    assert!(last.starts_with("speckle: error: file:") && last.contains(&want), "{err}");

    let out = speckle(&["run", "--config", config.to_str().unwrap(), "--profile", "ice40"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, [[1u8; 32], [2u8; 32]].concat());

    std::fs::write(&config, "source = [{ source = \"file:x\", profle = \"ice40\" }]\n").unwrap();
    fails_clearly(
        &["run", "--config", config.to_str().unwrap()],
        &["line 1", "unknown field `profle`", "source", "profile"],
    );
    fails_clearly(
        &["run", "--source", "file:/dev/null", "--profile", "ice41"],
        &["profile `ice41`", "ice40, ecp5"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
