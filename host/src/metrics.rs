//! `--metrics ADDR`: a Prometheus endpoint (text format 0.0.4, `GET /metrics`) so that an operator
//! watches every rig from the monitoring stack they already run (packaging/prometheus/ holds the
//! alerting rules, docs/fleet.md the recipes).
//!
//! The numbers are the telemetry rows the main loop already makes (one per source per STATUS), the
//! fanout's per-sink counters and the kernel sink's credit: the same source of truth as the parquet
//! files and the status socket, so a dashboard and a file never disagree. Encoding uses the kept
//! `prometheus-client` crate (a [`Collector`] that reads a snapshot at scrape time, because the
//! counters are cumulative values the daemon already holds, not events to count again); HTTP is
//! `tiny_http`, small and blocking, on its own thread.
//!
//! The main loop never waits on a scraper: it only copies a row into the shared state under a lock
//! that the scraping thread holds just long enough to clone that state; encoding and the network
//! write happen after the lock is released. A scraper that stalls stalls only the metrics thread.

use crate::fanout::{SinkStat, SinkStats};
use crate::row::Row;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use speckle_model::protocol::{Alarms, Limits, SfpFlags};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

/// The recovery states a row's `recovery` column takes (docs/host.md, "Recovery"); each is one
/// series of `speckle_source_recovery_state`, 1 for the current one, so an alert can say
/// `state="failed-held"` without a regular expression.
pub const RECOVERY_STATES: [&str; 4] = ["healthy", "failed", "recovering", "failed-held"];

/// The board's alarm bits by the `kind` label they are exported under.
const ALARM_KINDS: [(u8, &str); 5] = [
    (Alarms::RCT, "rct"),
    (Alarms::APT, "apt"),
    (Alarms::MARKOV, "markov"),
    (Alarms::LOS, "los"),
    (Alarms::EXTERNAL, "interlock"),
];

const SFP_FLAGS: [(u8, &str); 4] = [
    (SfpFlags::PRESENT, "present"),
    (SfpFlags::DIAG_VALID, "diag_valid"),
    (SfpFlags::INTERLOCK, "interlock"),
    (SfpFlags::LOS, "los"),
];

/// `--metrics ADDR`: `PORT` or `:PORT` bind loopback (127.0.0.1), so giving the flag never opens
/// a port to the network by accident; `HOST:PORT` (an IP address) binds where it says.
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let bad = || {
        format!(
            "--metrics {text:?}: give PORT, :PORT (both on 127.0.0.1) or IP:PORT, e.g. 127.0.0.1:9477"
        )
    };
    let port = text.strip_prefix(':').unwrap_or(text);
    if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
        let port: u16 = port.parse().map_err(|_| bad())?;
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    text.parse().map_err(|_| bad())
}

/// What the rows have said about one source so far.
#[derive(Clone, Debug, Default)]
struct SourceState {
    name: String,
    row: Option<Row>,
    /// Entries into `recovering` seen in the rows (a recovery shorter than one STATUS interval
    /// would not show; the recovery module's own backoff makes that impossible, docs/host.md).
    recoveries: u64,
    /// Per kind of [`ALARM_KINDS`], how often its bit went from clear to set between two rows.
    alarms_raised: [u64; ALARM_KINDS.len()],
}

#[derive(Debug, Default)]
struct State {
    sources: Vec<SourceState>,
}

/// The endpoint's state shared with the main loop; dropping it stops the server.
pub struct Metrics {
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
}

impl Metrics {
    /// Binds `addr` and starts serving; `sources` are the run's sources in index order (each is
    /// exported, unhealthy, before its first row), `sinks` the fanout's counters.
    pub fn start(addr: SocketAddr, sources: &[String], sinks: SinkStats) -> Result<Self, String> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| format!("--metrics {addr}: cannot listen: {e}"))?;
        let addr = server.server_addr().to_ip().unwrap_or(addr);
        let state = Arc::new(Mutex::new(State {
            sources: sources
                .iter()
                .map(|n| SourceState { name: n.clone(), ..SourceState::default() })
                .collect(),
        }));
        let server = Arc::new(server);
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Snapshot { state: state.clone(), sinks }));
        let s = server.clone();
        std::thread::Builder::new()
            .name("metrics".into())
            .spawn(move || serve(&s, &registry))
            .map_err(|e| format!("--metrics: cannot start its thread: {e}"))?;
        tracing::info!("metrics: Prometheus text format on http://{addr}/metrics");
        Ok(Metrics { state, server, addr })
    }

    /// The address bound (the port the system chose for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Takes source `source`'s new row. Called by the main loop: a copy under a short lock.
    pub fn row(&self, source: usize, row: &Row) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = st.sources.get_mut(source) {
            s.take(row);
        }
    }
}

