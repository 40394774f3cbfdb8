//! End-to-end delivery benchmarks of the `switchboard` binary under a private Xvfb, with real
//! xterm windows running `cat` (switchboard-testkit). Not a test: it prints timings.
//!
//! ```text
//! cargo build --release --bin switchboard
//! cargo run --release --example delivery_bench -- paste [chars=2000] [runs=20] [poll_ms=100]
//! cargo run --release --example delivery_bench -- type [chars=2000] [runs=20] [poll_ms=100]
//! cargo run --release --example delivery_bench -- broadcast [chars=500] [runs=10] [windows=8] [paste|type]
//! cargo run --release --example delivery_bench -- xdotool [chars=2000]
//! ```
//!
//! - `paste` / `type`: one agent; a `switchboard deliver` engine runs in the background, as in
//!   real use; each run times from spawning `switchboard send` to the moment the xterm's file
//!   holds every character and the submit key. Also reports how long `send` itself took.
//! - `broadcast`: `windows` agents (xterms 50x20, 4 per row); times from spawning
//!   `switchboard broadcast` to the moment every window holds the whole message.
//! - `xdotool`: the comparison anchor: `xdotool type` (default 12 ms delay) of mixed-case text
//!   into an xterm.
//!
//! Every run checks that what landed is exactly what was sent. The binary is taken from beside
//! this example (`target/release/switchboard`) or from `SWITCHBOARD_BIN`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchboard_testkit::{Geometry, XtermCat, Xvfb};

const LAND_TIMEOUT: Duration = Duration::from_secs(60);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |n: usize, default: u64| -> u64 {
        args.get(n)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    match args.first().map(String::as_str) {
        Some("paste") => single(Mode::Paste, arg(1, 2000), arg(2, 20), arg(3, 100)),
        Some("type") => single(Mode::Type, arg(1, 2000), arg(2, 20), arg(3, 100)),
        Some("broadcast") => {
            let mode = match args.get(4).map(String::as_str) {
                None | Some("paste") => Mode::Paste,
                Some("type") => Mode::Type,
                Some(other) => panic!("paste or type, not {other:?}"),
            };
            broadcast(arg(1, 500), arg(2, 10), arg(3, 8), mode);
        }
        Some("xdotool") => xdotool(arg(1, 2000)),
        _ => {
            eprintln!("usage: delivery_bench paste|type|broadcast|xdotool [...] (see the source)");
            std::process::exit(2);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Paste,
    Type,
}

impl Mode {
    fn agent_settings(self) -> &'static [&'static str] {
        match self {
            Mode::Paste => &[
                "--mode",
                "paste",
                "--paste-key",
                "shift+insert",
                "--newline-key",
                "enter",
                "--submit-key",
                "enter",
            ],
            Mode::Type => &[
                "--mode",
                "type",
                "--newline-key",
                "enter",
                "--submit-key",
                "enter",
            ],
        }
    }
    fn name(self) -> &'static str {
        match self {
            Mode::Paste => "paste",
            Mode::Type => "type",
        }
    }
}

/// A database in a temporary folder and the display the engine types on.
struct Bench {
    _dir: tempfile::TempDir,
    db: PathBuf,
    display: String,
    bin: PathBuf,
}

