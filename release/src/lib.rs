//! Provenance of Speckle's release artifacts (docs/release.md): an in-toto statement with an SLSA v1
//! provenance predicate per artifact, signed with a local ed25519 key through `ssh-keygen -Y`, and
//! the check `make prog` runs before it loads a bitstream.

pub mod ssh;
pub mod statement;

use std::path::Path;

/// The statement's default path: `<artifact>.intoto.json`.
pub fn statement_path(artifact: &Path) -> std::path::PathBuf {
    let mut s = artifact.as_os_str().to_owned();
    s.push(".intoto.json");
    s.into()
}

/// Verifies an artifact against its signed statement: first the signature over the statement's
/// bytes (so nothing unsigned is parsed as trusted), then the statement's subject against the file.
pub fn verify_artifact(
    artifact: &Path,
    statement: &Path,
    signature: &Path,
    allowed_signers: &Path,
) -> Result<(statement::Checked, String), String> {
    let text = std::fs::read(statement).map_err(|e| format!("{}: {e}", statement.display()))?;
    let signer = ssh::verify(allowed_signers, signature, &text)?;
    let text =
        String::from_utf8(text).map_err(|_| format!("{}: not UTF-8", statement.display()))?;
    let name = artifact
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", artifact.display()))?
        .to_string_lossy();
    let checked = statement::check(&text, &name, &statement::sha256_file(artifact)?)?;
    Ok((checked, signer))
}
