//! `speckle web --tls`: a self-signed certificate made on first start (key private, reused on the
//! next start), HTTPS served with it, `Secure` cookies and HSTS; bad certificate files refused.

mod common;

use common::temp_dir;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use std::io::{Read, Write};

fn args(dir: &std::path::Path) -> speckle_web::WebArgs {
    common::args(dir, &["--tls"])
}

#[test]
fn self_signed_certificate_serves_https_with_secure_cookies() {
    let dir = temp_dir();
    let c = args(&dir).config().unwrap();
    assert_eq!(c.origin, "https://localhost:8443");
    let m = c.tls.as_ref().unwrap();
    let key_mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("tls-key.pem")).unwrap().permissions(),
    );
    assert_eq!(key_mode & 0o777, 0o600, "the key is private");
    let fp = m.fingerprint().unwrap();
    // The next start reuses the certificate.
    let again = args(&dir).config().unwrap();
    assert_eq!(again.tls.as_ref().unwrap().fingerprint().unwrap(), fp);

    let server = std::sync::Arc::new(speckle_web::build(&c).unwrap());
    assert!(server.cookie("x", None).contains("; Secure"));
    let http = speckle_web::http::bind("127.0.0.1:0".parse().unwrap(), Some(m)).unwrap();
    let port = http.server_addr().to_ip().unwrap().port();
    let s = server.clone();
    std::thread::spawn(move || speckle_web::http::serve(s, http));

    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.set_verify(SslVerifyMode::NONE); // checked below against the file instead
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = b.build().connect("localhost", tcp).unwrap();
    let peer = tls.ssl().peer_certificate().unwrap();
    let peer_fp = peer.digest(openssl::hash::MessageDigest::sha256()).unwrap();
    let hex: Vec<String> = peer_fp.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(hex.join(":"), fp, "the served certificate is the one on disk");
    tls.write_all(b"GET /api/session HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = Vec::new();
    let _ = tls.read_to_end(&mut resp);
    let resp = String::from_utf8_lossy(&resp);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("Strict-Transport-Security"), "{resp}");
    assert!(resp.contains("\"setup\":true"), "{resp}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unreadable_certificates_are_refused_naming_the_file() {
    let dir = temp_dir();
    let bad = dir.join("cert.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let mut a = args(&dir);
    a.tls_cert = Some(bad);
    a.tls_key = Some(dir.join("missing-key.pem"));
    let e = a.config().err().unwrap();
    assert!(e.contains("missing-key.pem"), "{e}");
    std::fs::write(dir.join("missing-key.pem"), "junk").unwrap();
    let e = a.config().err().unwrap();
    assert!(e.contains("cert.pem: not a PEM certificate"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}
