//! Man pages generated from the clap definitions, so a page can never disagree with `--help`.

use clap::CommandFactory;
use std::path::Path;

/// Writes `speckle.1` and `speckle-SUB.1` for every visible subcommand into `dir`.
pub fn write(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cmd = crate::cli::Cli::command();
    let page = |cmd: clap::Command, name: &str| -> Result<(), String> {
        let path = dir.join(format!("{name}.1"));
        let mut out = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut out).map_err(|e| format!("{name}: {e}"))?;
        std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))
    };
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("speckle-{}", sub.get_name());
        page(sub.clone().name(name.clone()), &name)?;
    }
    page(cmd, "speckle")
}

#[cfg(test)]
mod tests {
    /// Every visible subcommand gets a page, each a roff page naming its command.
    #[test]
    fn every_subcommand_gets_a_page() {
        let dir = std::env::temp_dir().join(format!("speckle-man-{}", std::process::id()));
        super::write(&dir).unwrap();
        let mut names = vec!["speckle", "speckle-run", "speckle-ctl"];
        if cfg!(feature = "monitor") {
            names.extend(["speckle-monitor", "speckle-web"]);
        }
        for name in names {
            let page = std::fs::read_to_string(dir.join(format!("{name}.1"))).unwrap();
            assert!(page.starts_with(".ie") || page.contains(".TH"), "{name}: {page}");
            assert!(page.contains(name), "{name}.1 does not name itself");
        }
        assert!(!dir.join("speckle-manpages.1").exists(), "hidden commands get no page");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
