//! A private Xvfb server per test.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long Xvfb may take to start (it is usually ready in ~100 ms).
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// An Xvfb server on a display nobody else uses, killed when dropped.
#[derive(Debug)]
pub struct Xvfb {
    child: Child,
    display: String,
    width: u32,
    height: u32,
    /// Xvfb's stderr, quoted when something goes wrong.
    log: tempfile::NamedTempFile,
}

impl Xvfb {
    /// Start a 1280x1024x24 server.
    ///
    /// # Panics
    /// When Xvfb is not installed or does not start.
    pub fn start() -> Xvfb {
        Xvfb::with_size(1280, 1024)
    }

    /// Start a server whose single screen is `width` x `height` at 24 bits.
    ///
    /// # Panics
    /// When Xvfb is not installed or does not start.
    pub fn with_size(width: u32, height: u32) -> Xvfb {
        Xvfb::with_args(width, height, &[])
    }

    /// Start a server with extra command-line arguments, for example
    /// `&["-extension", "RANDR"]` to see how a client copes without RandR.
    ///
    /// # Panics
    /// When Xvfb is not installed or does not start.
    pub fn with_args(width: u32, height: u32, args: &[&str]) -> Xvfb {
        let log = tempfile::NamedTempFile::new().expect("create a temporary file for Xvfb's log");
        let stderr = log.reopen().expect("open Xvfb's log file");
        // -displayfd makes Xvfb pick a free display itself and write its number to our pipe
        // once it accepts connections: no guessing, no races between parallel tests.
        let spawned = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .args(["-nolisten", "tcp", "-noreset"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "Xvfb is not installed, and the X11 end-to-end tests need it: install the Debian \
                 package `xvfb` (apt-get install xvfb xterm zenity)"
            ),
            Err(e) => panic!("cannot start Xvfb: {e}"),
        };
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let number = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
        let mut xvfb = Xvfb {
            child,
            display: format!(":{}", number.trim()),
            width,
            height,
            log,
        };
        if number.trim().parse::<u32>().is_err() {
            let _ = xvfb.child.kill();
            let _ = xvfb.child.wait();
            panic!(
                "Xvfb did not report a display within {START_TIMEOUT:?}; its log:\n{}",
                xvfb.log_text()
            );
        }
        xvfb
    }

    /// The display name, for example `:3`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The screen size in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// A command that runs `program` on this display (DISPLAY set, GTK kept quiet and off the
    /// session bus).
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("DISPLAY", &self.display)
            .env("GDK_BACKEND", "x11")
            .env("NO_AT_BRIDGE", "1")
            .env("GSETTINGS_BACKEND", "memory")
            .env_remove("WAYLAND_DISPLAY");
        command
    }

    /// Save the whole screen as an image (needs ImageMagick's `import`); useful to see why an
    /// end-to-end test failed.
    pub fn screenshot(&self, path: &Path) -> std::io::Result<()> {
        let status = self
            .command("import")
            .args(["-window", "root"])
            .arg(path)
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(std::io::Error::other(format!("import failed: {status}")))
        }
    }

    /// What Xvfb printed to stderr so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
