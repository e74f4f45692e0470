//! Requests and responses, independent of the HTTP library so tests drive [`Server::handle`]
//! directly: routing, the session checks every data endpoint makes, the CSRF check every POST
//! makes, the login rate limit and the security headers.

use crate::auth::{Auth, RateLimit, Refusal, SessionState};
use crate::dash::Shared;
use serde::Deserialize;
use serde_json::json;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

pub const COOKIE: &str = "speckle_session";

/// Every endpoint that serves monitor data or account data; each needs a live session.
pub const PROTECTED_GETS: [&str; 9] = [
    "/api/snapshot",
    "/api/stream",
    "/api/users",
    "/api/chart/channels.svg",
    "/api/chart/health.svg",
    "/api/chart/sfp.svg",
    "/api/chart/throughput.svg",
    "/api/chart/histogram.svg",
    "/api/histogram",
];

pub struct Req {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub ip: IpAddr,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The session cookie's value, if sent.
    pub fn session(&self) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
    }
}

pub enum Body {
    Bytes(Vec<u8>),
    /// Server-sent events for the session with this cookie value, until it stops being live.
    Stream(String),
}

pub struct Resp {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Body,
    pub set_cookie: Option<String>,
}

impl Resp {
    fn json(status: u16, v: serde_json::Value) -> Resp {
        Resp::bytes(status, "application/json", v.to_string().into_bytes())
    }

    fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Resp {
        Resp { status, content_type, body: Body::Bytes(body), set_cookie: None }
    }

    fn refused((status, why): Refusal) -> Resp {
        Resp::json(status, json!({ "error": why }))
    }

    /// The body as text (tests).
    pub fn text(&self) -> String {
        match &self.body {
            Body::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Body::Stream(_) => "<stream>".into(),
        }
    }
}

/// Headers on every response: a CSP that allows no inline script and nothing from elsewhere.
pub fn security_headers(tls: bool) -> Vec<(&'static str, &'static str)> {
    let mut h = vec![
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ];
    if tls {
        h.push(("Strict-Transport-Security", "max-age=31536000"));
    }
    h
}

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");

pub struct Server {
    pub auth: Mutex<Auth>,
    pub limit: Mutex<RateLimit>,
    pub dash: Arc<Shared>,
    /// The page's origin (scheme://host:port) that every POST must come from.
    pub origin: String,
    pub tls: bool,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: String,
    token: Option<String>,
}

#[derive(Deserialize)]
struct Finish<T> {
    ceremony: String,
    credential: T,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|e| (400, format!("bad request body: {e}")))
}

