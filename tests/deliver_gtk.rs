//! End to end into a GTK text entry (`zenity --entry`): GUI apps paste CLIPBOARD with ctrl+v,
//! unlike xterm, and Enter submits the dialog, which prints the entry's text. A single-line
//! entry, so these messages have no line breaks.

mod common;

use std::time::Duration;

use common::{GTK_PASTE, GTK_TYPE, LAND_TIMEOUT, Switchboard};
use switchboard_testkit::{Xvfb, ZenityEntry};

fn deliver_into_entry(settings: &[&str], text: &str, what: &str) {
    let xvfb = Xvfb::start();
    let entry = ZenityEntry::open(&xvfb);
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("gui", entry.entry_point(), settings);
    let id = sb.send("gui", text);

    sb.deliver();

    let submitted = entry.wait_output(LAND_TIMEOUT).unwrap_or_else(|| {
        panic!("{what}: the dialog was not submitted, so the submit key did not reach it")
    });
    assert_eq!(
        submitted,
        text,
        "{what}: the entry must hold exactly the message when Enter submits it\n{}",
        common::describe_difference(text, &submitted)
    );
    assert_eq!(
        sb.state(id),
        "delivered",
        "a message that landed must be recorded as delivered"
    );
}

#[test]
fn gtk_entry_receives_pasted_text_exactly() {
    deliver_into_entry(
        GTK_PASTE,
        "Paste Into GTK ~!@#$%^&*()_+{}|:\"<>? héllo — ✓ 日本語",
        "paste with ctrl+v",
    );
}

#[test]
fn gtk_entry_receives_typed_text_exactly() {
    deliver_into_entry(
        GTK_TYPE,
        "Typed Into GTK ~!@#$%^&*()_+{}|:\"<>? héllo — ✓ 日本語",
        "type mode",
    );
}

#[test]
fn gtk_entry_receives_all_printable_ascii_typed() {
    deliver_into_entry(
        GTK_TYPE,
        &common::printable_ascii(),
        "printable ASCII typed",
    );
}

#[test]
fn gtk_entry_with_submit_key_none_keeps_the_text_unsubmitted() {
    let xvfb = Xvfb::start();
    let entry = ZenityEntry::open(&xvfb);
    let sb = Switchboard::on(&xvfb);
    sb.add_agent(
        "gui",
        entry.entry_point(),
        &[
            "--mode",
            "paste",
            "--paste-key",
            "ctrl+v",
            "--submit-key",
            "none",
        ],
    );
    let id = sb.send("gui", "left in the box");
    sb.deliver();
    assert_eq!(
        entry.wait_output(Duration::from_millis(700)),
        None,
        "with submit key `none` the dialog must not be submitted"
    );
    assert_eq!(
        sb.state(id),
        "delivered",
        "entering the text without submitting still counts as delivered"
    );
    // The operator submits it by hand: the text must be waiting in the entry.
    let pressed = xvfb
        .command("xdotool")
        .args(["key", "Return"])
        .status()
        .expect("run xdotool (Debian package xdotool)");
    assert!(pressed.success(), "xdotool could not press Enter");
    assert_eq!(
        entry.wait_output(LAND_TIMEOUT).as_deref(),
        Some("left in the box"),
        "the message must be in the entry, whole, waiting for the operator's Enter"
    );
}
