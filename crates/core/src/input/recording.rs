//! An [`Input`] that touches nothing and records every call: the engine's unit tests assert on
//! what it recorded, and `switchboard deliver --dry-run` prints it.
//!
//! Tests script what the "display" answers through the [`Recorder`]: the windows found at the
//! point and holding the focus, the operator's idle time, and where the operator puts the
//! pointer (which the engine's watcher sees through [`Input::observer`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{
    Chord, Image, Input, InputError, Observer, Point, Rect, SavedFocus, Stop, Support, WindowInfo,
};

/// One call the engine made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    MoveTo(Point),
    Click,
    Press(Chord),
    Type(String),
    Paste(String, Chord),
    /// Keyboard focus given to this window because the click did not give it.
    Activate(u64),
    /// Keyboard focus given back after a delivery.
    RestoreFocus(SavedFocus),
    Screenshot(Rect),
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::MoveTo(p) => write!(f, "move pointer to {p}"),
            Action::Click => write!(f, "click"),
            Action::Press(c) => write!(f, "press {c}"),
            Action::Type(t) => write!(f, "type {} characters: {t:?}", t.chars().count()),
            Action::Paste(t, c) => {
                write!(f, "paste {} characters with {c}: {t:?}", t.chars().count())
            }
            Action::Activate(w) => write!(f, "give keyboard focus to window {w:#x}"),
            Action::RestoreFocus(_) => write!(f, "give keyboard focus back"),
            Action::Screenshot(r) => write!(f, "take a screenshot of {r}"),
        }
    }
}

/// The window every lookup finds unless a test scripts another.
pub fn default_window() -> WindowInfo {
    WindowInfo {
        id: 1,
        class: "Recording".into(),
        title: "recording".into(),
        pid: None,
    }
}

/// Shared view of what a [`RecordingInput`] did, kept by the test after the input moved into
/// the engine's thread.
#[derive(Clone, Default)]
pub struct Recorder {
    inner: Arc<Mutex<State>>,
}

type Hook = Box<dyn FnMut(&Action) + Send>;

#[derive(Default)]
struct State {
    actions: Vec<Action>,
    /// Called on the input thread after each recorded action (tests use it to act mid-delivery).
    on_action: Option<Hook>,
    /// Errors to return from the next calls that can fail, oldest first.
    failures: VecDeque<InputError>,
    /// Scripted answers, oldest first; when none is left, the default window / a long idle.
    windows_at: VecDeque<Option<WindowInfo>>,
    focused: VecDeque<Option<WindowInfo>>,
    idle: VecDeque<Option<Duration>>,
    pointer: Option<Point>,
    focus: Option<u64>,
}

