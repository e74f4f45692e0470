pub fn run(_a: crate::cli::CaptureArgs) -> Result<(), String> { Err("capture: not implemented yet".into()) }
