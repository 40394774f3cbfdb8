//! The stop flag a driver checks while it types, so that a delivery can be halted in the middle
//! of a message rather than only between its steps.
//!
//! The engine hands one [`Stop`] to its driver for the driver's lifetime (see
//! [`Input::set_stop`](super::Input::set_stop)), clears it when a delivery begins, and its
//! watcher sets it when delivery is paused (from any process) or the operator pushes the
//! pointer into a screen corner. Drivers check it before every action and between chunks of
//! typed text, and answer [`InputError::Stopped`](super::InputError::Stopped).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::InputError;

#[derive(Debug, Clone, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requested: AtomicBool,
    reason: Mutex<Option<String>>,
}

impl Stop {
    /// Ask the driver to stop; the first reason given is kept.
    pub fn request(&self, reason: impl Into<String>) {
        let mut r = self.reason();
        r.get_or_insert_with(|| reason.into());
        *self.lock() = r;
        // Set after the reason, so whoever sees the flag finds the reason too.
        self.inner.requested.store(true, Ordering::SeqCst);
    }

    pub fn is_requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }

    pub fn reason(&self) -> Option<String> {
        self.lock().clone()
    }

    /// Let the next delivery run.
    pub fn clear(&self) {
        self.inner.requested.store(false, Ordering::SeqCst);
        *self.lock() = None;
    }

    /// `Err(Stopped)` once a stop was requested: what drivers call between actions.
    pub fn check(&self) -> Result<(), InputError> {
        if self.is_requested() {
            return Err(InputError::Stopped(
                self.reason().unwrap_or_else(|| "stop requested".into()),
            ));
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.inner.reason.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_is_kept_until_cleared() {
        let stop = Stop::default();
        assert!(stop.check().is_ok());
        stop.request("pointer in the corner");
        stop.request("paused by cli");
        assert_eq!(
            stop.check().unwrap_err(),
            InputError::Stopped("pointer in the corner".into())
        );
        stop.clear();
        assert!(!stop.is_requested() && stop.reason().is_none());
    }
}
