//! The X11 driver's safety answers against real windows, each test on its own Xvfb: the
//! operator's idle time as distinct from ours, focus given and given back, screenshots, the
//! observer, and the stop flag halting typing mid-text. Needs `xvfb`, `xterm` and `xdotool`.
#![cfg(target_os = "linux")]

use std::process::Command;
use std::time::{Duration, Instant};

use switchboard_core::input::x11::X11Input;
use switchboard_core::input::{Input, InputError, Point, Rect, Stop};
use switchboard_testkit::{Geometry, XtermCat, Xvfb};

fn connect(xvfb: &Xvfb) -> X11Input {
    X11Input::connect(Some(xvfb.display())).expect("connect to the test display")
}

fn xdotool(xvfb: &Xvfb, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .env("DISPLAY", xvfb.display())
        .args(args)
        .output()
        .expect("xdotool is needed: install the Debian package `xdotool`");
    assert!(out.status.success(), "xdotool {args:?} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn point((x, y): (i32, i32)) -> Point {
    Point { x, y }
}

#[test]
fn operator_input_is_told_apart_from_switchboards_own() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    // Another test may have used a display of this name moments ago.
    std::thread::sleep(Duration::from_millis(400));
    input.move_to(Point { x: 300, y: 300 }).unwrap();
    input.click().unwrap();
    let idle = input
        .operator_idle()
        .unwrap()
        .expect("Xvfb has MIT-SCREEN-SAVER");
    assert!(
        idle >= Duration::from_millis(300),
        "our own move and click are not the operator's input: {idle:?}"
    );
    // Input within a few tens of milliseconds of ours is taken for ours.
    std::thread::sleep(Duration::from_millis(200));
    xdotool(&xvfb, &["mousemove", "600", "600"]);
    let idle = input.operator_idle().unwrap().unwrap();
    assert!(
        idle < Duration::from_millis(200),
        "xdotool's move after ours is the operator's: {idle:?}"
    );
    // Another Switchboard process on the same display knows it too.
    let idle_elsewhere = connect(&xvfb).operator_idle().unwrap().unwrap();
    assert!(
        idle_elsewhere < Duration::from_millis(300),
        "{idle_elsewhere:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let later = input.operator_idle().unwrap().unwrap();
    assert!(later >= Duration::from_millis(300), "{later:?}");
}

#[test]
fn a_key_left_down_counts_as_idle_once_nothing_changes_and_is_released_before_a_delivery() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    xdotool(&xvfb, &["keydown", "slash"]);
    let started = Instant::now();
    let mut idle = Duration::ZERO;
    while started.elapsed() < Duration::from_secs(5) && idle < Duration::from_millis(1000) {
        std::thread::sleep(Duration::from_millis(100));
        idle = input.operator_idle().unwrap().unwrap();
    }
    assert!(
        idle >= Duration::from_millis(1000),
        "autorepeat of a stuck key must not look like an operator typing forever: {idle:?}"
    );
    input.release_stuck_keys().unwrap();
    let (conn, _) = x11rb::connect(Some(xvfb.display())).unwrap();
    use x11rb::protocol::xproto::ConnectionExt as _;
    let keys = conn.query_keymap().unwrap().reply().unwrap().keys;
    assert!(
        keys.iter().all(|&k| k == 0),
        "the stuck key is released before a delivery brings the focus anywhere"
    );
}

#[test]
fn focus_is_given_to_a_window_and_given_back_without_a_window_manager() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let agent = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let operator = XtermCat::open(&xvfb, Geometry::at(600, 0));
    xdotool(
        &xvfb,
        &["windowfocus", "--sync", &operator.window().to_string()],
    );
    let saved = input.save_focus().unwrap().expect("X11 saves the focus");
    let target = input
        .window_at(point(agent.text_point()))
        .unwrap()
        .expect("the agent's xterm is at its point");

    input.move_to(point(agent.text_point())).unwrap();
    input.click().unwrap();
    let focused = input.focused_window().unwrap().map(|w| w.id);
    assert_eq!(
        focused,
        Some(u64::from(operator.window())),
        "without a window manager a click does not take the focus from a window"
    );
    input.activate(&target).unwrap();
    assert_eq!(
        input.focused_window().unwrap().map(|w| w.id),
        Some(target.id)
    );

    input.restore_focus(saved).unwrap();
    assert_eq!(
        input.focused_window().unwrap().map(|w| w.id),
        Some(u64::from(operator.window())),
        "the operator's window has the focus again"
    );
}

#[test]
fn a_screenshot_is_the_area_asked_clipped_to_the_screen() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let (x, y) = term.text_point();
    let inside = input
        .screenshot(Rect {
            x: x - 50,
            y: y - 20,
            width: 100,
            height: 40,
        })
        .unwrap()
        .expect("X11 takes screenshots");
    assert_eq!((inside.width, inside.height), (100, 40));
    assert_eq!(inside.rgb.len(), 100 * 40 * 3);
    assert!(
        inside
            .rgb
            .chunks(3)
            .filter(|p| p == &[255, 255, 255])
            .count()
            > 3000,
        "an empty xterm is white"
    );
    let corner = input
        .screenshot(Rect {
            x: -100,
            y: -100,
            width: 400,
            height: 120,
        })
        .unwrap()
        .unwrap();
    assert_eq!(
        (corner.width, corner.height),
        (300, 20),
        "only the part on the screen"
    );
}

#[test]
fn the_observer_reads_the_pointer_on_a_connection_of_its_own() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let mut observer = input.observer().unwrap().expect("X11 has an observer");
    xdotool(&xvfb, &["mousemove", "123", "45"]);
    assert_eq!(observer.pointer().unwrap(), Point { x: 123, y: 45 });
    assert_eq!(observer.screens().unwrap(), input.screens().unwrap());
}

#[test]
fn the_stop_flag_halts_typing_mid_text_and_leaves_no_key_down() {
    let xvfb = Xvfb::start();
    let mut input = connect(&xvfb);
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    input.move_to(point(term.text_point())).unwrap();
    input.click().unwrap();
    let stop = Stop::default();
    input.set_stop(stop.clone());
    let text: String = "Stop Me Now ".repeat(2_000);
    let file = term.path().to_path_buf();
    let stopper = std::thread::spawn(move || {
        while std::fs::metadata(&file).map_or(0, |m| m.len()) < 500 {
            std::thread::sleep(Duration::from_millis(1));
        }
        stop.request("test");
    });
    let result = input.type_text(&text);
    stopper.join().unwrap();
    assert_eq!(result, Err(InputError::Stopped("test".into())));
    let got = term.wait_until(Duration::from_secs(2), |_| false);
    assert!(
        got.len() < text.len() && text.starts_with(&got),
        "typing stopped part-way, after a clean prefix ({} of {} bytes)",
        got.len(),
        text.len()
    );
    assert_eq!(
        input.move_to(Point { x: 5, y: 5 }),
        Err(InputError::Stopped("test".into())),
        "nothing more is done until the flag is cleared"
    );
    let (conn, _) = x11rb::connect(Some(xvfb.display())).unwrap();
    use x11rb::protocol::xproto::ConnectionExt as _;
    let keys = conn.query_keymap().unwrap().reply().unwrap().keys;
    assert!(keys.iter().all(|&k| k == 0), "no key (Shift) is left down");
}
