pub fn run(_a: crate::cli::BenchArgs) -> Result<(), String> { Err("bench: not implemented yet".into()) }
