//! One delivery at a time per display, across processes.
//!
//! Every engine (the desktop app's, `switchboard deliver`'s) takes an exclusive lock on a file
//! named after the display for the whole of a delivery, from the first pointer move to the
//! submit key. The operating system drops the lock if the process dies, so a crash never leaves
//! the display locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::time::Duration;

use super::outcome::{DeliveryError, ErrorCode};

/// Held while a delivery drives the display; dropping it lets the next one start.
#[derive(Debug)]
pub struct DisplayLock {
    _file: File,
}

/// The lock file for a display such as ":0" or "localhost:10.0".
pub fn lock_path(display: &str) -> PathBuf {
    crate::paths::machine_file("input", display, ".lock")
}

/// Wait up to `timeout` for the display's lock.
pub async fn acquire(display: &str, timeout: Duration) -> Result<DisplayLock, DeliveryError> {
    let path = lock_path(display);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            DeliveryError::new(
                ErrorCode::DisplayBusy,
                format!("cannot open the input lock {}: {e}", path.display()),
            )
        })?;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(DisplayLock { _file: file }),
            Err(TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(TryLockError::WouldBlock) => {
                return Err(DeliveryError::new(
                    ErrorCode::DisplayBusy,
                    format!(
                        "another Switchboard process kept the display {display} busy for {} s (lock {})",
                        timeout.as_secs(),
                        path.display()
                    ),
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(DeliveryError::new(
                    ErrorCode::DisplayBusy,
                    format!("cannot lock {}: {e}", path.display()),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        let display = format!("test-{}", std::process::id());
        let first = acquire(&display, Duration::from_secs(1)).await.unwrap();
        let refused = acquire(&display, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::DisplayBusy, "the display is held");
        drop(first);
        acquire(&display, Duration::from_millis(50))
            .await
            .expect("free again once the first holder dropped it");
    }
}
