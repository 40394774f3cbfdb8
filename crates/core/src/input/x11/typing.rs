//! Exact typing: every character by the keycode and Shift level the real keymap gives it, and
//! characters the layout lacks through spare keycodes bound before the text is sent.
//!
//! Why not re-bind one spare keycode per character (enigo, xdotool)? A client translates a
//! keycode to a keysym when it *processes* the KeyPress, with the mapping it holds at that
//! moment, and Xlib refreshes that mapping as soon as it *reads* the MappingNotify from the
//! socket, which can be before it processes key events queued earlier. Re-binding a keycode
//! while the target still has unprocessed presses of it turns those presses into the new
//! character or into nothing. So a keycode we bound is only re-bound after it has been idle for
//! a settle period, and bindings stay cached across calls so that repeated messages bind nothing.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use x11rb::protocol::xproto::ConnectionExt as _;

use super::connection::{Ctx, Display};
use super::keymap::{Keymap, NO_SYMBOL, SHIFT, char_keysym};
use super::{modifiers, xtest};
use crate::input::{InputError, Stop};

/// A character we bound to a spare keycode.
#[derive(Debug, Clone, Copy)]
struct Binding {
    keysym: u32,
    /// When the server last sent a press of this keycode to a client; `None` if never.
    last_sent: Option<Instant>,
}

/// How fast to type; see [`super::X11Options`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    /// Characters between two round trips.
    pub sync_every: usize,
    /// Characters per second at most; `None` for as fast as the server takes them.
    pub max_rate: Option<u32>,
    /// Idle time a bound keycode needs before it is re-bound.
    pub settle: Duration,
}

/// Types text and owns the spare-keycode bindings it made.
#[derive(Debug)]
pub(super) struct Typist {
    bound: HashMap<u8, Binding>,
    pace: Pace,
}

impl Typist {
    pub fn new(pace: Pace) -> Typist {
        Typist {
            bound: HashMap::new(),
            pace,
        }
    }

    /// Type `text`; `stop` is checked every `sync_every` characters (a few milliseconds), and
    /// once it is requested nothing more is sent and `Stopped` is returned.
    pub fn type_text(&mut self, d: &Display, text: &str, stop: &Stop) -> Result<(), InputError> {
        let chars: Vec<char> = text.chars().collect();
        let keysyms = chars
            .iter()
            .map(|&c| char_keysym(c).ok_or(InputError::Untypable(c)))
            .collect::<Result<Vec<u32>, _>>()?;
        if chars.is_empty() {
            return Ok(());
        }
        // Another program may have changed the layout or taken our keycodes since last time.
        let mut map = Keymap::read(&d.conn)?;
        self.forget_lost_bindings(&map);
        let shift = map.modifier_keycode(SHIFT);
        let spare_total = map
            .keycodes()
            .filter(|&k| map.is_spare(k) || self.bound.contains_key(&k))
            .count();
        let on_layout = |map: &Keymap, bound: &HashMap<u8, Binding>, keysym: u32| {
            map.stroke(keysym)
                .is_some_and(|s| !bound.contains_key(&s.keycode) && (!s.shift || shift.is_some()))
        };
        if spare_total == 0
            && let Some(i) = keysyms
                .iter()
                .position(|&k| !on_layout(&map, &self.bound, k))
        {
            return Err(InputError::Untypable(chars[i]));
        }

        let saved = modifiers::neutralize(d, &map)?;
        let mut typed = Ok(());
        let mut start = 0;
        while start < keysyms.len() && typed.is_ok() {
            // The longest run of text whose off-layout characters fit on the spare keycodes.
            let mut wanted: Vec<u32> = Vec::new();
            let mut wanted_set = HashSet::new();
            let mut end = start;
            for &keysym in &keysyms[start..] {
                if !on_layout(&map, &self.bound, keysym) && !wanted_set.contains(&keysym) {
                    if wanted.len() == spare_total {
                        break;
                    }
                    wanted_set.insert(keysym);
                    wanted.push(keysym);
                }
                end += 1;
            }
            typed = stop
                .check()
                .and_then(|()| self.bind(d, &mut map, &wanted))
                .and_then(|()| self.send(d, &map, &chars[start..end], &keysyms[start..end], stop));
            start = end;
        }
        // Restore Caps Lock and friends even when typing failed half-way.
        let restored = modifiers::restore(d, saved).and_then(|()| d.sync());
        typed.and(restored)
    }