impl SourceState {
    /// Keeps the row, counting a new recovery and each newly raised alarm against the last one.
    fn take(&mut self, row: &Row) {
        let prev = self.row.as_ref();
        let was_recovering = prev.is_some_and(|p| p.recovery == "recovering");
        if row.recovery == "recovering" && !was_recovering {
            self.recoveries += 1;
        }
        let before = prev.map_or(0, |p| p.board_alarms);
        for (i, (bit, _)) in ALARM_KINDS.iter().enumerate() {
            if row.board_alarms & bit != 0 && before & bit == 0 {
                self.alarms_raised[i] += 1;
            }
        }
        self.row = Some(row.clone());
    }
}

impl Drop for Metrics {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// The metrics thread: answers `GET /metrics` (and HEAD) until the server is unblocked.
fn serve(server: &tiny_http::Server, registry: &Registry) {
    use tiny_http::{Header, Method, Response};
    for req in server.incoming_requests() {
        let path = req.url().split('?').next().unwrap_or("");
        let get = matches!(req.method(), Method::Get | Method::Head);
        let response = if get && path == "/metrics" {
            let mut body = String::new();
            match prometheus_client::encoding::prometheus_text::encode(&mut body, registry) {
                Ok(()) => Response::from_string(body).with_header(
                    Header::from_bytes(
                        "Content-Type",
                        prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                    )
                    .expect("a valid header"),
                ),
                Err(_) => Response::from_string("encoding failed\n").with_status_code(500),
            }
        } else if get && path == "/" {
            Response::from_string("speckle: metrics at /metrics\n")
        } else {
            Response::from_string("not found: the metrics are at GET /metrics\n")
                .with_status_code(404)
        };
        // A client that went away is its own problem; the next one is served.
        let _ = req.respond(response);
    }
}

/// The collector: each scrape clones the state (the only time it holds the lock) and encodes it.
#[derive(Debug)]
struct Snapshot {
    state: Arc<Mutex<State>>,
    sinks: SinkStats,
}

type Labels = Vec<(&'static str, String)>;

/// One metric family being built: name (with its unit, and `_total` added by the encoder for a
/// counter), help, type and samples.
struct Family {
    name: &'static str,
    help: &'static str,
    counter: bool,
    samples: Vec<(Labels, f64)>,
}

impl Family {
    fn gauge(name: &'static str, help: &'static str) -> Self {
        Family { name, help, counter: false, samples: Vec::new() }
    }
    /// `name` without `_total`: the encoder adds it.
    fn counter(name: &'static str, help: &'static str) -> Self {
        Family { name, help, counter: true, samples: Vec::new() }
    }
    fn add(&mut self, labels: Labels, v: f64) {
        self.samples.push((labels, v));
    }
    fn encode(&self, enc: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        if self.samples.is_empty() {
            return Ok(());
        }
        let ty = if self.counter { MetricType::Counter } else { MetricType::Gauge };
        let mut m = enc.encode_descriptor(self.name, self.help, None, ty)?;
        for (labels, v) in &self.samples {
            let e = m.encode_family(labels)?;
            if self.counter {
                ConstCounter::new(*v).encode(e)?;
            } else {
                ConstGauge::new(*v).encode(e)?;
            }
        }
        Ok(())
    }
}

fn src(name: &str) -> Labels {
    vec![("source", name.to_string())]
}

fn with(mut l: Labels, k: &'static str, v: &str) -> Labels {
    l.push((k, v.to_string()));
    l
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

impl Collector for Snapshot {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let sources: Vec<SourceState> =
            self.state.lock().unwrap_or_else(|p| p.into_inner()).sources.clone();
        let sinks = self.sinks.read();
        for f in families(&sources, &sinks) {
            f.encode(&mut enc)?;
        }
        Ok(())
    }
}

/// Every family from one snapshot. Units are base units (bytes, seconds, volts, amperes, watts,
/// degrees Celsius as Prometheus allows); the board's mW and mA are converted.
fn families(sources: &[SourceState], sinks: &[SinkStat]) -> Vec<Family> {
    let mut build = Family::gauge("speckle_build_info", "The daemon's version; always 1.");
    build.add(vec![("version", env!("CARGO_PKG_VERSION").into())], 1.0);
    let mut info = Family::gauge(
        "speckle_source_info",
        "A source's provenance (board, simulated, replay: only board bytes are entropy) and mode; always 1.",
    );
    let mut healthy = Family::gauge(
        "speckle_source_healthy",
        "1 while the host releases the source's data (its last STATUS passed every check), else 0.",
    );
    let mut recovery = Family::gauge(
        "speckle_source_recovery_state",
        "1 for the source's current recovery state (docs/host.md, Recovery), 0 for the others.",
    );
    let mut recoveries = Family::counter(
        "speckle_source_recoveries",
        "Recoveries started (entries into the recovering state seen in the telemetry rows).",
    );
    let mut last = Family::gauge(
        "speckle_source_last_status_timestamp_seconds",
        "Unix time of the source's latest telemetry row.",
    );
    let mut alarm = Family::gauge(
        "speckle_board_alarm",
        "1 while the board reports the alarm latched (STATUS byte 3), by kind.",
    );
    let mut alarms = Family::counter(
        "speckle_board_alarms",
        "Alarms raised: times the kind's bit went from clear to set between two telemetry rows.",
    );
    let mut failures = Family::counter(
        "speckle_health_test_failures",
        "Health-test failures by test (rct, apt, markov) and checker (board: as the board counts them, host: the host's re-check in raw mode).",
    );
    let mut cutoff = Family::gauge(
        "speckle_health_test_cutoff",
        "The cutoff the board enforces, from its latest STATUS: rct in samples of one value, apt in counts of the window's first value, markov bounds lo and hi.",
    );
    let mut statistic = Family::gauge(
        "speckle_health_test_statistic",
        "The board's latest statistic beside its cutoff: rct max run, apt max count, markov min and max.",
    );
    let mut window = Family::gauge(
        "speckle_health_test_window_samples",
        "The APT window the board enforces, in samples.",
    );
    let mut bytes_in =
        Family::counter("speckle_source_received_bytes", "Bytes read from the source's link.");
    let mut bytes_out = Family::counter(
        "speckle_source_released_bytes",
        "Conditioned bytes of the source the health gate released to the mixer.",
    );
    let mut frames = Family::counter(
        "speckle_frames",
        "Frames decoded by outcome: ok, bad_crc, unknown_type, bad_payload.",
    );
    let mut lost =
        Family::counter("speckle_frames_lost", "Frames lost on the link (sequence-number gaps).");
    let mut resync = Family::counter(
        "speckle_resync_bytes",
        "Bytes skipped while the decoder looked for the next frame.",
    );
    let mut discarded = Family::counter(
        "speckle_holdback_discarded_blocks",
        "Conditioned blocks the holdback discarded because a STATUS after them was not healthy.",
    );
    let mut board = Family::counter(
        "speckle_board_samples",
        "Samples the board reports taking (the board's own counter; it restarts with the board).",
    );
    let mut board_dropped = Family::counter(
        "speckle_board_dropped_blocks",
        "Blocks the board reports dropping (the board's own counter).",
    );
    let mut sfp_flag = Family::gauge(
        "speckle_sfp_flag",
        "The SFP front end's flags from the latest SFP_DIAG: present, diag_valid, interlock, los.",
    );
    let sfp_names: [(&'static str, &'static str); 10] = [
        ("speckle_sfp_temperature_celsius", "The SFP module's temperature."),
        (
            "speckle_sfp_temperature_threshold_celsius",
            "The module's own temperature thresholds (A2h), by level.",
        ),
        ("speckle_sfp_supply_voltage_volts", "The SFP module's supply voltage."),
        (
            "speckle_sfp_supply_voltage_threshold_volts",
            "The module's own supply-voltage thresholds (A2h), by level.",
        ),
        ("speckle_sfp_tx_bias_amperes", "The SFP laser's bias current."),
        (
            "speckle_sfp_tx_bias_threshold_amperes",
            "The module's own bias-current thresholds (A2h), by level.",
        ),
        ("speckle_sfp_tx_power_watts", "The SFP's transmitted optical power."),
        (
            "speckle_sfp_tx_power_threshold_watts",
            "The module's own TX power thresholds (A2h), by level.",
        ),
        ("speckle_sfp_rx_power_watts", "The optical power the SFP receives (the speckle light)."),
        (
            "speckle_sfp_rx_power_threshold_watts",
            "The module's own RX power thresholds (A2h), by level.",
        ),
    ];
    let mut sfp: Vec<Family> = sfp_names.iter().map(|(n, h)| Family::gauge(n, h)).collect();

    for s in sources {
        let l = || src(&s.name);
        let Some(r) = &s.row else {
            healthy.add(l(), 0.0);
            continue;
        };
        info.add(with(with(l(), "provenance", &r.provenance), "mode", &r.mode), 1.0);
        healthy.add(l(), flag(r.healthy));
        for st in RECOVERY_STATES {
            recovery.add(with(l(), "state", st), flag(r.recovery == st));
        }
        recoveries.add(l(), s.recoveries as f64);
        last.add(l(), r.time_ms as f64 / 1000.0);
        for (i, (bit, kind)) in ALARM_KINDS.iter().enumerate() {
            alarm.add(with(l(), "kind", kind), flag(r.board_alarms & bit != 0));
            alarms.add(with(l(), "kind", kind), s.alarms_raised[i] as f64);
        }
        let tests = [
            ("rct", r.rct_failures as u64, r.host_rct_failures),
            ("apt", r.apt_failures as u64, r.host_apt_failures),
            ("markov", r.markov_failures as u64, r.host_markov_failures),
        ];
        for (test, on_board, on_host) in tests {
            let t = with(l(), "test", test);
            failures.add(with(t.clone(), "checker", "board"), on_board as f64);
            failures.add(with(t, "checker", "host"), on_host as f64);
        }
        let cutoffs = [
            ("rct", "max", r.rct_cutoff, r.rct_max_run),
            ("apt", "max", r.apt_cutoff, r.apt_max_count),
            ("markov", "lo", r.markov_lo_cutoff, r.markov_min),
            ("markov", "hi", r.markov_hi_cutoff, r.markov_max),
        ];
        for (test, bound, c, stat) in cutoffs {
            let t = with(with(l(), "test", test), "bound", bound);
            if let Some(c) = c {
                cutoff.add(t.clone(), c as f64);
            }
            statistic.add(t, stat as f64);
        }
        if let Some(w) = r.window {
            window.add(l(), w as f64);
        }
        bytes_in.add(l(), r.bytes_in as f64);
        bytes_out.add(l(), r.bytes_out as f64);
        for (outcome, n) in [
            ("ok", r.frames_ok),
            ("bad_crc", r.bad_crc),
            ("unknown_type", r.unknown_type),
            ("bad_payload", r.bad_payload),
        ] {
            frames.add(with(l(), "outcome", outcome), n as f64);
        }
        lost.add(l(), r.lost as f64);
        resync.add(l(), r.resync_bytes as f64);
        discarded.add(l(), r.discarded_blocks as f64);
        board.add(l(), r.board_samples as f64);
        board_dropped.add(l(), r.board_dropped as f64);
        if let Some(d) = r.sfp_diag() {
            for (bit, name) in SFP_FLAGS {
                sfp_flag.add(with(l(), "flag", name), flag(d.flags.has(bit)));
            }
            let t = d.thresholds();
            let quantities: [(f64, Limits, f64); 5] = [
                (d.temperature_c(), t.temp_c, 1.0),
                (d.vcc_v(), t.vcc_v, 1.0),
                (d.tx_bias_ma(), t.bias_ma, 1e-3),
                (d.tx_power_mw(), t.tx_power_mw, 1e-3),
                (d.rx_power_mw(), t.rx_power_mw, 1e-3),
            ];
            for (i, (now, lim, scale)) in quantities.into_iter().enumerate() {
                sfp[2 * i].add(l(), now * scale);
                for (level, v) in [
                    ("high_alarm", lim.high_alarm),
                    ("low_alarm", lim.low_alarm),
                    ("high_warning", lim.high_warning),
                    ("low_warning", lim.low_warning),
                ] {
                    sfp[2 * i + 1].add(with(l(), "level", level), v * scale);
                }
            }
        }
    }

    let mut backlog = Family::gauge(
        "speckle_sink_backlog_bytes",
        "Bytes waiting in the output's backlog for its reader (--sink-backlog bounds it).",
    );
    let mut written = Family::counter("speckle_sink_written_bytes", "Bytes written to the output.");
    let mut dropped = Family::counter(
        "speckle_sink_dropped_bytes",
        "Bytes dropped for the output alone because its backlog was full (its reader did not keep up).",
    );
    let mut credited_bytes = Family::counter(
        "speckle_kernel_credited_bytes",
        "Bytes the kernel sink added to the kernel's pool with an entropy credit (RNDADDENTROPY, accepted).",
    );
    let mut credited_bits = Family::counter(
        "speckle_kernel_credited_bits",
        "Bits of entropy credited to the kernel (accepted RNDADDENTROPY calls).",
    );
    let mut credit_calls = Family::counter(
        "speckle_kernel_add_entropy_calls",
        "RNDADDENTROPY calls the kernel accepted.",
    );
    for k in sinks {
        let l = vec![("sink", k.name.clone())];
        backlog.add(l.clone(), k.queued as f64);
        written.add(l.clone(), k.written as f64);
        dropped.add(l.clone(), k.dropped as f64);
        if let Some(c) = k.credited {
            credited_bytes.add(l.clone(), c.bytes as f64);
            credited_bits.add(l.clone(), c.bits as f64);
            credit_calls.add(l, c.calls as f64);
        }
    }
    let mut all = vec![
        build,
        info,
        healthy,
        recovery,
        recoveries,
        last,
        alarm,
        alarms,
        failures,
        cutoff,
        statistic,
        window,
        bytes_in,
        bytes_out,
        frames,
        lost,
        resync,
        discarded,
        board,
        board_dropped,
        sfp_flag,
    ];
    all.extend(sfp);
    all.extend([backlog, written, dropped, credited_bytes, credited_bits, credit_calls]);
    all
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
