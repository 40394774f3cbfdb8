//! The X11 input driver: XTEST for keys and pointer, the real keymap for exact typing, our own
//! selection owner for pasting, RandR for the monitor layout. Pure Rust over x11rb.
//!
//! # Pitfalls this driver is built around
//!
//! - **Keysyms are looked up lazily.** A client turns a keycode into a character when it
//!   processes the KeyPress, using the keymap it has at that moment, and Xlib refreshes that
//!   keymap as soon as it reads a MappingNotify, possibly before handling key events queued
//!   earlier. Drivers that re-bind one spare keycode per character (enigo, xdotool) therefore
//!   lose or change characters. `typing` types everything the layout has by its own keycode
//!   and Shift level, binds the other characters of a message to spare keycodes *before* typing,
//!   keeps those bindings across calls, and only re-binds a keycode after it has been idle for
//!   a settle period. See `typing.rs`.
//! - **Modifier state is stamped on each event.** Caps Lock, a latched Shift or a stuck modifier
//!   would change every character; `modifiers` clears them first and restores the locks after.
//! - **The clipboard is a conversation, not a buffer.** The program that "copied" must answer
//!   the paste request itself, so a paste is only done once the target has asked. `owner`
//!   and `serving` serve the selections from a background thread and tell `paste` when the text was
//!   fetched, so pastes are confirmed and the operator's previous text can be handed back.
//!   When this driver is dropped, the selections it still holds (the operator's restored text)
//!   are lost, as they would be when any X program that copied exits.
//! - **Asynchrony.** Requests are queued and batched; every public method ends with a round
//!   trip, so when it returns the server has processed everything (which is what the engine
//!   records as a phase being reached).

mod capture;
mod chord;
mod connection;
mod focus;
mod idle;
mod keymap;
mod modifiers;
mod owner;
mod paste;
mod pointer;
mod serving;
mod typing;
mod windows;
mod xtest;

use std::time::Duration;

use connection::Display;
use idle::Activity;
use owner::SelectionOwner;
use typing::Typist;

use super::{
    Chord, Image, Input, InputError, Observer, Point, Rect, SavedFocus, Stop, Support, WindowInfo,
};

/// Tunables of [`X11Input`]. The defaults are what the end-to-end tests measure against.
#[derive(Debug, Clone)]
pub struct X11Options {
    previous_clipboard_timeout: Duration,
    rebind_settle: Duration,
    sync_every: usize,
    max_typing_rate: Option<u32>,
}

impl Default for X11Options {
    fn default() -> Self {
        X11Options {
            previous_clipboard_timeout: Duration::from_millis(500),
            rebind_settle: Duration::from_millis(250),
            sync_every: 200,
            max_typing_rate: None,
        }
    }
}

impl X11Options {
    pub fn new() -> Self {
        Self::default()
    }
    /// How long reading the operator's current clipboard may take before it is given up
    /// (default 500 ms; a live owner answers in a few milliseconds).
    pub fn previous_clipboard_timeout(mut self, timeout: Duration) -> Self {
        self.previous_clipboard_timeout = timeout;
        self
    }
    /// How long a spare keycode must have been idle before it is bound to another character,
    /// so that the target has processed the presses sent with the old binding (default
    /// 250 ms: 2,000 keys reach xterm within ~2 ms of the last one being sent, so this leaves
    /// a wide margin for slower targets). Only paid by messages with more distinct
    /// off-layout characters than there are spare keycodes, and once when the driver is
    /// dropped.
    pub fn rebind_settle(mut self, settle: Duration) -> Self {
        self.rebind_settle = settle;
        self
    }
    /// Characters typed between two round trips to the server (default 200).
    pub fn sync_every(mut self, chars: usize) -> Self {
        self.sync_every = chars.max(1);
        self
    }
    /// Type at most `chars_per_second` (default: no limit; xterm and GTK entries receive
    /// ~50,000 characters per second exactly, see BENCHMARKS.md). For a target that turns out
    /// to drop or reorder keys when flooded, as an input method that handles keys
    /// asynchronously can.
    pub fn max_typing_rate(mut self, chars_per_second: Option<u32>) -> Self {
        self.max_typing_rate = chars_per_second.map(|r| r.max(1));
        self
    }
}

/// Drives one X display. Create it with [`X11Input::connect`].
pub struct X11Input {
    display: Display,
    typist: Typist,
    /// Started by the first paste: a connection and a thread nobody needs for typing.
    owner: Option<SelectionOwner>,
    options: X11Options,
    stop: Stop,
    /// When Switchboard (any process) and the operator last used this display's devices.
    activity: Activity,
    held: Option<idle::Held>,
}

impl X11Input {
    /// Connect to `display` (for example `":0"`), or to `$DISPLAY` when `None`.
    pub fn connect(display: Option<&str>) -> Result<X11Input, InputError> {
        Self::connect_with(display, X11Options::default())
    }

