//! End-to-end tests of the X11 driver against real windows, each on its own Xvfb server (so
//! they run in parallel). They need the Debian packages `xvfb`, `xterm`, `zenity` and `xdotool`;
//! a missing one fails the test with a message saying which to install.
#![cfg(target_os = "linux")]

use std::process::Command;
use std::time::{Duration, Instant};

use switchboard_core::input::x11::{X11Input, X11Options};
use switchboard_core::input::{Chord, Input, InputError, Key, Point};
use switchboard_testkit::{
    CopiedText, Geometry, Selection, XtermCat, Xvfb, ZenityEntry, read_selection, selection_owner,
};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, KeyButMask};

/// What the engine allows by default (the `paste_timeout_ms` setting).
const PASTE_TIMEOUT: Duration = Duration::from_millis(2000);

const WAIT: Duration = Duration::from_secs(10);
const SHIFT_INSERT: Chord = Chord::shift(Key::Insert);
const CTRL_V: Chord = Chord::ctrl(Key::Letter('v'));

fn connect(xvfb: &Xvfb) -> X11Input {
    X11Input::connect(Some(xvfb.display())).expect("connect to the test display")
}

fn point((x, y): (i32, i32)) -> Point {
    Point { x, y }
}

/// Focus follows the pointer without a window manager; the click mirrors what the engine does.
fn focus(input: &mut X11Input, p: (i32, i32)) {
    input.move_to(point(p)).expect("move the pointer");
    input.click().expect("click");
}

fn xterm(xvfb: &Xvfb, input: &mut X11Input) -> XtermCat {
    let term = XtermCat::open(xvfb, Geometry::at(0, 0));
    focus(input, term.text_point());
    term
}

fn random_printable(seed: u64, len: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| char::from(rng.u8(0x20..=0x7e))).collect()
}

/// Type `text` and check that the terminal received exactly it.
fn assert_types_exactly(input: &mut X11Input, term: &XtermCat, text: &str) {
    let before = term.contents();
    input.type_text(text).expect("type_text");
    let expected = format!("{before}{text}");
    let got = term.wait_len(expected.len(), WAIT);
    assert_eq!(
        got, expected,
        "the terminal must receive exactly the typed characters"
    );
}

fn xdotool(xvfb: &Xvfb, args: &[&str]) {
    let status = Command::new("xdotool")
        .env("DISPLAY", xvfb.display())
        .args(args)
        .status()
        .expect("xdotool is needed to set up this test: install the Debian package `xdotool`");
    assert!(status.success(), "xdotool {args:?} failed");
}

fn modifier_mask(xvfb: &Xvfb) -> u16 {
    let (conn, screen) = x11rb::connect(Some(xvfb.display())).expect("connect");
    let root = conn.setup().roots[screen].root;
    let reply = conn.query_pointer(root).unwrap().reply().unwrap();
    u16::from(reply.mask)
}

#[test]
fn typing_plain_text_is_exact() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    assert_types_exactly(&mut input, &term, "hello world, this is plain text 123");
}

#[test]
fn typing_capitals_and_every_shifted_symbol_is_exact() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    let all_ascii: String = (0x20u8..=0x7e).map(char::from).collect();
    assert_types_exactly(&mut input, &term, &all_ascii);
    assert_types_exactly(
        &mut input,
        &term,
        "ABC xyz ~!@#$%^&*()_+{}|:\"<>? AaBbZz\tTAB",
    );
}

#[test]
fn typing_non_ascii_uses_spare_keycodes_and_gives_them_back() {
    let xvfb = Xvfb::start();
    let spare_before = connect(&xvfb)
        .spare_keycodes()
        .expect("count spare keycodes");
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    assert_types_exactly(&mut input, &term, "héllo — ✓ 日本語");
    // The same characters again reuse the cached bindings.
    assert_types_exactly(&mut input, &term, "日本語 ✓ — héllo ÀÉÎÕÜ ß €");
    drop(input);
    let spare_after = connect(&xvfb)
        .spare_keycodes()
        .expect("count spare keycodes");
    assert_eq!(
        spare_after, spare_before,
        "dropping the driver must set the keycodes it bound back to NoSymbol"
    );
}

