//! End to end into a terminal: messages queued with `switchboard send` and delivered by
//! `switchboard deliver --until-idle` land in an xterm running `cat`, byte for byte, in paste
//! mode and in type mode. `cat` writes the submit key (Enter) as the final `\n`.

mod common;

use common::{Switchboard, XTERM_PASTE, XTERM_TYPE, assert_xterm_holds, attempts};
use switchboard_testkit::{Geometry, XtermCat, Xvfb};

/// Start a display with one xterm, register `agent` on it with `settings`, queue `text`,
/// deliver, and require that the terminal holds exactly the text and one submit key.
fn deliver_into_xterm(settings: &[&str], text: &str, what: &str) {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), settings);
    let id = sb.send("term", text);

    let report = sb.deliver();

    let runs = report["attempts"]
        .as_array()
        .expect("deliver reports attempts");
    assert_eq!(
        runs.len(),
        1,
        "one queued message means exactly one attempt: {report}"
    );
    assert_xterm_holds(
        &term,
        &format!("{text}\n"),
        &format!("{what}: the terminal must hold exactly the message and one Enter"),
    );
    let detail = sb.show(id);
    assert_eq!(
        detail["message"]["state"], "delivered",
        "a message that landed must be recorded as delivered: {detail}"
    );
    assert_eq!(
        attempts(&detail)[0]["phase"],
        "done",
        "the attempt must have gone through every phase"
    );
}

#[test]
fn plain_text_is_pasted_exactly() {
    deliver_into_xterm(
        XTERM_PASTE,
        "please run the tests and report back",
        "plain text",
    );
}

#[test]
fn plain_text_is_typed_exactly() {
    deliver_into_xterm(
        XTERM_TYPE,
        "please run the tests and report back",
        "plain text",
    );
}

#[test]
fn text_given_as_an_argument_is_delivered_exactly() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_PASTE);
    let out = sb.run(&["send", "term", "Argument Text, 42!"]).success();
    assert!(
        out.stdout.trim().parse::<i64>().is_ok(),
        "send prints the new message's id and nothing else, got {:?}",
        out.stdout
    );
    sb.deliver();
    assert_xterm_holds(
        &term,
        "Argument Text, 42!\n",
        "text passed on the command line must arrive as given",
    );
}

#[test]
fn capitals_and_every_shifted_symbol_are_pasted_exactly() {
    let text = format!(
        "Capitals ABCXYZ ~!@#$%^&*()_+{{}}|:\"<>? and all of ASCII: {}",
        common::printable_ascii()
    );
    deliver_into_xterm(XTERM_PASTE, &text, "shifted symbols, paste mode");
}

#[test]
fn capitals_and_every_shifted_symbol_are_typed_exactly() {
    let text = format!(
        "Capitals ABCXYZ ~!@#$%^&*()_+{{}}|:\"<>? and all of ASCII: {}",
        common::printable_ascii()
    );
    deliver_into_xterm(XTERM_TYPE, &text, "shifted symbols, type mode");
}

#[test]
fn non_ascii_text_is_pasted_exactly() {
    deliver_into_xterm(XTERM_PASTE, "héllo — ✓ 日本語", "non-ASCII, paste mode");
}

#[test]
fn non_ascii_text_is_typed_exactly() {
    deliver_into_xterm(XTERM_TYPE, "héllo — ✓ 日本語", "non-ASCII, type mode");
}

#[test]
fn a_2000_character_message_is_pasted_exactly() {
    let text = common::random_printable(2000, 1);
    deliver_into_xterm(XTERM_PASTE, &text, "2,000 random characters, paste mode");
}

#[test]
fn a_2000_character_message_is_typed_exactly() {
    let text = common::random_printable(2000, 2);
    deliver_into_xterm(XTERM_TYPE, &text, "2,000 random characters, type mode");
}

#[test]
fn a_multi_line_message_is_pasted_as_one_message() {
    let text = "first line\nSecond Line: {x}\n\n  indented after a blank line\nlast";
    deliver_into_xterm(XTERM_PASTE, text, "multi-line, paste mode");
}

#[test]
fn a_multi_line_message_is_typed_with_the_newline_key() {
    let text = "first line\nSecond Line: {x}\n\n  indented after a blank line\nlast";
    deliver_into_xterm(XTERM_TYPE, text, "multi-line, type mode");
}

#[test]
fn tabs_are_typed_as_the_tab_key() {
    deliver_into_xterm(XTERM_TYPE, "col1\tcol2\tcol3", "tabs, type mode");
}

#[test]
fn windows_line_endings_arrive_as_single_line_breaks() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_TYPE);
    let queued = sb
        .run_with_stdin(&["--json", "send", "term", "-"], b"one\r\ntwo\r\n")
        .success()
        .json();
    assert_eq!(
        queued["body"], "one\ntwo\n",
        "CRLF is normalised to LF when queued"
    );
    sb.deliver();
    assert_xterm_holds(
        &term,
        "one\ntwo\n\n",
        "each CRLF must become one line break, then Enter submits",
    );
}

#[test]
fn several_messages_to_one_agent_arrive_in_the_order_sent() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_PASTE);
    let texts = ["one", "Two", "three 3", "FOUR!"];
    for t in texts {
        sb.send("term", t);
    }
    let report = sb.deliver();
    assert_eq!(
        report["attempts"].as_array().map(Vec::len),
        Some(texts.len()),
        "each message is delivered with one attempt: {report}"
    );
    let expected: String = texts.iter().map(|t| format!("{t}\n")).collect();
    assert_xterm_holds(
        &term,
        &expected,
        "messages of equal priority must arrive first-in first-out, each once",
    );
}

#[test]
fn characters_outside_the_basic_plane_are_typed_exactly() {
    deliver_into_xterm(
        XTERM_TYPE,
        "emoji 😀 clef 𝄞 flag 🇫🇷 done",
        "astral characters, type mode",
    );
}

#[test]
fn more_distinct_non_ascii_characters_than_spare_keycodes_are_typed_exactly() {
    // 150 different CJK characters: more than the keyboard has spare keycodes to bind them
    // to, so the typist must re-bind keycodes part-way through without losing any.
    let text: String = (0..150u32)
        .map(|n| char::from_u32(0x4E00 + n * 7).expect("a CJK character"))
        .collect();
    deliver_into_xterm(XTERM_TYPE, &text, "150 distinct CJK characters, type mode");
}
