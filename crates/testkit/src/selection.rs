//! Clipboard helpers: own a selection like a program the operator copied from, and read one
//! like a program that pastes. UTF-8 text only, no INCR transfers: enough for test fixtures.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, PropMode,
    SELECTION_NOTIFY_EVENT, SelectionNotifyEvent, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use crate::Xvfb;
use crate::window::connect;

/// The two selections pasting uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Ctrl+C / Ctrl+V in most programs.
    Clipboard,
    /// The mouse selection; xterm pastes it with shift+insert.
    Primary,
}

impl Selection {
    fn atom(self, conn: &RustConnection) -> Atom {
        match self {
            Selection::Primary => AtomEnum::PRIMARY.into(),
            Selection::Clipboard => intern(conn, "CLIPBOARD"),
        }
    }
}

fn intern(conn: &RustConnection, name: &str) -> Atom {
    conn.intern_atom(false, name.as_bytes())
        .ok()
        .and_then(|c| c.reply().ok())
        .unwrap_or_else(|| panic!("cannot intern the atom {name}"))
        .atom
}

fn hidden_window(conn: &RustConnection) -> Window {
    let root = conn.setup().roots[0].root;
    let window = conn.generate_id().expect("a window id");
    let aux = CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE);
    conn.create_window(
        0,
        window,
        root,
        -10,
        -10,
        1,
        1,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &aux,
    )
    .expect("create a window");
    window
}

/// Owns a selection and serves `text` (as UTF8_STRING, and STRING for Latin-1 text) until
/// another client takes the selection or this value is dropped.
#[derive(Debug)]
pub struct CopiedText {
    conn: Arc<RustConnection>,
    window: Window,
    stop: Atom,
    thread: Option<JoinHandle<()>>,
}

impl CopiedText {
    /// Take `selection` on `xvfb` with `text`.
    ///
    /// # Panics
    /// When the selection cannot be taken.
    pub fn copy(xvfb: &Xvfb, selection: Selection, text: &str) -> CopiedText {
        let conn = Arc::new(connect(xvfb.display()));
        let window = hidden_window(&conn);
        let selection = selection.atom(&conn);
        let stop = intern(&conn, "SWITCHBOARD_TESTKIT_STOP");
        conn.set_selection_owner(window, selection, x11rb::CURRENT_TIME)
            .expect("set the selection owner");
        let owner = conn
            .get_selection_owner(selection)
            .expect("ask the selection owner")
            .reply()
            .expect("the selection owner");
        assert_eq!(owner.owner, window, "the test could not take the selection");
        let thread = std::thread::spawn({
            let (conn, text) = (Arc::clone(&conn), text.to_string());
            move || serve(&conn, stop, &text)
        });
        CopiedText {
            conn,
            window,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for CopiedText {
    fn drop(&mut self) {
        let stop = ClientMessageEvent::new(32, self.window, self.stop, [0u32; 5]);
        let _ = self
            .conn
            .send_event(false, self.window, EventMask::NO_EVENT, stop);
        let _ = self.conn.flush();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(conn: &RustConnection, stop: Atom, text: &str) {
    let utf8 = intern(conn, "UTF8_STRING");
    let targets = intern(conn, "TARGETS");
    let latin1: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
    while let Ok(event) = conn.wait_for_event() {
        match event {
            Event::SelectionRequest(r) => {
                let property = if r.property == x11rb::NONE {
                    r.target
                } else {
                    r.property
                };
                let string = Atom::from(AtomEnum::STRING);
                let answered = if r.target == targets {
                    let list = [targets, utf8, string];
                    conn.change_property32(
                        PropMode::REPLACE,
                        r.requestor,
                        property,
                        AtomEnum::ATOM,
                        &list,
                    )
                    .is_ok()
                } else if r.target == utf8 {
                    conn.change_property8(
                        PropMode::REPLACE,
                        r.requestor,
                        property,
                        utf8,
                        text.as_bytes(),
                    )
                    .is_ok()
                } else if let (true, Some(bytes)) = (r.target == string, &latin1) {
                    conn.change_property8(PropMode::REPLACE, r.requestor, property, string, bytes)
                        .is_ok()
                } else {
                    false
                };
                let notify = SelectionNotifyEvent {
                    response_type: SELECTION_NOTIFY_EVENT,
                    sequence: 0,
                    time: r.time,
                    requestor: r.requestor,
                    selection: r.selection,
                    target: r.target,
                    property: if answered { property } else { x11rb::NONE },
                };
                let _ = conn.send_event(false, r.requestor, EventMask::NO_EVENT, notify);
                let _ = conn.flush();
            }
            Event::SelectionClear(_) => return,
            Event::ClientMessage(m) if m.type_ == stop => return,
            _ => {}
        }
    }
}

/// The window owning `selection` on `xvfb`, or 0 when nobody owns it.
pub fn selection_owner(xvfb: &Xvfb, selection: Selection) -> u32 {
    let conn = connect(xvfb.display());
    let atom = selection.atom(&conn);
    conn.get_selection_owner(atom)
        .expect("ask the selection owner")
        .reply()
        .expect("the selection owner")
        .owner
}

/// Read `selection` as UTF-8 text the way a pasting program does. `None` when nobody owns it,
/// the owner refuses, or it does not answer within `timeout`.
pub fn read_selection(xvfb: &Xvfb, selection: Selection, timeout: Duration) -> Option<String> {
    let conn = connect(xvfb.display());
    let window = hidden_window(&conn);
    let atom = selection.atom(&conn);
    let utf8 = intern(&conn, "UTF8_STRING");
    let property = intern(&conn, "SWITCHBOARD_TESTKIT_PASTE");
    conn.convert_selection(window, atom, utf8, property, x11rb::CURRENT_TIME)
        .ok()?;
    conn.flush().ok()?;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        match conn.poll_for_event().ok()? {
            Some(Event::SelectionNotify(n)) if n.property == x11rb::NONE => return None,
            Some(Event::SelectionNotify(_)) => {
                let reply = conn
                    .get_property(true, window, property, AtomEnum::ANY, 0, u32::MAX / 4)
                    .ok()?
                    .reply()
                    .ok()?;
                return String::from_utf8(reply.value).ok();
            }
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    None
}
