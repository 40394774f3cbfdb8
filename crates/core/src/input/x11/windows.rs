//! Which top-level client window is at a point or holds the focus.
//!
//! Without a window manager a client's top-level window is a child of the root. A reparenting
//! window manager puts it inside a frame, so the root's children are frames and the client is
//! the descendant that carries `WM_STATE` (set by the window manager, ICCCM 4.1.3.1), or failing
//! that `WM_CLASS`. Windows come and go while we look, so a window that vanished between two
//! requests is skipped rather than reported as an error.

use std::collections::VecDeque;

use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, InputFocus, MapState, Window, WindowClass,
};

use super::connection::{Ctx, Display};
use super::pointer;
use crate::input::{InputError, Point, Rect, WindowInfo};

/// How deep below a frame we look for the client: frame, optional container, client.
const CLIENT_SEARCH_DEPTH: usize = 3;
/// Longest property value we read (WM_CLASS, titles): 4 KiB is far beyond any real title.
const PROPERTY_WORDS: u32 = 1024;

pub(super) fn window_at(d: &Display, p: Point) -> Result<Option<WindowInfo>, InputError> {
    let Some(top) = top_level_at(d, p)? else {
        return Ok(None);
    };
    let client = client_of(d, top)?;
    info(d, client)
}

pub(super) fn focused_window(d: &Display) -> Result<Option<WindowInfo>, InputError> {
    let step = "reading the input focus";
    let focus = d.conn.get_input_focus().ctx(step)?.reply().ctx(step)?.focus;
    // With PointerRoot (or the root itself) as focus, keys go to the window under the pointer:
    // the usual state without a window manager.
    if focus == u32::from(InputFocus::POINTER_ROOT) || focus == d.root {
        return window_at(d, pointer::pointer(d)?);
    }
    if focus == u32::from(InputFocus::NONE) {
        return Ok(None);
    }
    let Some(top) = top_level_of(d, focus)? else {
        return Ok(None);
    };
    let client = client_of(d, top)?;
    info(d, client)
}

/// The topmost mapped child of the root containing `p`.
fn top_level_at(d: &Display, p: Point) -> Result<Option<Window>, InputError> {
    let step = "listing windows";
    let tree = d.conn.query_tree(d.root).ctx(step)?.reply().ctx(step)?;
    // Send every request before reading any reply: one round trip for all windows.
    let mut pending = Vec::with_capacity(tree.children.len());
    for &w in &tree.children {
        let attributes = d.conn.get_window_attributes(w).ctx(step)?;
        let geometry = d.conn.get_geometry(w).ctx(step)?;
        pending.push((w, attributes, geometry));
    }
    // QueryTree lists children bottom to top.
    for (w, attributes, geometry) in pending.into_iter().rev() {
        let (Some(a), Some(g)) = (alive(attributes.reply())?, alive(geometry.reply())?) else {
            continue;
        };
        if a.map_state != MapState::VIEWABLE || a.class == WindowClass::INPUT_ONLY {
            continue;
        }
        let border = 2 * u32::from(g.border_width);
        let outer = Rect {
            x: i32::from(g.x),
            y: i32::from(g.y),
            width: u32::from(g.width) + border,
            height: u32::from(g.height) + border,
        };
        if outer.contains(p) {
            return Ok(Some(w));
        }
    }
    Ok(None)
}

/// Climb from `w` to its ancestor that is a child of the root.
pub(super) fn top_level_of(d: &Display, mut w: Window) -> Result<Option<Window>, InputError> {
    loop {
        let Some(tree) = alive(
            d.conn
                .query_tree(w)
                .ctx("climbing the window tree")?
                .reply(),
        )?
        else {
            return Ok(None);
        };
        if tree.parent == d.root {
            return Ok(Some(w));
        }
        if tree.parent == x11rb::NONE {
            // `w` is a root window (of this or another screen): no client holds the focus.
            return Ok(None);
        }
        w = tree.parent;
    }
}

/// The client window at or below the top-level window `top`.
pub(super) fn client_of(d: &Display, top: Window) -> Result<Window, InputError> {
    let mut first_with_class = None;
    let mut queue = VecDeque::from([(top, 0)]);
    while let Some((w, depth)) = queue.pop_front() {
        if has_property(d, w, d.atoms.WM_STATE)? {
            return Ok(w);
        }
        if first_with_class.is_none() && has_property(d, w, AtomEnum::WM_CLASS.into())? {
            first_with_class = Some(w);
        }
        if depth + 1 < CLIENT_SEARCH_DEPTH
            && let Some(tree) = alive(d.conn.query_tree(w).ctx("listing windows")?.reply())?
        {
            queue.extend(tree.children.into_iter().map(|c| (c, depth + 1)));
        }
    }
    Ok(first_with_class.unwrap_or(top))
}

fn has_property(d: &Display, w: Window, property: u32) -> Result<bool, InputError> {
    let cookie = d
        .conn
        .get_property(false, w, property, AtomEnum::ANY, 0, 0)
        .ctx("reading window properties")?;
    Ok(alive(cookie.reply())?.is_some_and(|r| r.type_ != x11rb::NONE))
}

/// Class, title and pid of `w`, or `None` if it vanished.
fn info(d: &Display, w: Window) -> Result<Option<WindowInfo>, InputError> {
    let step = "reading window properties";
    let get = |property: u32, kind: u32| {
        d.conn
            .get_property(false, w, property, kind, 0, PROPERTY_WORDS)
            .ctx(step)
    };
    let class = get(AtomEnum::WM_CLASS.into(), AtomEnum::STRING.into())?;
    let net_name = get(d.atoms._NET_WM_NAME, d.atoms.UTF8_STRING)?;
    let name = get(AtomEnum::WM_NAME.into(), AtomEnum::ANY.into())?;
    let pid = get(d.atoms._NET_WM_PID, AtomEnum::CARDINAL.into())?;
    let (Some(class), Some(net_name), Some(name), Some(pid)) = (
        alive(class.reply())?,
        alive(net_name.reply())?,
        alive(name.reply())?,
        alive(pid.reply())?,
    ) else {
        return Ok(None);
    };
    // WM_CLASS is "instance\0class\0".
    let class = class
        .value
        .split(|&b| b == 0)
        .nth(1)
        .map(latin1)
        .unwrap_or_default();
    let title = if net_name.value.is_empty() {
        if name.type_ == u32::from(AtomEnum::STRING) {
            latin1(&name.value)
        } else {
            // UTF8_STRING, or COMPOUND_TEXT whose ASCII part reads the same.
            String::from_utf8_lossy(&name.value).into_owned()
        }
    } else {
        String::from_utf8_lossy(&net_name.value).into_owned()
    };
    let pid = pid.value32().and_then(|mut v| v.next());
    Ok(Some(WindowInfo {
        id: u64::from(w),
        class,
        title,
        pid,
    }))
}

/// STRING properties are ISO 8859-1.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The reply, or `None` when the window no longer exists.
fn alive<T>(reply: Result<T, ReplyError>) -> Result<Option<T>, InputError> {
    match reply {
        Ok(r) => Ok(Some(r)),
        Err(ReplyError::X11Error(e))
            if matches!(
                e.error_kind,
                x11rb::protocol::ErrorKind::Window | x11rb::protocol::ErrorKind::Drawable
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e).ctx("reading window information"),
    }
}
