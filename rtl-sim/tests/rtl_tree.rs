//! Every Verilog file under rtl/ must verilate and compile: a block whose Verilog Verilator
//! rejects would otherwise only surface as an error in that block's own testbench.

#[test]
#[cfg_attr(rtl_sim_no_verilator, ignore = "verilator missing at build time")]
fn every_rtl_file_builds_and_instantiates() {
    let mut broken = Vec::new();
    for m in rtl_sim::modules() {
        match rtl_sim::Model::new(m.profile, m.name) {
            Ok(mut model) => {
                assert_eq!(model.ports().len(), m.ports.len());
                model.eval();
            }
            Err(e) => broken.push(format!("{}/{}: {e}", m.profile, m.name)),
        }
    }
    assert!(broken.is_empty(), "modules that failed to build:\n{}", broken.join("\n"));
}
