//! The selection owner's background thread: answers SelectionRequest events from the offers
//! [`super::owner::SelectionOwner`] sets, notes when a paste's text was fetched, and forwards
//! the events the input thread waits for.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, EventMask, PropMode, SELECTION_NOTIFY_EVENT,
    SelectionNotifyEvent, SelectionRequestEvent, Timestamp, Window,
};

use super::connection::{Atoms, Ctx, Display};
use crate::input::InputError;

/// What we serve for one selection.
#[derive(Debug, Clone)]
pub(super) struct Offer {
    pub text: Arc<str>,
    /// The paste this text belongs to; 0 for the operator's text we hold on their behalf.
    pub paste: u64,
    /// The X client expected to paste (the resource-id base of the focused window), when known.
    /// A fetch by any other client, typically a clipboard manager copying every new clipboard,
    /// does not prove that the target pasted.
    pub reader: Option<u32>,
    /// Server time at which we took the selection, used to release it without clobbering a
    /// newer owner.
    pub since: Timestamp,
}

#[derive(Debug, Default)]
pub(super) struct Offers {
    clipboard: Option<Offer>,
    primary: Option<Offer>,
    /// Highest paste id whose text a client has been sent.
    pub read_up_to: u64,
    /// Why the event thread ended, if it did.
    pub stopped: Option<String>,
}

impl Offers {
    pub fn slot(&mut self, atoms: &Atoms, selection: Atom) -> Option<&mut Option<Offer>> {
        if selection == atoms.CLIPBOARD {
            Some(&mut self.clipboard)
        } else if selection == Atom::from(AtomEnum::PRIMARY) {
            Some(&mut self.primary)
        } else {
            None
        }
    }
}

#[derive(Default)]
pub(super) struct Shared {
    offers: Mutex<Offers>,
    pub changed: Condvar,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Offers> {
        // The event thread never panics while holding the lock; if it did, its data is still
        // consistent enough to release the selections.
        self.offers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(super) fn serve_events(d: &Display, window: Window, shared: &Shared, forward: &Sender<Event>) {
    loop {
        let event = match d.conn.wait_for_event() {
            Ok(event) => event,
            Err(e) => {
                shared.lock().stopped = Some(format!(
                    "lost the connection to X display {} that serves the clipboard: {e}",
                    d.name
                ));
                shared.changed.notify_all();
                return;
            }
        };
        match event {
            Event::SelectionRequest(request) => {
                if let Err(e) = serve(d, shared, &request) {
                    tracing::warn!(error = %e, "could not answer a clipboard request");
                }
            }
            Event::SelectionClear(clear) => {
                // The event may be stale (we took the selection again since), so ask the server.
                let owner = d
                    .conn
                    .get_selection_owner(clear.selection)
                    .ok()
                    .and_then(|c| c.reply().ok());
                if owner.is_none_or(|o| o.owner != window) {
                    if let Some(slot) = shared.lock().slot(&d.atoms, clear.selection) {
                        *slot = None;
                    }
                    shared.changed.notify_all();
                }
            }
            Event::ClientMessage(m) if m.type_ == d.atoms.SWITCHBOARD_STOP => return,
            Event::SelectionNotify(_) | Event::PropertyNotify(_) => {
                // The receiver only goes away when the owner is dropped, which stops us anyway.
                let _ = forward.send(event);
            }
            Event::Error(e) => {
                // Typically a requestor window that vanished before we answered it.
                tracing::debug!(error = ?e, "X error on the clipboard connection");
            }
            _ => {}
        }
    }
}

/// Answer one SelectionRequest (ICCCM 2.2). Text goes out in a single ChangeProperty: `paste`
/// checked the size against the server's maximum request length beforehand.
fn serve(d: &Display, shared: &Shared, request: &SelectionRequestEvent) -> Result<(), InputError> {
    let offer = shared
        .lock()
        .slot(&d.atoms, request.selection)
        .and_then(|s| s.clone());
    // Obsolete clients pass no property and expect the answer in the target's name.
    let property = if request.property == x11rb::NONE {
        request.target
    } else {
        request.property
    };
    let (conn, requestor) = (&d.conn, request.requestor);
    let step = "answering a clipboard request";
    let answer = offer
        .as_ref()
        .and_then(|offer| answer(&d.atoms, offer, request.target));
    if let Some(answer) = &answer {
        let items = answer.data.len() / usize::from(answer.format / 8);
        conn.change_property(
            PropMode::REPLACE,
            requestor,
            property,
            answer.kind,
            answer.format,
            u32::try_from(items).unwrap_or(u32::MAX),
            &answer.data,
        )
        .ctx(step)?;
    }
    let notify = SelectionNotifyEvent {
        response_type: SELECTION_NOTIFY_EVENT,
        sequence: 0,
        time: request.time,
        requestor,
        selection: request.selection,
        target: request.target,
        property: if answer.is_some() {
            property
        } else {
            x11rb::NONE
        },
    };
    conn.send_event(false, requestor, EventMask::NO_EVENT, notify)
        .ctx(step)?;
    conn.flush().ctx(step)?;

    let (Some(offer), Some(Answer { is_text: true, .. })) = (offer, answer) else {
        return Ok(());
    };
    let client = requestor & !conn.setup().resource_id_mask;
    if offer.reader.is_some_and(|reader| reader != client) {
        tracing::debug!(
            requestor,
            "another X client (a clipboard manager?) fetched the text, not the paste target"
        );
        return Ok(());
    }
    let mut offers = shared.lock();
    offers.read_up_to = offers.read_up_to.max(offer.paste);
    drop(offers);
    shared.changed.notify_all();
    Ok(())
}

/// A property value to hand a requestor.
struct Answer {
    kind: Atom,
    format: u8,
    data: Vec<u8>,
    /// It carries the offered text (rather than TARGETS or TIMESTAMP).
    is_text: bool,
}

/// What to answer a request for `target`, or `None` to refuse it.
fn answer(a: &Atoms, offer: &Offer, target: Atom) -> Option<Answer> {
    let string = Atom::from(AtomEnum::STRING);
    // STRING is ISO 8859-1: refuse it for other text rather than serve mojibake; current
    // clients ask for UTF8_STRING first anyway.
    let latin1 = || -> Option<Vec<u8>> {
        offer
            .text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect()
    };
    let words = |kind: AtomEnum, values: &[u32]| Answer {
        kind: kind.into(),
        format: 32,
        data: values.iter().flat_map(|v| v.to_ne_bytes()).collect(),
        is_text: false,
    };
    let text = |kind: Atom, data: Vec<u8>| Answer {
        kind,
        format: 8,
        data,
        is_text: true,
    };
    if target == a.TARGETS {
        let mut targets = vec![
            a.TARGETS,
            a.TIMESTAMP,
            a.UTF8_STRING,
            a.TEXT_PLAIN_UTF8,
            a.TEXT,
        ];
        if latin1().is_some() {
            targets.push(string);
        }
        Some(words(AtomEnum::ATOM, &targets))
    } else if target == a.TIMESTAMP {
        Some(words(AtomEnum::INTEGER, &[offer.since]))
    } else if target == a.UTF8_STRING || target == a.TEXT_PLAIN_UTF8 {
        Some(text(target, offer.text.as_bytes().to_vec()))
    } else if target == a.TEXT {
        // TEXT lets the owner pick the encoding; we pick UTF-8 and say so in the type.
        Some(text(a.UTF8_STRING, offer.text.as_bytes().to_vec()))
    } else if target == string {
        latin1().map(|bytes| text(string, bytes))
    } else {
        None
    }
}
