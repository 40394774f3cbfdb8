//! Pasting: remember the operator's selections, offer the message on CLIPBOARD and PRIMARY,
//! press the paste chord, wait until the target has fetched the text, then offer the operator's
//! text again (or give the selections up if there was none).

use std::sync::Arc;
use std::time::{Duration, Instant};

use x11rb::connection::{Connection as _, RequestConnection as _};
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{Atom, AtomEnum, ConnectionExt as _, Property, Timestamp};

use super::connection::{Ctx, Display};
use super::owner::{Offer, SelectionOwner};
use crate::input::{Chord, InputError};

/// Bytes of a ChangeProperty request besides the data.
const CHANGE_PROPERTY_HEADER: usize = 24;

/// What a selection held before we took it.
enum Previous {
    Empty,
    Text(Arc<str>),
    /// Something we cannot give back, and why.
    Lost(String),
}

pub(super) struct PasteTimeouts {
    pub read: Duration,
    pub previous: Duration,
}

pub(super) fn paste(
    d: &Display,
    owner: &SelectionOwner,
    text: &str,
    chord: Chord,
    timeouts: &PasteTimeouts,
) -> Result<(), InputError> {
    let limit = owner
        .d
        .conn
        .maximum_request_bytes()
        .saturating_sub(CHANGE_PROPERTY_HEADER);
    if text.len() > limit {
        return Err(InputError::Clipboard(format!(
            "the message is {} bytes, more than the {limit} bytes X display {} accepts in one \
             request (switchboard does not do INCR transfers); type it instead of pasting it",
            text.len(),
            d.name
        )));
    }
    let selections = [owner.d.atoms.CLIPBOARD, Atom::from(AtomEnum::PRIMARY)];
    let since = owner.server_time(timeouts.previous)?;
    let previous = selections.map(|s| read_previous(owner, s, since, timeouts.previous));

    // The chord goes to the focused window, so its client is the one whose fetch counts.
    let mask = d.conn.setup().resource_id_mask;
    let reader = super::windows::focused_window(d)?
        .and_then(|w| u32::try_from(w.id).ok())
        .map(|id| id & !mask);
    let paste = owner.new_paste_id();
    let offer = Offer {
        text: Arc::from(text),
        paste,
        reader,
        since,
    };
    let taken = selections
        .iter()
        .try_for_each(|&s| owner.take(s, offer.clone()));
    let pressed = taken.and_then(|()| super::chord::press(d, chord));
    if let Err(e) = pressed {
        give_back(owner, &selections, &previous);
        return Err(e);
    }

    let start = Instant::now();
    if owner.wait_read(paste, timeouts.read)? {
        tracing::debug!(
            chars = text.chars().count(),
            after_ms = start.elapsed().as_millis(),
            "the target fetched the pasted text"
        );
        give_back(owner, &selections, &previous);
        return Ok(());
    }
    // The target may still ask later. It must then get nothing rather than the operator's
    // previous clipboard, which could be anything (a password), so the selections are dropped.
    for &s in &selections {
        owner.release(s)?;
    }
    if previous.iter().any(|p| !matches!(p, Previous::Empty)) {
        tracing::warn!(
            "the paste was not read, so the operator's previous clipboard was not put back \
             (a late paste must not receive it); the clipboard is empty"
        );
    }
    Err(InputError::PasteNotRead(
        u64::try_from(timeouts.read.as_millis()).unwrap_or(u64::MAX),
    ))
}

fn give_back(owner: &SelectionOwner, selections: &[Atom; 2], previous: &[Previous; 2]) {
    for (&s, prev) in selections.iter().zip(previous) {
        let name = owner.selection_name(s);
        let released = match prev {
            Previous::Text(text) => {
                owner.replace(s, Arc::clone(text));
                Ok(())
            }
            Previous::Empty => owner.release(s),
            Previous::Lost(why) => {
                tracing::warn!("could not restore the previous {name} contents: {why}");
                owner.release(s)
            }
        };
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not give up the {name} selection after pasting");
        }
    }
}

/// Read `selection` as text, within `timeout` per step.
fn read_previous(
    owner: &SelectionOwner,
    selection: Atom,
    time: Timestamp,
    timeout: Duration,
) -> Previous {
    // Our own offer: the operator's text we restored after an earlier paste.
    if let Some(offer) = owner.current(selection) {
        return Previous::Text(offer.text);
    }
    match read_text(owner, selection, time, timeout) {
        Ok(previous) => previous,
        Err(e) => Previous::Lost(e.to_string()),
    }
}

