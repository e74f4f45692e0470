//! Passkey accounts, WebAuthn ceremonies and sessions. Accounts (user name, handle, passkeys) are
//! the only thing kept on disk; sessions, ceremonies and the first-start token live in memory, so
//! a restart logs everybody out and a fresh token is printed while no account exists.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use webauthn_rs::prelude::{
    CreationChallengeResponse, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Uuid, Webauthn,
};

/// A ceremony not finished within this time is forgotten.
const CEREMONY_TTL: Duration = Duration::from_secs(120);

/// `n` random bytes from the OS, base64url without padding.
pub fn random_token(n: usize) -> String {
    use base64::Engine;
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).expect("the OS random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct User {
    pub name: String,
    pub handle: Uuid,
    pub passkeys: Vec<Passkey>,
}

#[derive(Serialize, Deserialize, Default, Debug)]
struct Store {
    users: Vec<User>,
}

enum Ceremony {
    Register { name: String, handle: Uuid, state: PasskeyRegistration, by_token: bool },
    Login { name: String, state: PasskeyAuthentication },
}

pub struct Session {
    pub user: String,
    created: Instant,
    last_active: Instant,
}

/// What a session cookie stands for right now.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum SessionState {
    None,
    Expired,
    /// Idle longer than the lock time: only an unlock (a passkey touch) revives it.
    Locked(String),
    Live(String),
}

/// Why a request was refused: an HTTP status and a one-line reason.
pub type Refusal = (u16, String);

fn refuse(code: u16, why: impl Into<String>) -> Refusal {
    (code, why.into())
}

pub struct Auth {
    webauthn: Webauthn,
    path: PathBuf,
    store: Store,
    /// The one-time registration token while no account exists.
    token: Option<String>,
    ceremonies: HashMap<String, (Instant, Ceremony)>,
    sessions: HashMap<String, Session>,
    pub idle_lock: Duration,
    pub max_age: Duration,
}

/// What a finished ceremony yields: a session id to set as the cookie (None: nothing to set).
pub struct Finished {
    pub session: Option<String>,
}