#[test]
fn typing_2000_random_printable_characters_is_exact_and_fast() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    for run in 0..5 {
        let text = random_printable(run, 2000);
        let start = Instant::now();
        input.type_text(&text).expect("type_text");
        let elapsed = start.elapsed();
        let expected_len = 2000 * (run as usize + 1);
        let got = term.wait_len(expected_len, WAIT);
        assert_eq!(
            &got[got.len().saturating_sub(2000)..],
            text,
            "run {run}: every one of the 2,000 characters must arrive, in order"
        );
        assert_eq!(got.len(), expected_len, "run {run}: no extra characters");
        let rate = 2000.0 / elapsed.as_secs_f64();
        assert!(
            rate >= 1000.0,
            "run {run}: typed at {rate:.0} chars/s, need >= 1000"
        );
    }
}

#[test]
fn typing_notices_when_another_program_rebinds_its_keycodes() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    assert_types_exactly(&mut input, &term, "é");
    // Another program binds a different character to the keycode that carries é.
    let (conn, _) = x11rb::connect(Some(xvfb.display())).expect("connect");
    let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max - min + 1)
        .unwrap()
        .reply()
        .unwrap();
    let per = usize::from(map.keysyms_per_keycode);
    let index = map
        .keysyms
        .chunks(per)
        .position(|syms| syms[0] == 0xe9)
        .expect("é is bound somewhere after typing it");
    let keycode = min + u8::try_from(index).unwrap();
    let smiley = 0x0100_263a;
    conn.change_keyboard_mapping(1, keycode, 2, &[smiley, smiley])
        .unwrap();
    conn.get_input_focus().unwrap().reply().unwrap();
    assert_types_exactly(&mut input, &term, "é é");
}

#[test]
fn a_typing_rate_limit_paces_the_keys() {
    let xvfb = Xvfb::start();
    let options = X11Options::new().max_typing_rate(Some(1000));
    let mut input = X11Input::connect_with(Some(xvfb.display()), options).expect("connect");
    let term = xterm(&xvfb, &mut input);
    let text = random_printable(5, 300);
    let start = Instant::now();
    assert_types_exactly(&mut input, &term, &text);
    assert!(
        start.elapsed() >= Duration::from_millis(280),
        "300 characters at 1000 chars/s must take about 300 ms, took {:?}",
        start.elapsed()
    );
}

#[test]
fn typing_more_distinct_characters_than_spare_keycodes_is_exact() {
    let xvfb = Xvfb::start();
    let mut input = X11Input::connect_with(
        Some(xvfb.display()),
        X11Options::new().rebind_settle(Duration::from_millis(100)),
    )
    .expect("connect");
    let spare = input.spare_keycodes().expect("count spare keycodes");
    eprintln!("{spare} spare keycodes");
    let term = xterm(&xvfb, &mut input);
    // CJK ideographs are on no layout; interleave ASCII and come back to the first ones at
    // the end, after they were evicted.
    let ideographs: Vec<char> = (0..spare as u32 + 25)
        .map(|i| char::from_u32(0x4e00 + i).expect("CJK ideograph"))
        .collect();
    let mut text: String = ideographs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i % 7 == 0 {
                format!("{c}a")
            } else {
                c.to_string()
            }
        })
        .collect();
    text.extend(ideographs[..10].iter());
    assert_types_exactly(&mut input, &term, &text);
}

#[test]
fn typing_with_caps_lock_on_keeps_the_case_and_caps_lock() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    xdotool(&xvfb, &["key", "Caps_Lock"]);
    let lock = u16::from(KeyButMask::LOCK);
    assert_ne!(
        modifier_mask(&xvfb) & lock,
        0,
        "setup: Caps Lock should be on"
    );
    assert_types_exactly(&mut input, &term, "Hello World, MiXeD case!");
    assert_ne!(
        modifier_mask(&xvfb) & lock,
        0,
        "the operator's Caps Lock must be back on after typing"
    );
}

#[test]
fn a_modifier_left_pressed_by_another_program_is_released_before_typing() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    xdotool(&xvfb, &["keydown", "Shift_L"]);
    assert_types_exactly(&mut input, &term, "lower case stays lower");
}

#[test]
fn typing_into_a_gtk_entry_is_exact() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let entry = ZenityEntry::open(&xvfb);
    focus(&mut input, entry.entry_point());
    let text = format!("héllo — ✓ 日本語 {}", random_printable(3, 2000));
    input.type_text(&text).expect("type_text");
    input.press(Chord::key(Key::Enter)).expect("press enter");
    assert_eq!(
        entry.wait_output(WAIT),
        Some(text),
        "the GTK entry must receive exactly the typed characters"
    );
}

