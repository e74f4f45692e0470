//! Auto-cycling for unattended displays: advance a slide every `slide` while nobody touches the
//! keyboard; any input pauses cycling until `resume` of idleness has passed. The clock is passed in
//! (`now`), so tests drive it without sleeping.

use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct AutoCycle {
    slide: Duration,
    resume: Duration,
    last_switch: Instant,
    last_input: Option<Instant>,
}

impl AutoCycle {
    pub fn new(now: Instant, slide: Duration, resume: Duration) -> Self {
        AutoCycle { slide, resume, last_switch: now, last_input: None }
    }

    /// A key press or other user input: cycling pauses.
    pub fn on_input(&mut self, now: Instant) {
        self.last_input = Some(now);
    }

    /// Paused while the last input is more recent than `resume`.
    pub fn is_paused(&self, now: Instant) -> bool {
        self.last_input.is_some_and(|t| now.saturating_duration_since(t) < self.resume)
    }

    /// True when a new slide is due; call once per tick. After a pause the first slide comes a
    /// full `slide` after cycling resumed, not at once.
    pub fn tick(&mut self, now: Instant) -> bool {
        if let Some(t) = self.last_input {
            if now.saturating_duration_since(t) < self.resume {
                return false;
            }
            self.last_input = None;
            self.last_switch = t + self.resume;
        }
        if now.saturating_duration_since(self.last_switch) >= self.slide {
            self.last_switch = now;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_pauses_on_input_and_resumes_after_idleness() {
        let t0 = Instant::now();
        let s = |x: u64| t0 + Duration::from_secs(x);
        let mut c = AutoCycle::new(t0, Duration::from_secs(15), Duration::from_secs(60));
        assert!(!c.tick(s(14)));
        assert!(c.tick(s(15)));
        assert!(!c.tick(s(29)));
        assert!(c.tick(s(30)));
        // Input at 35 s: nothing until 95 s (60 s idle), then slides every 15 s from there.
        c.on_input(s(35));
        assert!(c.is_paused(s(50)));
        for x in [45, 60, 80, 94] {
            assert!(!c.tick(s(x)), "{x}");
        }
        assert!(!c.is_paused(s(95)));
        assert!(!c.tick(s(96)));
        assert!(c.tick(s(110)));
        // Further input while paused extends the pause.
        c.on_input(s(115));
        c.on_input(s(170));
        assert!(!c.tick(s(200)));
        assert!(!c.tick(s(229)));
        assert!(c.tick(s(245)));
    }
}
