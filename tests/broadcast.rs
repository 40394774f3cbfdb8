//! End to end: `switchboard broadcast` to several real xterms. Every window must hold the
//! message exactly once (no window skipped, none typed into twice, no text crossing windows).

mod common;

use common::{Switchboard, XTERM_PASTE, XTERM_TYPE, assert_xterm_holds, assert_xterm_untouched};
use switchboard_testkit::{Geometry, XtermCat, Xvfb};

/// Four 80x24 xterms (about 484x316 pixels each) side by side in a 2x2 grid on 1280x1024.
fn four_terminals(xvfb: &Xvfb) -> Vec<XtermCat> {
    [(0, 0), (640, 0), (0, 512), (640, 512)]
        .into_iter()
        .map(|(x, y)| XtermCat::open(xvfb, Geometry::at(x, y)))
        .collect()
}

#[test]
fn broadcast_reaches_every_window_exactly_once() {
    let xvfb = Xvfb::start();
    let terms = four_terminals(&xvfb);
    let sb = Switchboard::on(&xvfb);
    for (n, term) in terms.iter().enumerate() {
        // Mixed modes: the same broadcast goes into pasting and typing agents.
        let settings = if n % 2 == 0 { XTERM_PASTE } else { XTERM_TYPE };
        sb.add_agent(&format!("agent-{n}"), term.text_point(), settings);
    }
    let text = "All Hands: rebase on main ~!@#$%^&*()_+{}|:\"<>? ✓";
    let queued = sb
        .run_with_stdin(&["--json", "broadcast", "-"], text.as_bytes())
        .success()
        .json();
    let queued = queued.as_array().expect("broadcast lists its messages");
    assert_eq!(queued.len(), terms.len(), "one message per enabled agent");
    let group = &queued[0]["broadcast_id"];
    assert!(
        queued
            .iter()
            .all(|m| &m["broadcast_id"] == group && !group.is_null()),
        "the messages of one broadcast share a broadcast id: {queued:?}"
    );

    let report = sb.deliver();

    assert_eq!(
        report["attempts"].as_array().map(Vec::len),
        Some(terms.len()),
        "one attempt per agent: {report}"
    );
    for (n, term) in terms.iter().enumerate() {
        assert_xterm_holds(
            term,
            &format!("{text}\n"),
            &format!("window {n} must hold the broadcast exactly once"),
        );
    }
    for m in queued {
        let id = m["id"].as_i64().expect("an id");
        assert_eq!(sb.state(id), "delivered", "message {id} must be delivered");
    }
}

#[test]
fn team_broadcast_skips_other_teams_and_disabled_agents() {
    let xvfb = Xvfb::start();
    let terms = four_terminals(&xvfb);
    let sb = Switchboard::on(&xvfb);
    let teams = ["red", "red", "blue", "red"];
    for (n, (term, team)) in terms.iter().zip(teams).enumerate() {
        let mut settings = XTERM_PASTE.to_vec();
        settings.extend(["--team", team]);
        if n == 3 {
            settings.push("--disabled");
        }
        sb.add_agent(&format!("agent-{n}"), term.text_point(), &settings);
    }
    let queued = sb.json(&["broadcast", "--team", "red", "red team only"]);
    assert_eq!(
        queued.as_array().map(Vec::len),
        Some(2),
        "two enabled agents are in team red: {queued}"
    );

    sb.deliver();

    assert_xterm_holds(&terms[0], "red team only\n", "agent-0 is in team red");
    assert_xterm_holds(&terms[1], "red team only\n", "agent-1 is in team red");
    assert_xterm_untouched(&terms[2], "agent-2 is in team blue");
    assert_xterm_untouched(&terms[3], "agent-3 is disabled");
}
