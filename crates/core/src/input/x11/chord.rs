//! Pressing key chords (`ctrl+v`, `shift+insert`, `enter`): modifiers by the keycodes the
//! modifier map assigns them, the key by its keysym in the current layout.

use super::connection::Display;
use super::keymap::{
    CONTROL, Keymap, SHIFT, XK_ALT_L, XK_ALT_R, XK_BACKSPACE, XK_DELETE, XK_END, XK_ESCAPE,
    XK_HOME, XK_INSERT, XK_RETURN, XK_TAB,
};
use super::{modifiers, xtest};
use crate::input::{Chord, InputError, Key};

fn key_keysym(key: Key) -> u32 {
    match key {
        Key::Enter => XK_RETURN,
        Key::Tab => XK_TAB,
        Key::Insert => XK_INSERT,
        Key::Delete => XK_DELETE,
        Key::Backspace => XK_BACKSPACE,
        Key::Escape => XK_ESCAPE,
        Key::Home => XK_HOME,
        Key::End => XK_END,
        // Letter keysyms equal their lowercase ASCII code; Chord keeps letters lowercase.
        Key::Letter(c) => u32::from(c.to_ascii_lowercase()),
    }
}

/// Press `chord` and return once the server has processed it.
pub(super) fn press(d: &Display, chord: Chord) -> Result<(), InputError> {
    let map = Keymap::read(&d.conn)?;
    let missing = |what: &str| {
        InputError::InputFailed(format!(
            "cannot press {chord}: the keyboard layout of display {} has no {what} key",
            d.name
        ))
    };
    let stroke = map
        .stroke(key_keysym(chord.key))
        .ok_or_else(|| missing(&Chord::key(chord.key).to_string()))?;
    let modifier = |wanted: bool, index: Option<usize>, name: &str| -> Result<_, InputError> {
        if !wanted {
            return Ok(None);
        }
        let keycode = index.and_then(|i| map.modifier_keycode(i));
        keycode.map(Some).ok_or_else(|| missing(name))
    };
    // A key that sits on the shifted level (unusual for these keys) needs Shift as well.
    let shift = modifier(chord.shift || stroke.shift, Some(SHIFT), "Shift")?;
    let ctrl = modifier(chord.ctrl, Some(CONTROL), "Control")?;
    let alt = modifier(chord.alt, map.modifier_with(&[XK_ALT_L, XK_ALT_R]), "Alt")?;
    let held: Vec<u8> = [ctrl, alt, shift].into_iter().flatten().collect();

    let saved = modifiers::neutralize(d, &map)?;
    let pressed = (|| {
        for &k in &held {
            xtest::key(d, k, true)?;
        }
        xtest::tap(d, stroke.keycode)?;
        for &k in held.iter().rev() {
            xtest::key(d, k, false)?;
        }
        Ok(())
    })();
    let restored = modifiers::restore(d, saved).and_then(|()| d.sync());
    pressed.and(restored)
}
