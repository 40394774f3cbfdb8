//! The engine's notion of "now", so tests can run backoff schedules on paused tokio time.

use crate::model::{Millis, now_ms};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
}

/// Wall-clock time: what the other processes on the database use.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        now_ms()
    }
}

/// Wall-clock time at creation, advanced by tokio's clock: under `tokio::time::pause()` it
/// moves only when the test (or auto-advance) moves tokio's time.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    wall: Millis,
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn new() -> Self {
        TokioClock {
            wall: now_ms(),
            start: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Millis {
        self.wall + self.start.elapsed().as_millis() as Millis
    }
}

/// A clock that moves only when told: deterministic tests of retry schedules.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: std::sync::atomic::AtomicI64,
}

impl ManualClock {
    pub fn at(now: Millis) -> Self {
        ManualClock {
            now: std::sync::atomic::AtomicI64::new(now),
        }
    }
    pub fn advance(&self, ms: Millis) {
        self.now.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.now.load(std::sync::atomic::Ordering::SeqCst)
    }
}
