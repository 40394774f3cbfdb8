//! End to end: what decides whether, when and in which order the engine types. Priority order
//! across agents, the emergency stop and resume, and the refusal to click a point that is on no
//! monitor.

mod common;

use common::{Switchboard, XTERM_PASTE, assert_xterm_holds, assert_xterm_untouched, attempts};
use serde_json::Value;
use switchboard_testkit::{Geometry, XtermCat, Xvfb};

#[test]
fn urgent_messages_are_delivered_before_older_less_urgent_ones() {
    let xvfb = Xvfb::start();
    let terms: Vec<XtermCat> = [(0, 0), (640, 0), (0, 512), (640, 512)]
        .into_iter()
        .map(|(x, y)| XtermCat::open(&xvfb, Geometry::at(x, y)))
        .collect();
    let sb = Switchboard::on(&xvfb);
    let names = ["low", "normal", "urgent", "high"];
    for (name, term) in names.iter().zip(&terms) {
        sb.add_agent(name, term.text_point(), XTERM_PASTE);
    }
    // Queued least urgent first, so delivery order can only come from the priority.
    let queued: Vec<(&str, i64)> = [
        ("low", "low"),
        ("normal", "normal"),
        ("urgent", "urgent"),
        ("high", "high"),
        ("normal", "normal"),
    ]
    .into_iter()
    .map(|(agent, priority)| {
        let text = format!("{priority} message");
        (
            priority,
            sb.send_with(agent, &text, &["--priority", priority]),
        )
    })
    .collect();

    let report = sb.deliver();

    let delivered: Vec<i64> = report["attempts"]
        .as_array()
        .expect("deliver reports attempts")
        .iter()
        .map(|a| a["message_id"].as_i64().expect("a message id"))
        .collect();
    let id = |n: usize| queued[n].1;
    assert_eq!(
        delivered,
        vec![id(2), id(3), id(1), id(4), id(0)],
        "delivery order must be urgent, high, normal (oldest first), low; queued as {queued:?}"
    );
    // The stored attempts agree with the report: each starts no earlier than the one before.
    let started: Vec<i64> = delivered
        .iter()
        .map(|&m| {
            attempts(&sb.show(m))[0]["started_at"]
                .as_i64()
                .expect("a start time")
        })
        .collect();
    assert!(
        started.windows(2).all(|w| w[0] <= w[1]),
        "attempt start times must follow the delivery order: {started:?}"
    );
    assert_xterm_holds(&terms[0], "low message\n", "low got its message");
    assert_xterm_holds(
        &terms[1],
        "normal message\nnormal message\n",
        "normal got both of its messages",
    );
    assert_xterm_holds(&terms[2], "urgent message\n", "urgent got its message");
    assert_xterm_holds(&terms[3], "high message\n", "high got its message");
}

#[test]
fn stop_keeps_deliver_from_typing_until_resume() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_PASTE);
    let id = sb.send("term", "only after resume");

    let stop = sb.json(&["stop", "--reason", "testing the emergency stop"]);
    assert_eq!(stop["reason"], "testing the emergency stop", "{stop}");
    let report = sb.deliver();
    assert_eq!(
        report["attempts"].as_array().map(Vec::len),
        Some(0),
        "a stopped engine must not attempt anything: {report}"
    );
    assert_xterm_untouched(&term, "nothing may be typed while delivery is stopped");
    assert_eq!(sb.state(id), "queued", "the message waits while stopped");

    assert_eq!(sb.json(&["resume"])["resumed"], true);
    sb.deliver();
    assert_xterm_holds(
        &term,
        "only after resume\n",
        "after resume the waiting message is delivered, once",
    );
    assert_eq!(sb.state(id), "delivered");
    let again = sb
        .run(&["retry", &id.to_string()])
        .failure(4, "a delivered message is not retried");
    assert!(
        again.stderr.contains("already delivered") && again.stderr.contains("send"),
        "the error says it was delivered and how to send it anew: {}",
        again.stderr
    );
    sb.run(&["cancel", &id.to_string()])
        .failure(4, "a delivered message cannot be cancelled");
}

#[test]
fn an_off_screen_agent_gets_nothing_and_the_attempt_says_off_screen() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    // The screen is 1280x1024: (5000, 300) is right of it.
    sb.add_agent("gone", (5000, 300), XTERM_PASTE);
    let id = sb.send("gone", "must not be typed anywhere");

    let run = sb.run(&["--json", "deliver", "--until-idle"]);
    let report = run.success().json();

    let runs = report["attempts"]
        .as_array()
        .expect("deliver reports attempts");
    assert_eq!(runs.len(), 1, "one attempt was made: {report}");
    assert_eq!(runs[0]["error_code"], "OFF_SCREEN", "{report}");
    let detail = sb.show(id);
    let tries = attempts(&detail);
    assert_eq!(tries.len(), 1, "{detail}");
    assert_eq!(
        tries[0]["error_code"], "OFF_SCREEN",
        "show --json must record why the attempt failed: {detail}"
    );
    assert_eq!(
        tries[0]["phase"], "locating",
        "the attempt must stop before clicking: {detail}"
    );
    let why = tries[0]["detail"].as_str().unwrap_or_default();
    assert!(
        why.contains("(5000, 300)") && why.contains("capture"),
        "the detail names the point and how to fix it: {why:?}"
    );
    assert_eq!(
        detail["message"]["state"], "queued",
        "the point may become valid again (a monitor plugged back in): retried later"
    );
    assert_xterm_untouched(
        &term,
        "an off-screen agent's text must not land in some other window",
    );
}

#[test]
fn a_disabled_agent_gets_nothing_until_enabled() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_PASTE);
    let id = sb.send("term", "after enable");
    sb.run(&["agent", "edit", "term", "--disable"]).success();

    let report = sb.deliver();
    assert_eq!(report["attempts"], Value::Array(vec![]), "{report}");
    assert_xterm_untouched(&term, "a disabled agent's messages wait");

    sb.run(&["agent", "edit", "term", "--enable"]).success();
    sb.deliver();
    assert_xterm_holds(
        &term,
        "after enable\n",
        "enabled again, it gets its message",
    );
    assert_eq!(sb.state(id), "delivered");
}
