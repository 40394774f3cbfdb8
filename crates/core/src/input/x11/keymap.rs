//! A snapshot of the core keyboard mapping: which keycode and shift level produce each keysym,
//! which keycodes are modifiers, and which keycodes are spare (no symbols at all) and may be
//! bound to characters the layout lacks.
//!
//! Only the first group's two levels (columns 0 and 1 of the core map) are used: those are the
//! levels plain Shift selects on every standard XKB key type. Other columns (second layout group,
//! AltGr levels) depend on key types we cannot see through the core protocol, so characters that
//! only live there are typed through spare keycodes instead.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

use super::connection::Ctx;
use crate::input::InputError;

pub(super) const NO_SYMBOL: u32 = 0;
pub(super) const XK_BACKSPACE: u32 = 0xff08;
pub(super) const XK_TAB: u32 = 0xff09;
pub(super) const XK_RETURN: u32 = 0xff0d;
pub(super) const XK_ESCAPE: u32 = 0xff1b;
pub(super) const XK_HOME: u32 = 0xff50;
pub(super) const XK_END: u32 = 0xff57;
pub(super) const XK_INSERT: u32 = 0xff63;
pub(super) const XK_NUM_LOCK: u32 = 0xff7f;
pub(super) const XK_ALT_L: u32 = 0xffe9;
pub(super) const XK_ALT_R: u32 = 0xffea;
pub(super) const XK_DELETE: u32 = 0xffff;

/// Indices into the modifier mapping, in protocol order.
pub(super) const SHIFT: usize = 0;
pub(super) const CONTROL: usize = 2;

/// How to produce one keysym: a keycode, pressed with or without Shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stroke {
    pub keycode: u8,
    pub shift: bool,
}

/// The keysym that types `c`, or `None` for control characters (other than Tab), which are not
/// text. Latin-1 characters have keysyms equal to their code point; everything else uses the
/// Unicode keysym range `0x0100_0000 + code point`.
pub(super) fn char_keysym(c: char) -> Option<u32> {
    let cp = u32::from(c);
    match cp {
        0x09 => Some(XK_TAB),
        0x20..=0x7e | 0xa0..=0xff => Some(cp),
        _ if c.is_control() => None,
        _ => Some(0x0100_0000 + cp),
    }
}

#[derive(Debug, Clone)]
pub(super) struct Keymap {
    min_keycode: u8,
    per_keycode: usize,
    keysyms: Vec<u32>,
    /// Keycodes bound to each of the eight modifiers (Shift, Lock, Control, Mod1..Mod5).
    modifiers: [Vec<u8>; 8],
    /// The preferred stroke for every keysym found on the first group's two levels.
    strokes: HashMap<u32, Stroke>,
}

impl Keymap {
    /// Read the server's current mapping (two requests, one round trip).
    pub fn read(conn: &RustConnection) -> Result<Keymap, InputError> {
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        let step = "reading the keyboard mapping";
        let mapping = conn.get_keyboard_mapping(min, max - min + 1).ctx(step)?;
        let modifiers = conn.get_modifier_mapping().ctx(step)?;
        let mapping = mapping.reply().ctx(step)?;
        let modifiers = modifiers.reply().ctx(step)?;
        Ok(Keymap::from_parts(
            min,
            mapping.keysyms_per_keycode,
            mapping.keysyms,
            &modifiers.keycodes,
        ))
    }

    /// Build from raw replies. `modifier_keycodes` holds 8 rows of equal length, zero-padded.
    pub fn from_parts(
        min_keycode: u8,
        per_keycode: u8,
        keysyms: Vec<u32>,
        modifier_keycodes: &[u8],
    ) -> Keymap {
        let mut modifiers: [Vec<u8>; 8] = Default::default();
        let row = modifier_keycodes.len() / 8;
        if row > 0 {
            for (i, chunk) in modifier_keycodes.chunks(row).take(8).enumerate() {
                modifiers[i] = chunk.iter().copied().filter(|&k| k != 0).collect();
            }
        }
        let mut map = Keymap {
            min_keycode,
            per_keycode: usize::from(per_keycode.max(1)),
            keysyms,
            modifiers,
            strokes: HashMap::new(),
        };
        map.strokes = map.index_strokes();
        map
    }

    fn index_strokes(&self) -> HashMap<u32, Stroke> {
        let mut strokes = HashMap::new();
        for keycode in self.keycodes() {
            // Typing a character on a modifier key would change the state of later keys.
            if self.is_modifier(keycode) {
                continue;
            }
            let syms = self.syms(keycode);
            let level0 = syms.first().copied().unwrap_or(NO_SYMBOL);
            // A NoSymbol second level is not "same as level 0" for every key type (a lowercase
            // letter there would be capitalised by Shift on some keys and not on others), so
            // only levels the map states explicitly are used.
            let level1 = syms.get(1).copied().unwrap_or(NO_SYMBOL);
            for (sym, shift) in [(level0, false), (level1, true)] {
                if sym == NO_SYMBOL || (shift && sym == level0) {
                    continue;
                }
                let stroke = Stroke { keycode, shift };
                strokes
                    .entry(sym)
                    .and_modify(|best: &mut Stroke| {
                        // Prefer the unshifted level: fewer events, no Shift state to manage.
                        if best.shift && !shift {
                            *best = stroke;
                        }
                    })
                    .or_insert(stroke);
            }
        }
        strokes
    }

