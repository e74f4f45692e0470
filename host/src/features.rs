//! The optional parts of `speckle` (Cargo features, all in `default`): `sim` (simulated boards,
//! which verilate rtl/ at build time), `monitor` (the terminal and web monitors) and `gpu` (the
//! gpu-offload whitener, wgpu). A production build (`--no-default-features`, docs/host.md
//! "Production build") leaves them out; asking it for one is an error naming the feature, never a
//! silent fallback, so an operator knows the binary and not the input is why.

/// The one-line error for `what` (the option or subcommand as typed) in a build without `feature`.
pub fn missing(what: &str, feature: &str) -> String {
    format!(
        "{what}: this speckle was built without the `{feature}` feature (a production build; \
         rebuild with `cargo build -p speckle --features {feature}` to use it)"
    )
}

/// Stands in for the arguments of a subcommand left out of this build (`speckle sim|monitor|web`),
/// so that the word still parses whatever follows it and is refused with `missing`'s message
/// rather than clap's bare "unrecognized subcommand".
#[derive(clap::Args, Debug)]
pub struct Absent {
    #[arg(num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub rest: Vec<String>,
}
