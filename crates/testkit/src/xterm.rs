//! An xterm running `cat > file`: the simplest terminal target, whose input is readable back
//! byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::window::{Rect, unique_title, wait_for_window};
use crate::{Xvfb, wait_for};

const OPEN_TIMEOUT: Duration = Duration::from_secs(15);
/// After the expected length is reached, how long the file must stay unchanged: catches extra
/// characters arriving just after the expected ones.
const QUIET: Duration = Duration::from_millis(50);

/// Where to put an xterm and how big to make it, in xterm's own terms (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub cols: u16,
    pub rows: u16,
    pub x: i32,
    pub y: i32,
}

impl Geometry {
    /// An 80x24 terminal with its top-left corner at (`x`, `y`).
    pub fn at(x: i32, y: i32) -> Geometry {
        Geometry {
            cols: 80,
            rows: 24,
            x,
            y,
        }
    }
}

/// An xterm whose shell runs `cat > file`.
///
/// The terminal is in non-canonical mode (`stty -icanon`, echo on): every byte reaches the file
/// as soon as it is typed, lines of any length arrive whole (canonical mode would cut a line at
/// 4095 bytes), and Enter writes `\n`. Control keys are written as they are (Backspace writes
/// `\x7f`), so the file holds exactly what the keyboard sent. The terminal runs in UTF-8.
#[derive(Debug)]
pub struct XtermCat {
    child: Child,
    _dir: tempfile::TempDir,
    file: PathBuf,
    title: String,
    window: u32,
    rect: Rect,
}

impl XtermCat {
    /// Open the terminal and wait until it is mapped and `cat` is running.
    ///
    /// # Panics
    /// When xterm is not installed or the window does not appear within 15 s.
    pub fn open(xvfb: &Xvfb, geometry: Geometry) -> XtermCat {
        XtermCat::open_as(xvfb, geometry, "XTerm")
    }

    /// [`XtermCat::open`] with another WM_CLASS class (`xterm -class`), to stand in for another
    /// program's window.
    pub fn open_as(xvfb: &Xvfb, geometry: Geometry, class: &str) -> XtermCat {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let file = dir.path().join("typed.txt");
        let title = unique_title("xterm");
        let Geometry { cols, rows, x, y } = geometry;
        let spawned = xvfb
            .command("xterm")
            .env("LC_ALL", "C.UTF-8")
            .args([
                "-u8",
                "-bw",
                "0",
                "-class",
                class,
                "-T",
                &title,
                "-geometry",
            ])
            .arg(format!("{cols}x{rows}{x:+}{y:+}"))
            // The file appears only after stty ran, so its existence means "ready for input".
            .args(["-e", "sh", "-c", "stty -icanon && exec cat > \"$0\""])
            .arg(&file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                panic!("xterm is not installed: install the Debian package `xterm`")
            }
            Err(e) => panic!("cannot start xterm: {e}"),
        };
        let mut term = XtermCat {
            child,
            _dir: dir,
            file,
            title,
            window: 0,
            rect: Rect {
                x,
                y,
                width: 0,
                height: 0,
            },
        };
        let (window, rect) = wait_for_window(xvfb.display(), &term.title, OPEN_TIMEOUT)
            .unwrap_or_else(|| {
                panic!(
                    "xterm {:?} did not appear within {OPEN_TIMEOUT:?}",
                    term.title
                )
            });
        (term.window, term.rect) = (window, rect);
        if wait_for(OPEN_TIMEOUT, || term.file.exists().then_some(())).is_none() {
            panic!("the shell in xterm {:?} did not start cat", term.title);
        }
        term
    }

    /// The X window id of the terminal's top-level window.
    pub fn window(&self) -> u32 {
        self.window
    }

    /// The window title (unique per terminal).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The terminal's process id, which it publishes as `_NET_WM_PID`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The window's area on screen.
    pub fn rect(&self) -> Rect {
        self.rect
    }

    /// A point inside the text area: move the pointer here (focus follows it) or click here.
    pub fn text_point(&self) -> (i32, i32) {
        self.rect.center()
    }

    /// The file `cat` writes to.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// Everything `cat` wrote so far (invalid UTF-8 shows as U+FFFD).
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.file).unwrap_or_default()).into_owned()
    }

    /// Wait until the file holds at least `bytes` bytes and then stops growing, or until
    /// `timeout`; return the contents either way, for the test to compare.
    pub fn wait_len(&self, bytes: usize, timeout: Duration) -> String {
        self.wait_until(timeout, |text| text.len() >= bytes)
    }

    /// Wait until `done` holds for the contents and they stop changing, or until `timeout`.
    pub fn wait_until(&self, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        let mut text = self.contents();
        while !done(&text) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            text = self.contents();
        }
        loop {
            std::thread::sleep(QUIET);
            let now = self.contents();
            if now == text || Instant::now() >= deadline {
                return now;
            }
            text = now;
        }
    }
}

impl Drop for XtermCat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
