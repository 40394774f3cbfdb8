//! When to try a failed delivery again.

use std::time::Duration;

/// Exponential backoff with jitter: attempt n (1-based) that failed waits
/// `min(cap, base * 2^(n-1))`, spread by ±`jitter`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub jitter: f64,
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// The delay before the next attempt after `attempts` attempts failed, or None when the
    /// message is out of attempts. `unit` is a random number in [0, 1) for the jitter.
    pub fn next_delay(&self, attempts: u32, max_attempts: u32, unit: f64) -> Option<Duration> {
        if attempts >= max_attempts {
            return None;
        }
        let exp = attempts.saturating_sub(1).min(30);
        let raw = self.base.saturating_mul(1u32 << exp).min(self.cap);
        let spread = 1.0 + self.jitter * (2.0 * unit - 1.0);
        Some(raw.mul_f64(spread.max(0.0)).min(self.cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(60),
            jitter: 0.0,
            max_attempts: 5,
        }
    }

    #[test]
    fn delays_double_then_stop_at_the_cap() {
        let p = policy();
        let delays: Vec<u64> = (1..=4)
            .map(|n| p.next_delay(n, 10, 0.5).unwrap().as_secs())
            .collect();
        assert_eq!(delays, [2, 4, 8, 16]);
        assert_eq!(p.next_delay(9, 10, 0.5).unwrap().as_secs(), 60, "capped");
    }

    #[test]
    fn no_delay_once_the_limit_is_reached() {
        assert_eq!(policy().next_delay(5, 5, 0.5), None);
        assert!(policy().next_delay(4, 5, 0.5).is_some());
    }

    #[test]
    fn jitter_spreads_within_bounds_and_never_past_the_cap() {
        let p = RetryPolicy {
            jitter: 0.2,
            ..policy()
        };
        let lo = p.next_delay(1, 5, 0.0).unwrap();
        let hi = p.next_delay(1, 5, 0.999_999).unwrap();
        assert_eq!(lo, Duration::from_millis(1600));
        assert!(hi > Duration::from_millis(2399) && hi <= Duration::from_millis(2400));
        assert!(p.next_delay(20, 50, 0.999).unwrap() <= p.cap);
    }
}
