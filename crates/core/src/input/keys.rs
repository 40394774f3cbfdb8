//! Key chords such as `ctrl+shift+v`, as written in agent settings and on the command line.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A key that is pressed as a whole (not typed as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Key {
    Enter,
    Tab,
    Insert,
    Delete,
    Backspace,
    Escape,
    Home,
    End,
    /// A letter key, always lowercase (`ctrl+a`, `ctrl+v`).
    Letter(char),
}

impl Key {
    fn name(self) -> String {
        match self {
            Key::Enter => "enter".into(),
            Key::Tab => "tab".into(),
            Key::Insert => "insert".into(),
            Key::Delete => "delete".into(),
            Key::Backspace => "backspace".into(),
            Key::Escape => "escape".into(),
            Key::Home => "home".into(),
            Key::End => "end".into(),
            Key::Letter(c) => c.to_string(),
        }
    }
}

/// Modifiers plus one key, pressed together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Chord {
    pub ctrl: bool,
    pub shift: bool,
    pub alt: bool,
    pub key: Key,
}

impl Chord {
    pub const fn key(key: Key) -> Self {
        Chord {
            ctrl: false,
            shift: false,
            alt: false,
            key,
        }
    }
    pub const fn ctrl(key: Key) -> Self {
        Chord {
            ctrl: true,
            ..Chord::key(key)
        }
    }
    pub const fn shift(key: Key) -> Self {
        Chord {
            shift: true,
            ..Chord::key(key)
        }
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl+")?;
        }
        if self.alt {
            f.write_str("alt+")?;
        }
        if self.shift {
            f.write_str("shift+")?;
        }
        f.write_str(&self.key.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a key chord: {reason}; write modifiers and one key joined by '+', \
     for example ctrl+v, shift+insert, ctrl+shift+v or enter"
)]
pub struct ParseChordError {
    input: String,
    reason: String,
}

impl FromStr for Chord {
    type Err = ParseChordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseChordError {
            input: s.to_string(),
            reason,
        };
        let mut chord: Option<Key> = None;
        let (mut ctrl, mut shift, mut alt) = (false, false, false);
        for part in s.split('+').map(|p| p.trim().to_ascii_lowercase()) {
            let key = match part.as_str() {
                "ctrl" | "control" => {
                    ctrl = true;
                    continue;
                }
                "shift" => {
                    shift = true;
                    continue;
                }
                "alt" => {
                    alt = true;
                    continue;
                }
                "enter" | "return" => Key::Enter,
                "tab" => Key::Tab,
                "insert" | "ins" => Key::Insert,
                "delete" | "del" => Key::Delete,
                "backspace" => Key::Backspace,
                "escape" | "esc" => Key::Escape,
                "home" => Key::Home,
                "end" => Key::End,
                "" => return Err(err("an empty part".into())),
                other => {
                    let mut chars = other.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) if c.is_ascii_lowercase() => Key::Letter(c),
                        _ => return Err(err(format!("unknown key {other:?}"))),
                    }
                }
            };
            if chord.replace(key).is_some() {
                return Err(err("more than one key".into()));
            }
        }
        let key = chord.ok_or_else(|| err("no key, only modifiers".into()))?;
        Ok(Chord {
            ctrl,
            shift,
            alt,
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_round_trip_through_their_text_form() {
        for text in [
            "ctrl+v",
            "shift+insert",
            "ctrl+shift+v",
            "enter",
            "ctrl+enter",
            "alt+enter",
        ] {
            let chord: Chord = text.parse().unwrap();
            assert_eq!(
                chord.to_string(),
                text,
                "Display must give back the canonical form"
            );
        }
    }

    #[test]
    fn chord_parsing_ignores_case_and_accepts_aliases() {
        assert_eq!(
            "Ctrl+Shift+V".parse::<Chord>().unwrap().to_string(),
            "ctrl+shift+v"
        );
        assert_eq!("Return".parse::<Chord>().unwrap(), Chord::key(Key::Enter));
    }

    #[test]
    fn bad_chords_say_what_is_wrong() {
        let e = "ctrl+".parse::<Chord>().unwrap_err().to_string();
        assert!(e.contains("empty part"), "{e}");
        let e = "ctrl+shift".parse::<Chord>().unwrap_err().to_string();
        assert!(e.contains("only modifiers"), "{e}");
        let e = "ctrl+v+x".parse::<Chord>().unwrap_err().to_string();
        assert!(e.contains("more than one key"), "{e}");
        let e = "hyper+q".parse::<Chord>().unwrap_err().to_string();
        assert!(e.contains("unknown key \"hyper\""), "{e}");
    }
}
