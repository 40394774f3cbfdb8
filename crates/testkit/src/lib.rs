//! Test kit for end-to-end tests that need a real X display: each test starts its own [`Xvfb`]
//! server, so tests run in parallel without seeing each other's windows.
//!
//! # Layout
//! - [`xvfb`]: [`Xvfb`], a private X server on a free display, killed on drop.
//! - [`xterm`]: [`XtermCat`], an xterm running `cat > file`: what was typed or pasted into it
//!   ends up in [`XtermCat::contents`].
//! - [`zenity`]: [`ZenityEntry`], a GTK text entry (`zenity --entry`) that prints its text when
//!   Enter submits it: a target that pastes CLIPBOARD with ctrl+v.
//! - [`selection`]: [`CopiedText`] holds a selection the way a program the operator copied from
//!   does; [`read_selection`] reads one like a program that pastes.
//! - [`window`]: finding windows by title and waiting for them to be mapped.
//!
//! There is no window manager: windows appear exactly where they are placed, undecorated, and
//! keyboard focus follows the pointer (move the pointer into a window before typing into it).
//! An 80x24 xterm is 484x316 pixels, so several fit side by side for broadcast tests.
//!
//! ```no_run
//! use std::time::Duration;
//! use switchboard_testkit::{Geometry, XtermCat, Xvfb};
//!
//! let xvfb = Xvfb::start();
//! let left = XtermCat::open(&xvfb, Geometry::at(0, 0));
//! let right = XtermCat::open(&xvfb, Geometry::at(640, 0));
//! // Run the program under test with DISPLAY=xvfb.display(), aimed at left.text_point() and
//! // right.text_point(), then:
//! assert_eq!(left.wait_len(3, Duration::from_secs(10)), "hi\n");
//! ```
//!
//! Everything panics with a message saying what is missing or what timed out: these are test
//! helpers, and a panic is how a test reports a broken environment. The kit needs the Debian
//! packages `xvfb`, `xterm` and `zenity` (and `imagemagick` for [`Xvfb::screenshot`]).

pub mod selection;
pub mod window;
pub mod xterm;
pub mod xvfb;
pub mod zenity;

pub use selection::{CopiedText, Selection, read_selection, selection_owner};
pub use window::Rect;
pub use xterm::{Geometry, XtermCat};
pub use xvfb::Xvfb;
pub use zenity::ZenityEntry;

use std::time::{Duration, Instant};

/// Poll `probe` every 10 ms until it returns `Some`, or return `None` after `timeout`.
pub fn wait_for<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
