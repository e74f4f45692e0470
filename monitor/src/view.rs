//! View selection, the frame around every view (title, help line) and the colour theme.

use crate::app::App;
use crate::views;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Channels,
    Health,
    Sfp,
    Throughput,
    Audit,
    Raw,
    Events,
}

impl View {
    pub const ALL: [View; 7] = [
        View::Channels,
        View::Health,
        View::Sfp,
        View::Throughput,
        View::Audit,
        View::Raw,
        View::Events,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Channels => "Channels",
            View::Health => "Health",
            View::Sfp => "SFP",
            View::Throughput => "Throughput",
            View::Audit => "Audit",
            View::Raw => "Raw",
            View::Events => "Events",
        }
    }

    /// The key that selects the view (also 1..7).
    pub fn key(self) -> char {
        match self {
            View::Channels => 'c',
            View::Health => 'h',
            View::Sfp => 's',
            View::Throughput => 't',
            View::Audit => 'a',
            View::Raw => 'r',
            View::Events => 'e',
        }
    }

    pub fn from_key(c: char) -> Option<View> {
        if let Some(d) = c.to_digit(10) {
            return View::ALL.get((d as usize).checked_sub(1)?).copied();
        }
        View::ALL.into_iter().find(|v| v.key() == c)
    }

    pub fn next(self) -> View {
        let i = View::ALL.iter().position(|&v| v == self).unwrap_or(0);
        View::ALL[(i + 1) % View::ALL.len()]
    }
}

/// Good / warning / bad / neutral, mapped to colours unless NO_COLOR asks for none (then bold and
/// reverse video still mark warnings and failures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Dim,
}

pub fn style(app: &App, tone: Tone) -> Style {
    if app.no_color {
        return match tone {
            Tone::Bad => Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            Tone::Warn => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default(),
        };
    }
    Style::default().fg(match tone {
        Tone::Good => Color::Green,
        Tone::Warn => Color::Yellow,
        Tone::Bad => Color::Red,
        Tone::Dim => Color::DarkGray,
    })
}

pub fn color(app: &App, c: Color) -> Style {
    if app.no_color {
        Style::default()
    } else {
        Style::default().fg(c)
    }
}

/// The help line: every view's key, then the other keys.
pub fn help_line(app: &App) -> Line<'static> {
    let mut spans = Vec::new();
    for v in View::ALL {
        let st = if v == app.view {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        spans.push(Span::styled(format!("{}:{}", v.key(), v.title()), st));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw(if app.view == View::Raw {
        "f:fmt o:flow q:quit"
    } else {
        "Tab:next q:quit"
    }));
    Line::from(spans)
}

pub fn draw(f: &mut Frame, app: &App) {
    let [title, body, help] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)])
            .areas(f.area());
    let (ok, why) =
        app.channels.first().map(|c| c.verdict()).unwrap_or((false, "no source yet".into()));
    let state =
        Span::styled(format!(" {why} "), style(app, if ok { Tone::Good } else { Tone::Bad }));
    let mut head = vec![
        Span::styled(
            format!("speckle monitor · {} · {}", app.view.title(), app.banner),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        state,
    ];
    if app.paused {
        head.push(Span::raw(" [cycling paused]"));
    }
    f.render_widget(Paragraph::new(Line::from(head)), title);
    render_view(f, body, app);
    f.render_widget(Paragraph::new(help_line(app)), help);
}

fn render_view(f: &mut Frame, area: Rect, app: &App) {
    match app.view {
        View::Channels => views::channels::render(f, area, app),
        View::Health => views::health::render(f, area, app),
        View::Sfp => views::sfp::render(f, area, app),
        View::Throughput => views::throughput::render(f, area, app),
        View::Audit => views::audit::render(f, area, app),
        View::Raw => views::raw::render(f, area, app),
        View::Events => views::events::render(f, area, app),
    }
}
