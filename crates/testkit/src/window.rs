//! Finding a test window by its title once it is on screen.

use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, MapState, Window};
use x11rb::rust_connection::RustConnection;

use crate::wait_for;

/// A window's area in root-window coordinates, border included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// The middle of the area.
    pub fn center(&self) -> (i32, i32) {
        (
            self.x + i32::try_from(self.width / 2).unwrap_or(0),
            self.y + i32::try_from(self.height / 2).unwrap_or(0),
        )
    }

    pub fn contains(&self, (x, y): (i32, i32)) -> bool {
        let (x, y) = (i64::from(x), i64::from(y));
        x >= i64::from(self.x)
            && y >= i64::from(self.y)
            && x < i64::from(self.x) + i64::from(self.width)
            && y < i64::from(self.y) + i64::from(self.height)
    }
}

/// Connect to `display`.
///
/// # Panics
/// When the display does not accept the connection.
pub fn connect(display: &str) -> RustConnection {
    x11rb::connect(Some(display))
        .unwrap_or_else(|e| panic!("cannot connect to test display {display}: {e}"))
        .0
}

/// Wait until a mapped top-level window titled exactly `title` exists, and return its id and
/// area. Without a window manager top-level windows are children of the root, so only those
/// are searched.
pub fn wait_for_window(display: &str, title: &str, timeout: Duration) -> Option<(Window, Rect)> {
    let conn = connect(display);
    let root = conn.setup().roots[0].root;
    wait_for(timeout, || find(&conn, root, title))
}

fn find(conn: &RustConnection, root: Window, title: &str) -> Option<(Window, Rect)> {
    let tree = conn.query_tree(root).ok()?.reply().ok()?;
    tree.children.iter().rev().find_map(|&w| {
        let name = conn
            .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
            .ok()?
            .reply()
            .ok()?;
        if name.value != title.as_bytes() {
            return None;
        }
        let attributes = conn.get_window_attributes(w).ok()?.reply().ok()?;
        if attributes.map_state != MapState::VIEWABLE {
            return None;
        }
        let g = conn.get_geometry(w).ok()?.reply().ok()?;
        let border = 2 * u32::from(g.border_width);
        let rect = Rect {
            x: i32::from(g.x),
            y: i32::from(g.y),
            width: u32::from(g.width) + border,
            height: u32::from(g.height) + border,
        };
        Some((w, rect))
    })
}

/// A title no other window of this process has, so parallel tests find their own windows.
pub(crate) fn unique_title(kind: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "switchboard-testkit-{kind}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