    pub fn connect_with(
        display: Option<&str>,
        options: X11Options,
    ) -> Result<X11Input, InputError> {
        let name = connection::display_name(display)?;
        let display = Display::open(&name, true)?;
        Ok(X11Input {
            display,
            typist: Typist::new(typing::Pace {
                sync_every: options.sync_every,
                max_rate: options.max_typing_rate,
                settle: options.rebind_settle,
            }),
            owner: None,
            options,
            stop: Stop::default(),
            activity: Activity::for_display(&name),
            held: None,
        })
    }

    /// Check the stop flag, run one action, and note that Switchboard used the devices (also
    /// when the action failed half-way: some events may have been sent).
    fn act<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, InputError>,
    ) -> Result<T, InputError> {
        self.stop.check()?;
        let result = f(self);
        self.activity.sent();
        result
    }

    /// How many keycodes are free for characters the layout lacks (spare ones plus those this
    /// driver already bound). A message with more distinct such characters is typed in chunks.
    pub fn spare_keycodes(&self) -> Result<usize, InputError> {
        self.typist.spare_keycodes(&self.display)
    }
}

impl Input for X11Input {
    fn name(&self) -> &'static str {
        "x11"
    }
    fn display(&self) -> String {
        format!("X11 display {}", self.display.name)
    }
    fn screens(&mut self) -> Result<Vec<Rect>, InputError> {
        pointer::screens(&self.display)
    }
    fn pointer(&mut self) -> Result<Point, InputError> {
        pointer::pointer(&self.display)
    }
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        self.act(|me| {
            // A key left down by a program that died repeats (autorepeat) into whatever window
            // gets the focus: release it before the pointer brings the focus to the agent.
            modifiers::release_held_keys(&me.display)?;
            pointer::move_to(&me.display, p)
        })
    }
    fn click(&mut self) -> Result<(), InputError> {
        self.act(|me| pointer::click(&me.display))
    }
    fn press(&mut self, chord: Chord) -> Result<(), InputError> {
        self.act(|me| chord::press(&me.display, chord))
    }
    fn type_text(&mut self, text: &str) -> Result<(), InputError> {
        self.act(|me| me.typist.type_text(&me.display, text, &me.stop))
    }
    fn paste(
        &mut self,
        text: &str,
        chord: Chord,
        read_timeout: Duration,
    ) -> Result<(), InputError> {
        let timeouts = paste::PasteTimeouts {
            read: read_timeout,
            previous: self.options.previous_clipboard_timeout,
        };
        self.act(|me| {
            let owner = match &mut me.owner {
                Some(owner) => owner,
                slot @ None => slot.insert(SelectionOwner::start(&me.display.name)?),
            };
            paste::paste(&me.display, owner, text, chord, &timeouts)
        })
    }
    fn window_at(&mut self, p: Point) -> Result<Option<WindowInfo>, InputError> {
        windows::window_at(&self.display, p)
    }
    fn focused_window(&mut self) -> Result<Option<WindowInfo>, InputError> {
        windows::focused_window(&self.display)
    }
    fn supports(&self) -> Support {
        Support {
            operator_idle: self.display.has_screensaver,
            ..Support::ALL
        }
    }
    fn set_stop(&mut self, stop: Stop) {
        self.stop = stop;
    }
    fn operator_idle(&mut self) -> Result<Option<Duration>, InputError> {
        idle::operator_idle(&self.display, &self.activity, &mut self.held)
    }
    fn observer(&mut self) -> Result<Option<Box<dyn Observer>>, InputError> {
        let d = Display::open(&self.display.name, false)?;
        Ok(Some(Box::new(pointer::X11Observer { d })))
    }
    fn release_stuck_keys(&mut self) -> Result<(), InputError> {
        self.stop.check()?;
        let held = modifiers::release_held_keys(&self.display)?;
        if held == 0 {
            return Ok(());
        }
        self.display.sync()?;
        // Only the releases that took effect were ours: a key the operator holds stays down,
        // and must not be mistaken for Switchboard's input.
        if modifiers::keys_down(&self.display)?.len() < held {
            self.activity.sent();
        }
        Ok(())
    }
    fn activate(&mut self, window: &WindowInfo) -> Result<(), InputError> {
        self.stop.check()?;
        focus::activate(&self.display, window)
    }
    fn save_focus(&mut self) -> Result<Option<SavedFocus>, InputError> {
        focus::save(&self.display).map(Some)
    }
    fn restore_focus(&mut self, saved: SavedFocus) -> Result<(), InputError> {
        focus::restore(&self.display, saved)
    }
    fn screenshot(&mut self, area: Rect) -> Result<Option<Image>, InputError> {
        capture::screenshot(&self.display, area)
    }
}

impl Drop for X11Input {
    fn drop(&mut self) {
        if let Err(e) = self.typist.release_bindings(&self.display) {
            tracing::warn!(error = %e, "could not give back the spare keycodes switchboard bound");
        }
    }
}
