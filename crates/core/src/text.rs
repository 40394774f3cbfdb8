//! What a message may contain. Checked when a message is queued, so nothing the engine accepts
//! can inject key presses or terminal escape sequences.

use crate::error::{Error, Result};

/// What to do with control characters other than line breaks and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlChars {
    /// Refuse the message, saying where the first one is.
    Refuse,
    /// Remove them (the agent is set to `--strip-control`): an escape sequence's printable
    /// rest (`[31m`) stays as text, harmless.
    Strip,
}

/// Normalise and check a message body: line endings become `\n`; the text must not be blank,
/// must fit `max_chars`, and may hold no control characters except line breaks and tabs.
pub fn check_body(body: &str, max_chars: usize) -> Result<String> {
    check_body_with(body, max_chars, ControlChars::Refuse)
}

/// [`check_body`], with control characters refused or removed.
pub fn check_body_with(body: &str, max_chars: usize, control: ControlChars) -> Result<String> {
    let mut body = body.replace("\r\n", "\n").replace('\r', "\n");
    if control == ControlChars::Strip {
        body.retain(|c| !is_forbidden(c));
    }
    if body.trim().is_empty() {
        return Err(Error::Invalid(
            "the message is empty; give the text as an argument, with --file PATH, or on standard input with -".into(),
        ));
    }
    let chars = body.chars().count();
    if chars > max_chars {
        return Err(Error::Invalid(format!(
            "the message has {chars} characters, more than the limit of {max_chars}; shorten it, \
             split it, or raise the limit with `switchboard config max_message_chars N`"
        )));
    }
    if let Some((index, c)) = body.chars().enumerate().find(|(_, c)| is_forbidden(*c)) {
        return Err(Error::Invalid(format!(
            "the message holds control character U+{:04X} at character {}; control characters \
             (escape sequences, bell, backspace...) could press keys in the agent's window, so \
             remove them and send again",
            u32::from(c),
            index + 1
        )));
    }
    Ok(body)
}

fn is_forbidden(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_are_normalised_and_tabs_kept() {
        assert_eq!(check_body("a\r\nb\rc\td", 100).unwrap(), "a\nb\nc\td");
    }

    #[test]
    fn blank_text_is_refused_with_a_hint() {
        let e = check_body(" \n\t", 100).unwrap_err().to_string();
        assert!(e.contains("empty") && e.contains("--file"), "{e}");
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert!(
            check_body("日本語", 3).is_ok(),
            "3 characters fit a limit of 3"
        );
        let e = check_body("日本語!", 3).unwrap_err().to_string();
        assert!(
            e.contains("4 characters") && e.contains("max_message_chars"),
            "{e}"
        );
    }

    #[test]
    fn escape_sequences_are_refused_with_their_position() {
        let e = check_body("ok \u{1b}[31mred", 100).unwrap_err().to_string();
        assert!(e.contains("U+001B") && e.contains("character 4"), "{e}");
        assert!(check_body("bell\u{7}", 100).is_err());
        assert!(
            check_body("del\u{7f}", 100).is_err(),
            "DEL is a control character too"
        );
    }

    #[test]
    fn stripping_removes_control_characters_but_keeps_lines_and_tabs() {
        let strip = |s: &str| check_body_with(s, 100, ControlChars::Strip);
        assert_eq!(
            strip("ok \u{1b}[31mred\r\nnext\tline\u{7}\u{9b}").unwrap(),
            "ok [31mred\nnext\tline"
        );
        let e = strip("\u{1b}\u{7}").unwrap_err().to_string();
        assert!(e.contains("empty"), "nothing is left to send: {e}");
    }
}
