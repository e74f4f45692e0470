//! `speckle web`: the terminal monitor's views served to a browser behind a passkey login
//! (docs/web.md).

pub mod auth;
pub mod charts;
pub mod dash;
pub mod http;
pub mod server;
pub mod tls;

use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct WebArgs {
    /// Address to serve on; loopback unless given otherwise.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: String,
    /// Follow a running daemon's status socket.
    #[arg(long, value_name = "PATH", conflicts_with = "demo")]
    pub status_socket: Option<PathBuf>,
    /// Run simulated boards in-process with rotating scenarios (writes no entropy).
    #[arg(long)]
    pub demo: bool,
    /// The demo's time per scenario (then the next one: optimal, stuck, bias, ...).
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub demo_rotate: String,
    /// WebAuthn relying-party id: the host name the browser uses (not an IP address).
    #[arg(long, value_name = "HOST", default_value = "localhost")]
    pub rp_id: String,
    /// The page's origin as the browser sees it (default http://RP_ID:PORT): behind a reverse
    /// proxy or tunnel, the proxy's origin.
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// Where the registered passkeys are kept (default $XDG_STATE_HOME/speckle/web, or
    /// /var/lib/speckle/web as root).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Idle time after which a session locks until a passkey touch unlocks it.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub idle_lock: String,
    /// Time after login at which a session expires, locked or not.
    #[arg(long, value_name = "DURATION", default_value = "12h")]
    pub session_max: String,
    /// Login and registration attempts allowed per client address per minute.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub login_attempts_per_minute: u32,
    /// Serve HTTPS: with --tls-cert/--tls-key, else a self-signed certificate made on first start
    /// and kept in the state dir (its SHA-256 fingerprint is printed on the console).
    #[arg(long)]
    pub tls: bool,
    /// PEM certificate chain for --tls (implies --tls).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Seed of the demo's simulated boards.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Parses `90s`, `5m`, `12h` or `250ms`.
pub fn duration(opt: &str, s: &str) -> Result<Duration, String> {
    let bad = || format!("--{opt} {s}: expected a positive duration such as 250ms, 30s, 5m or 12h");
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').ok_or_else(bad)?;
    let (n, unit) = s.split_at(split);
    let n: f64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn default_state_dir() -> PathBuf {
    if std::env::var_os("XDG_STATE_HOME").is_none() && is_root() {
        return PathBuf::from("/var/lib/speckle/web");
    }
    let base = std::env::var_os("XDG_STATE_HOME").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/state")
    });
    base.join("speckle/web")
}

/// Root owns /var/lib; everybody else keeps state under their home.
fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// What [`WebArgs`] asked for, checked.
pub struct Config {
    pub listen: std::net::SocketAddr,
    pub origin: String,
    pub rp_id: String,
    pub state_dir: PathBuf,
    pub idle_lock: Duration,
    pub session_max: Duration,
    pub attempts: u32,
    pub feed: dash::Feed,
    /// HTTPS with this certificate and key (None: plain HTTP).
    pub tls: Option<tls::Material>,
}

impl WebArgs {
    pub fn config(&self) -> Result<Config, String> {
        let listen: std::net::SocketAddr = self
            .listen
            .parse()
            .map_err(|e| format!("--listen {}: not an address:port ({e})", self.listen))?;
        if self.rp_id.parse::<std::net::IpAddr>().is_ok() || self.rp_id.is_empty() {
            return Err(format!(
                "--rp-id {}: WebAuthn needs a host name, not an IP address",
                self.rp_id
            ));
        }
        let tls = self.tls || self.tls_cert.is_some();
        let scheme = if tls { "https" } else { "http" };
        let origin = self
            .origin
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{}:{}", self.rp_id, listen.port()));
        let feed = match (&self.status_socket, self.demo) {
            (Some(p), _) => dash::Feed::Socket(p.clone()),
            (None, true) => dash::Feed::Demo {
                rotate: duration("demo-rotate", &self.demo_rotate)?,
                seed: self.seed,
            },
            (None, false) => {
                return Err("nothing to show: give --status-socket PATH or --demo".into())
            }
        };
        if self.login_attempts_per_minute == 0 {
            return Err("--login-attempts-per-minute 0: nobody could log in".into());
        }
        let state_dir = self.state_dir.clone().unwrap_or_else(default_state_dir);
        let tls = match tls {
            true => Some(tls::load_or_make(
                self.tls_cert.as_deref(),
                self.tls_key.as_deref(),
                &state_dir,
                &self.rp_id,
            )?),
            false => None,
        };
        Ok(Config {
            listen,
            origin,
            rp_id: self.rp_id.clone(),
            tls,
            state_dir,
            idle_lock: duration("idle-lock", &self.idle_lock)?,
            session_max: duration("session-max", &self.session_max)?,
            attempts: self.login_attempts_per_minute,
            feed,
        })
    }
}

/// Builds the server (accounts loaded, data sources started) without listening yet.
pub fn build(c: &Config) -> Result<server::Server, String> {
    use webauthn_rs::prelude::Url;
    let url = Url::parse(&c.origin).map_err(|e| format!("--origin {}: {e}", c.origin))?;
    let webauthn = webauthn_rs::WebauthnBuilder::new(&c.rp_id, &url)
        .and_then(|b| b.rp_name("Speckle").build())
        .map_err(|e| format!("--rp-id {} with origin {}: {e}", c.rp_id, c.origin))?;
    let auth = auth::Auth::open(webauthn, c.state_dir.clone(), c.idle_lock, c.session_max)?;
    Ok(server::Server {
        auth: std::sync::Mutex::new(auth),
        limit: std::sync::Mutex::new(auth::RateLimit::new(c.attempts)),
        dash: dash::start(&c.feed)?,
        origin: c.origin.trim_end_matches('/').to_string(),
        tls: url.scheme() == "https",
    })
}

/// Serves the dashboard until interrupted.
pub fn run(args: WebArgs) -> Result<(), String> {
    let c = args.config()?;
    let (listen, origin) = (c.listen, c.origin.clone());
    let server = build(&c)?;
    let http = http::bind(listen, c.tls.as_ref())?;
    if let Some(m) = &c.tls {
        println!(
            "speckle web: TLS certificate {} SHA-256 {}",
            m.cert_path.display(),
            m.fingerprint()?
        );
    }
    if let Some(t) = server.auth.lock().unwrap().setup_token() {
        // The console only: this token registers the first passkey, so it never goes to a log.
        println!("speckle web: no passkey registered yet; open {origin} and register with the one-time token {t}");
    }
    eprintln!("speckle web: serving {origin} on {listen}");
    http::serve(std::sync::Arc::new(server), http);
    Ok(())
}
