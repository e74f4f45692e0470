//! `speckle assess FILE --bits-per-sample N --json` without the rest of the daemon: a release
//! build of this example is what `make assess-bench` times against NIST's ea_non_iid (building
//! the whole `speckle` binary in release would pull in the simulator and Verilator models).
//!
//! Usage: assess_file FILE [BITS_PER_SAMPLE]

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().unwrap_or_else(|| {
        eprintln!("usage: assess_file FILE [BITS_PER_SAMPLE]");
        std::process::exit(2)
    });
    let bits = args.next().map_or(Ok(1), |b| b.parse::<u8>()).unwrap_or(0);
    let a = speckle_assess::AssessArgs {
        file: file.into(),
        bits_per_sample: bits,
        json: true,
        truncate: false,
        restart: false,
        h_initial: None,
        restarts: 1000,
        restart_samples: 1000,
    };
    if let Err(e) = speckle_assess::run(a) {
        eprintln!("assess_file: {e}");
        std::process::exit(1);
    }
}