impl Bench {
    fn new(xvfb: &Xvfb) -> Bench {
        let bin = std::env::var_os("SWITCHBOARD_BIN").map_or_else(
            || {
                let exe = std::env::current_exe().expect("this example's path");
                let dir = exe
                    .parent()
                    .and_then(|examples| examples.parent())
                    .expect("target/<profile>/examples");
                dir.join("switchboard")
            },
            PathBuf::from,
        );
        assert!(
            bin.exists(),
            "{} is missing: run `cargo build --release --bin switchboard` first",
            bin.display()
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        Bench {
            db: dir.path().join("bench.db"),
            _dir: dir,
            display: xvfb.display().to_string(),
            bin,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--db")
            .arg(&self.db)
            .args(args)
            .env("DISPLAY", &self.display)
            .env_remove("SWITCHBOARD_DB")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) {
        let status = self.command(args).status().expect("run switchboard");
        assert!(status.success(), "switchboard {args:?} failed: {status}");
    }

    /// `switchboard --json ARGS`, parsed.
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self
            .command(&all)
            .stdout(Stdio::piped())
            .output()
            .expect("run switchboard");
        assert!(out.status.success(), "switchboard {args:?} failed");
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    /// Spawn `switchboard ARGS` with `input` on standard input (not waited for).
    fn spawn_with_stdin(&self, args: &[&str], input: &str) -> Child {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start switchboard");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("write the message");
        child
    }

    /// Start a `deliver` engine (runs until killed) and wait until it is idle.
    fn engine(&self) -> Child {
        let engine = self
            .command(&["deliver"])
            .spawn()
            .expect("start switchboard deliver");
        // It registers and polls within milliseconds, but it types only once the display has
        // had no input for `idle_threshold_ms` (1 s by default: the operator is not typing).
        // Opening windows counts as input, so wait that out before the first run.
        std::thread::sleep(Duration::from_millis(1500));
        engine
    }
}

/// `len` pseudo-random printable ASCII characters.
fn random_printable(len: usize, seed: u64) -> String {
    let mut rng = XorShift::new(seed);
    (0..len)
        .map(|_| char::from(0x20 + (rng.next() % 95) as u8))
        .collect()
}

/// `len` pseudo-random letters of both cases with spaces between words.
fn mixed_case(len: usize, seed: u64) -> String {
    let mut rng = XorShift::new(seed);
    (0..len)
        .map(|_| match rng.next() % 7 {
            0 => ' ',
            1..=3 => char::from(b'a' + (rng.next() % 26) as u8),
            _ => char::from(b'A' + (rng.next() % 26) as u8),
        })
        .collect()
}

struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Poll `term` every millisecond until it holds `len` bytes; the time it took, or None.
fn wait_len(term: &XtermCat, len: usize, start: Instant) -> Option<Duration> {
    while start.elapsed() < LAND_TIMEOUT {
        if std::fs::metadata(term.path()).map_or(0, |m| m.len() as usize) >= len {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "median M ms, p90 P ms, max X ms" of `v` (sorted in place).
fn summary(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "median {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms",
        at(0.5),
        at(0.9),
        v[0],
        v[v.len() - 1]
    )
}

fn single(mode: Mode, chars: u64, runs: u64, poll_ms: u64) {
    let chars = chars as usize;
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let bench = Bench::new(&xvfb);
    let (x, y) = term.text_point();
    let mut add = vec![
        "agent".to_string(),
        "add".into(),
        "term".into(),
        "--x".into(),
        x.to_string(),
        "--y".into(),
        y.to_string(),
    ];
    add.extend(mode.agent_settings().iter().map(ToString::to_string));
    bench.run(&add.iter().map(String::as_str).collect::<Vec<_>>());
    bench.run(&["config", "poll_ms", &poll_ms.to_string()]);
    let mut engine = bench.engine();

    let (mut landed, mut sent) = (Vec::new(), Vec::new());
    let (mut claim_waits, mut deliveries) = (Vec::new(), Vec::new());
    let mut exact = 0;
    for run in 0..runs {
        let text = random_printable(chars, run + 1);
        let before = term.contents().len();
        let start = Instant::now();
        let send = bench.spawn_with_stdin(&["send", "term", "-"], &text);
        let out = send.wait_with_output().expect("wait for send");
        let send_took = start.elapsed();
        assert!(out.status.success(), "send failed");
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let took = wait_len(&term, before + chars + 1, start).expect("the message landed");
        let got = term.wait_len(before + chars + 1, Duration::from_secs(5));
        let ok = got.get(before..) == Some(format!("{text}\n").as_str());
        exact += usize::from(ok);
        // The engine's own account: how long the message waited to be claimed (the poll) and
        // how long the delivery took from claim to recorded outcome.
        let detail = bench.json(&["show", &id]);
        let queued_at = detail["message"]["created_at"].as_f64().unwrap_or_default();
        let attempt = &detail["attempts"][0];
        let waited = attempt["started_at"].as_f64().unwrap_or_default() - queued_at;
        let delivering = attempt["duration_ms"].as_f64().unwrap_or_default();
        println!(
            "run {run:2}: send took {:5.1} ms, landed after {:6.1} ms ({waited:3.0} ms until \
             claimed, {delivering:3.0} ms claim to outcome), {}",
            ms(send_took),
            ms(took),
            if ok { "exact" } else { "NOT EXACT" }
        );
        landed.push(ms(took));
        sent.push(ms(send_took));
        claim_waits.push(waited);
        deliveries.push(delivering);
        // Let the engine go idle again, then wait a random part of its poll period, so the
        // runs sample every phase of the engine's polling rather than locking onto one.
        std::thread::sleep(Duration::from_millis(
            150 + XorShift::new(run).next() % poll_ms.max(1),
        ));
    }
    let _ = engine.kill();
    let _ = engine.wait();
    println!(
        "{} {chars} chars, poll_ms {poll_ms}, {runs} runs: exact {exact}/{runs}\n  send to last character: {}\n  `send` alone: {}\n  queued to claimed: {}\n  claimed to outcome recorded: {}",
        mode.name(),
        summary(&mut landed),
        summary(&mut sent),
        summary(&mut claim_waits),
        summary(&mut deliveries),
    );
}

fn broadcast(chars: u64, runs: u64, windows: u64, mode: Mode) {
    let chars = chars as usize;
    let xvfb = Xvfb::start();
    let terms: Vec<XtermCat> = (0..windows as i32)
        .map(|n| {
            let geometry = Geometry {
                cols: 50,
                rows: 20,
                x: (n % 4) * 320,
                y: (n / 4) * 340,
            };
            XtermCat::open(&xvfb, geometry)
        })
        .collect();
    let bench = Bench::new(&xvfb);
    for (n, term) in terms.iter().enumerate() {
        let (x, y) = term.text_point();
        let (name, x, y) = (format!("agent-{n}"), x.to_string(), y.to_string());
        let mut add = vec!["agent", "add", &name, "--x", &x, "--y", &y];
        add.extend(mode.agent_settings());
        bench.run(&add);
    }
    let mut engine = bench.engine();

    let mut all = Vec::new();
    let mut exact_runs = 0;
    for run in 0..runs {
        let text = random_printable(chars, 100 + run);
        let before: Vec<usize> = terms.iter().map(|t| t.contents().len()).collect();
        let start = Instant::now();
        let mut command = bench.spawn_with_stdin(&["broadcast", "-"], &text);
        let times: Vec<Duration> = terms
            .iter()
            .zip(&before)
            .map(|(t, b)| wait_len(t, b + chars + 1, start).expect("the broadcast landed"))
            .collect();
        let last = times.iter().max().copied().unwrap_or_default();
        assert!(
            command.wait().expect("wait for broadcast").success(),
            "broadcast failed"
        );
        let expected = format!("{text}\n");
        let exact = terms
            .iter()
            .zip(&before)
            .filter(|(t, b)| {
                t.wait_len(**b + chars + 1, Duration::from_secs(5))
                    .get(**b..)
                    == Some(expected.as_str())
            })
            .count();
        exact_runs += usize::from(exact == terms.len());
        let first = times.iter().min().copied().unwrap_or_default();
        println!(
            "run {run:2}: first window after {:6.1} ms, all {} after {:6.1} ms, exact in {exact}/{}",
            ms(first),
            terms.len(),
            ms(last),
            terms.len()
        );
        all.push(ms(last));
        // As in `single`: a random part of the default 100 ms poll period.
        std::thread::sleep(Duration::from_millis(150 + XorShift::new(run).next() % 100));
    }
    let _ = engine.kill();
    let _ = engine.wait();
    println!(
        "broadcast ({}) of {chars} chars to {windows} xterms, {runs} runs: every window exact in {exact_runs}/{runs} runs; until the last window: {}",
        mode.name(),
        summary(&mut all)
    );
}

fn xdotool(chars: u64) {
    let text = mixed_case(chars as usize, 1);
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let (x, y) = term.text_point();
    let moved = xvfb
        .command("xdotool")
        .args(["mousemove", &x.to_string(), &y.to_string()])
        .status()
        .expect("run xdotool (Debian package xdotool)");
    assert!(moved.success());
    let start = Instant::now();
    let typed = xvfb
        .command("xdotool")
        .args(["type", "--", &text])
        .status()
        .expect("run xdotool");
    assert!(typed.success());
    let took = wait_len(&term, text.len(), start).expect("xdotool's text landed");
    let got = term.wait_len(text.len(), Duration::from_secs(5));
    println!(
        "xdotool type (default 12 ms delay), {chars} mixed-case chars: {:.1} s ({:.0} chars/s), {}",
        took.as_secs_f64(),
        chars as f64 / took.as_secs_f64(),
        if got == text { "exact" } else { "NOT EXACT" }
    );
}
