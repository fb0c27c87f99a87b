//! When the background sync runs next: at start, a minute after each
//! success, soon after a local edit, and after a failure with exponential
//! backoff (5 s, 10 s, 20 s … at most 5 minutes) so a laptop on a train
//! does not hammer a server it can't reach. Pure logic; the app's timer asks
//! `due` and reports the outcome.

use std::time::{Duration, Instant};

pub const INTERVAL: Duration = Duration::from_secs(60);
const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_RETRY: Duration = Duration::from_secs(300);
/// An edit is pushed this soon (a few quick edits share one round).
const AFTER_EDIT: Duration = Duration::from_millis(300);

#[derive(Debug, Clone)]
pub struct SyncSchedule {
    next: Instant,
    failures: u32,
    running: bool,
}

impl SyncSchedule {
    /// Due at once: sync on start.
    pub fn new(now: Instant) -> Self {
        Self {
            next: now,
            failures: 0,
            running: false,
        }
    }

    pub fn due(&self, now: Instant) -> bool {
        !self.running && now >= self.next
    }

    pub fn running(&self) -> bool {
        self.running
    }

    pub fn started(&mut self) {
        self.running = true;
    }

    pub fn succeeded(&mut self, now: Instant) {
        self.running = false;
        self.failures = 0;
        self.next = now + INTERVAL;
    }

    pub fn failed(&mut self, now: Instant) {
        self.running = false;
        self.failures = self.failures.saturating_add(1);
        self.next = now + self.backoff();
    }

    fn backoff(&self) -> Duration {
        let doublings = self.failures.saturating_sub(1).min(16);
        (FIRST_RETRY * 2u32.pow(doublings)).min(MAX_RETRY)
    }

    /// A local edit: push it soon, unless the server is known to be away
    /// (then the backoff stands; the edit is safe in the outbox).
    pub fn edited(&mut self, now: Instant) {
        if self.failures == 0 {
            self.next = self.next.min(now + AFTER_EDIT);
        }
    }

    /// The user asked, or the network came back: now.
    pub fn now(&mut self, now: Instant) {
        self.next = now;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Time left until the next attempt.
    pub fn next_in(&self, now: Instant) -> Duration {
        self.next.saturating_duration_since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_at_start_then_every_minute() {
        let t0 = Instant::now();
        let mut s = SyncSchedule::new(t0);
        assert!(s.due(t0));
        s.started();
        assert!(!s.due(t0), "one round at a time");
        s.succeeded(t0);
        assert!(!s.due(t0 + Duration::from_secs(59)));
        assert!(s.due(t0 + INTERVAL));
    }

    #[test]
    fn backs_off_exponentially_up_to_five_minutes_and_resets_on_success() {
        let t0 = Instant::now();
        let mut s = SyncSchedule::new(t0);
        let mut waits = Vec::new();
        for _ in 0..10 {
            s.started();
            s.failed(t0);
            waits.push(s.next_in(t0).as_secs());
        }
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 300, 300, 300, 300]);
        // An edit while the server is away does not cut the wait short.
        s.edited(t0);
        assert_eq!(s.next_in(t0).as_secs(), 300);
        s.started();
        s.succeeded(t0);
        s.edited(t0);
        assert!(s.next_in(t0) <= Duration::from_millis(300));
    }
}
