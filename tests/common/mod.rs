//! Helpers shared by the end-to-end tests of the `switchboard` binary.
//!
//! Every test runs the real binary (`CARGO_BIN_EXE_switchboard`) against its own database in a
//! temporary folder; tests that deliver also start their own Xvfb (see `switchboard-testkit`),
//! so the tests of one file run in parallel without seeing each other's windows or queues.
//!
//! The environment of every command is scrubbed of `DISPLAY` and the `SWITCHBOARD_*`
//! variables: a test only reaches a display it started, and only the database it created.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use switchboard_testkit::{XtermCat, Xvfb};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

/// How long a test waits for text to land in a target window. Deliveries take well under a
/// second; the margin is for a loaded 2-core machine running tests in parallel.
pub const LAND_TIMEOUT: Duration = Duration::from_secs(15);

/// Agent settings for an xterm running `cat`: xterm pastes PRIMARY with shift+insert (ctrl+v
/// would be "literal next"), and takes Enter as a line break and as the submit key.
pub const XTERM_PASTE: &[&str] = &[
    "--mode",
    "paste",
    "--paste-key",
    "shift+insert",
    "--newline-key",
    "enter",
    "--submit-key",
    "enter",
];

/// Agent settings for typing into an xterm running `cat`.
pub const XTERM_TYPE: &[&str] = &[
    "--mode",
    "type",
    "--newline-key",
    "enter",
    "--submit-key",
    "enter",
];

/// Agent settings for a GTK entry (zenity): ctrl+v pastes CLIPBOARD, Enter submits the dialog.
pub const GTK_PASTE: &[&str] = &[
    "--mode",
    "paste",
    "--paste-key",
    "ctrl+v",
    "--submit-key",
    "enter",
];

/// Agent settings for typing into a GTK entry.
pub const GTK_TYPE: &[&str] = &["--mode", "type", "--submit-key", "enter"];

/// Every printable ASCII character, space to tilde, in order.
pub fn printable_ascii() -> String {
    (0x20u8..=0x7e).map(char::from).collect()
}

/// `len` pseudo-random printable ASCII characters (fixed seed: a failure can be replayed).
pub fn random_printable(len: usize, seed: u64) -> String {
    // A small xorshift so the tests need no random-number crate.
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(0x20 + (state % 95) as u8)
        })
        .collect()
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    /// The exit status; None when killed by a signal.
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(args: Vec<String>, out: Output) -> Run {
        Run {
            args,
            status: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panic with everything the command printed unless it exited with 0.
    pub fn success(self) -> Run {
        assert_eq!(
            self.status,
            Some(0),
            "`switchboard {}` should succeed\nstdout:\n{}\nstderr:\n{}",
            self.args.join(" "),
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panic unless the command exited with `status`; `why` says why that status is expected.
    pub fn failure(self, status: i32, why: &str) -> Run {
        assert_eq!(
            self.status,
            Some(status),
            "`switchboard {}` should exit with {status}: {why}\nstdout:\n{}\nstderr:\n{}",
            self.args.join(" "),
            self.stdout,
            self.stderr
        );
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`switchboard {}` printed something that is not JSON ({e}):\n{}",
                self.args.join(" "),
                self.stdout
            )
        })
    }
}

/// One Switchboard database, and optionally the display its `deliver` runs on.
pub struct Switchboard {
    dir: tempfile::TempDir,
    db: PathBuf,
    display: Option<String>,
}

impl Switchboard {
    /// A fresh database and no display: `deliver` finds no X server.
    pub fn new() -> Switchboard {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let db = dir.path().join("switchboard.db");
        Switchboard {
            dir,
            db,
            display: None,
        }
    }

    /// A fresh database whose commands run on `xvfb`.
    pub fn on(xvfb: &Xvfb) -> Switchboard {
        Switchboard {
            display: Some(xvfb.display().to_string()),
            ..Switchboard::new()
        }
    }

    /// Commands on the database file `db` instead of a fresh one (for unusable paths).
    pub fn with_db(db: impl Into<PathBuf>) -> Switchboard {
        Switchboard {
            db: db.into(),
            ..Switchboard::new()
        }
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    /// A temporary folder of this test's own (where the database is, unless `with_db`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `switchboard --db <ours> ARGS` in a scrubbed environment, with DISPLAY set only when this
    /// Switchboard has a display.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SWITCHBOARD_DB")
            .env_remove("SWITCHBOARD_FROM")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if let Some(display) = &self.display {
            command.env("DISPLAY", display);
        }
        command
    }

