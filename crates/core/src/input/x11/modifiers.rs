//! Putting the keyboard into a known modifier state before keys are sent, and back afterwards.
//!
//! A key event carries the modifier state of the moment the server generates it. If Caps Lock
//! is locked, a latched Shift (sticky keys) is pending or a modifier key is stuck down (for
//! example by another XTEST client that died mid-chord), the target would see every letter in
//! the wrong case or Ctrl+letters instead of text. So before sending keys we:
//! - release every key that is down: a modifier would change our characters, and any other key
//!   (left down by an XTEST client killed between press and release) would swallow our first
//!   press of that key, since the server ignores a press of a key it thinks is already down.
//!   Only keys pressed through XTEST can be released this way; a modifier physically held by
//!   the operator stays down and we fail with a message;
//! - with XKB, unlatch latched modifiers and unlock locked ones (except Num Lock, which only
//!   affects keypad keys we never use), and return to the first layout group; the locks and
//!   group are put back when the keys have been sent. The server stamps each event with the
//!   state when it processes the event, so restoring right after our last key is safe;
//! - check the result, and refuse to type when a modifier is still active.

use x11rb::protocol::xkb::{self, ConnectionExt as _};
use x11rb::protocol::xproto::ConnectionExt as _;

use super::connection::{Ctx, Display};
use super::keymap::{Keymap, XK_NUM_LOCK};
use super::xtest;
use crate::input::InputError;

const MODIFIER_NAMES: [&str; 8] = [
    "Shift",
    "Caps Lock",
    "Control",
    "Mod1 (usually Alt)",
    "Mod2 (usually Num Lock)",
    "Mod3",
    "Mod4 (usually Super)",
    "Mod5 (usually AltGr)",
];

/// Locks and layout group to put back once our keys are sent.
#[must_use = "restore the operator's locks (Caps Lock, layout group) after typing"]
pub(super) struct SavedLocks {
    mod_locks: u16,
    group_lock: Option<u8>,
}

/// Bring the keyboard to "no modifiers, first group" (see the module docs). Requests are only
/// queued and checked at the end, so this costs two or three round trips.
pub(super) fn neutralize(d: &Display, map: &Keymap) -> Result<SavedLocks, InputError> {
    release_held_keys(d)?;
    let num_lock = map.modifier_with(&[XK_NUM_LOCK]).map_or(0, |i| 1u16 << i);
    let step = "clearing keyboard modifiers";
    let mut saved = SavedLocks {
        mod_locks: 0,
        group_lock: None,
    };
    if d.has_xkb {
        let device = xkb::ID::USE_CORE_KBD.into();
        let state = d.conn.xkb_get_state(device).ctx(step)?.reply().ctx(step)?;
        let locked = u16::from(state.locked_mods) & !num_lock;
        let latched = u16::from(state.latched_mods);
        let group = u8::from(state.locked_group);
        if locked != 0 || latched != 0 || group != 0 || state.latched_group != 0 {
            d.conn
                .xkb_latch_lock_state(
                    device,
                    locked.into(),
                    0u16.into(),
                    group != 0,
                    xkb::Group::M1,
                    latched.into(),
                    state.latched_group != 0,
                    0,
                )
                .ctx(step)?;
            saved.mod_locks = locked;
            saved.group_lock = (group != 0).then_some(group);
        }
        let state = d.conn.xkb_get_state(device).ctx(step)?.reply().ctx(step)?;
        let active = u16::from(state.mods) & !num_lock;
        if active != 0 || u8::from(state.group) != 0 {
            // Put back what we changed before failing, so the operator's state is untouched.
            restore(d, saved)?;
            return Err(still_active(d, active, u8::from(state.group)));
        }
    } else {
        // Without XKB the core state is all we can see, and locks cannot be cleared.
        let reply = d.conn.query_pointer(d.root).ctx(step)?.reply().ctx(step)?;
        let active = u16::from(reply.mask) & 0xff & !num_lock;
        if active != 0 {
            return Err(still_active(d, active, 0));
        }
    }
    Ok(saved)
}

/// Put back the locks and group that [`neutralize`] cleared. Sends without waiting; the caller
/// syncs.
pub(super) fn restore(d: &Display, saved: SavedLocks) -> Result<(), InputError> {
    if saved.mod_locks == 0 && saved.group_lock.is_none() {
        return Ok(());
    }
    d.conn
        .xkb_latch_lock_state(
            xkb::ID::USE_CORE_KBD.into(),
            saved.mod_locks.into(),
            saved.mod_locks.into(),
            saved.group_lock.is_some(),
            xkb::Group::from(saved.group_lock.unwrap_or(0)),
            0u16.into(),
            false,
            0,
        )
        .ctx("restoring Caps Lock and the layout group")?;
    Ok(())
}

/// Send a release for every key that is down; returns how many were. The server drops the
/// release of a key that only a physical keyboard holds, so only XTEST keys come up.
pub(super) fn release_held_keys(d: &Display) -> Result<usize, InputError> {
    let down = keys_down(d)?;
    for &keycode in &down {
        xtest::key(d, keycode, false)?;
    }
    Ok(down.len())
}

/// The keycodes that are down now.
pub(super) fn keys_down(d: &Display) -> Result<Vec<u8>, InputError> {
    let step = "reading which keys are down";
    let keys = d.conn.query_keymap().ctx(step)?.reply().ctx(step)?.keys;
    let is_down = |k: u8| keys[usize::from(k / 8)] & (1 << (k % 8)) != 0;
    Ok((8..=255u8).filter(|&k| is_down(k)).collect())
}

fn still_active(d: &Display, mods: u16, group: u8) -> InputError {
    let mut names: Vec<String> = (0..8)
        .filter(|i| mods & (1 << i) != 0)
        .map(|i| MODIFIER_NAMES[i].to_string())
        .collect();
    if group != 0 {
        names.push(format!("layout group {}", group + 1));
    }
    InputError::InputFailed(format!(
        "cannot type on display {}: {} is held, latched or locked and could not be cleared; \
         release or turn it off (or switch back to the first keyboard layout) and retry",
        d.name,
        names.join(" + ")
    ))
}
