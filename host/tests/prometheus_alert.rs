//! A real Prometheus (Debian's `prometheus`) on loopback scrapes a daemon running `sim:stuck` and
//! evaluates packaging/prometheus/speckle-rules.yml; the test waits, bounded, until
//! SpeckleSourceUnhealthy is firing in Prometheus's own `ALERTS` series, read over its HTTP API.
//!
//! The rules are the packaged file itself, with one change: SpeckleSourceUnhealthy's `for: 1m`
//! becomes `for: 3s` (and scrapes and evaluations come every second), so the test takes seconds,
//! not minutes, while the expression, labels and annotations Prometheus runs are the shipped ones.
//! The `for:` duration itself is checked by promtool's unit test (speckle-rules.test.yml).

mod common;
#[path = "metrics_daemon/mod.rs"]
mod metrics_daemon;

use metrics_daemon::{get, Daemon};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NO_SKIP_ENV: &str = "SPECKLE_NO_SKIP";
/// How long the alert may take to fire: Prometheus's start, the first scrapes, `for: 3s`.
const FIRING_WITHIN: Duration = Duration::from_secs(90);

/// Kills the server it holds when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The packaged rules with SpeckleSourceUnhealthy's `for:` shortened (see the module's doc).
fn rules_for_the_test() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../packaging/prometheus/speckle-rules.yml");
    let text = std::fs::read_to_string(path).unwrap();
    let at = text.find("alert: SpeckleSourceUnhealthy").expect("the rule in the packaged file");
    let f = at + text[at..].find("for: 1m").expect("its `for: 1m`");
    format!("{}for: 3s{}", &text[..f], &text[f + "for: 1m".len()..])
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `ALERTS{alertname="SpeckleSourceUnhealthy",alertstate="firing"}`, URL-encoded.
const QUERY: &str =
    "ALERTS%7Balertname%3D%22SpeckleSourceUnhealthy%22%2Calertstate%3D%22firing%22%7D";

#[test]
fn prometheus_fires_source_unhealthy_for_a_stuck_board() {
    if Command::new("prometheus").arg("--version").output().is_err() {
        let why = "prometheus not found (Debian package prometheus, in .ci/apt-packages)";
        if std::env::var_os(NO_SKIP_ENV).is_some() {
            panic!("{why}; {NO_SKIP_ENV} is set, so this fails instead of skipping");
        }
        eprintln!("SKIPPED: prometheus_fires_source_unhealthy_for_a_stuck_board: {why}");
        return;
    }
    let _one = common::one_at_a_time();
    let dir = common::tmpdir("prometheus-alert");
    let out = format!("file:{}", dir.join("out.bin").display());
    let daemon = Daemon::start(&["--source", "sim:stuck", "--output", &out, "--duration", "150"]);
    std::fs::write(dir.join("rules.yml"), rules_for_the_test()).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\n\
         scrape_configs:\n  - job_name: speckle\n    static_configs:\n      - targets: ['{}']\n",
        dir.join("rules.yml").display(),
        daemon.addr
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let web: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let _prom = Server(
        Command::new("prometheus")
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("tsdb").display()))
            .arg(format!("--web.listen-address={web}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    let (mut last, mut firing) = (String::new(), None);
    while t0.elapsed() < FIRING_WITHIN {
        std::thread::sleep(Duration::from_millis(500));
        if std::net::TcpStream::connect(web).is_err() {
            continue;
        }
        let (status, _, body) = get(web, &format!("/api/v1/query?query={QUERY}"));
        assert!(status.contains(" 200 "), "{status}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["status"], "success", "{body}");
        let result = v["data"]["result"].as_array().unwrap();
        if let Some(a) = result.first() {
            firing = Some((a["metric"].clone(), t0.elapsed()));
            break;
        }
        last = body;
    }
    let log = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
    let (metric, after) = firing.unwrap_or_else(|| {
        panic!("not firing within {FIRING_WITHIN:?}; last answer {last}\nprometheus log:\n{log}")
    });
    assert_eq!(metric["source"], "sim:stuck", "{metric}");
    assert_eq!(metric["job"], "speckle", "{metric}");
    assert_eq!(metric["instance"], daemon.addr.to_string(), "{metric}");
    assert_eq!(metric["severity"], "critical", "{metric}");
    eprintln!("SpeckleSourceUnhealthy firing in ALERTS after {:.1} s", after.as_secs_f64());
    drop(daemon);
    std::fs::remove_dir_all(&dir).unwrap();
}
