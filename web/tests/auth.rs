//! The login side of `speckle web`, driven through `Server::handle` with a software passkey:
//! registration with the first-start token, login, the idle lock and its unlock, expiry, logout,
//! 401 on every data endpoint and stream without a live session, the CSRF check on POSTs and the
//! login rate limit.

mod common;

use serde_json::{json, Value};
use speckle_web::server::{Body, Req, Resp, Server, PROTECTED_GETS};
use std::time::Duration;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

const ORIGIN: &str = "http://localhost:8443";

fn server(idle: &str, max: &str, attempts: u32) -> Server {
    server_in(common::temp_dir(), idle, max, attempts)
}

fn server_in(dir: std::path::PathBuf, idle: &str, max: &str, attempts: u32) -> Server {
    let n = attempts.to_string();
    let a = common::args(
        &dir,
        &["--idle-lock", idle, "--session-max", max, "--login-attempts-per-minute", &n],
    );
    speckle_web::build(&a.config().unwrap()).unwrap()
}

fn req(method: &str, path: &str, cookie: Option<&str>, body: Option<Value>) -> Req {
    let mut headers = vec![("Origin".to_string(), ORIGIN.to_string())];
    if let Some(c) = cookie {
        headers.push(("Cookie".into(), format!("other=1; speckle_session={c}")));
    }
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    Req {
        method: method.into(),
        path: path.into(),
        headers,
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        ip: [127, 0, 0, 1].into(),
    }
}

fn post(s: &Server, path: &str, cookie: Option<&str>, body: Value) -> Resp {
    s.handle(&req("POST", path, cookie, Some(body)))
}

fn json_of(r: &Resp) -> Value {
    serde_json::from_str(&r.text()).unwrap_or(Value::Null)
}

/// The session id a response sets.
fn cookie_of(r: &Resp) -> String {
    let c = r.set_cookie.as_deref().expect("a session cookie");
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"), "{c}");
    c.split(';').next().unwrap().strip_prefix("speckle_session=").unwrap().to_string()
}

fn register(
    s: &Server,
    key: &mut WebauthnAuthenticator<SoftPasskey>,
    name: &str,
    token: Option<&str>,
    cookie: Option<&str>,
) -> Resp {
    let r = post(s, "/api/register/start", cookie, json!({ "name": name, "token": token }));
    assert_eq!(r.status, 200, "{}", r.text());
    let j = json_of(&r);
    let options: CreationChallengeResponse = serde_json::from_value(j["options"].clone()).unwrap();
    let cred = key.do_registration(Url::parse(ORIGIN).unwrap(), options).unwrap();
    post(
        s,
        "/api/register/finish",
        cookie,
        json!({ "ceremony": j["ceremony"], "credential": cred }),
    )
}

fn login(
    s: &Server,
    key: &mut WebauthnAuthenticator<SoftPasskey>,
    name: &str,
    cookie: Option<&str>,
) -> Resp {
    let r = post(s, "/api/login/start", cookie, json!({ "name": name }));
    assert_eq!(r.status, 200, "{}", r.text());
    let j = json_of(&r);
    let options: RequestChallengeResponse = serde_json::from_value(j["options"].clone()).unwrap();
    let cred = key.do_authentication(Url::parse(ORIGIN).unwrap(), options).unwrap();
    post(s, "/api/login/finish", cookie, json!({ "ceremony": j["ceremony"], "credential": cred }))
}

fn state(s: &Server, cookie: Option<&str>) -> String {
    json_of(&s.handle(&req("GET", "/api/session", cookie, None)))["state"].as_str().unwrap().into()
}

fn all_refused(s: &Server, cookie: Option<&str>) {
    for p in PROTECTED_GETS {
        let r = s.handle(&req("GET", p, cookie, None));
        assert_eq!(r.status, 401, "{p} without a live session: {}", r.text());
        assert!(matches!(r.body, Body::Bytes(_)), "{p} opened a stream");
    }
    for p in ["/api/activity", "/api/users/remove"] {
        assert_eq!(post(s, p, cookie, json!({ "name": "x" })).status, 401, "{p}");
    }
}

fn key() -> WebauthnAuthenticator<SoftPasskey> {
    WebauthnAuthenticator::new(SoftPasskey::new(true))
}