    /// Queue the key events of one chunk, syncing every `sync_every` characters so the request
    /// buffer stays small, `last_sent` times are true and a stop takes effect within a few
    /// milliseconds (and more often when a rate limit needs finer steps). Returns after the
    /// final sync.
    fn send(
        &mut self,
        d: &Display,
        map: &Keymap,
        chars: &[char],
        keysyms: &[u32],
        stop: &Stop,
    ) -> Result<(), InputError> {
        let shift = map.modifier_keycode(SHIFT);
        let mut shift_down = false;
        let mut sent_bound: HashSet<u8> = HashSet::new();
        let start = Instant::now();
        // With a rate limit, sleep in steps of about 20 ms rather than in bursts.
        let every = match self.pace.max_rate {
            Some(rate) => (rate as usize / 50).clamp(1, self.pace.sync_every.max(1)),
            None => self.pace.sync_every.max(1),
        };
        for (i, (&c, &keysym)) in chars.iter().zip(keysyms).enumerate() {
            let stroke = map.stroke(keysym).ok_or(InputError::Untypable(c))?;
            // Our bindings carry the character on both levels, so Shift can stay as it is.
            let ours = self.bound.contains_key(&stroke.keycode);
            let want_shift = if ours { shift_down } else { stroke.shift };
            if want_shift != shift_down {
                let shift = shift.ok_or(InputError::Untypable(c))?;
                xtest::key(d, shift, want_shift)?;
                shift_down = want_shift;
            }
            xtest::tap(d, stroke.keycode)?;
            if ours {
                sent_bound.insert(stroke.keycode);
            }
            if (i + 1) % every == 0 {
                d.sync()?;
                self.mark_sent(&mut sent_bound);
                if let Err(stopped) = stop.check() {
                    // Never leave Shift down for the operator's next key.
                    if let (true, Some(shift)) = (shift_down, shift) {
                        xtest::key(d, shift, false)?;
                        d.sync()?;
                    }
                    return Err(stopped);
                }
                if let Some(rate) = self.pace.max_rate {
                    let due = start + Duration::from_secs_f64((i + 1) as f64 / f64::from(rate));
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                }
            }
        }
        if let (true, Some(shift)) = (shift_down, shift) {
            xtest::key(d, shift, false)?;
        }
        d.sync()?;
        self.mark_sent(&mut sent_bound);
        Ok(())
    }

    fn mark_sent(&mut self, keycodes: &mut HashSet<u8>) {
        let now = Instant::now();
        for k in keycodes.drain() {
            if let Some(b) = self.bound.get_mut(&k) {
                b.last_sent = Some(now);
            }
        }
    }

