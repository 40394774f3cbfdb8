//! The pointer and the screen layout. X11 coordinates are relative to the root window, whose
//! origin is the top-left corner of the virtual screen, so they are used as they are.

use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::ConnectionExt as _;

use super::connection::{Ctx, Display};
use super::xtest;
use crate::input::{InputError, Point, Rect};

const LEFT_BUTTON: u8 = 1;

pub(super) fn pointer(d: &Display) -> Result<Point, InputError> {
    let step = "reading the pointer position";
    let reply = d.conn.query_pointer(d.root).ctx(step)?.reply().ctx(step)?;
    Ok(Point {
        x: i32::from(reply.root_x),
        y: i32::from(reply.root_y),
    })
}

pub(super) fn move_to(d: &Display, p: Point) -> Result<(), InputError> {
    // XTEST would silently clamp an off-screen point to the edge and click something else.
    let on_screen = root_rect(d)?;
    if !on_screen.contains(p) {
        return Err(InputError::InputFailed(format!(
            "cannot move the pointer to {p}: display {} spans {on_screen}; check the agent's \
             click position",
            d.name
        )));
    }
    // Both fit in i16: the root window is at most 32767 pixels wide.
    let (x, y) = (
        i16::try_from(p.x).unwrap_or(i16::MAX),
        i16::try_from(p.y).unwrap_or(i16::MAX),
    );
    xtest::motion(d, x, y)?;
    d.sync()
}

pub(super) fn click(d: &Display) -> Result<(), InputError> {
    xtest::button(d, LEFT_BUTTON, true)?;
    xtest::button(d, LEFT_BUTTON, false)?;
    d.sync()
}

/// Monitors from RandR 1.5, or the whole root window when RandR cannot say.
pub(super) fn screens(d: &Display) -> Result<Vec<Rect>, InputError> {
    if d.has_monitors {
        let step = "reading the monitor layout";
        let reply = d
            .conn
            .randr_get_monitors(d.root, true)
            .ctx(step)?
            .reply()
            .ctx(step)?;
        let monitors: Vec<Rect> = reply
            .monitors
            .iter()
            .map(|m| Rect {
                x: i32::from(m.x),
                y: i32::from(m.y),
                width: u32::from(m.width),
                height: u32::from(m.height),
            })
            .collect();
        if !monitors.is_empty() {
            return Ok(monitors);
        }
    }
    Ok(vec![root_rect(d)?])
}

/// The root window's current size (RandR may have resized it since we connected).
pub(super) fn root_rect(d: &Display) -> Result<Rect, InputError> {
    let step = "reading the screen size";
    let g = d.conn.get_geometry(d.root).ctx(step)?.reply().ctx(step)?;
    Ok(Rect {
        x: 0,
        y: 0,
        width: u32::from(g.width),
        height: u32::from(g.height),
    })
}

/// The pointer and layout on a connection of its own, polled by the engine's watcher while
/// the driver's connection is busy typing.
pub(super) struct X11Observer {
    pub d: Display,
}

impl crate::input::Observer for X11Observer {
    fn pointer(&mut self) -> Result<Point, InputError> {
        pointer(&self.d)
    }
    fn screens(&mut self) -> Result<Vec<Rect>, InputError> {
        screens(&self.d)
    }
}
