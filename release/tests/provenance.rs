//! The statement writer and verifier end to end with a throwaway ed25519 key: a signed statement
//! verifies; a changed artifact byte, a changed statement, another key each fail with a message
//! naming what is wrong; `make prog-verify` refuses a tampered bitstream unless PROG_UNVERIFIED=1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOOL: &str = env!("CARGO_BIN_EXE_speckle-release");
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// A fresh directory with a key pair and its allowed_signers file (principal `tester`).
struct Keyed {
    dir: PathBuf,
}

impl Keyed {
    fn new(tag: &str) -> Keyed {
        let dir =
            std::env::temp_dir().join(format!("speckle-release-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("key");
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
            .arg(&key)
            .output()
            .expect("ssh-keygen (openssh-client) is installed");
        assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
        let public = std::fs::read_to_string(dir.join("key.pub")).unwrap();
        let public: Vec<&str> = public.split_whitespace().take(2).collect();
        std::fs::write(
            dir.join("allowed_signers"),
            format!("tester namespaces=\"speckle-release\" {}\n", public.join(" ")),
        )
        .unwrap();
        Keyed { dir }
    }
    fn key(&self) -> PathBuf {
        self.dir.join("key")
    }
    fn signers(&self) -> PathBuf {
        self.dir.join("allowed_signers")
    }
    /// An artifact with a signed statement beside it.
    fn release(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let a = self.dir.join(name);
        std::fs::write(&a, bytes).unwrap();
        let out = tool(&[
            "statement",
            "--artifact",
            a.to_str().unwrap(),
            "--commit",
            COMMIT,
            "--epoch",
            "1700000000",
            "--param",
            "board=icebreaker",
            "--tool",
            "yosys=Yosys 0.23",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let st = format!("{}.intoto.json", a.display());
        let out = tool(&["sign", "--no-sigstore", "--key", self.key().to_str().unwrap(), &st]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        a
    }
}

impl Drop for Keyed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tool(args: &[&str]) -> Output {
    Command::new(TOOL).args(args).env_remove("SOURCE_DATE_EPOCH").output().expect("run tool")
}

fn verify(artifact: &Path, signers: &Path) -> Output {
    tool(&[
        "verify",
        "--artifact",
        artifact.to_str().unwrap(),
        "--allowed-signers",
        signers.to_str().unwrap(),
    ])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn signed_statement_verifies() {
    let k = Keyed::new("ok");
    let a = k.release("icebreaker.bin", b"bitstream bytes");
    let out = verify(&a, &k.signers());
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("icebreaker.bin: verified") && said.contains(COMMIT), "{said}");
    assert!(said.contains("signed by tester"), "{said}");
}

#[test]
fn changed_artifact_byte_fails() {
    let k = Keyed::new("byte");
    let a = k.release("icebreaker.bin", b"bitstream bytes");
    std::fs::write(&a, b"bitstream byteS").unwrap();
    let out = verify(&a, &k.signers());
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.starts_with("speckle-release: icebreaker.bin: sha256 "), "{e}");
    assert!(e.contains("does not match the statement's"), "{e}");
}

#[test]
fn changed_statement_fails() {
    let k = Keyed::new("stmt");
    let a = k.release("icebreaker.bin", b"bitstream bytes");
    let st = k.dir.join("icebreaker.bin.intoto.json");
    let text = std::fs::read_to_string(&st).unwrap();
    std::fs::write(&st, text.replace(COMMIT, &COMMIT.replace('0', "f"))).unwrap();
    let out = verify(&a, &k.signers());
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("signature") && e.contains("changed after signing"), "{e}");
}

#[test]
fn other_key_fails() {
    let k = Keyed::new("signer");
    let other = Keyed::new("other");
    let a = k.release("ulx3s.bit", b"ecp5 bytes");
    let out = verify(&a, &other.signers());
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(e.contains("made by no key in"), "{e}");
}

#[test]
fn keyless_signing_is_refused_plainly() {
    let k = Keyed::new("keyless");
    let a = k.dir.join("x");
    std::fs::write(&a, b"x").unwrap();
    let out = tool(&["sign", "--key", k.key().to_str().unwrap(), a.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("keyless sigstore signing is not implemented"),
        "{}",
        stderr(&out)
    );
}

/// `make prog` runs this step before it loads a bitstream (mk/fpga.mk, mk/release.mk).
#[test]
fn make_prog_verify_refuses_a_tampered_bitstream() {
    let k = Keyed::new("prog");
    let a = k.release("icebreaker.bin", b"bitstream bytes");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let make = |extra: &[&str]| {
        let mut c = Command::new("make");
        c.current_dir(root)
            .args(["--no-print-directory", "-s", "prog-verify", "BOARD=icebreaker"])
            .arg(format!("BITSTREAM={}", a.display()))
            .arg(format!("STATEMENT={}.intoto.json", a.display()))
            .arg(format!("ALLOWED_SIGNERS={}", k.signers().display()))
            .arg(format!("RELEASE_TOOL={TOOL}"))
            .args(extra)
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS");
        c.output().expect("run make")
    };
    let out = make(&[]);
    assert!(out.status.success(), "untouched bitstream: {}", stderr(&out));
    std::fs::write(&a, b"bitstream byteS").unwrap();
    let out = make(&[]);
    assert!(!out.status.success(), "tampered bitstream accepted");
    assert!(stderr(&out).contains("prog-verify: refusing to load"), "{}", stderr(&out));
    let out = make(&["PROG_UNVERIFIED=1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("WARNING"), "{}", stderr(&out));
}
