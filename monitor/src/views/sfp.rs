//! SFF-8472 diagnostics against the module's own warning and alarm thresholds, and the interlock.

use crate::app::App;
use crate::view::{style, Tone};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use speckle_model::protocol::{sff8472, Limits, SfpFlags};

/// Tone of a reading against its limits: alarm red, warning yellow.
pub fn grade(v: f64, l: &Limits) -> Tone {
    if v > l.high_alarm || v < l.low_alarm {
        Tone::Bad
    } else if v > l.high_warning || v < l.low_warning {
        Tone::Warn
    } else {
        Tone::Good
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let mut lines = Vec::new();
    for ch in &app.channels {
        lines.push(Line::from(format!("{}  (SFF-8472 A2h; limits are the module's own)", ch.name)));
        let Some(d) = ch.sfp else {
            let r = ch.row.as_ref();
            match r.and_then(|r| r.sfp_rx_power_mw) {
                Some(p) => lines.push(Line::from(format!(
                    "RX {p:.4} mW  TX {:.4} mW  temp {:.1} °C  flags {:#04x} (this daemon's rows carry no thresholds)",
                    r.and_then(|r| r.sfp_tx_power_mw).unwrap_or(f64::NAN),
                    r.and_then(|r| r.sfp_temp_c).unwrap_or(f64::NAN),
                    r.and_then(|r| r.sfp_flags).unwrap_or(0)
                ))),
                None => lines.push(Line::from("no SFP_DIAG frames (board without SFP front end?)")),
            }
            continue;
        };
        let t = d.thresholds();
        lines.push(Line::from(format!(
            "{:<10}{:>10} {:>9} {:>9} {:>9} {:>9}",
            "", "value", "lo alarm", "lo warn", "hi warn", "hi alarm"
        )));
        let rx_dbm = sff8472::dbm(d.rx_power_mw());
        for (name, v, l, unit) in [
            ("temp", d.temperature_c(), t.temp_c, "°C"),
            ("Vcc", d.vcc_v(), t.vcc_v, "V"),
            ("TX bias", d.tx_bias_ma(), t.bias_ma, "mA"),
            ("TX power", d.tx_power_mw(), t.tx_power_mw, "mW"),
            ("RX power", d.rx_power_mw(), t.rx_power_mw, "mW"),
        ] {
            let g = grade(v, &l);
            let word = match g {
                Tone::Bad => " ALARM",
                Tone::Warn => " warn",
                _ => "",
            };
            lines.push(Line::from(vec![
                Span::raw(format!("{name:<10}")),
                Span::styled(format!("{v:>10.4}"), style(app, g)),
                Span::raw(format!(
                    " {:>9.4} {:>9.4} {:>9.4} {:>9.4} {unit}",
                    l.low_alarm, l.low_warning, l.high_warning, l.high_alarm
                )),
                Span::styled(word, style(app, g)),
            ]));
        }
        lines.push(Line::from(format!("RX power {rx_dbm:.1} dBm")));
        let fl = d.flags;
        let interlock = fl.has(SfpFlags::INTERLOCK);
        lines.push(Line::from(vec![
            Span::raw(format!(
                "present {}  diag valid {}  LOS {}  poll #{}  ",
                fl.has(SfpFlags::PRESENT),
                fl.has(SfpFlags::DIAG_VALID),
                fl.has(SfpFlags::LOS),
                d.poll_counter
            )),
            Span::styled(
                if interlock { "INTERLOCK TRIPPED: laser off" } else { "interlock armed" },
                style(app, if interlock { Tone::Bad } else { Tone::Good }),
            ),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::TOP).title("SFP diagnostics")),
        area,
    );
}
