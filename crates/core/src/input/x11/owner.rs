//! Our own X selection owner, so that a paste is known to have been *read*.
//!
//! On X11 nothing is copied when a program "sets the clipboard": it only claims ownership of a
//! selection (CLIPBOARD, PRIMARY), and a program that pastes asks the owner, which writes the
//! text into a property of the requestor's window and notifies it. The owner must therefore
//! stay alive and answer until the target has asked; once it has, the text is in the target's
//! property and the owner may change its mind. Owning the selections ourselves lets `paste`
//! wait for exactly that moment and then hand the operator's previous text back.
//!
//! The owner uses its own connection and an unmapped window, and a background thread answers
//! SelectionRequest events while the input thread blocks on other work. The input thread still
//! sends requests on that connection (x11rb connections are thread-safe); events it waits for
//! (SelectionNotify for reads, PropertyNotify for timestamps) are forwarded to it by a channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, PropMode,
    Timestamp, Window, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

use super::connection::{Ctx, Display};
pub(super) use super::serving::Offer;
use super::serving::{Shared, serve_events};
use crate::input::InputError;

pub(super) struct SelectionOwner {
    pub d: Arc<Display>,
    pub window: Window,
    shared: Arc<Shared>,
    events: Receiver<Event>,
    next_paste: AtomicU64,
    thread: Option<JoinHandle<()>>,
}

impl SelectionOwner {
    pub fn start(display: &str) -> Result<SelectionOwner, InputError> {
        let d = Arc::new(Display::open(display, false)?);
        let step = "creating the clipboard window";
        let window = d.conn.generate_id().ctx(step)?;
        let aux = CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE);
        d.conn
            .create_window(
                0,
                window,
                d.root,
                -10,
                -10,
                1,
                1,
                0,
                WindowClass::INPUT_OUTPUT,
                0,
                &aux,
            )
            .ctx(step)?;
        d.conn
            .change_property8(
                PropMode::REPLACE,
                window,
                AtomEnum::WM_NAME,
                AtomEnum::STRING,
                b"switchboard clipboard",
            )
            .ctx(step)?;
        d.sync()?;
        let shared = Arc::new(Shared::default());
        let (forward, events) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("switchboard-clipboard".into())
            .spawn({
                let (d, shared) = (Arc::clone(&d), Arc::clone(&shared));
                move || serve_events(&d, window, &shared, &forward)
            })
            .map_err(|e| {
                InputError::Clipboard(format!("cannot start the clipboard thread: {e}"))
            })?;
        Ok(SelectionOwner {
            d,
            window,
            shared,
            events,
            next_paste: AtomicU64::new(1),
            thread: Some(thread),
        })
    }

    pub fn new_paste_id(&self) -> u64 {
        self.next_paste.fetch_add(1, Ordering::Relaxed)
    }

    /// The offer we hold for `selection`, if we still own it.
    pub fn current(&self, selection: Atom) -> Option<Offer> {
        self.shared
            .lock()
            .slot(&self.d.atoms, selection)
            .and_then(|s| s.clone())
    }

    /// Take `selection` and serve `offer` from now on.
    pub fn take(&self, selection: Atom, offer: Offer) -> Result<(), InputError> {
        let since = offer.since;
        self.set(selection, Some(offer));
        let step = "taking the clipboard";
        self.d
            .conn
            .set_selection_owner(self.window, selection, since)
            .ctx(step)?;
        let owner = self
            .d
            .conn
            .get_selection_owner(selection)
            .ctx(step)?
            .reply()
            .ctx(step)?
            .owner;
        if owner != self.window {
            self.set(selection, None);
            return Err(InputError::Clipboard(format!(
                "could not take the X selection {}: another program claimed it at the same \
                 moment; retry",
                self.selection_name(selection)
            )));
        }
        Ok(())
    }

    /// Serve different text while keeping the selection, if we still own it.
    pub fn replace(&self, selection: Atom, text: Arc<str>) {
        let mut offers = self.shared.lock();
        if let Some(Some(offer)) = offers.slot(&self.d.atoms, selection) {
            offer.text = text;
            offer.paste = 0;
            offer.reader = None;
        }
    }

    /// Give `selection` up if we own it. The request carries the time we took it, so the
    /// server ignores it when another client has taken the selection since.
    pub fn release(&self, selection: Atom) -> Result<(), InputError> {
        let Some(offer) = self.current(selection) else {
            return Ok(());
        };
        self.set(selection, None);
        self.d
            .conn
            .set_selection_owner(x11rb::NONE, selection, offer.since)
            .ctx("releasing the clipboard")?;
        self.d.sync()
    }

    fn set(&self, selection: Atom, offer: Option<Offer>) {
        if let Some(slot) = self.shared.lock().slot(&self.d.atoms, selection) {
            *slot = offer;
        }
    }

    /// Block until a client has been sent the text of paste `paste`, or `timeout` passes.
    pub fn wait_read(&self, paste: u64, timeout: Duration) -> Result<bool, InputError> {
        let deadline = Instant::now() + timeout;
        let mut offers = self.shared.lock();
        loop {
            if offers.read_up_to >= paste {
                return Ok(true);
            }
            if let Some(why) = &offers.stopped {
                return Err(InputError::Clipboard(why.clone()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            offers = self
                .shared
                .changed
                .wait_timeout(offers, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// A current server timestamp: ICCCM forbids CurrentTime when taking selections, and the
    /// only way to learn the server's clock is to make it stamp an event for us.
    pub fn server_time(&self, timeout: Duration) -> Result<Timestamp, InputError> {
        self.drain_events();
        let atom = self.d.atoms.SWITCHBOARD_TIMESTAMP;
        self.d
            .conn
            .change_property8(PropMode::APPEND, self.window, atom, AtomEnum::STRING, &[])
            .ctx("reading the server time")?;
        self.d.conn.flush().ctx("reading the server time")?;
        match self.wait_event(
            timeout,
            |e| matches!(e, Event::PropertyNotify(p) if p.atom == atom),
        ) {
            Some(Event::PropertyNotify(p)) => Ok(p.time),
            _ => Err(InputError::Clipboard(format!(
                "the X server did not answer within {} ms; check that the display is responsive",
                timeout.as_millis()
            ))),
        }
    }

    /// Discard forwarded events left over from earlier requests (for example the answer to a
    /// read that timed out).
    pub fn drain_events(&self) {
        while self.events.try_recv().is_ok() {}
    }

    /// The next forwarded event matching `wanted`, skipping others, or `None` on timeout.
    pub fn wait_event(&self, timeout: Duration, wanted: impl Fn(&Event) -> bool) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) if wanted(&e) => return Some(e),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    pub fn selection_name(&self, selection: Atom) -> &'static str {
        if selection == self.d.atoms.CLIPBOARD {
            "CLIPBOARD"
        } else {
            "PRIMARY"
        }
    }
}

impl Drop for SelectionOwner {
    fn drop(&mut self) {
        // Wake the event thread with a message only it understands, then wait for it so the
        // selections are answered until the very end.
        let stop =
            ClientMessageEvent::new(32, self.window, self.d.atoms.SWITCHBOARD_STOP, [0u32; 5]);
        let sent = self
            .d
            .conn
            .send_event(false, self.window, EventMask::NO_EVENT, stop)
            .and_then(|_| self.d.conn.flush());
        if let (Ok(()), Some(thread)) = (sent, self.thread.take()) {
            let _ = thread.join();
        }
    }
}
