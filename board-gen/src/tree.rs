//! What `speckle-boards generate` owns in the tree and how it differs from the board files.

use crate::{board_files, emit, Board};
use std::collections::BTreeMap;
use std::path::Path;

/// Everything generation owns, from every board file (each validated).
pub fn wanted(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut want = BTreeMap::new();
    for f in board_files(&root.join("boards"))? {
        let b = Board::load(&f)?;
        want.extend(emit::files(&b));
    }
    Ok(want)
}

/// Files now in the generated directories.
pub fn existing(root: &Path) -> Vec<String> {
    let mut v = vec![];
    for (dir, exts) in [("constraints", &["pcf", "lpf"][..]), ("boards/top", &["v"][..])] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if exts.iter().any(|x| name.ends_with(&format!(".{x}"))) {
                    v.push(format!("{dir}/{name}"));
                }
            }
        }
    }
    v.sort();
    v
}

/// (path, what is wrong) for every difference between `want` and the tree.
pub fn diff(root: &Path, want: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    let mut bad = vec![];
    for (path, text) in want {
        match std::fs::read_to_string(root.join(path)) {
            Err(_) => bad.push((path.clone(), "missing")),
            Ok(have) if have != *text => bad.push((path.clone(), "differs")),
            Ok(_) => {}
        }
    }
    for path in existing(root) {
        if !want.contains_key(&path) {
            bad.push((path, "stale (no board file)"));
        }
    }
    bad.sort();
    bad
}
