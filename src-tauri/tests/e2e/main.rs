//! End to end: the real app under Xvfb, driven through its window by tauri-driver and
//! WebKitWebDriver, delivering into a real xterm. Screenshots of the main screens are saved in
//! `target/screenshots/`.
//!
//! Needs `tauri-driver` 2.1.0 (`cargo install tauri-driver --version 2.1.0 --locked`, done by
//! scripts/bootstrap) and the Debian packages webkit2gtk-driver, xvfb and xterm.

mod webdriver;

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use switchboard_core::Store;
use switchboard_core::engine::window::DESKTOP_WINDOW_CLASS;
use switchboard_core::input::Point;
use switchboard_core::model::{MessageState, Priority};
use switchboard_core::store::{NewAgent, NewMessage};
use switchboard_discord_standin::StandIn;
use switchboard_discord_standin::fixtures::{GUILD_ID, Who, slash};
use switchboard_testkit::{Geometry, XtermCat, Xvfb};
use tauri::async_runtime::block_on;
use webdriver::Session;

const APP: &str = env!("CARGO_BIN_EXE_switchboard-desktop");
/// Shaped like a bot token; only the local Discord stand-in knows it.
const BOT_TOKEN: &str = "MTAwMQ.c3RhbmQ.stand-in-token-for-tests-only";
const SHORT: Duration = Duration::from_secs(10);
const LONG: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tauri_driver() -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("tauri-driver"))
            .find(|p| p.is_file())
    });
    on_path.or(cargo_bin.filter(|p| p.is_file())).unwrap_or_else(|| {
        panic!("tauri-driver is not installed: run scripts/bootstrap, or `cargo install tauri-driver --version 2.1.0 --locked`")
    })
}

/// tauri-driver (and through it WebKitWebDriver and the app) on the test's display.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    fn start(xvfb: &Xvfb, home: &Path) -> Driver {
        assert!(
            Path::new("/usr/bin/WebKitWebDriver").exists() || which("WebKitWebDriver"),
            "WebKitWebDriver is missing: install the Debian package webkit2gtk-driver (scripts/bootstrap does)"
        );
        let port = free_port();
        let log = home.join("driver.log");
        let child = xvfb
            .command(tauri_driver().to_str().unwrap())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            // Without it WebKitGTK may render nothing under Xvfb (no GPU).
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            // A fresh profile: no window position remembered from another run.
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env_remove("SWITCHBOARD_DB")
            // Its own process group, so that dropping the driver ends everything it started.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::options().append(true).open(&log).unwrap())
            .spawn()
            .expect("start tauri-driver");
        Driver { child, port, log }
    }
}

