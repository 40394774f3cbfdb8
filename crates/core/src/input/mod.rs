//! The seam between the delivery engine and the machine's mouse and keyboard.
//!
//! [`Input`] is the one trait the engine drives. Implementations:
//! - [`x11::X11Input`] (Linux): XTEST for pointer and keys, the real keymap for exact typing,
//!   its own selection owner for pasting, RandR for the screen layout.
//! - [`recording::RecordingInput`]: records every call, for unit tests of the engine and for
//!   `switchboard deliver --dry-run`.
//!
//! Every method blocks; the engine owns one `Input` on a dedicated thread (see
//! [`thread::InputThread`]), so at most one delivery in this process touches the devices.
//!
//! Besides driving the devices, the seam answers the questions that keep deliveries safe:
//! which window is at a point or has the focus, how long the operator has been idle, and an
//! [`Observer`] that another thread polls while the input thread is busy typing. A driver
//! says which of these it really answers with [`Input::supports`]; the engine skips (and
//! says it skips) what a platform cannot check, rather than pretend.

mod keys;
pub mod recording;
mod stop;
pub mod thread;
#[cfg(target_os = "linux")]
pub mod x11;

pub use keys::{Chord, Key, ParseChordError};
pub use stop::Stop;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Connect to the display with this platform's driver (`display` None: the session's own,
/// `$DISPLAY` on X11).
pub fn connect(display: Option<&str>) -> Result<Box<dyn Input>, InputError> {
    #[cfg(target_os = "linux")]
    {
        Ok(Box::new(x11::X11Input::connect(display)?))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = display;
        Err(InputError::DisplayUnavailable(
            "Switchboard can drive the mouse and keyboard only on Linux with X11 so far".into(),
        ))
    }
}

/// What this platform's driver supports, known without connecting (for `agent show`).
pub fn platform_support() -> Support {
    if cfg!(target_os = "linux") {
        Support::ALL
    } else {
        Support::NONE
    }
}

/// Which of the safety checks a driver really performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Support {
    /// `window_at` and `focused_window` identify real windows (the WRONG_WINDOW and
    /// FOCUS_FAILED checks).
    pub windows: bool,
    /// `operator_idle` tells the operator's input from Switchboard's.
    pub operator_idle: bool,
    /// Keyboard focus can be given to a window and given back.
    pub focus: bool,
    /// `screenshot` works (visual receipts).
    pub screenshots: bool,
}

impl Support {
    pub const ALL: Support = Support {
        windows: true,
        operator_idle: true,
        focus: true,
        screenshots: true,
    };
    pub const NONE: Support = Support {
        windows: false,
        operator_idle: false,
        focus: false,
        screenshots: false,
    };
}

/// Keyboard focus as it was before a delivery, to be given back after it. The value is the
/// platform's: on X11 the focus window's id, or 1 for PointerRoot (focus follows the pointer)
/// and 0 for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SavedFocus(pub u64);

/// An 8-bit RGB image, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// A second, read-only view of the display, polled from another thread while the input
/// thread types: the engine's watcher uses it to notice the pointer pushed into a corner.
pub trait Observer: Send {
    fn pointer(&mut self) -> Result<Point, InputError>;
    fn screens(&mut self) -> Result<Vec<Rect>, InputError>;
}

/// A point in virtual-screen coordinates. Negative values are valid: a monitor left of or above
/// the primary one has negative coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

impl std::fmt::Display for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

/// One monitor's area in virtual-screen coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn contains(&self, p: Point) -> bool {
        let (px, py) = (i64::from(p.x), i64::from(p.y));
        let (x, y) = (i64::from(self.x), i64::from(self.y));
        px >= x && py >= y && px < x + i64::from(self.width) && py < y + i64::from(self.height)
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}{:+}{:+}", self.width, self.height, self.x, self.y)
    }
}

/// The top-level window found at a point or holding input focus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    /// Platform window id (an X11 window id on Linux).
    pub id: u64,
    /// WM_CLASS class part (for example `XTerm`), empty when the window sets none.
    pub class: String,
    /// The window title (`_NET_WM_NAME`, else `WM_NAME`), empty when unset.
    pub title: String,
    /// `_NET_WM_PID` when the window publishes it.
    pub pid: Option<u32>,
}