impl Server {
    /// The Set-Cookie value for session `id` (`Secure` under TLS).
    pub fn cookie(&self, id: &str, max_age: Option<u64>) -> String {
        let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
        let secure = if self.tls { "; Secure" } else { "" };
        format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}{age}")
    }

    pub fn handle(&self, req: &Req) -> Resp {
        if req.method == "POST" {
            if let Err(r) = self.csrf(req) {
                return Resp::refused(r);
            }
            return self.post(req).unwrap_or_else(Resp::refused);
        }
        if req.method != "GET" && req.method != "HEAD" {
            return Resp::refused((405, format!("method {} not allowed", req.method)));
        }
        match req.path.as_str() {
            "/" | "/index.html" => Resp::bytes(200, "text/html; charset=utf-8", INDEX.into()),
            "/app.js" => Resp::bytes(200, "text/javascript; charset=utf-8", APP_JS.into()),
            "/app.css" => Resp::bytes(200, "text/css; charset=utf-8", APP_CSS.into()),
            "/api/session" => self.session_info(req),
            p => self.data(req, p).unwrap_or_else(Resp::refused),
        }
    }

    /// A POST is honoured only from the page itself: its Origin header must be the page's origin
    /// (browsers always send it on POST) and its body JSON (a cross-site form cannot send that
    /// without a preflight, which is refused).
    fn csrf(&self, req: &Req) -> Result<(), Refusal> {
        if req.header("origin") != Some(self.origin.as_str()) {
            return Err((403, "cross-site request refused (Origin is not this page)".into()));
        }
        if !req.header("content-type").is_some_and(|c| c.starts_with("application/json")) {
            return Err((415, "POST bodies must be application/json".into()));
        }
        Ok(())
    }

    fn session_info(&self, req: &Req) -> Resp {
        let auth = self.auth.lock().unwrap();
        let (state, user) = match auth.session(req.session()) {
            SessionState::None => ("none", None),
            SessionState::Expired => ("expired", None),
            SessionState::Locked(u) => ("locked", Some(u)),
            SessionState::Live(u) => ("live", Some(u)),
        };
        Resp::json(
            200,
            json!({
                "state": state, "user": user, "setup": auth.setup_token().is_some(),
                "idle_lock_s": auth.idle_lock.as_secs_f64(),
            }),
        )
    }

    fn data(&self, req: &Req, path: &str) -> Result<Resp, Refusal> {
        self.auth.lock().unwrap().live_user(req.session())?;
        match path {
            "/api/snapshot" => {
                let (_, snap) = self.dash.latest();
                Ok(Resp::bytes(200, "application/json", snap.as_bytes().to_vec()))
            }
            "/api/stream" => Ok(Resp {
                status: 200,
                content_type: "text/event-stream",
                body: Body::Stream(req.session().unwrap_or_default().to_string()),
                set_cookie: None,
            }),
            "/api/users" => {
                let auth = self.auth.lock().unwrap();
                let users: Vec<_> = auth
                    .users()
                    .iter()
                    .map(|u| json!({ "name": u.name, "passkeys": u.passkeys.len() }))
                    .collect();
                Ok(Resp::json(200, json!(users)))
            }
            "/api/histogram" => {
                let h = self.dash.dash.lock().unwrap().histogram();
                Ok(Resp::json(200, json!(h.to_vec())))
            }
            p => {
                let name = p
                    .strip_prefix("/api/chart/")
                    .and_then(|n| n.strip_suffix(".svg"))
                    .ok_or((404, format!("no such page: {p}")))?;
                let d = self.dash.dash.lock().unwrap();
                let svg = crate::charts::svg(&d, name).ok_or((404, format!("no chart {name}")))?;
                Ok(Resp::bytes(200, "image/svg+xml", svg.into_bytes()))
            }
        }
    }

    fn limited(&self, req: &Req) -> Result<(), Refusal> {
        if self.limit.lock().unwrap().allow(req.ip) {
            Ok(())
        } else {
            Err((429, "too many login attempts from this address: wait a minute".into()))
        }
    }

    fn post(&self, req: &Req) -> Result<Resp, Refusal> {
        let sid = req.session();
        let mut auth = self.auth.lock().unwrap();
        let started = |(ceremony, options): (String, serde_json::Value)| {
            Resp::json(200, json!({ "ceremony": ceremony, "options": options }))
        };
        let resp = match req.path.as_str() {
            "/api/register/start" => {
                self.limited(req)?;
                let n: Named = parse(&req.body)?;
                let (c, o) = auth.register_start(&n.name, n.token.as_deref(), sid)?;
                started((c, serde_json::to_value(&o).expect("serialisable")))
            }
            "/api/register/finish" => {
                let f: Finish<_> = parse(&req.body)?;
                let done = auth.register_finish(&f.ceremony, &f.credential)?;
                self.finished(done.session)
            }
            "/api/login/start" => {
                self.limited(req)?;
                let n: Named = parse(&req.body)?;
                let (c, o) = auth.login_start(&n.name)?;
                started((c, serde_json::to_value(&o).expect("serialisable")))
            }
            "/api/login/finish" => {
                self.limited(req)?;
                let f: Finish<_> = parse(&req.body)?;
                let done = auth.login_finish(&f.ceremony, &f.credential, sid)?;
                self.finished(done.session)
            }
            "/api/activity" => {
                auth.touch(sid)?;
                Resp::json(200, json!({ "ok": true }))
            }
            "/api/users/remove" => {
                let n: Named = parse(&req.body)?;
                auth.remove_user(sid, &n.name)?;
                Resp::json(200, json!({ "ok": true }))
            }
            "/api/logout" => {
                auth.logout(sid);
                let mut r = Resp::json(200, json!({ "ok": true }));
                r.set_cookie = Some(self.cookie("", Some(0)));
                r
            }
            p => return Err((404, format!("no such endpoint: {p}"))),
        };
        Ok(resp)
    }

    fn finished(&self, session: Option<String>) -> Resp {
        let mut r = Resp::json(200, json!({ "ok": true }));
        r.set_cookie = session.map(|s| self.cookie(&s, None));
        r
    }

    /// Whether an event stream for this cookie may go on.
    pub fn stream_live(&self, sid: &str) -> bool {
        self.auth.lock().unwrap().live_user(Some(sid)).is_ok()
    }
}