#[test]
fn paste_into_xterm_with_shift_insert_is_exact() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    let long = random_printable(7, 2000);
    for text in [long.as_str(), "héllo — ✓ 日本語"] {
        let before = term.contents();
        let start = Instant::now();
        input
            .paste(text, SHIFT_INSERT, PASTE_TIMEOUT)
            .expect("paste");
        eprintln!(
            "pasted {} chars in {:?}",
            text.chars().count(),
            start.elapsed()
        );
        let expected = format!("{before}{text}");
        assert_eq!(
            term.wait_len(expected.len(), WAIT),
            expected,
            "xterm must receive exactly the pasted text"
        );
    }
}

#[test]
fn paste_of_100000_characters_is_exact_and_larger_than_a_request_fails_clearly() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    let text = random_printable(100, 100_000);
    let start = Instant::now();
    input
        .paste(&text, SHIFT_INSERT, PASTE_TIMEOUT)
        .expect("paste");
    eprintln!("pasted 100000 chars in {:?}", start.elapsed());
    assert_eq!(
        term.wait_len(text.len(), Duration::from_secs(30)),
        text,
        "a 100,000-character message goes in one property and must arrive whole"
    );

    let huge = "x".repeat(17 * 1024 * 1024);
    let Err(InputError::Clipboard(m)) = input.paste(&huge, SHIFT_INSERT, PASTE_TIMEOUT) else {
        panic!("a message beyond the maximum request size must be refused before pasting");
    };
    assert!(m.contains("type it instead"), "{m}");
}

#[test]
fn paste_into_gtk_entry_with_ctrl_v_is_exact() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let entry = ZenityEntry::open(&xvfb);
    focus(&mut input, entry.entry_point());
    let text = format!("{} héllo — ✓ 日本語", random_printable(11, 2000));
    input.paste(&text, CTRL_V, PASTE_TIMEOUT).expect("paste");
    input.press(Chord::key(Key::Enter)).expect("press enter");
    assert_eq!(
        entry.wait_output(WAIT),
        Some(text),
        "the entry must hold the pasted text"
    );
}

#[test]
fn paste_gives_the_operators_previous_clipboard_back() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    let _clipboard = CopiedText::copy(&xvfb, Selection::Clipboard, "operator's clipboard ✓");
    let _primary = CopiedText::copy(&xvfb, Selection::Primary, "operator's selection");
    for message in ["first message", "second message"] {
        input
            .paste(message, SHIFT_INSERT, PASTE_TIMEOUT)
            .expect("paste");
        let read = |s| read_selection(&xvfb, s, Duration::from_secs(2));
        assert_eq!(
            read(Selection::Clipboard).as_deref(),
            Some("operator's clipboard ✓"),
            "after {message:?} the clipboard must hold the operator's text again"
        );
        assert_eq!(
            read(Selection::Primary).as_deref(),
            Some("operator's selection")
        );
    }
    assert_eq!(term.wait_len(27, WAIT), "first messagesecond message");
}

#[test]
fn paste_with_no_previous_clipboard_leaves_it_empty() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = xterm(&xvfb, &mut input);
    input
        .paste("only this", SHIFT_INSERT, PASTE_TIMEOUT)
        .expect("paste");
    assert_eq!(term.wait_len(9, WAIT), "only this");
    for s in [Selection::Clipboard, Selection::Primary] {
        assert_eq!(
            selection_owner(&xvfb, s),
            0,
            "{s:?} was empty before the paste and must be empty after it"
        );
    }
}

#[test]
fn paste_nobody_reads_fails_with_paste_not_read() {
    let xvfb = Xvfb::start();
    let mut input = X11Input::connect(Some(xvfb.display())).expect("connect");
    // Keys go to the root window: no client asks for the selection.
    input.move_to(Point { x: 600, y: 600 }).expect("move");
    let result = input.paste("nobody reads this", CTRL_V, Duration::from_millis(300));
    assert_eq!(result, Err(InputError::PasteNotRead(300)));
    assert_eq!(
        read_selection(&xvfb, Selection::Clipboard, Duration::from_secs(1)),
        None,
        "an unread message must not stay on the clipboard for a late reader"
    );
}

