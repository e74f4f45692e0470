//! Build facts for `speckle --version`: the crate version, the source commit and the hash of the
//! gateware this host speaks to. They are fixed by the checkout alone (no time, no path, no host
//! name), so two builds of one commit print the same line and stay byte-identical (docs/release.md).
//!
//! * Source commit: `SPECKLE_SOURCE_COMMIT` when set (a build from a tarball, which has no .git),
//!   else `git rev-parse HEAD`, else `unknown`. The tree's cleanliness is not recorded: cargo cannot
//!   rerun this script on every edit, so a "-dirty" mark would go stale; `make release` refuses a
//!   dirty tree instead.
//! * Gateware hash: SHA-256 of the `sha256sum` listing of every `rtl/**/*.v` in byte order of the
//!   path, i.e. `find rtl -name '*.v' | LC_ALL=C sort | xargs sha256sum | sha256sum` run at the
//!   workspace root. rtl/ is the generated core (both profiles) whose protocol this host implements;
//!   `SPECKLE_GATEWARE_SHA256` overrides it for a build without rtl/.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.parent().expect("host/ lies in the workspace").to_path_buf();
    println!("cargo:rerun-if-env-changed=SPECKLE_SOURCE_COMMIT");
    println!("cargo:rerun-if-env-changed=SPECKLE_GATEWARE_SHA256");
    let commit = source_commit(&root);
    let gateware = match std::env::var("SPECKLE_GATEWARE_SHA256") {
        Ok(h) if is_hex(&h, 64) => h,
        Ok(h) => panic!("SPECKLE_GATEWARE_SHA256 is not 64 hex digits: {h:?}"),
        Err(_) => gateware_sha256(&root.join("rtl")),
    };
    println!("cargo:rustc-env=SPECKLE_SOURCE_COMMIT={commit}");
    println!("cargo:rustc-env=SPECKLE_GATEWARE_SHA256={gateware}");
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit, with rerun triggers on the files that move when HEAD does.
fn source_commit(root: &Path) -> String {
    if let Ok(c) = std::env::var("SPECKLE_SOURCE_COMMIT") {
        return c;
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let Some(commit) = git(&["rev-parse", "--verify", "HEAD"]) else {
        return "unknown".into();
    };
    // HEAD itself, the branch it names and packed-refs: a commit, checkout or gc moves one of them.
    let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(r);
    }
    for w in watch {
        // Only files that exist: cargo reruns a script on every build while a watched path is absent.
        let path = git(&["rev-parse", "--path-format=absolute", "--git-path", &w]);
        if let Some(p) = path.filter(|p| Path::new(p).exists()) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    commit
}

/// `sha256sum` listing of rtl/**/*.v (sorted by path bytes, paths relative to the workspace root),
/// hashed again.
fn gateware_sha256(rtl: &Path) -> String {
    println!("cargo:rerun-if-changed={}", rtl.display());
    let mut files = Vec::new();
    collect_verilog(rtl, &mut files);
    assert!(!files.is_empty(), "no Verilog under {} (set SPECKLE_GATEWARE_SHA256)", rtl.display());
    let root = rtl.parent().expect("rtl/ has a parent");
    let mut rel: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(root).expect("under root").to_string_lossy().into_owned())
        .collect();
    rel.sort();
    let mut listing = String::new();
    for r in &rel {
        let bytes = std::fs::read(root.join(r)).unwrap_or_else(|e| panic!("read {r}: {e}"));
        listing.push_str(&format!("{}  {r}\n", hex(&Sha256::digest(&bytes))));
    }
    hex(&Sha256::digest(listing.as_bytes()))
}

fn collect_verilog(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for e in entries {
        let p = e.expect("directory entry").path();
        if p.is_dir() {
            collect_verilog(&p, out);
        } else if p.extension().is_some_and(|x| x == "v") {
            out.push(p);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
