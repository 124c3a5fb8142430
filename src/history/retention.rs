//! What the history keeps: at most `cap` events (the oldest go first) and, when a maximum age is
//! set (`retentionDays`), none older than that. One rule, applied on write and on open, to the
//! in-memory log and to its store alike, as a list of positions to drop.

use super::Event;

/// Milliseconds in a day (retention ages are whole days).
pub const DAY_MS: f64 = 86_400_000.0;

/// The retention rule of a history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retention {
    /// Most events kept.
    pub cap: usize,
    /// Events older than this many ms (before "now") are dropped; `None`: kept whatever their age.
    pub max_age_ms: Option<f64>,
}

impl Retention {
    /// Positions (ascending) in `events` (oldest first) that must go so that `events` plus
    /// `incoming` new ones obey the rule at time `now`: every event older than the maximum age,
    /// then the oldest of the rest until `cap` is respected.
    pub fn drops(&self, events: &[Event], incoming: usize, now: f64) -> Vec<usize> {
        let cutoff = self.max_age_ms.map_or(f64::NEG_INFINITY, |age| now - age);
        let expired = |e: &Event| e.ts < cutoff;
        let kept = events.iter().filter(|e| !expired(e)).count();
        let mut over = (kept + incoming).saturating_sub(self.cap);
        let mut out = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if expired(e) {
                out.push(i);
            } else if over > 0 {
                over -= 1;
                out.push(i);
            }
        }
        out
    }
}

/// `events` without the ascending `positions`.
pub fn without(events: Vec<Event>, positions: &[usize]) -> Vec<Event> {
    let mut next = positions.iter().peekable();
    events
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            if next.peek() == Some(&i) {
                next.next();
                false
            } else {
                true
            }
        })
        .map(|(_, e)| e)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EventKind;

    fn ev(ts: f64) -> Event {
        Event::new(format!("k{ts}"), EventKind::View, ts).unwrap()
    }

    #[test]
    fn drops_expired_events_anywhere_then_the_oldest_over_the_cap() {
        let events: Vec<Event> = [50.0, 5.0, 60.0, 70.0, 80.0].map(ev).to_vec();
        let keep = Retention {
            cap: 3,
            max_age_ms: Some(45.0),
        };
        // now = 100: cutoff 55 drops ts 50 and 5; 3 left + 1 incoming > cap 3 drops ts 60.
        assert_eq!(keep.drops(&events, 1, 100.0), vec![0, 1, 2]);
        let unbounded_age = Retention {
            cap: 3,
            max_age_ms: None,
        };
        assert_eq!(unbounded_age.drops(&events, 0, 100.0), vec![0, 1]);
        let kept = without(events, &[0, 1, 2]);
        assert_eq!(kept.iter().map(|e| e.ts).collect::<Vec<_>>(), [70.0, 80.0]);
    }
}
