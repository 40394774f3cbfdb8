//! Errors as the UI receives them: `{code, message}`. The code is stable (the UI branches on a
//! few, e.g. to offer "remove anyway"); the message says what happened and what to do.

use serde::Serialize;
use switchboard_core::input::InputError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("INVALID", message)
    }
}

impl From<switchboard_core::Error> for CommandError {
    fn from(e: switchboard_core::Error) -> Self {
        let message = match e.code() {
            // The core's busy error names SQLite; add what the operator can do about it.
            "DATABASE_BUSY" => format!(
                "{e}. Another program is holding the database's write lock; nothing was changed. \
                 Try again in a moment, or close the program that keeps it locked"
            ),
            _ => e.to_string(),
        };
        CommandError::new(e.code(), message)
    }
}

impl From<InputError> for CommandError {
    fn from(e: InputError) -> Self {
        let code = match e {
            InputError::DisplayUnavailable(_) => "DISPLAY_UNAVAILABLE",
            _ => "INPUT_FAILED",
        };
        CommandError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_busy_ones_say_what_to_do() {
        let e: CommandError =
            switchboard_core::Error::Conflict("an agent named \"A\" already exists".into()).into();
        assert_eq!(e.code, "CONFLICT");
        assert_eq!(e.message, "an agent named \"A\" already exists");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "CONFLICT", "message": "an agent named \"A\" already exists"})
        );

        let display: CommandError =
            InputError::DisplayUnavailable("no X display; set DISPLAY".into()).into();
        assert_eq!(display.code, "DISPLAY_UNAVAILABLE");
    }
}