#[test]
fn register_with_the_token_then_login_lock_unlock_and_logout() {
    let s = server("1s", "1h", 100);
    let token = s.auth.lock().unwrap().setup_token().unwrap().to_string();
    all_refused(&s, None);
    all_refused(&s, Some("made-up"));
    let mut alice = key();
    // Without the token, or with a wrong one, nobody registers.
    for t in [None, Some("wrong")] {
        let r = post(&s, "/api/register/start", None, json!({ "name": "alice", "token": t }));
        assert_eq!(r.status, 403, "{}", r.text());
    }
    let r = register(&s, &mut alice, "alice", Some(&token), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let first = cookie_of(&r);
    assert!(s.auth.lock().unwrap().setup_token().is_none(), "the token is used up");
    assert_eq!(state(&s, Some(&first)), "live");
    for p in PROTECTED_GETS {
        assert_eq!(s.handle(&req("GET", p, Some(&first), None)).status, 200, "{p} when live");
    }
    // The token works once only.
    let r = post(&s, "/api/register/start", None, json!({ "name": "mallory", "token": token }));
    assert_eq!(r.status, 401, "{}", r.text());

    // Login on a fresh session.
    let r = login(&s, &mut alice, "alice", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let sid = cookie_of(&r);
    assert_eq!(state(&s, Some(&sid)), "live");
    // A logged-in user adds another user (here with a second authenticator).
    let mut bob = key();
    let r = register(&s, &mut bob, "bob", None, Some(&sid));
    assert_eq!((r.status, r.set_cookie.is_none()), (200, true), "{}", r.text());
    assert_eq!(login(&s, &mut bob, "bob", None).status, 200);
    // Alice's key does not log in as bob.
    let r = post(&s, "/api/login/start", None, json!({ "name": "bob" }));
    let j = json_of(&r);
    let o: RequestChallengeResponse = serde_json::from_value(j["options"].clone()).unwrap();
    assert!(alice.do_authentication(Url::parse(ORIGIN).unwrap(), o).is_err());

    // Activity keeps the session live; idleness locks it; a passkey touch unlocks the same one.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(post(&s, "/api/activity", Some(&sid), json!({})).status, 200);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(state(&s, Some(&sid)), "live");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(state(&s, Some(&sid)), "locked");
    all_refused(&s, Some(&sid));
    assert!(!s.stream_live(&sid), "an open stream ends on lock");
    let r = login(&s, &mut alice, "alice", Some(&sid));
    assert_eq!((r.status, r.set_cookie.is_none()), (200, true), "unlock keeps the session");
    assert_eq!(state(&s, Some(&sid)), "live");
    assert!(s.stream_live(&sid));

    let r = post(&s, "/api/logout", Some(&sid), json!({}));
    assert!(r.set_cookie.as_deref().unwrap().contains("Max-Age=0"));
    assert_eq!(state(&s, Some(&sid)), "none");
    all_refused(&s, Some(&sid));
    // Removing a user ends their sessions; the last user stays.
    let r = login(&s, &mut alice, "alice", None);
    let a = cookie_of(&r);
    assert_eq!(post(&s, "/api/users/remove", Some(&a), json!({ "name": "bob" })).status, 200);
    assert_eq!(post(&s, "/api/users/remove", Some(&a), json!({ "name": "alice" })).status, 400);
    assert_eq!(post(&s, "/api/login/start", None, json!({ "name": "bob" })).status, 401);
}

#[test]
fn sessions_expire_and_the_store_survives_a_restart() {
    let dir = common::temp_dir();
    let s = server_in(dir.clone(), "1h", "1s", 100);
    let token = s.auth.lock().unwrap().setup_token().unwrap().to_string();
    let mut k = key();
    let sid = cookie_of(&register(&s, &mut k, "alice", Some(&token), None));
    assert_eq!(state(&s, Some(&sid)), "live");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(state(&s, Some(&sid)), "expired");
    all_refused(&s, Some(&sid));
    let r = login(&s, &mut k, "alice", Some(&sid));
    assert_ne!(cookie_of(&r), sid, "an expired session is not revived");
    drop(s);
    // A restart keeps the passkeys (no new token) and forgets the sessions.
    let s = server_in(dir.clone(), "1h", "1h", 100);
    assert!(s.auth.lock().unwrap().setup_token().is_none());
    assert_eq!(state(&s, Some(&sid)), "none");
    assert_eq!(login(&s, &mut k, "alice", None).status, 200);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("passkeys.json")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the store is private");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn posts_from_elsewhere_are_refused_and_logins_are_rate_limited() {
    let s = server("1h", "1h", 3);
    let body = json!({ "name": "alice", "token": "x" });
    for origin in [None, Some("http://evil.example"), Some("http://localhost:9999")] {
        let mut r = req("POST", "/api/register/start", None, Some(body.clone()));
        r.headers.retain(|(k, _)| k != "Origin");
        if let Some(o) = origin {
            r.headers.push(("Origin".into(), o.into()));
        }
        assert_eq!(s.handle(&r).status, 403, "Origin {origin:?}");
    }
    let mut r = req("POST", "/api/logout", None, Some(json!({})));
    r.headers.retain(|(k, _)| k != "Content-Type");
    r.headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
    assert_eq!(s.handle(&r).status, 415, "a form post is no API call");
    let codes: Vec<u16> =
        (0..5).map(|_| post(&s, "/api/login/start", None, json!({ "name": "x" })).status).collect();
    assert_eq!(codes, [401, 401, 401, 429, 429]);
    let mut other = req("POST", "/api/login/start", None, Some(json!({ "name": "x" })));
    other.ip = [10, 0, 0, 2].into();
    assert_eq!(s.handle(&other).status, 401, "the limit is per address");
    // Security headers: a CSP without inline script.
    let h = speckle_web::server::security_headers(false);
    let csp = h.iter().find(|(k, _)| *k == "Content-Security-Policy").unwrap().1;
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
}

#[test]
fn bad_options_name_what_is_wrong() {
    assert!(speckle_web::duration("idle-lock", "5x").unwrap_err().contains("--idle-lock 5x"));
    assert!(speckle_web::duration("idle-lock", "0s").is_err());
    assert_eq!(speckle_web::duration("idle-lock", "250ms").unwrap(), Duration::from_millis(250));
    assert_eq!(speckle_web::duration("x", "5m").unwrap(), Duration::from_secs(300));
}