impl Recorder {
    /// Everything recorded so far.
    pub fn actions(&self) -> Vec<Action> {
        self.lock().actions.clone()
    }
    /// Forget what was recorded.
    pub fn clear(&self) {
        self.lock().actions.clear();
    }
    /// Make the next action (move, click, press, type or paste) fail with `error`.
    pub fn fail_next(&self, error: InputError) {
        self.lock().failures.push_back(error);
    }
    /// Run `f` after every action from now on, on the input thread.
    pub fn on_action(&self, f: impl FnMut(&Action) + Send + 'static) {
        self.lock().on_action = Some(Box::new(f));
    }
    /// What the next calls of `window_at` answer, in order (`None`: no window there).
    pub fn windows_at(&self, answers: impl IntoIterator<Item = Option<WindowInfo>>) {
        self.lock().windows_at.extend(answers);
    }
    /// What the next calls of `focused_window` answer, in order.
    pub fn focused(&self, answers: impl IntoIterator<Item = Option<WindowInfo>>) {
        self.lock().focused.extend(answers);
    }
    /// What the next calls of `operator_idle` answer, in order (`None`: cannot tell).
    pub fn idle(&self, answers: impl IntoIterator<Item = Option<Duration>>) {
        self.lock().idle.extend(answers);
    }
    /// The operator moves the pointer to `p`.
    pub fn set_pointer(&self, p: Point) {
        self.lock().pointer = Some(p);
    }
    /// Where the pointer is.
    pub fn pointer(&self) -> Point {
        self.lock().pointer.unwrap_or(START)
    }
    /// The text that reached the target, as a person would see it: typed and pasted text, and
    /// a `\n` for every press of `newline`.
    pub fn text(&self, newline: Chord) -> String {
        let mut out = String::new();
        for a in self.lock().actions.iter() {
            match a {
                Action::Type(t) | Action::Paste(t, _) => out.push_str(t),
                Action::Press(c) if *c == newline => out.push('\n'),
                _ => {}
            }
        }
        out
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic in another test thread must not hide this test's own assertion.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Where the pointer starts: the middle of the default screen, away from the corners that
/// stop delivery.
const START: Point = Point { x: 960, y: 540 };

/// Records calls instead of performing them. The screen is one 1920x1080 monitor unless set.
pub struct RecordingInput {
    recorder: Recorder,
    screens: Vec<Rect>,
    stop: Stop,
}

impl RecordingInput {
    pub fn new() -> (Self, Recorder) {
        let recorder = Recorder::default();
        let input = RecordingInput {
            recorder: recorder.clone(),
            screens: vec![Rect {
                x: 0,
                y: 0,
                width: 1920,
                height: 1080,
            }],
            stop: Stop::default(),
        };
        (input, recorder)
    }

    pub fn with_screens(mut self, screens: Vec<Rect>) -> Self {
        self.screens = screens;
        self
    }

    fn act(&mut self, action: Action) -> Result<(), InputError> {
        self.stop.check()?;
        let mut state = self.recorder.lock();
        if let Some(e) = state.failures.pop_front() {
            return Err(e);
        }
        state.actions.push(action.clone());
        // Run the hook without the lock held: it may inspect the recorder itself.
        let hook = state.on_action.take();
        drop(state);
        if let Some(mut hook) = hook {
            hook(&action);
            self.recorder.lock().on_action.get_or_insert(hook);
        }
        Ok(())
    }
}

impl Input for RecordingInput {
    fn name(&self) -> &'static str {
        "recording"
    }
    fn display(&self) -> String {
        "dry run (nothing is typed)".into()
    }
    fn screens(&mut self) -> Result<Vec<Rect>, InputError> {
        Ok(self.screens.clone())
    }
    fn pointer(&mut self) -> Result<Point, InputError> {
        Ok(self.recorder.pointer())
    }
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        self.act(Action::MoveTo(p))?;
        self.recorder.set_pointer(p);
        Ok(())
    }
    fn click(&mut self) -> Result<(), InputError> {
        self.act(Action::Click)
    }
    fn press(&mut self, chord: Chord) -> Result<(), InputError> {
        self.act(Action::Press(chord))
    }
    fn type_text(&mut self, text: &str) -> Result<(), InputError> {
        assert!(
            !text.contains('\n'),
            "the engine must enter line breaks with the newline chord, not as typed text"
        );
        self.act(Action::Type(text.to_string()))
    }
    fn paste(
        &mut self,
        text: &str,
        chord: Chord,
        _read_timeout: Duration,
    ) -> Result<(), InputError> {
        self.act(Action::Paste(text.to_string(), chord))
    }
    fn window_at(&mut self, _p: Point) -> Result<Option<WindowInfo>, InputError> {
        let next = self.recorder.lock().windows_at.pop_front();
        Ok(next.unwrap_or_else(|| Some(default_window())))
    }
    fn focused_window(&mut self) -> Result<Option<WindowInfo>, InputError> {
        let mut state = self.recorder.lock();
        if let Some(answer) = state.focused.pop_front() {
            return Ok(answer);
        }
        let window = default_window();
        Ok(Some(match state.focus {
            Some(id) => WindowInfo { id, ..window },
            None => window,
        }))
    }
    fn supports(&self) -> Support {
        Support::ALL
    }
    fn set_stop(&mut self, stop: Stop) {
        self.stop = stop;
    }
    fn operator_idle(&mut self) -> Result<Option<Duration>, InputError> {
        let next = self.recorder.lock().idle.pop_front();
        Ok(next.unwrap_or(Some(Duration::from_secs(3600))))
    }
    fn observer(&mut self) -> Result<Option<Box<dyn Observer>>, InputError> {
        Ok(Some(Box::new(RecordingObserver {
            recorder: self.recorder.clone(),
            screens: self.screens.clone(),
        })))
    }
    fn activate(&mut self, window: &WindowInfo) -> Result<(), InputError> {
        self.act(Action::Activate(window.id))?;
        self.recorder.lock().focus = Some(window.id);
        Ok(())
    }
    fn save_focus(&mut self) -> Result<Option<SavedFocus>, InputError> {
        Ok(Some(SavedFocus(self.recorder.lock().focus.unwrap_or(1))))
    }
    fn restore_focus(&mut self, saved: SavedFocus) -> Result<(), InputError> {
        self.act(Action::RestoreFocus(saved))?;
        self.recorder.lock().focus = Some(saved.0);
        Ok(())
    }
    fn screenshot(&mut self, area: Rect) -> Result<Option<Image>, InputError> {
        self.act(Action::Screenshot(area))?;
        let pixels = (area.width * area.height * 3) as usize;
        Ok(Some(Image {
            width: area.width,
            height: area.height,
            rgb: vec![0x80; pixels],
        }))
    }
}

/// What the engine's watcher sees of a [`RecordingInput`]: the pointer as the test or the
/// engine last put it.
struct RecordingObserver {
    recorder: Recorder,
    screens: Vec<Rect>,
}

impl Observer for RecordingObserver {
    fn pointer(&mut self) -> Result<Point, InputError> {
        Ok(self.recorder.pointer())
    }
    fn screens(&mut self) -> Result<Vec<Rect>, InputError> {
        Ok(self.screens.clone())
    }
}