    /// Run `switchboard ARGS` to the end.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
        Run::from_output(args.iter().map(ToString::to_string).collect(), out)
    }

    /// Run `switchboard ARGS` with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"));
        let mut stdin = child.stdin.take().expect("stdin is piped");
        // Written from a thread so a command that stops reading cannot deadlock the test.
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("wait for switchboard");
        let _ = writer.join();
        Run::from_output(args.iter().map(ToString::to_string).collect(), out)
    }

    /// Run `switchboard --json ARGS`, require success, and parse what it printed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        self.run(&with_json).success().json()
    }

    /// Register `name` at `point` with the given input settings (see [`XTERM_PASTE`] etc.).
    pub fn add_agent(&self, name: &str, (x, y): (i32, i32), settings: &[&str]) {
        let (x, y) = (x.to_string(), y.to_string());
        let mut args = vec!["agent", "add", name, "--x", &x, "--y", &y];
        args.extend_from_slice(settings);
        self.run(&args).success();
    }

    /// Queue `text` for `agent` (through standard input, so the text reaches the binary byte for
    /// byte whatever it starts with) and return the message id.
    pub fn send(&self, agent: &str, text: &str) -> i64 {
        self.send_with(agent, text, &[])
    }

    /// [`Switchboard::send`] with extra options such as `--priority high`.
    pub fn send_with(&self, agent: &str, text: &str, options: &[&str]) -> i64 {
        let mut args = vec!["--json", "send", agent, "-"];
        args.extend_from_slice(options);
        let message = self.run_with_stdin(&args, text.as_bytes()).success().json();
        assert_eq!(
            message["body"].as_str(),
            Some(text),
            "the queued body must be the text sent, unchanged"
        );
        message["id"].as_i64().expect("a queued message has an id")
    }

    /// `switchboard deliver --until-idle --json` on this Switchboard's display: requires exit
    /// status 0 and returns the run report.
    pub fn deliver(&self) -> Value {
        self.json(&["deliver", "--until-idle"])
    }

    /// `switchboard show ID --json`: the message, its attempts and events.
    pub fn show(&self, id: i64) -> Value {
        self.json(&["show", &id.to_string()])
    }

    /// The message's state (`queued`, `delivered`...).
    pub fn state(&self, id: i64) -> String {
        self.show(id)["message"]["state"]
            .as_str()
            .expect("a message has a state")
            .to_string()
    }
}

impl Default for Switchboard {
    fn default() -> Self {
        Switchboard::new()
    }
}

/// Wait until `term` holds at least as many bytes as `expected`, or as many line breaks (the
/// last submit key landed: a short result fails at once instead of after the timeout), and
/// stops changing; then require that it holds exactly `expected`. `why` says what the equality
/// proves.
pub fn assert_xterm_holds(term: &XtermCat, expected: &str, why: &str) {
    let lines = expected.matches('\n').count();
    let got = term.wait_until(LAND_TIMEOUT, |t| {
        t.len() >= expected.len() || (lines > 0 && t.matches('\n').count() >= lines)
    });
    if got != expected {
        panic!("{why}\n{}", describe_difference(expected, &got));
    }
}

/// Require that nothing at all reached `term`, after giving stray keys time to arrive.
pub fn assert_xterm_untouched(term: &XtermCat, why: &str) {
    std::thread::sleep(Duration::from_millis(300));
    let got = term.contents();
    assert!(got.is_empty(), "{why}; but the terminal received {got:?}");
}

/// Where two texts first differ, with a little context: a 2,000-character assert_eq is
/// unreadable.
pub fn describe_difference(expected: &str, got: &str) -> String {
    let e: Vec<char> = expected.chars().collect();
    let g: Vec<char> = got.chars().collect();
    let at = e.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let around = |v: &[char]| -> String {
        let from = at.saturating_sub(20);
        let to = (at + 20).min(v.len());
        v[from..to].iter().collect()
    };
    format!(
        "expected {} characters, got {}; first difference at character {at}:\n  expected ...{:?}...\n  got      ...{:?}...",
        e.len(),
        g.len(),
        around(&e),
        around(&g)
    )
}

/// The attempts array of `show --json`.
pub fn attempts(detail: &Value) -> &Vec<Value> {
    detail["attempts"]
        .as_array()
        .expect("show --json lists attempts")
}