impl Auth {
    /// Loads the accounts from `state_dir/passkeys.json` (absent: none yet, and a token is made).
    pub fn open(
        webauthn: Webauthn,
        state_dir: PathBuf,
        idle_lock: Duration,
        max_age: Duration,
    ) -> Result<Self, String> {
        std::fs::create_dir_all(&state_dir)
            .map_err(|e| format!("cannot create state dir {}: {e}", state_dir.display()))?;
        let path = state_dir.join("passkeys.json");
        let store = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b)
                .map_err(|e| format!("{}: not a passkey store: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Store::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let token = store.users.is_empty().then(|| random_token(24));
        Ok(Auth {
            webauthn,
            path,
            store,
            token,
            ceremonies: HashMap::new(),
            sessions: HashMap::new(),
            idle_lock,
            max_age,
        })
    }

    /// The first-start token, for the console only.
    pub fn setup_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn users(&self) -> &[User] {
        &self.store.users
    }

    fn save(&self) -> Result<(), String> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let tmp = self.path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(&self.store).map_err(|e| e.to_string())?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|mut f| f.write_all(&body).map(|_| f))
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        f.flush().map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path)
            .map_err(|e| format!("cannot replace {}: {e}", self.path.display()))
    }

    pub fn session(&self, id: Option<&str>) -> SessionState {
        let Some(s) = id.and_then(|id| self.sessions.get(id)) else {
            return SessionState::None;
        };
        if s.created.elapsed() > self.max_age {
            SessionState::Expired
        } else if s.last_active.elapsed() > self.idle_lock {
            SessionState::Locked(s.user.clone())
        } else {
            SessionState::Live(s.user.clone())
        }
    }

    /// The user of a live session, or 401.
    pub fn live_user(&self, id: Option<&str>) -> Result<String, Refusal> {
        match self.session(id) {
            SessionState::Live(u) => Ok(u),
            SessionState::Locked(_) => Err(refuse(401, "session locked: unlock with your passkey")),
            SessionState::Expired => Err(refuse(401, "session expired: log in again")),
            SessionState::None => Err(refuse(401, "not logged in")),
        }
    }

    /// User activity on a live session postpones its lock.
    pub fn touch(&mut self, id: Option<&str>) -> Result<(), Refusal> {
        self.live_user(id)?;
        if let Some(s) = id.and_then(|id| self.sessions.get_mut(id)) {
            s.last_active = Instant::now();
        }
        Ok(())
    }

    pub fn logout(&mut self, id: Option<&str>) {
        if let Some(id) = id {
            self.sessions.remove(id);
        }
    }

    fn new_session(&mut self, user: &str) -> String {
        let now = Instant::now();
        self.sessions.retain(|_, s| s.created.elapsed() <= self.max_age);
        let id = random_token(32);
        self.sessions
            .insert(id.clone(), Session { user: user.into(), created: now, last_active: now });
        id
    }

    fn ceremony(&mut self, c: Ceremony) -> String {
        self.ceremonies.retain(|_, (t, _)| t.elapsed() < CEREMONY_TTL);
        let id = random_token(16);
        self.ceremonies.insert(id.clone(), (Instant::now(), c));
        id
    }

    /// Starts adding a passkey for `name`: with the first-start token while no account exists,
    /// else from a live session (a new user, or another passkey for the session's own user).
    pub fn register_start(
        &mut self,
        name: &str,
        token: Option<&str>,
        session: Option<&str>,
    ) -> Result<(String, CreationChallengeResponse), Refusal> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control()) {
            return Err(refuse(400, "user name: 1 to 64 printable characters"));
        }
        let by_token = match &self.token {
            Some(t) => {
                if !token.is_some_and(|g| same_secret(g, t)) {
                    return Err(refuse(403, "wrong or missing setup token"));
                }
                true
            }
            None => {
                let me = self.live_user(session)?;
                if self.store.users.iter().any(|u| u.name == name) && me != name {
                    return Err(refuse(409, format!("user '{name}' exists")));
                }
                false
            }
        };
        let existing = self.store.users.iter().find(|u| u.name == name);
        let handle = existing.map(|u| u.handle).unwrap_or_else(|| {
            let mut b = [0u8; 16];
            getrandom::getrandom(&mut b).expect("the OS random source works");
            Uuid::from_bytes(b)
        });
        let exclude =
            existing.map(|u| u.passkeys.iter().map(|p| p.cred_id().clone()).collect::<Vec<_>>());
        let (options, state) = self
            .webauthn
            .start_passkey_registration(handle, name, name, exclude)
            .map_err(|e| refuse(500, format!("cannot start registration: {e}")))?;
        let id = self.ceremony(Ceremony::Register { name: name.into(), handle, state, by_token });
        Ok((id, options))
    }

    pub fn register_finish(
        &mut self,
        ceremony: &str,
        cred: &RegisterPublicKeyCredential,
    ) -> Result<Finished, Refusal> {
        let Some((_, Ceremony::Register { name, handle, state, by_token })) =
            self.ceremonies.remove(ceremony)
        else {
            return Err(refuse(400, "unknown or expired registration"));
        };
        if by_token && self.token.is_none() {
            return Err(refuse(403, "the setup token was used already"));
        }
        let key = self
            .webauthn
            .finish_passkey_registration(cred, &state)
            .map_err(|e| refuse(400, format!("registration refused: {e}")))?;
        match self.store.users.iter_mut().find(|u| u.name == name) {
            Some(u) => u.passkeys.push(key),
            None => self.store.users.push(User { name: name.clone(), handle, passkeys: vec![key] }),
        }
        self.save().map_err(|e| refuse(500, e))?;
        if by_token {
            self.token = None;
            return Ok(Finished { session: Some(self.new_session(&name)) });
        }
        Ok(Finished { session: None })
    }

    pub fn login_start(
        &mut self,
        name: &str,
    ) -> Result<(String, RequestChallengeResponse), Refusal> {
        let user = self.store.users.iter().find(|u| u.name == name.trim());
        let Some(user) = user.filter(|u| !u.passkeys.is_empty()) else {
            return Err(refuse(401, "unknown user"));
        };
        let name = user.name.clone();
        let (options, state) = self
            .webauthn
            .start_passkey_authentication(&user.passkeys)
            .map_err(|e| refuse(500, format!("cannot start login: {e}")))?;
        Ok((self.ceremony(Ceremony::Login { name, state }), options))
    }

    /// Finishes a login. A locked session of the same user (its cookie sent along) is unlocked
    /// and kept; otherwise a new session starts.
    pub fn login_finish(
        &mut self,
        ceremony: &str,
        cred: &PublicKeyCredential,
        session: Option<&str>,
    ) -> Result<Finished, Refusal> {
        let Some((_, Ceremony::Login { name, state })) = self.ceremonies.remove(ceremony) else {
            return Err(refuse(400, "unknown or expired login"));
        };
        let result = self
            .webauthn
            .finish_passkey_authentication(cred, &state)
            .map_err(|e| refuse(401, format!("login refused: {e}")))?;
        if let Some(u) = self.store.users.iter_mut().find(|u| u.name == name) {
            let mut changed = false;
            for p in &mut u.passkeys {
                changed |= p.update_credential(&result).unwrap_or(false);
            }
            if changed {
                self.save().map_err(|e| refuse(500, e))?;
            }
        }
        if let (SessionState::Locked(u) | SessionState::Live(u), Some(id)) =
            (self.session(session), session)
        {
            if u == name {
                if let Some(s) = self.sessions.get_mut(id) {
                    s.last_active = Instant::now();
                }
                return Ok(Finished { session: None });
            }
        }
        Ok(Finished { session: Some(self.new_session(&name)) })
    }

    /// Removes a user and every session of theirs; the last user stays (nobody could log in).
    pub fn remove_user(&mut self, session: Option<&str>, name: &str) -> Result<(), Refusal> {
        self.live_user(session)?;
        if !self.store.users.iter().any(|u| u.name == name) {
            return Err(refuse(404, format!("no user '{name}'")));
        }
        if self.store.users.len() == 1 {
            return Err(refuse(400, "the last user cannot be removed"));
        }
        self.store.users.retain(|u| u.name != name);
        self.save().map_err(|e| refuse(500, e))?;
        self.sessions.retain(|_, s| s.user != name);
        Ok(())
    }
}

/// Login attempts per client address in a fixed one-minute window.
pub struct RateLimit {
    per_minute: u32,
    seen: HashMap<std::net::IpAddr, (Instant, u32)>,
}

impl RateLimit {
    pub fn new(per_minute: u32) -> Self {
        RateLimit { per_minute, seen: HashMap::new() }
    }

    /// Counts an attempt; false once the address is over its allowance.
    pub fn allow(&mut self, ip: std::net::IpAddr) -> bool {
        let now = Instant::now();
        self.seen.retain(|_, (t, _)| now.duration_since(*t) < Duration::from_secs(60));
        let e = self.seen.entry(ip).or_insert((now, 0));
        e.1 += 1;
        e.1 <= self.per_minute
    }
}
