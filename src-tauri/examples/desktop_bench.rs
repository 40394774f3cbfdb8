//! Start-up time and idle memory of the desktop app, under a private Xvfb.
//!
//!     cargo build --release -p switchboard-desktop
//!     cargo run --release -p switchboard-desktop --example desktop_bench -- [RUNS] [IDLE_S,...] [DB]
//!
//! Each run starts the built app on a fresh database (or on a copy of DB, to measure with data
//! on screen: see BENCHMARKS.md for how that one is made) and times, from spawning the process,
//! until the UI reports its first screen interactive (the `ui_ready` command, which the UI
//! calls once the dashboard has rendered with the engine's status). After the last run the app
//! idles, and at each of the IDLE_S seconds after its first screen (default 10) the resident
//! memory of its processes (the app, WebKit's web and network processes) is read from /proc:
//! RSS, and PSS, which splits shared libraries fairly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchboard_testkit::Xvfb;

fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("DESKTOP_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/examples/desktop_bench -> target/<profile>/switchboard-desktop
    let app = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("switchboard-desktop");
    assert!(
        app.exists(),
        "{} is missing: build it first with `cargo build --release -p switchboard-desktop` (or set DESKTOP_BIN)",
        app.display()
    );
    app
}

fn start(xvfb: &Xvfb, app: &Path, home: &Path) -> (Child, Duration, u64) {
    let started = Instant::now();
    let mut child = xvfb
        .command(app.to_str().unwrap())
        .arg("--db")
        .arg(home.join("switchboard.db"))
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the app");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    while let Some(line) = lines.next() {
        let line = line.unwrap_or_default();
        if line.contains("first screen interactive") {
            let elapsed = started.elapsed();
            let own: u64 = line
                .rsplit("ms=")
                .next()
                .and_then(|t| t.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
                .unwrap_or(0);
            // Keep draining stderr so the app never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, elapsed, own);
        }
    }
    let status = child.wait();
    panic!("the app exited before its first screen was interactive: {status:?}");
}

/// The process and every descendant (WebKit runs its web and network processes as children).
fn tree(root: u32) -> Vec<u32> {
    let mut all = vec![root];
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Field 4 (ppid) comes after the command in parentheses, which may hold spaces.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(parent) && !all.contains(&pid) {
                all.push(pid);
            }
        }
        i += 1;
    }
    all
}

fn kb(file: &str, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let idle: Vec<u64> = std::env::args()
        .nth(2)
        .map(|a| {
            a.split(',')
                .map(|s| {
                    s.trim()
                        .parse()
                        .expect("idle times are whole seconds: 10,30,60")
                })
                .collect()
        })
        .unwrap_or_else(|| vec![10]);
    let template = std::env::args().nth(3).map(PathBuf::from);
    let app = app_binary();
    println!("app: {}", app.display());
    let mut times = Vec::new();
    let mut last = None;
    for run in 1..=runs {
        let xvfb = Xvfb::with_size(1920, 1080);
        let home = tempfile::tempdir().unwrap();
        if let Some(template) = &template {
            copy_database(template, &home.path().join("switchboard.db"));
        }
        let (child, elapsed, own) = start(&xvfb, &app, home.path());
        println!(
            "run {run}: first screen interactive {} ms after spawn ({own} ms after main)",
            elapsed.as_millis()
        );
        times.push(elapsed);
        if run == runs {
            last = Some((child, xvfb, home));
        } else {
            stop(child);
        }
    }
    times.sort();
    println!(
        "start-up: median {} ms, best {} ms, worst {} ms over {runs} runs",
        times[times.len() / 2].as_millis(),
        times[0].as_millis(),
        times[times.len() - 1].as_millis()
    );

    let (child, _xvfb, _home) = last.unwrap();
    let interactive = Instant::now();
    for seconds in idle {
        let at = Duration::from_secs(seconds);
        std::thread::sleep(at.saturating_sub(interactive.elapsed()));
        let (mut rss, mut pss) = (0, 0);
        for pid in tree(child.id()) {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let r = kb(&format!("/proc/{pid}/status"), "VmRSS:");
            let p = kb(&format!("/proc/{pid}/smaps_rollup"), "Pss:");
            println!(
                "  pid {pid:>7} {:<24} RSS {:>6} MB  PSS {:>6} MB",
                name.trim(),
                r / 1024,
                p / 1024
            );
            rss += r;
            pss += p;
        }
        println!(
            "idle memory after {seconds} s: RSS {:.1} MB, PSS {:.1} MB (all processes)",
            rss as f64 / 1024.0,
            pss as f64 / 1024.0
        );
    }
    stop(child);
}

/// Copy a database with its WAL (what was committed but not yet checkpointed), so that every
/// run starts from the same data. Nothing may be writing to it meanwhile.
fn copy_database(from: &Path, to: &Path) {
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("cannot copy the database {}: {e}", from.display()));
    let mut wal = from.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    if wal.exists() {
        let mut to_wal = to.as_os_str().to_owned();
        to_wal.push("-wal");
        std::fs::copy(&wal, PathBuf::from(to_wal)).expect("copy the database's WAL");
    }
}

fn stop(mut child: Child) {
    // SIGTERM: the app closes as from the window's close button.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
