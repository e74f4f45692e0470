//! Structured logging (docs/host.md, "Operating"): every line the daemon logs is a `tracing` event
//! with fields (`source`, `state`, `alarm`), written either to stderr as `speckle: MESSAGE` (the
//! form operators, .ci/check-make-run and the tests read) or to journald with the fields as
//! `SPECKLE_SOURCE`, `SPECKLE_STATE`, `SPECKLE_ALARM`, so `journalctl -u speckle
//! SPECKLE_SOURCE=...` shows one source.

use clap::ValueEnum;
use serde::Deserialize;
use std::fmt;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

/// Where log lines go (`--log`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogTarget {
    /// journald when systemd connected stderr to the journal (`JOURNAL_STREAM`), else stderr.
    #[default]
    Auto,
    Stderr,
    Journald,
}

/// Prefix of the journal fields: `source` becomes `SPECKLE_SOURCE`.
pub const JOURNAL_FIELD_PREFIX: &str = "SPECKLE";

/// Installs the process-wide subscriber. `Auto` picks journald only when the journal is both asked
/// for (systemd sets `JOURNAL_STREAM` for a unit whose stderr it reads) and reachable, so a daemon
/// started by hand keeps logging to the terminal.
pub fn init(target: LogTarget) -> Result<(), String> {
    let journald = match target {
        LogTarget::Stderr => None,
        LogTarget::Journald => Some(journald_layer().map_err(|e| {
            format!("--log journald: cannot reach journald (/run/systemd/journal/socket): {e}")
        })?),
        LogTarget::Auto => std::env::var_os("JOURNAL_STREAM").and_then(|_| journald_layer().ok()),
    };
    let result = match journald {
        Some(layer) => {
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
        }
        None => tracing::subscriber::set_global_default(tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer().with_writer(std::io::stderr).event_format(Plain),
        )),
    };
    result.map_err(|e| format!("logging already set up: {e}"))
}

fn journald_layer() -> std::io::Result<tracing_journald::Layer> {
    Ok(tracing_journald::layer()?
        .with_field_prefix(Some(JOURNAL_FIELD_PREFIX.into()))
        .with_syslog_identifier("speckle".into()))
}

/// `speckle: MESSAGE` and nothing else: the fields are for the journal; on a terminal the message
/// already names the source.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut v = MessageOnly(None);
        event.record(&mut v);
        writeln!(w, "speckle: {}", v.0.unwrap_or_default())
    }
}

struct MessageOnly(Option<String>);

impl tracing::field::Visit for MessageOnly {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// Logs `source: text` with the source as a field (and, where given, `state = …`, `alarm = …`).
#[macro_export]
macro_rules! source_log {
    ($level:ident, $source:expr, $($field:ident = $value:expr,)* $fmt:literal $($arg:tt)*) => {{
        let source = &$source;
        tracing::$level!(
            source = %source,
            $($field = %$value,)*
            "{}: {}", source, format_args!($fmt $($arg)*)
        )
    }};
}