fn read_text(
    owner: &SelectionOwner,
    selection: Atom,
    time: Timestamp,
    timeout: Duration,
) -> Result<Previous, InputError> {
    let (d, a) = (&*owner.d, &owner.d.atoms);
    let step = "reading the previous clipboard";
    let current = d
        .conn
        .get_selection_owner(selection)
        .ctx(step)?
        .reply()
        .ctx(step)?;
    if current.owner == x11rb::NONE {
        return Ok(Previous::Empty);
    }
    // Ask what it offers first, so that an image on the clipboard is reported as such.
    let targets = convert(owner, selection, a.TARGETS, time, timeout)?.map(|reply| {
        let atoms = reply.value32().map(Iterator::collect::<Vec<Atom>>);
        atoms.unwrap_or_default()
    });
    let string = Atom::from(AtomEnum::STRING);
    let target = match &targets {
        // An owner that cannot list its targets still usually has text.
        None => a.UTF8_STRING,
        Some(t) => match [a.UTF8_STRING, a.TEXT_PLAIN_UTF8, string]
            .into_iter()
            .find(|x| t.contains(x))
        {
            Some(x) => x,
            None => {
                let names: Vec<String> = t
                    .iter()
                    .filter_map(|&x| d.conn.get_atom_name(x).ok()?.reply().ok())
                    .map(|r| String::from_utf8_lossy(&r.name).into_owned())
                    .collect();
                return Ok(Previous::Lost(format!(
                    "it holds no text (formats: {})",
                    names.join(", ")
                )));
            }
        },
    };
    let Some(reply) = convert(owner, selection, target, time, timeout)? else {
        return Ok(Previous::Lost(
            "its owner refused to hand over its text".into(),
        ));
    };
    let bytes = if reply.type_ == a.INCR {
        read_incremental(owner, timeout)?
    } else {
        reply.value
    };
    let text = if reply.type_ == string {
        bytes.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(Previous::Text(text.into()))
}

/// ConvertSelection into our window and fetch (and delete) the result. `None` when the owner
/// refused; an error when it did not answer in time.
fn convert(
    owner: &SelectionOwner,
    selection: Atom,
    target: Atom,
    time: Timestamp,
    timeout: Duration,
) -> Result<Option<x11rb::protocol::xproto::GetPropertyReply>, InputError> {
    let (d, property) = (&*owner.d, owner.d.atoms.SWITCHBOARD_SELECTION);
    let step = "reading the previous clipboard";
    owner.drain_events();
    d.conn
        .convert_selection(owner.window, selection, target, property, time)
        .ctx(step)?;
    d.conn.flush().ctx(step)?;
    let notify = owner.wait_event(timeout, |e| {
        matches!(e, Event::SelectionNotify(n) if n.selection == selection && n.target == target)
    });
    let Some(Event::SelectionNotify(notify)) = notify else {
        return Err(InputError::Clipboard(format!(
            "the program owning {} did not answer within {} ms",
            owner.selection_name(selection),
            timeout.as_millis()
        )));
    };
    if notify.property == x11rb::NONE {
        return Ok(None);
    }
    let reply = d
        .conn
        .get_property(true, owner.window, property, AtomEnum::ANY, 0, u32::MAX / 4)
        .ctx(step)?
        .reply()
        .ctx(step)?;
    Ok(Some(reply))
}

/// ICCCM 2.7.2: the owner sends large data in chunks, each after we deleted the previous one;
/// a zero-length chunk ends the transfer.
fn read_incremental(owner: &SelectionOwner, timeout: Duration) -> Result<Vec<u8>, InputError> {
    let (d, property) = (&*owner.d, owner.d.atoms.SWITCHBOARD_SELECTION);
    let step = "reading the previous clipboard in chunks";
    let mut data = Vec::new();
    loop {
        let new_value = owner.wait_event(timeout, |e| {
            matches!(e, Event::PropertyNotify(p) if p.atom == property && p.state == Property::NEW_VALUE)
        });
        if new_value.is_none() {
            return Err(InputError::Clipboard(format!(
                "the clipboard owner stopped sending its large text for {} ms",
                timeout.as_millis()
            )));
        }
        let chunk = d
            .conn
            .get_property(true, owner.window, property, AtomEnum::ANY, 0, u32::MAX / 4)
            .ctx(step)?
            .reply()
            .ctx(step)?;
        if chunk.value.is_empty() {
            return Ok(data);
        }
        data.extend_from_slice(&chunk.value);
    }
}
