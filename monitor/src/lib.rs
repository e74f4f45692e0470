//! `speckle monitor`: a terminal monitor for Speckle boards (docs/monitor.md). It follows a running
//! daemon's status socket or runs simulated boards in-process, and shows channels, health tests,
//! SFP diagnostics, throughput, a statistical audit of the output, a raw tap and an event log. It
//! never writes entropy anywhere.

pub mod app;
pub mod audit;
pub mod battery;
pub mod control;
pub mod cycle;
pub mod encode;
pub mod journal;
pub mod rawcheck;
pub mod row;
pub mod source;
mod term;
pub mod view;
pub mod views;

use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone, Default)]
pub struct MonitorArgs {
    /// Follow a running daemon's status socket (JSON lines of telemetry rows).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["source", "demo"])]
    pub socket: Option<PathBuf>,
    /// Run simulated boards in-process: sim:SCENARIO (repeat or comma-separate for several sources).
    #[arg(long, value_name = "sim:SCENARIO", value_delimiter = ',')]
    pub source: Vec<String>,
    /// Demo: simulated board, rotating scenarios and views (implies --auto-cycle).
    #[arg(long)]
    pub demo: bool,
    /// Cycle through the views unattended.
    #[arg(long)]
    pub auto_cycle: bool,
    /// Seconds per view while cycling.
    #[arg(long, value_name = "SECS", default_value_t = 15.0)]
    pub auto_cycle_slide_time: f64,
    /// Seconds of idleness after a key press before cycling resumes.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub auto_cycle_resume_cycling_time: f64,
    /// Emoji table for the Raw view: a JSON list of strings.
    #[arg(long, value_name = "FILE")]
    pub emoji_map: Option<PathBuf>,
    /// Raw view encoding: binary, octal, hex, base64, base58 or emoji.
    #[arg(long, value_name = "FORMAT", default_value = "hex")]
    pub raw_format: String,
    /// Seed of the simulated boards.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Follow the daemon's journal too (`journalctl -u UNIT -o json -f`): its failures, recoveries
    /// and notices appear in the Events view. UNIT defaults to `speckle`.
    #[arg(long, value_name = "UNIT", num_args = 0..=1, default_missing_value = "speckle")]
    pub journal: Option<String>,
}

/// What [`MonitorArgs`] asked for, checked.
pub struct Plan {
    pub socket: Option<PathBuf>,
    pub sims: Vec<speckle_sim::Scenario>,
    pub demo: bool,
    pub cycle: Option<(Duration, Duration)>,
    pub emoji: encode::EmojiTable,
    pub raw_format: encode::Format,
    pub seed: u64,
    /// The systemd unit whose journal feeds the Events view.
    pub journal: Option<String>,
}

fn seconds(name: &str, v: f64) -> Result<Duration, String> {
    if v.is_finite() && v > 0.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(format!("--{name} {v}: must be a positive number of seconds"))
    }
}

/// Parses `sim:SCENARIO`, naming the valid forms and scenarios when it is anything else.
pub fn parse_source(s: &str) -> Result<speckle_sim::Scenario, String> {
    let names = || speckle_sim::SCENARIOS.map(|s| s.name()).join(", ");
    let name = s.strip_prefix("sim:").ok_or_else(|| {
        format!(
            "unknown source '{s}': the monitor takes sim:SCENARIO (scenarios: {}) or --socket PATH",
            names()
        )
    })?;
    speckle_sim::Scenario::from_name(name)
        .map_err(|_| format!("unknown scenario '{name}' in --source {s}: valid are {}", names()))
}

impl MonitorArgs {
    pub fn plan(&self) -> Result<Plan, String> {
        let mut sims =
            self.source.iter().map(|s| parse_source(s)).collect::<Result<Vec<_>, _>>()?;
        if self.demo && sims.is_empty() {
            sims.push(
                speckle_sim::Scenario::from_name(control::DEMO_ORDER[0])
                    .expect("demo scenario exists"),
            );
        }
        if self.socket.is_none() && sims.is_empty() && self.journal.is_none() {
            return Err(
                "nothing to monitor: give --socket PATH, --source sim:SCENARIO, --journal [UNIT] or --demo".into()
            );
        }
        let slide = seconds("auto-cycle-slide-time", self.auto_cycle_slide_time)?;
        let resume =
            seconds("auto-cycle-resume-cycling-time", self.auto_cycle_resume_cycling_time)?;
        let emoji = match &self.emoji_map {
            Some(p) => encode::EmojiTable::from_json_file(p)?,
            None => encode::EmojiTable::default_table(),
        };
        Ok(Plan {
            socket: self.socket.clone(),
            sims,
            demo: self.demo,
            cycle: (self.auto_cycle || self.demo).then_some((slide, resume)),
            emoji,
            raw_format: encode::Format::from_name(&self.raw_format)?,
            seed: self.seed,
            journal: self.journal.clone(),
        })
    }
}

/// NO_COLOR (https://no-color.org): present and non-empty turns colour off.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Runs the monitor until the user quits.
pub fn run(args: MonitorArgs) -> Result<(), String> {
    let plan = args.plan()?;
    term::run(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_arguments_name_what_is_wrong_and_what_is_valid() {
        let a = |f: fn(&mut MonitorArgs)| {
            let mut m = MonitorArgs {
                auto_cycle_slide_time: 15.0,
                auto_cycle_resume_cycling_time: 60.0,
                raw_format: "hex".into(),
                ..Default::default()
            };
            f(&mut m);
            m.plan().err().unwrap_or_default()
        };
        assert!(a(|_| {})
            .contains("give --socket PATH, --source sim:SCENARIO, --journal [UNIT] or --demo"));
        assert!(a(|m| m.journal = Some("speckle".into())).is_empty(), "the journal alone will do");
        let e = a(|m| m.source = vec!["sim:nope".into()]);
        assert!(
            e.contains("unknown scenario 'nope'") && e.contains("optimal") && e.contains("stuck"),
            "{e}"
        );
        assert!(a(|m| m.source = vec!["serial:/dev/ttyUSB0".into()]).contains("takes sim:SCENARIO"));
        assert!(a(|m| {
            m.demo = true;
            m.auto_cycle_slide_time = 0.0
        })
        .contains("--auto-cycle-slide-time 0"));
        assert!(a(|m| {
            m.demo = true;
            m.raw_format = "morse".into()
        })
        .contains("valid are binary, octal, hex, base64, base58, emoji"));
        let mut ok = MonitorArgs {
            demo: true,
            auto_cycle_slide_time: 15.0,
            auto_cycle_resume_cycling_time: 60.0,
            raw_format: "emoji".into(),
            ..Default::default()
        };
        let p = ok.plan().unwrap();
        assert_eq!((p.sims.len(), p.sims[0].name(), p.cycle.is_some()), (1, "optimal", true));
        ok.demo = false;
        ok.source = vec!["sim:bias".into(), "sim:dark".into()];
        let p = ok.plan().unwrap();
        assert_eq!((p.sims.len(), p.cycle), (2, None));
    }
}
