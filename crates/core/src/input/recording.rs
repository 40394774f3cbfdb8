//! An [`Input`] that touches nothing and records every call: the engine's unit tests assert on
//! what it recorded, and `switchboard deliver --dry-run` prints it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Chord, Input, InputError, Point, Rect, WindowInfo};

/// One call the engine made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    MoveTo(Point),
    Click,
    Press(Chord),
    Type(String),
    Paste(String, Chord),
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
        }
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

/// Records calls instead of performing them. The screen is one 1920x1080 monitor unless set.
pub struct RecordingInput {
    recorder: Recorder,
    screens: Vec<Rect>,
    pointer: Point,
    window: Option<WindowInfo>,
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
            pointer: Point { x: 0, y: 0 },
            window: Some(WindowInfo {
                id: 1,
                class: "Recording".into(),
                title: "recording".into(),
                pid: None,
            }),
        };
        (input, recorder)
    }

    pub fn with_screens(mut self, screens: Vec<Rect>) -> Self {
        self.screens = screens;
        self
    }

    fn act(&mut self, action: Action) -> Result<(), InputError> {
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
        Ok(self.pointer)
    }
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        self.act(Action::MoveTo(p))?;
        self.pointer = p;
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
        Ok(self.window.clone())
    }
    fn focused_window(&mut self) -> Result<Option<WindowInfo>, InputError> {
        Ok(self.window.clone())
    }
}
