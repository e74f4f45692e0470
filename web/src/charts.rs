//! Charts drawn server-side as SVG with plotters from the monitor's state (histories the monitor
//! keeps, thresholds from the board's STATUS and the SFP module's own diagnostics); the browser
//! shows them as images, so no charting code runs in the page.

use crate::dash::Dash;
use plotters::prelude::*;
use std::collections::VecDeque;

const W: u32 = 900;
const BAND_H: u32 = 220;

/// The charts there are, by name in `/api/chart/NAME.svg`.
pub const NAMES: [&str; 5] = ["channels", "health", "sfp", "throughput", "histogram"];

type Line<'a> = (&'a str, RGBColor, Vec<(f64, f64)>);

fn indexed(v: &VecDeque<f64>) -> Vec<(f64, f64)> {
    v.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect()
}

fn flat(y: f64, n: usize) -> Vec<(f64, f64)> {
    vec![(0.0, y), (n.max(1) as f64, y)]
}

/// One panel: lines (data and thresholds) on shared axes.
fn panel(area: &DrawingArea<SVGBackend, plotters::coord::Shift>, title: &str, lines: &[Line]) {
    let pts = lines.iter().flat_map(|l| l.2.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in pts {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    if y0 > y1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.1).max(1e-6);
    let chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad));
    let Ok(mut chart) = chart else { return };
    let _ = chart.configure_mesh().disable_mesh().draw();
    for (label, color, pts) in lines {
        let c = *color;
        if let Ok(s) = chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2))) {
            s.label(*label).legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c));
        }
    }
    let _ = chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw();
}

const DATA: RGBColor = RGBColor(20, 90, 200);
const ALARM: RGBColor = RGBColor(200, 30, 30);
const WARN: RGBColor = RGBColor(220, 150, 0);
const LOW: RGBColor = RGBColor(60, 60, 160);

/// Renders chart `name` (one of [`NAMES`]); None for an unknown name.
pub fn svg(d: &Dash, name: &str) -> Option<String> {
    let app = &d.ctl.app;
    let mut panels: Vec<(String, Vec<Line>)> = Vec::new();
    match name {
        "channels" => {
            for ch in &app.channels {
                let mut l = vec![("RX power mW", DATA, indexed(&ch.intensity))];
                if let Some(s) = ch.sfp {
                    let lim = s.thresholds().rx_power_mw;
                    l.push(("low alarm", LOW, flat(lim.low_alarm, ch.intensity.len())));
                    l.push(("high alarm", ALARM, flat(lim.high_alarm, ch.intensity.len())));
                }
                panels.push((format!("{}: intensity", ch.name), l));
                let (n, (lo, hi)) = (ch.bias.len(), ch.bias_limits());
                panels.push((
                    format!("{}: fraction of ones in the raw tap (APT limits)", ch.name),
                    vec![
                        ("P(1)", DATA, indexed(&ch.bias)),
                        ("low limit", WARN, flat(lo, n)),
                        ("high limit", WARN, flat(hi, n)),
                    ],
                ));
            }
        }
        "health" => {
            for (src, h) in &d.health {
                let p = |f: fn(&crate::dash::HealthPoint) -> f64| -> Vec<(f64, f64)> {
                    h.iter().map(|x| (x.t_s, f(x))).collect()
                };
                panels.push((
                    format!("{src}: RCT longest run per STATUS"),
                    vec![
                        ("RCT max run", DATA, p(|x| x.rct_run)),
                        ("cutoff", ALARM, p(|x| x.rct_cutoff)),
                    ],
                ));
                panels.push((
                    format!("{src}: APT largest count per STATUS"),
                    vec![
                        ("APT max count", DATA, p(|x| x.apt_count)),
                        ("cutoff", ALARM, p(|x| x.apt_cutoff)),
                    ],
                ));
            }
        }
        "sfp" => {
            for ch in &app.channels {
                let Some(s) = ch.sfp else { continue };
                let lim = s.thresholds().rx_power_mw;
                let n = ch.intensity.len();
                panels.push((
                    format!("{}: RX power against the module's thresholds", ch.name),
                    vec![
                        ("RX power mW", DATA, indexed(&ch.intensity)),
                        ("low alarm", LOW, flat(lim.low_alarm, n)),
                        ("low warning", WARN, flat(lim.low_warning, n)),
                        ("high warning", WARN, flat(lim.high_warning, n)),
                        ("high alarm", ALARM, flat(lim.high_alarm, n)),
                    ],
                ));
            }
        }
        "throughput" => {
            for ch in &app.channels {
                let r: VecDeque<f64> = ch.rates.iter().map(|r| r.0 / 1e6).collect();
                let c: VecDeque<f64> = ch.rates.iter().map(|r| r.1 / 1e3).collect();
                panels
                    .push((format!("{}: raw in (MS/s)", ch.name), vec![("in", DATA, indexed(&r))]));
                panels.push((
                    format!("{}: conditioned out (kB/s)", ch.name),
                    vec![("out", DATA, indexed(&c))],
                ));
            }
        }
        "histogram" => return Some(histogram(&d.histogram())),
        _ => return None,
    }
    let mut out = String::new();
    {
        let h = BAND_H * panels.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut out, (W, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if panels.is_empty() {
            let _ = root.draw(&Text::new("waiting for data", (20, 20), ("sans-serif", 16)));
        }
        for (area, (title, lines)) in
            root.split_evenly((panels.len().max(1), 1)).iter().zip(&panels)
        {
            panel(area, title, lines);
        }
        let _ = root.present();
    }
    Some(out)
}

/// Counts of each byte value in the raw tap.
fn histogram(h: &[u64; 256]) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (W, 300)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let top = h.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
        let total: u64 = h.iter().sum();
        let title = format!("raw tap byte histogram ({total} bytes)");
        if let Ok(mut c) = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..256.0, 0.0..top)
        {
            let _ = c.configure_mesh().disable_mesh().draw();
            let bars = h.iter().enumerate().map(|(i, n)| {
                Rectangle::new([(i as f64, 0.0), (i as f64 + 0.9, *n as f64)], DATA.filled())
            });
            let _ = c.draw_series(bars);
        }
        let _ = root.present();
    }
    out
}
