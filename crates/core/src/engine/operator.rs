//! Sharing the desk with the operator: wait until they stop using the mouse and keyboard,
//! make sure the click really gave the agent's window the focus, and afterwards give the
//! pointer and focus back.

use std::time::{Duration, Instant};

use crate::input::thread::InputThread;
use crate::input::{Point, SavedFocus, WindowInfo};
use crate::settings::Settings;

use super::gate::Gate;
use super::outcome::{DeliveryError, ErrorCode};
use super::window::describe;

/// How often an idle wait looks again (and checks the stop and pause).
const IDLE_POLL: Duration = Duration::from_millis(100);
/// How often the focus is read after the click.
const FOCUS_POLL: Duration = Duration::from_millis(5);
/// How long a click gets to move the focus before the window is activated directly (a window
/// manager takes a few milliseconds; without one a click moves no focus at all).
const ACTIVATE_AFTER: Duration = Duration::from_millis(50);

/// Return once the operator has been idle for `idle_threshold_ms`; while they are not, tell
/// the gate (which publishes "waiting for you to be idle" and honours the stop). A driver that
/// cannot tell is not waited for.
pub(super) async fn wait_until_idle(
    input: &InputThread,
    settings: &Settings,
    gate: &mut impl Gate,
) -> Result<(), DeliveryError> {
    let threshold = Duration::from_millis(settings.idle_threshold_ms);
    if threshold.is_zero() || !input.supports().operator_idle {
        return Ok(());
    }
    loop {
        let Some(idle) = input.call(|i| i.operator_idle()).await? else {
            return Ok(());
        };
        if idle >= threshold {
            return Ok(());
        }
        gate.waiting(idle).await?;
        tokio::time::sleep((threshold - idle).min(IDLE_POLL)).await;
    }
}

/// Wait until `target` has the keyboard focus after the click, activating it if the click did
/// not move the focus; fail with FOCUS_FAILED (nothing typed) after `focus_timeout_ms`.
pub(super) async fn wait_for_focus(
    input: &InputThread,
    target: &WindowInfo,
    settings: &Settings,
) -> Result<(), DeliveryError> {
    let timeout = Duration::from_millis(settings.focus_timeout_ms);
    let started = Instant::now();
    let mut activated = !input.supports().focus;
    loop {
        let focused = input.call(|i| i.focused_window()).await?;
        if focused.as_ref().is_some_and(|f| f.id == target.id) {
            return Ok(());
        }
        let waited = started.elapsed();
        if !activated && waited >= ACTIVATE_AFTER.min(timeout / 2) {
            let window = target.clone();
            input.call(move |i| i.activate(&window)).await?;
            activated = true;
            continue;
        }
        if waited >= timeout {
            let holder = focused.map_or_else(|| "no window".to_string(), |f| describe(&f));
            return Err(DeliveryError::new(
                ErrorCode::FocusFailed,
                format!(
                    "after the click, the keyboard focus stayed on {holder} instead of going to \
                     {} for {} ms, so nothing was typed. A dialog or another program may hold \
                     it; raise focus_timeout_ms if the window is just slow",
                    describe(target),
                    timeout.as_millis()
                ),
            ));
        }
        tokio::time::sleep(FOCUS_POLL).await;
    }
}

/// The operator's pointer and focus, saved before the click.
pub(super) struct Desk {
    pointer: Option<Point>,
    focus: Option<SavedFocus>,
}

impl Desk {
    pub(super) fn untouched() -> Desk {
        Desk {
            pointer: None,
            focus: None,
        }
    }

    /// Read where the pointer and focus are. Failures only mean nothing is given back.
    pub(super) async fn save(input: &InputThread) -> Desk {
        let pointer = input.call(|i| i.pointer()).await;
        let focus = match input.supports().focus {
            true => input.call(|i| i.save_focus()).await,
            false => Ok(None),
        };
        if let Err(e) = pointer.as_ref().map(|_| ()).and(focus.as_ref().map(|_| ())) {
            tracing::warn!("cannot save the pointer and focus to give them back later: {e}");
        }
        Desk {
            pointer: pointer.ok(),
            focus: focus.ok().flatten(),
        }
    }

    /// Put the pointer and focus back, unless the operator has taken the pointer in the
    /// meantime (it is no longer where the delivery left it at `ours`): moving it back then
    /// would fight them.
    pub(super) async fn restore(self, input: &InputThread, ours: Point) {
        if self.pointer.is_none() && self.focus.is_none() {
            return;
        }
        match input.call(|i| i.pointer()).await {
            Ok(now) if now != ours => {
                tracing::info!("the pointer was moved during the delivery; leaving it there");
                return;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("cannot read the pointer, so it is not put back: {e}");
                return;
            }
        }
        if let Some(p) = self.pointer
            && let Err(e) = input.call(move |i| i.move_to(p)).await
        {
            tracing::warn!("cannot put the pointer back at {p}: {e}");
        }
        if let Some(f) = self.focus
            && let Err(e) = input.call(move |i| i.restore_focus(f)).await
        {
            tracing::warn!("cannot give the keyboard focus back: {e}");
        }
    }
}
