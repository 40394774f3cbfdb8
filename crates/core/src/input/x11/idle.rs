//! How long the operator has been idle, as distinct from Switchboard.
//!
//! The X server's idle time (MIT-SCREEN-SAVER `ms_since_user_input`) counts every device event,
//! and XTEST events (ours, but also xdotool's) reset it like a real keyboard's. So our own input
//! is told apart by time: after each action, every Switchboard process on this display writes
//! when it last sent input to a small file beside the display lock. Input the server saw
//! clearly after that (more than [`SLACK_MS`] later) was not ours: it was the operator's, and
//! its time is written to the same file, so a process started a moment later knows it too.
//!
//! A key held down repeats (the server's autorepeat), and every repeat counts as input: a key
//! left down by a program that died would look like an operator typing forever. So while keys
//! are down, the time since the set of keys down and the pointer position last changed counts
//! as well ([`Held`]).
//!
//! Limitation: operator input during one of our deliveries is hidden by our own input; it is
//! seen as soon as the operator uses the mouse or keyboard again after the delivery. (XInput2
//! raw events could tell devices apart on a desktop, but not under Xvfb, where every event,
//! the tests' simulated operator included, comes through XTEST.)

use std::path::PathBuf;
use std::time::{Duration, Instant};

use x11rb::protocol::screensaver::ConnectionExt as _;
use x11rb::protocol::xproto::ConnectionExt as _;

use super::connection::{Ctx, Display};
use crate::input::InputError;
use crate::model::{Millis, now_ms};

/// Input seen by the server within this long after our last action is taken for ours. Our time
/// is written after the server has processed the action, so only the reading's own round trip
/// (and a remote display's latency) separates the two clocks.
const SLACK_MS: Millis = 50;

/// The shared record of who last used the devices of one display.
#[derive(Debug)]
pub(super) struct Activity {
    path: PathBuf,
}

/// Wall-clock milliseconds; 0 for never.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Record {
    ours: Millis,
    operator: Millis,
}

impl Activity {
    pub fn for_display(display: &str) -> Activity {
        Activity {
            path: crate::paths::machine_file("activity", display, ""),
        }
    }

    /// Switchboard just sent input (the server has processed it).
    pub fn sent(&self) {
        let mut record = self.read();
        record.ours = now_ms();
        self.write(record);
    }

    fn read(&self) -> Record {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let mut numbers = text.split_whitespace().map(|n| n.parse().unwrap_or(0));
        Record {
            ours: numbers.next().unwrap_or(0),
            operator: numbers.next().unwrap_or(0),
        }
    }

    /// Replace the file in one rename, so that a reader never sees half a record. A failure
    /// only costs precision (the next check may wait once more), so it is logged, not raised.
    fn write(&self, record: Record) {
        let tmp = self
            .path
            .with_extension(format!("{}.tmp", std::process::id()));
        let written = std::fs::write(&tmp, format!("{} {}\n", record.ours, record.operator))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            tracing::debug!(path = %self.path.display(), "cannot record input activity: {e}");
        }
    }
}

/// Keys down and the pointer position, and since when they are unchanged.
#[derive(Debug)]
pub(super) struct Held {
    keys: [u8; 32],
    pointer: (i16, i16),
    since: Instant,
}

/// How long since the operator last used the mouse or keyboard; `None` without the
/// MIT-SCREEN-SAVER extension. `Duration::MAX` when no operator input was ever seen.
pub(super) fn operator_idle(
    d: &Display,
    activity: &Activity,
    held: &mut Option<Held>,
) -> Result<Option<Duration>, InputError> {
    if !d.has_screensaver {
        return Ok(None);
    }
    let step = "reading the idle time";
    let info = d
        .conn
        .screensaver_query_info(d.root)
        .ctx(step)?
        .reply()
        .ctx(step)?;
    let now = now_ms();
    let last_input = now - Millis::from(info.ms_since_user_input);
    let mut record = activity.read();
    if last_input > record.ours + SLACK_MS && last_input > record.operator {
        record.operator = last_input;
        activity.write(record);
    }
    let idle = match record.operator {
        0 => Duration::MAX,
        at => Duration::from_millis(u64::try_from(now - at).unwrap_or(0)),
    };
    Ok(Some(idle.max(held_still(d, held)?)))
}

/// How long the keys that are down (if any) and the pointer have stayed as they are; zero when
/// no key is down (the server's idle time is right then).
fn held_still(d: &Display, held: &mut Option<Held>) -> Result<Duration, InputError> {
    let step = "reading which keys are down";
    let keys = d.conn.query_keymap().ctx(step)?.reply().ctx(step)?.keys;
    if keys.iter().all(|&k| k == 0) {
        *held = None;
        return Ok(Duration::ZERO);
    }
    let p = d.conn.query_pointer(d.root).ctx(step)?.reply().ctx(step)?;
    let pointer = (p.root_x, p.root_y);
    match held {
        Some(h) if h.keys == keys && h.pointer == pointer => {}
        _ => {
            *held = Some(Held {
                keys,
                pointer,
                since: Instant::now(),
            })
        }
    }
    Ok(held.as_ref().map_or(Duration::ZERO, |h| h.since.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_survives_a_round_trip_and_a_missing_file_reads_as_never() {
        let dir = tempfile::tempdir().unwrap();
        let activity = Activity {
            path: dir.path().join("activity"),
        };
        assert_eq!(activity.read(), Record::default());
        activity.write(Record {
            ours: 5,
            operator: 7,
        });
        activity.sent();
        let r = activity.read();
        assert!(
            r.ours > 5 && r.operator == 7,
            "sent() keeps the operator's time: {r:?}"
        );
    }
}
