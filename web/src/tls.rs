//! TLS material: a certificate given on the command line, or a self-signed one made on first
//! start and kept in the state directory. OpenSSL does the work because webauthn-rs already links
//! it; a second TLS stack would double the binary's crypto for nothing.

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509NameBuilder, X509};
use std::path::{Path, PathBuf};

/// A certificate chain and its private key, both PEM.
pub struct Material {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
    /// Where they came from, for the console.
    pub cert_path: PathBuf,
}

impl Material {
    /// SHA-256 of the leaf certificate, colon-separated hex, for checking it in the browser.
    pub fn fingerprint(&self) -> Result<String, String> {
        let c = X509::from_pem(&self.cert_pem).map_err(|e| e.to_string())?;
        let d = c.digest(MessageDigest::sha256()).map_err(|e| e.to_string())?;
        Ok(d.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"))
    }
}

fn read(p: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("cannot read {what} {}: {e}", p.display()))
}

/// Loads `cert` and `key` (both or neither), else the state dir's self-signed pair, made now for
/// `host` (and localhost, 127.0.0.1, ::1) when absent.
pub fn load_or_make(
    cert: Option<&Path>,
    key: Option<&Path>,
    state_dir: &Path,
    host: &str,
) -> Result<Material, String> {
    let (cert_path, key_path, given) = match (cert, key) {
        (Some(c), Some(k)) => (c.to_path_buf(), k.to_path_buf(), true),
        (None, None) => (state_dir.join("tls-cert.pem"), state_dir.join("tls-key.pem"), false),
        _ => return Err("--tls-cert and --tls-key go together".into()),
    };
    if !given && !cert_path.exists() {
        std::fs::create_dir_all(state_dir)
            .map_err(|e| format!("cannot create state dir {}: {e}", state_dir.display()))?;
        let (c, k) = self_signed(host).map_err(|e| format!("cannot make a certificate: {e}"))?;
        write_private(&key_path, &k)?;
        std::fs::write(&cert_path, c)
            .map_err(|e| format!("cannot write {}: {e}", cert_path.display()))?;
    }
    let m = Material {
        cert_pem: read(&cert_path, "certificate")?,
        key_pem: read(&key_path, "private key")?,
        cert_path: cert_path.clone(),
    };
    X509::from_pem(&m.cert_pem)
        .map_err(|e| format!("{}: not a PEM certificate: {e}", cert_path.display()))?;
    PKey::private_key_from_pem(&m.key_pem)
        .map_err(|e| format!("{}: not a PEM private key: {e}", key_path.display()))?;
    Ok(m)
}

fn write_private(p: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(p)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| format!("cannot write {}: {e}", p.display()))
}

/// A P-256 self-signed certificate valid for ten years.
fn self_signed(host: &str) -> Result<(Vec<u8>, Vec<u8>), openssl::error::ErrorStack> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let key = PKey::from_ec_key(EcKey::generate(&group)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::COMMONNAME, host)?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(3650)?);
    b.set_not_before(&from)?;
    b.set_not_after(&until)?;
    b.append_extension(BasicConstraints::new().build()?)?;
    let mut san = SubjectAlternativeName::new();
    san.dns(host).dns("localhost").ip("127.0.0.1").ip("::1");
    let san = san.build(&b.x509v3_context(None, None))?;
    b.append_extension(san)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok((b.build().to_pem()?, key.private_key_to_pem_pkcs8()?))
}
