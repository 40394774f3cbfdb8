//! Opening a display, the atoms we use, and turning x11rb errors into [`InputError`]s that say
//! what to do.

use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::{ConnectionError, ReplyError, ReplyOrIdError};
use x11rb::protocol::xproto::Window;
use x11rb::protocol::{randr, screensaver, xkb, xtest};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use crate::input::InputError;

x11rb::atom_manager! {
    /// Atoms interned once per connection.
    pub(super) Atoms: AtomsCookie {
        CLIPBOARD,
        TARGETS,
        TIMESTAMP,
        UTF8_STRING,
        TEXT,
        TEXT_PLAIN_UTF8: b"text/plain;charset=utf-8",
        INCR,
        WM_STATE,
        _NET_WM_NAME,
        _NET_WM_PID,
        _NET_ACTIVE_WINDOW,
        _NET_SUPPORTING_WM_CHECK,
        // Where previous selection contents are delivered to us when we read them.
        SWITCHBOARD_SELECTION,
        // Appended to (with zero bytes) to obtain a server timestamp from the PropertyNotify.
        SWITCHBOARD_TIMESTAMP,
        // Type of the ClientMessage that wakes the selection owner's thread to stop it.
        SWITCHBOARD_STOP,
    }
}

/// One connection to the display plus what every request needs.
pub(super) struct Display {
    pub conn: RustConnection,
    /// The display name as given or taken from `$DISPLAY`, for messages.
    pub name: String,
    pub root: Window,
    pub atoms: Atoms,
    /// XKEYBOARD is usable (lets us read and clear latched/locked modifiers exactly).
    pub has_xkb: bool,
    /// RandR 1.5 (GetMonitors) is usable.
    pub has_monitors: bool,
    /// MIT-SCREEN-SAVER is usable (the server's idle time).
    pub has_screensaver: bool,
}

/// The display name to connect to, or the error that tells the user how to get one.
pub(super) fn display_name(display: Option<&str>) -> Result<String, InputError> {
    let name = match display {
        Some(d) => d.to_string(),
        None => std::env::var("DISPLAY").unwrap_or_default(),
    };
    if name.trim().is_empty() {
        return Err(InputError::DisplayUnavailable(
            "no X display: set DISPLAY (for example DISPLAY=:0) or start switchboard from your \
             desktop session"
                .into(),
        ));
    }
    Ok(name)
}

impl Display {
    /// Connect and check the extensions the driver relies on. `require_xtest` is false for the
    /// selection owner's connection, which never sends input.
    pub fn open(name: &str, require_xtest: bool) -> Result<Display, InputError> {
        let (conn, screen_num) = RustConnection::connect(Some(name)).map_err(|e| {
            InputError::DisplayUnavailable(format!(
                "cannot connect to X display {name}: {e}; check that the X server is running, \
                 that DISPLAY is right and that this user may connect (XAUTHORITY, xhost)"
            ))
        })?;
        let screen = conn.setup().roots.get(screen_num).ok_or_else(|| {
            InputError::DisplayUnavailable(format!(
                "X display {name} has no screen {screen_num}; use a display name such as :0"
            ))
        })?;
        let root = screen.root;
        let atoms = Atoms::new(&conn)
            .ctx("interning atoms")?
            .reply()
            .ctx("interning atoms")?;

        if require_xtest {
            let has_xtest = conn
                .extension_information(xtest::X11_EXTENSION_NAME)
                .ctx("querying the XTEST extension")?
                .is_some();
            if !has_xtest {
                return Err(InputError::InputFailed(format!(
                    "the X server on display {name} lacks the XTEST extension, which switchboard \
                     needs to press keys and move the pointer; enable XTEST in the X server"
                )));
            }
        }

        // XKB must be switched on per connection before any other XKB request.
        let has_xkb = match conn
            .extension_information(xkb::X11_EXTENSION_NAME)
            .ctx("XKB")?
        {
            None => false,
            Some(_) => {
                xkb::use_extension(&conn, 1, 0)
                    .ctx("XKB")?
                    .reply()
                    .ctx("XKB")?
                    .supported
            }
        };
        let has_monitors = match conn
            .extension_information(randr::X11_EXTENSION_NAME)
            .ctx("RandR")?
        {
            None => false,
            Some(_) => {
                let v = randr::query_version(&conn, 1, 5)
                    .ctx("RandR")?
                    .reply()
                    .ctx("RandR")?;
                (v.major_version, v.minor_version) >= (1, 5)
            }
        };
        let has_screensaver = match conn
            .extension_information(screensaver::X11_EXTENSION_NAME)
            .ctx("MIT-SCREEN-SAVER")?
        {
            None => false,
            Some(_) => screensaver::query_version(&conn, 1, 1)
                .ctx("MIT-SCREEN-SAVER")?
                .reply()
                .is_ok(),
        };
        // Ask for BIG-REQUESTS now so that the first paste does not pay for it.
        conn.prefetch_maximum_request_bytes();

        Ok(Display {
            conn,
            name: name.to_string(),
            root,
            atoms,
            has_xkb,
            has_monitors,
            has_screensaver,
        })
    }

    /// Wait until the server has processed every request sent so far (one round trip).
    pub fn sync(&self) -> Result<(), InputError> {
        self.conn.sync().ctx("waiting for the X server")
    }
}

/// Attach a description of the step to x11rb errors. A broken connection means the display
/// went away; an X error means the server refused one request.
pub(super) trait Ctx<T> {
    fn ctx(self, step: &str) -> Result<T, InputError>;
}

fn connection_lost(step: &str, e: &ConnectionError) -> InputError {
    InputError::DisplayUnavailable(format!(
        "lost the connection to the X display while {step}: {e}; check that the X session is \
         still running, then retry"
    ))
}

impl<T> Ctx<T> for Result<T, ConnectionError> {
    fn ctx(self, step: &str) -> Result<T, InputError> {
        self.map_err(|e| connection_lost(step, &e))
    }
}

impl<T> Ctx<T> for Result<T, ReplyError> {
    fn ctx(self, step: &str) -> Result<T, InputError> {
        self.map_err(|e| match e {
            ReplyError::ConnectionError(e) => connection_lost(step, &e),
            ReplyError::X11Error(e) => refused(step, &e),
        })
    }
}

impl<T> Ctx<T> for Result<T, ReplyOrIdError> {
    fn ctx(self, step: &str) -> Result<T, InputError> {
        self.map_err(|e| match e {
            ReplyOrIdError::ConnectionError(e) => connection_lost(step, &e),
            ReplyOrIdError::X11Error(e) => refused(step, &e),
            ReplyOrIdError::IdsExhausted => InputError::InputFailed(format!(
                "{step}: this connection ran out of X resource ids; restart switchboard"
            )),
        })
    }
}

fn refused(step: &str, e: &x11rb::x11_utils::X11Error) -> InputError {
    InputError::InputFailed(format!(
        "the X server refused a request while {step}: {:?} (request {}.{})",
        e.error_kind, e.major_opcode, e.minor_opcode
    ))
}
