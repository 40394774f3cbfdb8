//! How agents read on the terminal: `agent list`, `agent show`, and the window line printed
//! when a position is set.

use switchboard_core::engine::window::{describe as describe_window, expectation};
use switchboard_core::input::platform_support;
use switchboard_core::model::{Agent, InputMode, InputProfile};

use super::output::{or_dash, table, time};

pub fn list(agents: &[Agent]) -> String {
    if agents.is_empty() {
        return "no agents yet; register one with `switchboard agent add NAME --x X --y Y` \
                or `switchboard agent capture NAME`"
            .into();
    }
    let rows = agents
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                or_dash(a.team.as_ref()),
                or_dash(a.role.as_ref()),
                if a.enabled { "yes" } else { "no" }.into(),
                a.point.to_string(),
                profile_summary(&a.input),
                window_summary(a),
            ]
        })
        .collect();
    table(
        &[
            "NAME", "TEAM", "ROLE", "ENABLED", "POINT", "INPUT", "WINDOW",
        ],
        rows,
    )
}

/// The window column: short enough for a table.
fn window_summary(a: &Agent) -> String {
    let w = &a.window;
    if !platform_support().windows {
        return "not checked on this platform".into();
    }
    if w.any {
        return "any (not checked)".into();
    }
    let patterns: Vec<&str> = [&w.class, &w.title]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !patterns.is_empty() {
        return patterns.join(" + ");
    }
    match &w.seen {
        Some(seen) => match seen.window.pid {
            Some(pid) => format!("{} pid {pid}", seen.window.class),
            None => format!("{} {:#x}", seen.window.class, seen.window.id),
        },
        None => "recorded at first delivery".into(),
    }
}

/// ` in XTerm "title" (pid 1, window 0x2)`-style suffix for "registered A at (x, y)".
pub fn window_note(a: &Agent) -> String {
    match (
        &a.window.seen,
        a.window.any,
        &a.window.class,
        &a.window.title,
    ) {
        (_, true, _, _) => "; any window there takes the text (not checked)".into(),
        (_, false, None, None) => match &a.window.seen {
            Some(seen) => format!(", in {}", describe_window(&seen.window)),
            None => String::new(),
        },
        _ => format!("; only into a window with {}", expectation(&a.window)),
    }
}

fn profile_summary(p: &InputProfile) -> String {
    match p.mode {
        InputMode::Paste => format!("paste {} then {}", p.paste_key, p.submit_key),
        InputMode::Type => format!("type then {}", p.submit_key),
    }
}

pub fn describe(a: &Agent) -> String {
    let p = &a.input;
    let attempts = a
        .max_attempts
        .map_or_else(|| "the global setting".to_string(), |n| n.to_string());
    let mut window = expectation(&a.window);
    if let Some(seen) = a
        .window
        .seen
        .as_ref()
        .filter(|_| !a.window.any && (a.window.class.is_some() || a.window.title.is_some()))
    {
        window.push_str(&format!(
            "\n              (found at the point: {})",
            describe_window(&seen.window)
        ));
    } else if let Some(seen) = &a.window.seen {
        window.push_str(&format!(", recorded {}", time(seen.at)));
    }
    if !platform_support().windows {
        window.push_str(
            "\n              window checks are not available on this platform: nothing is checked",
        );
    }
    let gap = a
        .min_gap_ms
        .map_or_else(|| "the global setting".to_string(), |g| format!("{g} ms"));
    format!(
        "name:         {}\nteam:         {}\nrole:         {}\nenabled:      {}\npoint:        {}\n\
         window:       {window}\n\
         mode:         {}\npaste key:    {}\nsubmit key:   {}\nnewline key:  {}\nclear first:  {}\n\
         max attempts: {attempts}\nmin gap:      {gap}\nctrl chars:   {}\nlast sent:    {}\n\
         added:        {}\nchanged:      {}",
        a.name,
        or_dash(a.team.as_ref()),
        or_dash(a.role.as_ref()),
        if a.enabled { "yes" } else { "no" },
        a.point,
        p.mode,
        p.paste_key,
        p.submit_key,
        p.newline_key,
        p.clear,
        if a.strip_control {
            "stripped"
        } else {
            "refused"
        },
        a.last_delivered_at.map_or_else(|| "-".to_string(), time),
        time(a.created_at),
        time(a.updated_at),
    )
}