impl Drop for Driver {
    /// tauri-driver does not stop the WebKitWebDriver it started: end the whole process
    /// group (driver, WebKitWebDriver, the app and its WebKit processes).
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = std::process::Command::new("kill")
            .args(["-TERM", "--", &group])
            .status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

/// Run xdotool on the test's display (the operator's hand on the mouse); returns its output.
fn xdotool(xvfb: &Xvfb, args: &[&str]) -> String {
    let out = xvfb
        .command("xdotool")
        .args(args)
        .output()
        .expect("run xdotool (Debian package xdotool)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn forget_last_failure() {
    let _ = std::fs::remove_file(screenshots_dir().join("failure.png"));
}

/// Save the whole screen (the window and the xterm beside it). WebKitWebDriver's own
/// screenshot command hangs under Xvfb without compositing, so the X server is asked instead.
fn shoot(xvfb: &Xvfb, name: &str) {
    // Let the UI settle after the last action (a re-render, a fading notification).
    std::thread::sleep(Duration::from_millis(300));
    let path = screenshots_dir().join(format!("{name}.png"));
    xvfb.screenshot(&path).unwrap_or_else(|e| {
        panic!(
            "screenshot {}: {e} (is imagemagick installed?)",
            path.display()
        )
    });
}

fn go(s: &Session, screen: &str) -> Result<(), String> {
    s.click(&s.find(&format!("[data-nav={screen}]"))?)
}

/// Press Capture on agent `agent`'s row and, once the countdown shows, put the pointer at
/// (`x`, `y`) as the operator would.
fn capture_at(s: &Session, xvfb: &Xvfb, agent: &str, (x, y): (i32, i32)) -> Result<(), String> {
    s.click(&s.find(&format!(
        "[data-agent={agent}] .row-actions button:nth-child(3)"
    ))?)?;
    s.wait_text(
        "[data-testid=capture-countdown]",
        "Move the pointer over",
        SHORT,
    )?;
    xdotool(xvfb, &["mousemove", &x.to_string(), &y.to_string()]);
    Ok(())
}

/// Set a `<select>` as the operator would (WebDriver has no "choose option" command).
fn choose(s: &Session, css: &str, value: &str) -> Result<(), String> {
    s.script(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
         e.dispatchEvent(new Event('change', {bubbles: true}));",
        serde_json::json!([css, value]),
    )
    .map(drop)
}

/// Scroll the Discord screen back to its top, where the bot's state is.
fn show_bot_panel(s: &Session) -> Result<(), String> {
    s.script(
        "document.querySelector('[data-testid=bot-panel]').scrollIntoView();",
        serde_json::json!([]),
    )
    .map(drop)
}

fn fill(s: &Session, css: &str, text: &str) -> Result<(), String> {
    let e = s.find(css)?;
    s.clear(&e)?;
    if !text.is_empty() {
        s.type_text(&e, text)?;
    }
    Ok(())
}

fn add_agent_form(s: &Session, name: &str, at: (i32, i32)) -> Result<(), String> {
    fill(s, "input[name=name]", name)?;
    fill(s, "input[name=x]", &at.0.to_string())?;
    fill(s, "input[name=y]", &at.1.to_string())?;
    choose(s, "select[name=profile]", "xterm")?;
    s.click(&s.find("[data-testid=save-agent]")?)
}

/// Every message and attempt, for a failure message.
fn attempts_so_far(db: &Path) -> String {
    block_on(async {
        let store = other_process(db).await;
        let mut out = String::new();
        for m in store.history(&Default::default()).await.unwrap_or_default() {
            out.push_str(&format!(
                "message {} to {}: {}\n",
                m.id, m.recipient, m.state
            ));
            for a in store
                .message_detail(m.id)
                .await
                .map(|d| d.attempts)
                .unwrap_or_default()
            {
                out.push_str(&format!(
                    "  attempt at {}: {:?} {:?} {:?}\n",
                    a.phase, a.outcome, a.error_code, a.detail
                ));
            }
        }
        out
    })
}

async fn other_process(db: &Path) -> Store {
    Store::open(db).await.unwrap()
}

#[test]
fn operator_registers_an_agent_and_delivers_into_a_real_xterm() {
    forget_last_failure();
    let xvfb = Xvfb::with_size(1920, 1080);
    // Right of the app's window (1200x780 at 0,0), which would otherwise cover it.
    let term = XtermCat::open(&xvfb, Geometry::at(1300, 120));
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("switchboard.db");
    let driver = Driver::start(&xvfb, home.path());
    let session = Session::start(driver.port, APP, &["--db".into(), db.display().to_string()])
        .unwrap_or_else(|e| {
            panic!(
                "{e}\ntauri-driver's log:\n{}",
                std::fs::read_to_string(&driver.log).unwrap_or_default()
            )
        });
    let result = run(&session, &xvfb, &term, &db);
    if let Err(e) = &result {
        let _ = xvfb.screenshot(&screenshots_dir().join("failure.png"));
        session.end();
        panic!(
            "{e}\nscreenshot: target/screenshots/failure.png\napp and driver log:\n{}",
            std::fs::read_to_string(&driver.log).unwrap_or_default()
        );
    }
    session.end();
}

fn run(s: &Session, xvfb: &Xvfb, term: &XtermCat, db: &Path) -> Result<(), String> {
    // The engine connects to the Xvfb display at start.
    s.wait_text("[data-testid=engine-state]", "Running", LONG)?;
    s.wait_text(".empty", "Start here", SHORT)?;
    shoot(xvfb, "01-dashboard-first-run");

    // Bad input is explained in the form.
    go(s, "agents")?;
    s.wait_text(".empty", "No agents yet", SHORT)?;
    s.click(&s.find("[data-testid=add-agent]")?)?;
    add_agent_form(s, "", term.text_point())?;
    let error = s.wait_text("form [role=alert]", "needs a name", SHORT)?;
    assert!(
        error.contains("Check the input"),
        "the error has a title: {error}"
    );
    shoot(xvfb, "02-agents-empty-name");

    add_agent_form(s, "Term", term.text_point())?;
    let (x, y) = term.text_point();
    s.wait_text("[data-agent=Term]", &format!("{x}, {y}"), SHORT)?;
    // The window under the point is recorded when the form is saved, as `agent add` does.
    s.wait_text(
        "[data-agent=Term] [data-testid=agent-window]",
        "XTerm",
        SHORT,
    )?;

    s.click(&s.find("[data-testid=add-agent]")?)?;
    add_agent_form(s, "term", (5, 5))?;
    s.wait_text(
        "form [role=alert]",
        "an agent named \"term\" already exists",
        SHORT,
    )?;
    shoot(xvfb, "03-agents-duplicate-name");
    s.click(&s.find(".agent-editor button[type=button]:last-of-type")?)?;

    // Compose and send; the xterm receives exactly the text, then Enter.
    let body =
        "Hello from Switchboard's desktop app: rebase on main, then run `cargo test` (100%)!";
    go(s, "compose")?;
    s.click(&s.find("input[value=Term]")?)?;
    s.type_text(&s.find("textarea[name=body]")?, body)?;
    s.wait_text(
        "[data-testid=char-count]",
        &format!("{} / ", body.chars().count()),
        SHORT,
    )?;
    shoot(xvfb, "04-compose");
    s.click(&s.find("[data-testid=send]")?)?;
    s.wait_text(".sent", "Queued 1 message", SHORT)?;
    let typed = term.wait_len(body.len() + 1, LONG);
    if typed != format!("{body}\n") {
        return Err(format!(
            "the xterm should have received the message exactly, then Enter; it got {typed:?}\n{}",
            attempts_so_far(db)
        ));
    }

    // History shows it delivered, and its attempt.
    go(s, "history")?;
    let row = s.wait_text("[data-testid=history-table] tbody tr", "delivered", SHORT)?;
    assert!(row.contains("Term"), "{row}");
    shoot(xvfb, "05-history");
    s.click(&s.find("[data-testid=history-table] tbody tr a")?)?;
    let attempt = s.wait_text("[data-testid=attempts-table] tbody tr", "delivered", SHORT)?;
    assert!(
        attempt.contains("done"),
        "the attempt reached the last phase: {attempt}"
    );
    shoot(xvfb, "06-message-detail");

    // The command line's messages show up in the queue and the app delivers them; the
    // emergency stop holds them.
    // Capture stores where the pointer is after the countdown; Show moves the pointer there.
    let (cx, cy) = (term.rect().x + 100, term.rect().y + 150);
    go(s, "agents")?;
    capture_at(s, xvfb, "Term", (cx, cy))?;
    s.wait_text("[data-agent=Term]", &format!("{cx}, {cy}"), SHORT)?;
    s.wait_text(
        "[data-agent=Term] [data-testid=agent-window]",
        "XTerm",
        SHORT,
    )?;
    xdotool(xvfb, &["mousemove", "5", "5"]);
    s.click(&s.find("[data-agent=Term] .row-actions button:nth-child(2)")?)?;
    s.wait(
        &format!("the pointer to be shown at ({cx}, {cy})"),
        SHORT,
        |_| {
            let at = xdotool(xvfb, &["getmouselocation", "--shell"]);
            (at.contains(&format!("X={cx}\n")) && at.contains(&format!("Y={cy}\n"))).then_some(())
        },
    )?;
    // A capture with the pointer left over Switchboard's own window captures nothing; an
    // engine in another process (`switchboard deliver`) knows that window by its class.
    let by_class = xdotool(
        xvfb,
        &["search", "--class", &format!("^{DESKTOP_WINDOW_CLASS}$")],
    );
    if by_class.trim().is_empty() {
        return Err(format!(
            "no window has the class {DESKTOP_WINDOW_CLASS:?} that engines look for"
        ));
    }
    capture_at(s, xvfb, "Term", (300, 300))?;
    s.wait_text(".note-error", "Switchboard's own window", SHORT)?;
    s.click(&s.find(".note-error button.ghost")?)?;
    s.wait_text("[data-agent=Term]", &format!("{cx}, {cy}"), SHORT)?;

    let cli = block_on(other_process(db));
    go(s, "queue")?;
    s.click(&s.find("[data-testid=emergency-stop]")?)?;
    s.wait_text("[data-testid=engine-state]", "Paused", SHORT)?;
    let from_cli = "queued from the command line";
    let id = block_on(cli.enqueue(NewMessage {
        sender: "cli".into(),
        recipient: "Term".into(),
        body: from_cli.into(),
        priority: Priority::High,
        tags: vec!["cli".into()],
        reply_to: None,
    }))
    .map_err(|e| e.to_string())?
    .id;
    let row = s.wait_text("[data-testid=queue-table] tbody tr", from_cli, SHORT)?;
    if !row.contains("held: delivery is paused") {
        return Err(format!("the queue should say the message is held: {row}"));
    }
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        term.contents(),
        format!("{body}\n"),
        "nothing is typed while paused"
    );
    shoot(xvfb, "07-queue-paused");
    s.click(&s.find(".status-bar button.primary")?)?;
    let typed = term.wait_len(body.len() + from_cli.len() + 2, LONG);
    assert_eq!(
        typed,
        format!("{body}\n{from_cli}\n"),
        "resumed: the CLI's message is delivered"
    );
    s.wait_text(".empty", "The queue is empty", SHORT)?;
    assert_eq!(
        block_on(cli.message(id)).unwrap().state,
        MessageState::Delivered
    );

    // A message to a point on no monitor, with one attempt allowed, is a dead letter with its
    // reason.
    block_on(cli.add_agent(
        NewAgent {
            name: "Ghost".into(),
            team: None,
            role: None,
            point: Point { x: 5000, y: 10 },
            input: Default::default(),
            max_attempts: Some(1),
            enabled: true,
        },
        "cli",
    ))
    .map_err(|e| e.to_string())?;
    go(s, "compose")?;
    s.click(&s.find("input[value=Ghost]")?)?;
    s.type_text(&s.find("textarea[name=body]")?, "nobody will read this")?;
    s.click(&s.find("[data-testid=send]")?)?;
    go(s, "dead-letters")?;
    s.wait_text(
        "[data-testid=dead-letters-table] tbody tr",
        "OFF_SCREEN",
        LONG,
    )?;
    shoot(xvfb, "08-dead-letters");

    go(s, "agents")?;
    s.wait_text("[data-agent=Term]", "delivered", SHORT)?;
    shoot(xvfb, "09-agents");
    go(s, "settings")?;
    s.wait_text(
        "[data-testid=database-path]",
        &db.display().to_string(),
        SHORT,
    )?;
    shoot(xvfb, "10-settings");

    // The Discord screen says what to do first; a token pasted into its form connects the real
    // bot inside the app to a local Discord stand-in, and a command shows in the log live.
    let standin = block_on(StandIn::start(BOT_TOKEN));
    s.click(&s.find("[data-testid=bot-settings-link]")?)?;
    s.wait_text("[data-testid=bot-state]", "Off: no token", SHORT)?;
    s.wait_text(".empty", "No commands yet", SHORT)?;
    shoot(xvfb, "11-discord-settings");
    show_bot_panel(s)?;
    shoot(xvfb, "12-discord-first-run");
    fill(s, "input[name=token]", BOT_TOKEN)?;
    fill(s, "input[name=guildId]", &GUILD_ID.to_string())?;
    fill(s, "input[name=operatorUsers]", "1001")?;
    fill(s, "input[name=apiBase]", &standin.api_base)?;
    s.click(&s.find("[data-testid=save-bot-settings]")?)?;
    s.wait_text(
        "[data-testid=bot-state]",
        "Connected as switchboard-bot",
        LONG,
    )?;
    let page = s.text(&s.find("main")?)?;
    if page.contains(BOT_TOKEN) {
        return Err("the Discord screen shows the token in full".into());
    }
    standin.dispatch(
        "INTERACTION_CREATE",
        slash(7001, "status", vec![], &Who(1001, "alice", &[])),
    );
    let row = s.wait_text("[data-testid=discord-log] tbody tr", "/status", LONG)?;
    if !(row.contains("alice") && row.contains("succeeded")) {
        return Err(format!(
            "the log row should name alice and the outcome: {row}"
        ));
    }
    show_bot_panel(s)?;
    shoot(xvfb, "13-discord-connected");

    go(s, "dashboard")?;
    s.wait_text(".figures", "Delivered in the last hour", SHORT)?;
    s.wait_text(
        "[data-testid=bot-card]",
        "Discord bot: Connected as switchboard-bot",
        SHORT,
    )?;
    shoot(xvfb, "14-dashboard");
    block_on(cli.close());
    Ok(())
}
