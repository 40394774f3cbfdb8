//! A GTK text entry: `zenity --entry`, which prints the entry's text on stdout when Enter (or
//! OK) submits it. GTK entries paste CLIPBOARD with ctrl+v, unlike xterm.

use std::io::Read;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use crate::Xvfb;
use crate::window::{Rect, unique_title, wait_for_window};

const OPEN_TIMEOUT: Duration = Duration::from_secs(20);

/// A `zenity --entry` dialog. Without a window manager GTK centres it on the screen.
#[derive(Debug)]
pub struct ZenityEntry {
    child: Child,
    title: String,
    window: u32,
    rect: Rect,
    output: Receiver<String>,
}

impl ZenityEntry {
    /// Open the dialog and wait until it is mapped. The entry has the keyboard focus inside the
    /// dialog, so with the pointer over the dialog keys reach it.
    ///
    /// # Panics
    /// When zenity is not installed or the dialog does not appear within 20 s.
    pub fn open(xvfb: &Xvfb) -> ZenityEntry {
        let title = unique_title("zenity");
        let spawned = xvfb
            .command("zenity")
            .args([
                "--entry",
                "--title",
                &title,
                "--text",
                "switchboard test entry",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("zenity is not installed: install the Debian package `zenity`")
            }
            Err(e) => panic!("cannot start zenity: {e}"),
        };
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            // zenity prints once, when the dialog closes, so read to the end.
            let _ = stdout.read_to_string(&mut text);
            let _ = tx.send(text);
        });
        let (window, rect) = wait_for_window(xvfb.display(), &title, OPEN_TIMEOUT)
            .unwrap_or_else(|| panic!("zenity {title:?} did not appear within {OPEN_TIMEOUT:?}"));
        ZenityEntry {
            child,
            title,
            window,
            rect,
            output,
        }
    }

    pub fn window(&self) -> u32 {
        self.window
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    /// The dialog's process id, which GTK publishes as `_NET_WM_PID`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The dialog's area on screen.
    pub fn rect(&self) -> Rect {
        self.rect
    }

    /// A point inside the text entry. The dialog stacks a label, the entry and the buttons; the
    /// entry spans about 31% to 58% of the dialog's height (measured on Debian 12's GTK 3 with
    /// the default theme), so 45% is inside it with margin on both sides.
    pub fn entry_point(&self) -> (i32, i32) {
        let (x, _) = self.rect.center();
        let height = i32::try_from(self.rect.height).unwrap_or(0);
        (x, self.rect.y + height * 45 / 100)
    }

    /// What the dialog printed when it was submitted (without the final newline), or `None` if
    /// it was not submitted within `timeout`.
    pub fn wait_output(&self, timeout: Duration) -> Option<String> {
        let mut text = self.output.recv_timeout(timeout).ok()?;
        if text.ends_with('\n') {
            text.pop();
        }
        Some(text)
    }
}

impl Drop for ZenityEntry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
