//! SPECKLE_VCD tracing. In its own test binary because it sets a process-wide variable.

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn speckle_vcd_writes_one_trace_per_model() {
    let dir = std::env::temp_dir().join(format!("rtl-sim-vcd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::env::set_var("SPECKLE_VCD", &dir);
    let mut a = rtl_sim::Model::new("fixture", "fixture_acc").unwrap();
    let b = rtl_sim::Model::new("fixture", "fixture_acc").unwrap();
    let (pa, pb) = (a.vcd_path().unwrap().to_path_buf(), b.vcd_path().unwrap().to_path_buf());
    assert_ne!(pa, pb);
    assert_eq!(pa, dir.join("fixture_acc-fixture-0.vcd"));
    let (clock, enable) = (a.port("clock").unwrap(), a.port("enable").unwrap());
    a.set(enable, 1);
    for _ in 0..5 {
        a.tick(clock);
    }
    drop(a);
    drop(b);
    let vcd = std::fs::read_to_string(&pa).unwrap();
    assert!(vcd.contains("$var") && vcd.contains(" count "), "no count signal in {vcd}");
    // Every eval dumps a time stamp: 10 evals, times 0..=9.
    assert!(vcd.contains("\n#9\n"), "{vcd}");
    std::fs::remove_dir_all(&dir).unwrap();
}