    pub fn keycodes(&self) -> RangeInclusive<u8> {
        let count = self.keysyms.len() / self.per_keycode;
        let last = usize::from(self.min_keycode) + count.saturating_sub(1);
        self.min_keycode..=u8::try_from(last).unwrap_or(u8::MAX)
    }

    /// All keysyms of `keycode`, in core-protocol column order.
    pub fn syms(&self, keycode: u8) -> &[u32] {
        let Some(index) = usize::from(keycode).checked_sub(usize::from(self.min_keycode)) else {
            return &[];
        };
        let start = index * self.per_keycode;
        self.keysyms
            .get(start..start + self.per_keycode)
            .unwrap_or(&[])
    }

    /// How to type `keysym` with the layout as it is, if it can be.
    pub fn stroke(&self, keysym: u32) -> Option<Stroke> {
        self.strokes.get(&keysym).copied()
    }

    pub fn is_modifier(&self, keycode: u8) -> bool {
        self.modifiers.iter().any(|row| row.contains(&keycode))
    }

    /// A keycode that sets modifier `index` (see [`SHIFT`], [`CONTROL`]).
    pub fn modifier_keycode(&self, index: usize) -> Option<u8> {
        self.modifiers.get(index)?.first().copied()
    }

    /// Every keycode bound to a modifier, with the modifier's index.
    pub fn modifier_keycodes(&self) -> impl Iterator<Item = (usize, u8)> + '_ {
        self.modifiers
            .iter()
            .enumerate()
            .flat_map(|(i, row)| row.iter().map(move |&k| (i, k)))
    }

    /// The modifier index (Mod1..Mod5 vary between layouts) whose keys carry one of `keysyms`,
    /// for example Alt or Num Lock.
    pub fn modifier_with(&self, keysyms: &[u32]) -> Option<usize> {
        self.modifier_keycodes()
            .find(|&(_, k)| self.syms(k).iter().any(|s| keysyms.contains(s)))
            .map(|(i, _)| i)
    }

    /// Keycodes with no symbols at all and no modifier role: nobody uses them, so binding a
    /// character there cannot change what any other key types.
    pub fn is_spare(&self, keycode: u8) -> bool {
        !self.is_modifier(keycode) && self.syms(keycode).iter().all(|&s| s == NO_SYMBOL)
    }

    /// Record bindings we just sent, so this snapshot stays current without a re-read.
    pub fn bind(&mut self, keycode: u8, keysym: u32) {
        let per = self.per_keycode;
        let Some(index) = usize::from(keycode).checked_sub(usize::from(self.min_keycode)) else {
            return;
        };
        if let Some(syms) = self.keysyms.get_mut(index * per..(index + 1) * per) {
            syms.fill(NO_SYMBOL);
            syms[0] = keysym;
            if per > 1 {
                syms[1] = keysym;
            }
        }
        self.strokes = self.index_strokes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keycodes 10..=14 with two columns: a/A, 1/!, a modifier key, an empty key, b with no
    /// explicit second level.
    fn sample() -> Keymap {
        let syms = vec![
            0x61, 0x41, // 10: a A
            0x31, 0x21, // 11: 1 !
            0xffe1, 0, // 12: Shift_L
            0, 0, // 13: spare
            0x62, 0, // 14: b, level 1 unstated
        ];
        let mut modifiers = vec![0u8; 8];
        modifiers[SHIFT] = 12;
        Keymap::from_parts(10, 2, syms, &modifiers)
    }

    #[test]
    fn characters_map_to_their_keycode_and_shift_level() {
        let map = sample();
        let s = |c| map.stroke(char_keysym(c).unwrap());
        assert_eq!(
            s('a'),
            Some(Stroke {
                keycode: 10,
                shift: false
            })
        );
        assert_eq!(
            s('A'),
            Some(Stroke {
                keycode: 10,
                shift: true
            })
        );
        assert_eq!(
            s('!'),
            Some(Stroke {
                keycode: 11,
                shift: true
            })
        );
    }

    #[test]
    fn an_unstated_second_level_is_not_guessed() {
        let map = sample();
        assert_eq!(
            map.stroke(0x42),
            None,
            "'B' must go to a spare key, not Shift+b"
        );
        assert_eq!(
            map.stroke(0x62),
            Some(Stroke {
                keycode: 14,
                shift: false
            })
        );
    }

    #[test]
    fn only_empty_non_modifier_keycodes_are_spare() {
        let map = sample();
        let spare: Vec<u8> = map.keycodes().filter(|&k| map.is_spare(k)).collect();
        assert_eq!(spare, vec![13]);
        assert_eq!(map.modifier_keycode(SHIFT), Some(12));
    }

    #[test]
    fn binding_a_spare_keycode_makes_its_character_typable() {
        let mut map = sample();
        let e_acute = char_keysym('é').unwrap();
        map.bind(13, e_acute);
        assert_eq!(
            map.stroke(e_acute),
            Some(Stroke {
                keycode: 13,
                shift: false
            })
        );
        assert!(!map.is_spare(13));
    }

    #[test]
    fn keysyms_follow_the_latin1_and_unicode_rules() {
        assert_eq!(char_keysym('~'), Some(0x7e));
        assert_eq!(char_keysym('é'), Some(0xe9));
        assert_eq!(char_keysym('—'), Some(0x0100_2014));
        assert_eq!(char_keysym('\t'), Some(XK_TAB));
        assert_eq!(
            char_keysym('\u{7}'),
            None,
            "control characters are not text"
        );
    }
}
