//! Giving keyboard focus to an agent's window when the click did not, and giving it back to
//! the operator's window after a delivery.
//!
//! With a window manager (one that announces itself through `_NET_SUPPORTING_WM_CHECK`), focus
//! is asked for with `_NET_ACTIVE_WINDOW`, as a pager does (source indication 2), so that the
//! window manager raises the window and keeps its own idea of the active window right; setting
//! the focus behind its back would confuse it. Without one (Xvfb in the tests, bare X
//! sessions), SetInputFocus is the only way, and a click gives no focus at all while focus is
//! on a window rather than following the pointer.

use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, InputFocus, Window,
};

use super::connection::{Ctx, Display};
use super::windows;
use crate::input::{InputError, SavedFocus, WindowInfo};

/// Source indication of `_NET_ACTIVE_WINDOW`: a pager or similar tool acting for the user.
const FROM_TOOL: u32 = 2;

pub(super) fn save(d: &Display) -> Result<SavedFocus, InputError> {
    let step = "reading the input focus";
    let focus = d.conn.get_input_focus().ctx(step)?.reply().ctx(step)?;
    Ok(SavedFocus(u64::from(focus.focus)))
}

pub(super) fn activate(d: &Display, window: &WindowInfo) -> Result<(), InputError> {
    let w = Window::try_from(window.id)
        .map_err(|_| InputError::InputFailed(format!("{:#x} is not an X window id", window.id)))?;
    if window_manager(d)? {
        ask_window_manager(d, w)?;
    } else {
        set_focus(d, w)?;
    }
    d.sync()
}

/// Give the focus back. A window that has gone away in the meantime has nothing to get back,
/// so that is not an error.
pub(super) fn restore(d: &Display, saved: SavedFocus) -> Result<(), InputError> {
    let Ok(focus) = Window::try_from(saved.0) else {
        return Ok(());
    };
    let special = focus == u32::from(InputFocus::POINTER_ROOT) || focus == x11rb::NONE;
    if window_manager(d)? {
        // The window manager owns focus policy; it is only asked to activate a real window.
        if !special && let Some(top) = windows::top_level_of(d, focus)? {
            ask_window_manager(d, windows::client_of(d, top)?)?;
        }
    } else if special {
        let step = "giving the focus back";
        d.conn
            .set_input_focus(InputFocus::POINTER_ROOT, focus, x11rb::CURRENT_TIME)
            .ctx(step)?
            .check()
            .ctx(step)?;
    } else {
        set_focus(d, focus)?;
    }
    d.sync()
}

fn set_focus(d: &Display, w: Window) -> Result<(), InputError> {
    let step = "setting the input focus";
    match d
        .conn
        .set_input_focus(InputFocus::PARENT, w, x11rb::CURRENT_TIME)
        .ctx(step)?
        .check()
    {
        Ok(()) => Ok(()),
        // The window vanished or is not viewable: nothing to focus.
        Err(ReplyError::X11Error(e))
            if matches!(
                e.error_kind,
                x11rb::protocol::ErrorKind::Window | x11rb::protocol::ErrorKind::Match
            ) =>
        {
            tracing::debug!("cannot focus window {w:#x}: {:?}", e.error_kind);
            Ok(())
        }
        Err(e) => Err(e).ctx(step),
    }
}

fn ask_window_manager(d: &Display, w: Window) -> Result<(), InputError> {
    let event = ClientMessageEvent::new(
        32,
        w,
        d.atoms._NET_ACTIVE_WINDOW,
        [FROM_TOOL, x11rb::CURRENT_TIME, 0, 0, 0],
    );
    d.conn
        .send_event(
            false,
            d.root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )
        .ctx("asking the window manager to activate a window")?;
    Ok(())
}

/// Whether an EWMH window manager runs: the root names a check window that still exists.
fn window_manager(d: &Display) -> Result<bool, InputError> {
    let step = "looking for a window manager";
    let reply = d
        .conn
        .get_property(
            false,
            d.root,
            d.atoms._NET_SUPPORTING_WM_CHECK,
            AtomEnum::WINDOW,
            0,
            1,
        )
        .ctx(step)?
        .reply()
        .ctx(step)?;
    let Some(check) = reply.value32().and_then(|mut v| v.next()) else {
        return Ok(false);
    };
    // A window manager that died leaves the property behind, naming a window that is gone.
    Ok(d.conn.get_geometry(check).ctx(step)?.reply().is_ok())
}
