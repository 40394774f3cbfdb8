//! Synthetic device events through XTEST. Each call only queues a request; callers sync once
//! per batch so that a long text costs a few round trips, not one per key.

use x11rb::protocol::xtest::ConnectionExt as _;

use super::connection::{Ctx, Display};
use crate::input::InputError;

// Event type codes of the core protocol, as XTEST FakeInput expects them.
const KEY_PRESS: u8 = 2;
const KEY_RELEASE: u8 = 3;
const BUTTON_PRESS: u8 = 4;
const BUTTON_RELEASE: u8 = 5;
const MOTION_NOTIFY: u8 = 6;

/// Press (`down`) or release a key. Time 0 lets the server stamp its current time.
pub(super) fn key(d: &Display, keycode: u8, down: bool) -> Result<(), InputError> {
    let kind = if down { KEY_PRESS } else { KEY_RELEASE };
    d.conn
        .xtest_fake_input(kind, keycode, 0, d.root, 0, 0, 0)
        .ctx("sending a key event")?;
    Ok(())
}

/// Press and release a key.
pub(super) fn tap(d: &Display, keycode: u8) -> Result<(), InputError> {
    key(d, keycode, true)?;
    key(d, keycode, false)
}

/// Move the pointer to absolute root-window coordinates (detail 0 means absolute).
pub(super) fn motion(d: &Display, x: i16, y: i16) -> Result<(), InputError> {
    d.conn
        .xtest_fake_input(MOTION_NOTIFY, 0, 0, d.root, x, y, 0)
        .ctx("moving the pointer")?;
    Ok(())
}

pub(super) fn button(d: &Display, button: u8, down: bool) -> Result<(), InputError> {
    let kind = if down { BUTTON_PRESS } else { BUTTON_RELEASE };
    d.conn
        .xtest_fake_input(kind, button, 0, d.root, 0, 0, 0)
        .ctx("clicking")?;
    Ok(())
}