#[test]
fn a_clipboard_manager_fetching_the_text_does_not_count_as_the_paste() {
    let xvfb = Xvfb::start();
    let mut input = X11Input::connect(Some(xvfb.display())).expect("connect");
    // xterm does not paste on ctrl+v: only the "manager" below will fetch the text.
    let _term = xterm(&xvfb, &mut input);
    let message = "watched by a clipboard manager";
    let fetched = std::thread::scope(|scope| {
        let manager = scope.spawn(|| {
            let deadline = Instant::now() + Duration::from_millis(1500);
            let mut fetched = 0;
            while Instant::now() < deadline {
                let got = read_selection(&xvfb, Selection::Clipboard, Duration::from_millis(200));
                fetched += usize::from(got.as_deref() == Some(message));
                std::thread::sleep(Duration::from_millis(5));
            }
            fetched
        });
        let result = input.paste(message, CTRL_V, Duration::from_millis(500));
        assert_eq!(
            result,
            Err(InputError::PasteNotRead(500)),
            "only a fetch by the focused window's client proves the paste"
        );
        manager.join().expect("manager thread")
    });
    assert!(
        fetched > 0,
        "setup: the stand-in manager should have fetched the message"
    );
}

#[test]
fn screens_match_the_xvfb_geometry() {
    let xvfb = Xvfb::with_size(1024, 768);
    let mut input = connect(&xvfb);
    let screens = input.screens().expect("screens");
    assert_eq!(
        screens,
        vec![switchboard_core::input::Rect {
            x: 0,
            y: 0,
            width: 1024,
            height: 768
        }]
    );
}

#[test]
fn screens_fall_back_to_the_root_window_without_randr() {
    let xvfb = Xvfb::with_args(800, 600, &["-extension", "RANDR"]);
    let mut input = connect(&xvfb);
    let screens = input.screens().expect("screens");
    let whole = switchboard_core::input::Rect {
        x: 0,
        y: 0,
        width: 800,
        height: 600,
    };
    assert_eq!(screens, vec![whole]);
}

#[test]
fn a_server_without_xtest_is_reported_as_such() {
    let xvfb = Xvfb::with_args(800, 600, &["-extension", "XTEST"]);
    let Err(InputError::InputFailed(m)) = X11Input::connect(Some(xvfb.display())) else {
        panic!("connecting to a server without XTEST must fail with InputFailed");
    };
    assert!(m.contains("lacks the XTEST extension"), "{m}");
}

#[test]
fn window_at_and_focused_window_identify_the_xterm() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = XtermCat::open(&xvfb, Geometry::at(100, 50));
    let inside = term.text_point();
    let found = input
        .window_at(point(inside))
        .expect("window_at")
        .expect("a window at the xterm");
    assert_eq!(found.class, "XTerm");
    assert_eq!(found.title, term.title());
    assert_eq!(found.id, u64::from(term.window()));
    assert_eq!(found.pid, Some(term.pid()));
    assert_eq!(
        input
            .window_at(Point { x: 1200, y: 1000 })
            .expect("window_at"),
        None
    );

    focus(&mut input, inside);
    let focused = input.focused_window().expect("focused_window");
    assert_eq!(focused.map(|w| w.id), Some(u64::from(term.window())));

    let entry = ZenityEntry::open(&xvfb);
    let gtk = input
        .window_at(point(entry.entry_point()))
        .expect("window_at")
        .expect("a window at the entry");
    assert_eq!(
        (gtk.class.as_str(), gtk.title.as_str()),
        ("Zenity", entry.title())
    );
    assert_eq!(gtk.pid, Some(entry.pid()), "GTK publishes _NET_WM_PID");
}

#[test]
fn move_to_and_pointer_round_trip() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    for p in [
        Point { x: 0, y: 0 },
        Point { x: 321, y: 123 },
        Point { x: 1279, y: 1023 },
    ] {
        input.move_to(p).expect("move_to");
        assert_eq!(input.pointer().expect("pointer"), p);
    }
    let off = input.move_to(Point { x: 1280, y: 5 });
    assert!(
        matches!(&off, Err(InputError::InputFailed(m)) if m.contains("1280x1024")),
        "an off-screen point must be refused, not clamped: {off:?}"
    );
}

#[test]
fn connection_errors_say_what_to_do() {
    let Err(no_display) = X11Input::connect(Some("")) else {
        panic!("an empty display name must not connect");
    };
    assert_eq!(
        no_display.to_string(),
        "no X display: set DISPLAY (for example DISPLAY=:0) or start switchboard from your \
         desktop session"
    );
    let Err(InputError::DisplayUnavailable(m)) = X11Input::connect(Some(":4321")) else {
        panic!("display :4321 does not exist");
    };
    assert!(
        m.contains(":4321") && m.contains("check that the X server is running"),
        "{m}"
    );
}