    /// Make every keysym in `wanted` typable, binding the missing ones with as few
    /// ChangeKeyboardMapping requests as the spare keycodes' layout allows (usually one).
    fn bind(&mut self, d: &Display, map: &mut Keymap, wanted: &[u32]) -> Result<(), InputError> {
        let have: HashSet<u32> = self.bound.values().map(|b| b.keysym).collect();
        let missing: Vec<u32> = wanted
            .iter()
            .copied()
            .filter(|k| !have.contains(k))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        // Empty keycodes first (nothing to wait for, cache kept), then our least recently used
        // bindings that this chunk does not need.
        let mut free: Vec<u8> = map
            .keycodes()
            .filter(|&k| map.is_spare(k) && !self.bound.contains_key(&k))
            .collect();
        let mut idle: Vec<(Option<Instant>, u8)> = self
            .bound
            .iter()
            .filter(|(_, b)| !wanted.contains(&b.keysym))
            .map(|(&k, b)| (b.last_sent, k))
            .collect();
        idle.sort();
        free.extend(idle.into_iter().map(|(_, k)| k));
        let mut targets: Vec<(u8, u32)> = free.into_iter().zip(missing).collect();
        targets.sort_unstable();

        // Re-binding a keycode the target may still be processing presses of would change
        // those presses after the fact (see the module docs).
        let newest = targets
            .iter()
            .filter_map(|(k, _)| self.bound.get(k)?.last_sent)
            .max();
        if let Some(wait) =
            newest.map(|t| (t + self.pace.settle).saturating_duration_since(Instant::now()))
        {
            std::thread::sleep(wait);
        }
        for &(keycode, keysym) in &targets {
            self.bound.insert(
                keycode,
                Binding {
                    keysym,
                    last_sent: None,
                },
            );
            map.bind(keycode, keysym);
        }
        let keycodes: Vec<u8> = targets.iter().map(|&(k, _)| k).collect();
        self.write_mapping(d, map, &keycodes, |k| {
            self.bound.get(&k).map_or(NO_SYMBOL, |b| b.keysym)
        })?;
        d.sync()
    }

    /// Send `keycodes` (sorted) with the keysym `sym_of` gives each. Keycodes between two of them
    /// are included when they are spare or ours, so that a contiguous block of spare keycodes
    /// costs one request; a real key in between splits the request, because rewriting a real
    /// key through the core protocol would drop its XKB type and actions.
    fn write_mapping(
        &self,
        d: &Display,
        map: &Keymap,
        keycodes: &[u8],
        sym_of: impl Fn(u8) -> u32,
    ) -> Result<(), InputError> {
        let rewritable = |k: u8| map.is_spare(k) || self.bound.contains_key(&k);
        let mut runs: Vec<(u8, u8)> = Vec::new();
        for &k in keycodes {
            match runs.last_mut() {
                Some((_, last)) if (*last + 1..k).all(rewritable) => *last = k,
                _ => runs.push((k, k)),
            }
        }
        for (first, last) in runs {
            // Two identical levels: the character comes out the same with or without Shift,
            // and XKB gives the key a type Caps Lock does not touch.
            let syms: Vec<u32> = (first..=last).flat_map(|k| [sym_of(k); 2]).collect();
            d.conn
                .change_keyboard_mapping(last - first + 1, first, 2, &syms)
                .ctx("binding characters to spare keycodes")?;
        }
        Ok(())
    }

    /// Drop cached bindings whose keycode no longer carries our keysym (someone re-mapped it).
    fn forget_lost_bindings(&mut self, map: &Keymap) {
        self.bound.retain(|&k, b| {
            let syms = map.syms(k);
            syms.first() == Some(&b.keysym) && syms.iter().all(|&s| s == b.keysym || s == NO_SYMBOL)
        });
    }

    /// Give our spare keycodes back (NoSymbol), after the settle period so that a target still
    /// reading our last keys sees the characters we meant.
    pub fn release_bindings(&mut self, d: &Display) -> Result<(), InputError> {
        if self.bound.is_empty() {
            return Ok(());
        }
        let map = Keymap::read(&d.conn)?;
        self.forget_lost_bindings(&map);
        if let Some(t) = self.bound.values().filter_map(|b| b.last_sent).max() {
            std::thread::sleep((t + self.pace.settle).saturating_duration_since(Instant::now()));
        }
        let mut keycodes: Vec<u8> = self.bound.keys().copied().collect();
        keycodes.sort_unstable();
        self.write_mapping(d, &map, &keycodes, |_| NO_SYMBOL)?;
        self.bound.clear();
        d.sync()
    }

    /// How many keycodes this typist may bind (spare ones plus its own), for tests and logs.
    pub fn spare_keycodes(&self, d: &Display) -> Result<usize, InputError> {
        let map = Keymap::read(&d.conn)?;
        Ok(map
            .keycodes()
            .filter(|&k| map.is_spare(k) || self.bound.contains_key(&k))
            .count())
    }
}
