//! Shared by the test files: `speckle web` arguments parsed as the command line would be.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    web: speckle_web::WebArgs,
}

/// A fresh state directory under the system's temp dir.
pub fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("speckle-web-test-{}", speckle_web::auth::random_token(8)));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Arguments for a server keeping its state in `dir` and following an absent status socket (the
/// tests need the endpoints, not data), plus `extra` options.
pub fn args(dir: &std::path::Path, extra: &[&str]) -> speckle_web::WebArgs {
    let sock = dir.join("absent.sock");
    let mut v = vec!["web", "--status-socket", sock.to_str().unwrap()];
    v.extend(["--state-dir", dir.to_str().unwrap()]);
    v.extend(extra);
    Cli::try_parse_from(v).unwrap().web
}
