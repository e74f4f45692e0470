//! `speckle run --metrics`: the daemon on a simulated board, scraped over loopback as Prometheus
//! would, the text format parsed here by its grammar (not by the encoder that wrote it).

mod common;
#[path = "metrics_daemon/mod.rs"]
mod metrics_daemon;

use metrics_daemon::{get, Daemon};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// A scrape parsed by the text format's grammar: `# TYPE` per family and every sample as
/// `name{labels} value`, keyed by name and sorted labels.
struct Scrape {
    types: HashMap<String, String>,
    samples: HashMap<(String, String), f64>,
}

fn parse(body: &str) -> Scrape {
    let (mut types, mut samples) = (HashMap::new(), HashMap::new());
    for line in body.lines().filter(|l| !l.is_empty()) {
        if let Some(t) = line.strip_prefix("# TYPE ") {
            let (name, ty) = t.split_once(' ').unwrap();
            assert!(types.insert(name.to_string(), ty.to_string()).is_none(), "{name} typed twice");
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment {line}");
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value in {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, l.strip_suffix('}').unwrap_or_else(|| panic!("{line}"))),
            None => (series, ""),
        };
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{name} is not snake_case"
        );
        let mut pairs: Vec<&str> =
            if labels.is_empty() { vec![] } else { labels.split("\",").collect() };
        for p in &mut pairs {
            let (k, v) = p.split_once("=\"").unwrap_or_else(|| panic!("bad label in {line}"));
            assert!(k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{k} in {line}");
            assert!(!v.trim_end_matches('"').contains('"'), "{line}");
            *p = p.trim_end_matches('"');
        }
        pairs.sort();
        let key = (name.to_string(), pairs.join(","));
        assert!(samples.insert(key, value).is_none(), "{line} twice");
    }
    Scrape { types, samples }
}

impl Scrape {
    fn get(&self, name: &str, labels: &str) -> f64 {
        *self.samples.get(&(name.into(), labels.into())).unwrap_or_else(|| {
            let near: Vec<_> = self.samples.keys().filter(|k| k.0 == name).collect();
            panic!("no {name}{{{labels}}}; have {near:?}")
        })
    }
}

/// `sim:optimal` scraped twice a few seconds apart: the healthy source reads healthy, its byte,
/// frame and sample counters move forward, the cutoffs it enforces are there, the file sink's
/// counters follow, and every family is typed, snake_case, under `speckle_`, with `_total` on
/// exactly the counters.
#[test]
fn a_running_daemon_is_scraped_over_loopback_and_its_counters_move() {
    let _one = common::one_at_a_time();
    let dir = common::tmpdir("metrics");
    let out = format!("file:{}", dir.join("out.bin").display());
    let d = Daemon::start(&["--source", "sim:optimal", "--output", &out, "--duration", "60"]);
    assert!(d.addr.ip().is_loopback(), "{}", d.addr);
    let src = "source=\"sim:optimal";
    let scrape_until = |what: &str, ok: &dyn Fn(&Scrape) -> bool| {
        let t0 = Instant::now();
        loop {
            let (status, headers, body) = get(d.addr, "/metrics");
            assert!(status.contains(" 200 "), "{status}");
            assert!(headers.contains("content-type: text/plain; version=0.0.4"), "{headers}");
            let s = parse(&body);
            if ok(&s) {
                return s;
            }
            assert!(t0.elapsed() < Duration::from_secs(40), "{what} never held:\n{body}");
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let healthy = |s: &Scrape| {
        let at = |n: &str| s.samples.get(&(n.to_string(), src.to_string())).copied();
        at("speckle_source_healthy") == Some(1.0)
            && at("speckle_source_released_bytes_total").is_some_and(|b| b > 0.0)
    };
    let first = scrape_until("healthy with released bytes", &healthy);
    let moved = |s: &Scrape| {
        s.get("speckle_source_received_bytes_total", src)
            > first.get("speckle_source_received_bytes_total", src)
    };
    std::thread::sleep(Duration::from_secs(2));
    let second = scrape_until("received bytes moving", &moved);
    for name in ["speckle_source_released_bytes_total", "speckle_board_samples_total"] {
        assert!(second.get(name, src) > first.get(name, src), "{name} did not move");
    }
    let frames_ok = format!("outcome=\"ok,{src}");
    assert!(
        second.get("speckle_frames_total", &frames_ok)
            > first.get("speckle_frames_total", &frames_ok)
    );
    assert_eq!(second.get("speckle_frames_total", &format!("outcome=\"bad_crc,{src}")), 0.0);
    assert_eq!(second.get("speckle_source_recovery_state", &format!("{src},state=\"healthy")), 1.0);
    assert_eq!(second.get("speckle_board_alarm", &format!("kind=\"rct,{src}")), 0.0);
    let p = speckle_model::params::CoreParams::ice40().cutoffs();
    let rct = second.get("speckle_health_test_cutoff", &format!("bound=\"max,{src},test=\"rct"));
    assert_eq!(rct, p.rct as f64);
    assert!(
        second.get(
            "speckle_source_info",
            &format!("mode=\"conditioned,provenance=\"simulated,{src}")
        ) == 1.0
    );
    let sink = format!("sink=\"{out}");
    let written = second.get("speckle_sink_written_bytes_total", &sink);
    assert!(written > 0.0 && written > first.get("speckle_sink_written_bytes_total", &sink));
    assert_eq!(second.get("speckle_sink_dropped_bytes_total", &sink), 0.0);
    // Conventions, family by family.
    assert!(second.types.len() >= 20, "{:?}", second.types.keys());
    for (name, ty) in &second.types {
        assert!(name.starts_with("speckle_"), "{name}");
        assert_eq!(name.ends_with("_total"), ty == "counter", "{name} is a {ty}");
    }
    for (name, _) in second.samples.keys() {
        assert!(second.types.contains_key(name), "{name} has no # TYPE");
    }
    let (status, _, _) = get(d.addr, "/nothing");
    assert!(status.contains(" 404 "), "{status}");
    drop(d);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A bad address is one line naming the flag, and the run starts nothing.
#[test]
fn a_bad_metrics_address_is_one_clear_line() {
    let res = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--output", "file:/dev/null"])
        .args(["--metrics", "localhost:http", "--duration", "5"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("speckle: error: --metrics \"localhost:http\": give PORT"), "{err}");
}
