//! Signatures by OpenSSH's `ssh-keygen -Y` (SSHSIG): a local ed25519 key signs, an allowed_signers
//! file (principal, namespaces, public key) says whose signatures count. The namespace ties a
//! signature to Speckle releases, so a signature made for anything else does not verify here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const NAMESPACE: &str = "speckle-release";

fn ssh_keygen() -> Command {
    Command::new(std::env::var_os("SSH_KEYGEN").unwrap_or_else(|| "ssh-keygen".into()))
}

fn run(mut cmd: Command, stdin: Option<&[u8]>, what: &str) -> Result<String, String> {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{what}: cannot run ssh-keygen ({e}); install openssh-client"))?;
    if let Some(data) = stdin {
        // ssh-keygen may stop reading early on a bad signature; a broken pipe then is not the error.
        let _ = child.stdin.take().expect("piped").write_all(data);
    }
    let out = child.wait_with_output().map_err(|e| format!("{what}: {e}"))?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().replace('\n', "; ");
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(format!("{what}: {}", text(&out.stderr)))
    }
}

/// The signature's path: the file with `.sig` appended (what `ssh-keygen -Y sign` writes).
pub fn sig_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

/// Signs `file` with the private key at `key`, writing `<file>.sig` (replacing an old one).
pub fn sign(key: &Path, file: &Path) -> Result<PathBuf, String> {
    let sig = sig_path(file);
    match std::fs::remove_file(&sig) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("{}: {e}", sig.display()))
        }
        _ => {}
    }
    let mut cmd = ssh_keygen();
    cmd.args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"]).arg(key).arg(file);
    run(cmd, None, &format!("signing {}", file.display()))?;
    Ok(sig)
}

/// Verifies `sig` over `data` against `allowed_signers`; returns the signer's principal.
pub fn verify(allowed_signers: &Path, sig: &Path, data: &[u8]) -> Result<String, String> {
    for p in [allowed_signers, sig] {
        if !p.is_file() {
            return Err(format!("{}: no such file", p.display()));
        }
    }
    let what = format!("signature {}", sig.display());
    let mut find = ssh_keygen();
    find.args(["-Y", "find-principals", "-n", NAMESPACE, "-f"])
        .arg(allowed_signers)
        .arg("-s")
        .arg(sig);
    let principals = run(find, None, &what).map_err(|_| {
        format!("{what}: made by no key in {} (namespace {NAMESPACE})", allowed_signers.display())
    })?;
    let principal = principals.split("; ").next().unwrap_or_default().to_string();
    let mut verify = ssh_keygen();
    verify
        .args(["-Y", "verify", "-n", NAMESPACE, "-f"])
        .arg(allowed_signers)
        .args(["-I", &principal, "-s"])
        .arg(sig);
    run(verify, Some(data), &what)
        .map_err(|e| format!("{e} (the statement was changed after signing?)"))?;
    Ok(principal)
}
