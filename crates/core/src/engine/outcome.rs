//! Why an attempt failed, as a stable code stored with the attempt, and whether trying again
//! can help.

use crate::input::InputError;

/// Stable error codes. Scripts and the desktop app branch on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No display to connect to, or it went away.
    DisplayUnavailable,
    /// The agent's point is on no current monitor.
    OffScreen,
    /// Another delivery held the display for too long.
    DisplayBusy,
    /// The window under the agent's point is not the agent's window (or there is none):
    /// nothing was clicked or typed.
    WrongWindow,
    /// The window did not take keyboard focus after the click: nothing was typed.
    FocusFailed,
    /// The display failed a request.
    InputFailed,
    /// A character cannot be typed on this keyboard.
    Untypable,
    /// The target did not read the pasted text.
    PasteNotRead,
    /// The clipboard could not be used.
    ClipboardFailed,
    /// Delivery was paused (emergency stop, or the pointer pushed into a screen corner) before
    /// the message was submitted.
    Stopped,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::DisplayUnavailable => "DISPLAY_UNAVAILABLE",
            ErrorCode::OffScreen => "OFF_SCREEN",
            ErrorCode::DisplayBusy => "DISPLAY_BUSY",
            ErrorCode::WrongWindow => "WRONG_WINDOW",
            ErrorCode::FocusFailed => "FOCUS_FAILED",
            ErrorCode::InputFailed => "INPUT_FAILED",
            ErrorCode::Untypable => "UNTYPABLE",
            ErrorCode::PasteNotRead => "PASTE_NOT_READ",
            ErrorCode::ClipboardFailed => "CLIPBOARD_FAILED",
            ErrorCode::Stopped => "STOPPED",
        }
    }

    /// Whether the same attempt may succeed later without anyone changing the message or the
    /// agent: displays come back, windows move, locks free up. An untypable character will
    /// never become typable.
    pub fn retryable(self) -> bool {
        !matches!(self, ErrorCode::Untypable)
    }
}

/// A failed attempt: the code and what a person needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", code.as_str())]
pub struct DeliveryError {
    pub code: ErrorCode,
    pub detail: String,
}

impl DeliveryError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        DeliveryError {
            code,
            detail: detail.into(),
        }
    }
}

impl From<InputError> for DeliveryError {
    fn from(e: InputError) -> Self {
        let code = match &e {
            InputError::DisplayUnavailable(_) => ErrorCode::DisplayUnavailable,
            InputError::InputFailed(_) => ErrorCode::InputFailed,
            InputError::Untypable(_) => ErrorCode::Untypable,
            InputError::PasteNotRead(_) => ErrorCode::PasteNotRead,
            InputError::Clipboard(_) => ErrorCode::ClipboardFailed,
            InputError::Stopped(why) => return DeliveryError::new(ErrorCode::Stopped, why.clone()),
        };
        DeliveryError::new(code, e.to_string())
    }
}