/// What went wrong while driving the devices. Each maps onto a stable error code that is
/// stored with the attempt (see [`InputError::code`]).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    /// No display to connect to, or the connection dropped.
    #[error("{0}")]
    DisplayUnavailable(String),
    /// The display refused or failed a request (XTEST missing, a protocol error...).
    #[error("input failed: {0}")]
    InputFailed(String),
    /// A character cannot be produced on this keyboard, even by re-binding a spare key.
    #[error("cannot type {0:?} (U+{code:04X}) on this keyboard; use paste mode for this agent", code = u32::from(*.0))]
    Untypable(char),
    /// The target never asked for the clipboard after the paste key: nothing was pasted.
    #[error(
        "the target window did not read the clipboard within {0} ms after the paste key; check the agent's paste key"
    )]
    PasteNotRead(u64),
    /// The clipboard could not be taken or restored.
    #[error("clipboard: {0}")]
    Clipboard(String),
    /// The engine's [`Stop`] was requested: the action was not taken.
    #[error("stopped: {0}")]
    Stopped(String),
}

/// The mouse, keyboard, clipboard and screen layout of one display.
///
/// Methods block until the display has processed the request (so that a recorded phase really
/// was reached). Implementations never hold text longer than a call needs.
pub trait Input: Send {
    /// Short name for logs and `switchboard stats` ("x11", "recording").
    fn name(&self) -> &'static str;
    /// Which display this drives, for messages ("X11 display :0").
    fn display(&self) -> String;
    /// The current monitor layout.
    fn screens(&mut self) -> Result<Vec<Rect>, InputError>;
    /// Where the pointer is now.
    fn pointer(&mut self) -> Result<Point, InputError>;
    /// Move the pointer to `p` (absolute virtual-screen coordinates).
    fn move_to(&mut self, p: Point) -> Result<(), InputError>;
    /// Click the left button where the pointer is.
    fn click(&mut self) -> Result<(), InputError>;
    /// Press and release a key chord (modifiers down, key down/up, modifiers up).
    fn press(&mut self, chord: Chord) -> Result<(), InputError>;
    /// Type `text` exactly, one character at a time. `text` holds no line breaks: the engine
    /// enters those with the agent's newline chord. Tabs are typed as the Tab key.
    fn type_text(&mut self, text: &str) -> Result<(), InputError>;
    /// Put `text` on the clipboard (CLIPBOARD and, where it exists, PRIMARY), press `chord`,
    /// wait (up to `read_timeout`) until the target has read it, then give the operator's
    /// previous clipboard back.
    fn paste(&mut self, text: &str, chord: Chord, read_timeout: Duration)
    -> Result<(), InputError>;
    /// The top-level window under `p`, if any.
    fn window_at(&mut self, p: Point) -> Result<Option<WindowInfo>, InputError>;
    /// The top-level window holding keyboard focus, if any.
    fn focused_window(&mut self) -> Result<Option<WindowInfo>, InputError>;

    // The methods below have defaults so that a new platform's driver compiles with the
    // primitives alone; `supports` tells the engine which checks the defaults leave out.

    /// Which safety checks this driver performs.
    fn supports(&self) -> Support {
        Support::NONE
    }
    /// The flag to check before each action and between chunks of typed text; once it is
    /// requested, actions fail with [`InputError::Stopped`] (a driver that types everything in
    /// one call cannot be interrupted mid-text).
    fn set_stop(&mut self, _stop: Stop) {}
    /// How long since the operator (not Switchboard, in any process) last used the mouse or
    /// keyboard; `None` when this driver cannot tell.
    fn operator_idle(&mut self) -> Result<Option<Duration>, InputError> {
        Ok(None)
    }
    /// A second view of the display for the engine's watcher; `None` when there is none.
    fn observer(&mut self) -> Result<Option<Box<dyn Observer>>, InputError> {
        Ok(None)
    }
    /// Release keys that another program driving the devices left down (one killed between a
    /// key's press and release): their autorepeat would type into whatever gets the focus.
    fn release_stuck_keys(&mut self) -> Result<(), InputError> {
        Ok(())
    }
    /// Give `window` the keyboard focus, when clicking into it did not.
    fn activate(&mut self, _window: &WindowInfo) -> Result<(), InputError> {
        Ok(())
    }
    /// Where the keyboard focus is now, to give it back later.
    fn save_focus(&mut self) -> Result<Option<SavedFocus>, InputError> {
        Ok(None)
    }
    /// Put the keyboard focus back as [`Input::save_focus`] found it.
    fn restore_focus(&mut self, _saved: SavedFocus) -> Result<(), InputError> {
        Ok(())
    }
    /// What the screen shows in `area` (clipped to the screen); `None` when this driver
    /// cannot take screenshots.
    fn screenshot(&mut self, _area: Rect) -> Result<Option<Image>, InputError> {
        Ok(None)
    }
}
