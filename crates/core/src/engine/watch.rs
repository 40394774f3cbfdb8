//! The watcher beside every delivery: it sets the driver's stop flag as soon as delivery is
//! paused (from any process: `switchboard stop`, the desktop app, Discord) or the operator
//! pushes the pointer into a screen corner, the fail-safe, which also pauses all delivery.
//! The driver checks the flag between chunks of typed text, so typing halts within a few
//! milliseconds of the watcher's poll.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::input::{InputError, Observer, Point, Rect, Stop};
use crate::store::Store;

/// How often the pause flag and the pointer are read during a delivery: a stop takes effect
/// within this plus one typing chunk (a few ms), well inside 100 ms.
const WATCH_EVERY: Duration = Duration::from_millis(20);
/// The fail-safe zone: this many pixels from a monitor's corner. A pointer pushed into a
/// corner stops exactly on its pixel; a little room forgives a near miss.
const CORNER_PX: i64 = 2;
/// Who the fail-safe pause is recorded as.
pub(super) const FAILSAFE: &str = "failsafe";

pub(super) type SharedObserver = Arc<Mutex<Box<dyn Observer>>>;

/// The fail-safe's pause, written by a task of its own so that it is recorded even when the
/// delivery (and with it the watcher) ends first; the engine awaits it before claiming again.
#[derive(Default)]
pub(super) struct Pausing(Mutex<Option<JoinHandle<()>>>);

impl Pausing {
    fn start(&self, store: Store, reason: String) {
        let task = tokio::spawn(async move {
            if let Err(e) = store.pause(FAILSAFE, &reason).await {
                tracing::error!("the fail-safe could not pause delivery: {e}");
            }
        });
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    pub(super) async fn finish(&self) {
        let task = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// Watch until dropped (the delivery ended). `ours` is the agent's point: the pointer is there
/// because the delivery put it there, even when that is near a corner.
pub(super) async fn watch(
    store: &Store,
    stop: &Stop,
    observer: Option<SharedObserver>,
    ours: Point,
    pausing: &Pausing,
) -> Infallible {
    let screens = match &observer {
        Some(o) => match on_observer(o, |o| o.screens()).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("the corner fail-safe is off for this delivery: {e}");
                None
            }
        },
        None => None,
    };
    loop {
        tokio::time::sleep(WATCH_EVERY).await;
        if stop.is_requested() {
            continue;
        }
        match store.paused().await {
            Ok(Some(p)) => {
                stop.request(format!("stopped by {}: {}", p.by, p.reason));
                continue;
            }
            Ok(None) => {}
            // The gate reads the flag again before the next step and stops on failure.
            Err(e) => tracing::warn!("cannot read the pause flag: {e}"),
        }
        let (Some(o), Some(screens)) = (&observer, &screens) else {
            continue;
        };
        let Ok(p) = on_observer(o, |o| o.pointer()).await else {
            continue;
        };
        if p == ours {
            continue;
        }
        if let Some(corner) = corner_of(screens, p) {
            let reason = failsafe_reason(corner, p);
            tracing::warn!("{reason}");
            stop.request(reason.clone());
            pausing.start(store.clone(), reason);
        }
    }
}

/// Why the fail-safe paused delivery, for the pause and the attempt.
pub(super) fn failsafe_reason(corner: &str, p: Point) -> String {
    format!(
        "fail-safe: the pointer was pushed into the {corner} corner of the screen ({p}); move it \
         away and run `switchboard resume` to deliver again"
    )
}

/// Where the pointer is now, on the observer's connection.
pub(super) async fn pointer_now(o: &SharedObserver) -> Option<Point> {
    on_observer(o, |o| o.pointer()).await.ok()
}

/// The pointer's position and corner, if it is in a monitor's corner now.
pub(super) async fn in_corner(o: &SharedObserver) -> Option<(Point, &'static str)> {
    let screens = on_observer(o, |o| o.screens()).await.ok()?;
    let p = pointer_now(o).await?;
    corner_of(&screens, p).map(|corner| (p, corner))
}

/// Run a blocking observer call off the async threads.
async fn on_observer<T: Send + 'static>(
    o: &SharedObserver,
    f: impl FnOnce(&mut dyn Observer) -> Result<T, InputError> + Send + 'static,
) -> Result<T, InputError> {
    let o = o.clone();
    tokio::task::spawn_blocking(move || f(o.lock().unwrap_or_else(|p| p.into_inner()).as_mut()))
        .await
        .unwrap_or_else(|e| Err(InputError::InputFailed(format!("the watcher failed: {e}"))))
}

/// Which corner of which monitor `p` is in, if any.
pub(super) fn corner_of(screens: &[Rect], p: Point) -> Option<&'static str> {
    let (x, y) = (i64::from(p.x), i64::from(p.y));
    screens.iter().filter(|s| s.contains(p)).find_map(|s| {
        let left = x - i64::from(s.x) < CORNER_PX;
        let right = i64::from(s.x) + i64::from(s.width) - 1 - x < CORNER_PX;
        let top = y - i64::from(s.y) < CORNER_PX;
        let bottom = i64::from(s.y) + i64::from(s.height) - 1 - y < CORNER_PX;
        match (top, bottom, left, right) {
            (true, _, true, _) => Some("top-left"),
            (true, _, _, true) => Some("top-right"),
            (_, true, true, _) => Some("bottom-left"),
            (_, true, _, true) => Some("bottom-right"),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_of_every_monitor_trip_and_edges_do_not() {
        let screens = [
            Rect {
                x: 0,
                y: 0,
                width: 1920,
                height: 1080,
            },
            Rect {
                x: -1280,
                y: 0,
                width: 1280,
                height: 1024,
            },
        ];
        let at = |x, y| corner_of(&screens, Point { x, y });
        assert_eq!(at(0, 0), Some("top-left"));
        assert_eq!(at(1919, 1), Some("top-right"));
        assert_eq!(at(1918, 1079), Some("bottom-right"));
        assert_eq!(at(-1280, 1023), Some("bottom-left"));
        assert_eq!(at(960, 0), None, "an edge is not a corner");
        assert_eq!(at(3, 3), None);
        assert_eq!(at(5000, 5000), None, "off every monitor");
    }
}
