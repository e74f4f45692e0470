//! `speckle capture --raw`: sample files in the SP 800-90B tools' format.

mod common;

use common::BoardDouble;
use std::process::Command;

#[test]
fn a_raw_replay_is_unpacked_lsb_first_one_sample_per_byte() {
    let dir = common::tmpdir("cap-replay");
    let mut b = BoardDouble::new();
    b.raw_mode = true;
    b.status(0).raw([0b1000_0001; 32]).block(7).raw([0xF0; 32]);
    let cap = dir.join("cap.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let out = dir.join("samples.bin");
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "capture",
            "--raw",
            "--source",
            &format!("file:{}", cap.display()),
            "--samples",
            "300",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let s = std::fs::read(&out).unwrap();
    assert_eq!(s.len(), 300);
    assert_eq!(&s[..8], &[1, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(&s[256..264], &[0, 0, 0, 0, 1, 1, 1, 1]);

    // Asking for more than the replay holds fails with the count reached.
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "capture",
            "--raw",
            "--source",
            &format!("file:{}", cap.display()),
            "--samples",
            "1000",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("512 of 1000"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn restart_layout_from_the_simulated_board() {
    let dir = common::tmpdir("cap-restart");
    let out = dir.join("restarts.bin");
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args([
            "capture",
            "--raw",
            "--source",
            "sim:optimal",
            "--restart",
            "--restarts",
            "4",
            "--restart-samples",
            "500",
        ])
        .args(["-o", out.to_str().unwrap(), "--timeout", "120"])
        .output()
        .unwrap();
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let s = std::fs::read(&out).unwrap();
    assert_eq!(s.len(), 2000);
    assert!(s.iter().all(|&x| x <= 1));
    let ones = s.iter().filter(|&&x| x == 1).count();
    assert!((600..1400).contains(&ones), "{ones} ones in 2000 raw samples");
    // Rows differ: each restart records fresh samples.
    assert_ne!(s[..500], s[500..1000]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn restart_from_a_file_is_refused() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["capture", "--raw", "--source", "file:/dev/null", "--restart", "-o", "/tmp/never"])
        .output()
        .unwrap();
    assert!(!res.status.success());
    assert!(String::from_utf8_lossy(&res.stderr).contains("needs a live board"));
}
