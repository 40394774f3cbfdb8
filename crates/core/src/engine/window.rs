//! Whether the window under an agent's point is that agent's window: the check made before
//! every click, so that a window that moved, a dialog that popped up or another agent's
//! window never receives the text.

use crate::input::WindowInfo;
use crate::model::{Agent, WindowRule};

/// A class or title pattern as an operator writes it: a glob (`*` any run of characters,
/// `?` one character, case-insensitive, matching the whole text), or `re:` followed by a
/// regular expression (searched anywhere in the text; anchor it with `^...$`).
#[derive(Debug, Clone)]
pub enum Pattern {
    Glob(Vec<char>),
    Regex(regex::Regex),
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, String> {
        if text.is_empty() {
            return Err(
                "an empty window pattern matches nothing; give a glob such as *code* or re:REGEX"
                    .into(),
            );
        }
        match text.strip_prefix("re:") {
            Some(re) => regex::Regex::new(re)
                .map(Pattern::Regex)
                .map_err(|e| format!("{text:?} is not a valid regular expression: {e}")),
            None => Ok(Pattern::Glob(text.to_lowercase().chars().collect())),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Regex(re) => re.is_match(text),
            Pattern::Glob(glob) => {
                let text: Vec<char> = text.to_lowercase().chars().collect();
                glob_matches(glob, &text)
            }
        }
    }
}

/// Classic wildcard matching with backtracking to the last `*`: linear in practice.
fn glob_matches(glob: &[char], text: &[char]) -> bool {
    let (mut g, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if g < glob.len() && (glob[g] == '?' || glob[g] == text[t]) {
            g += 1;
            t += 1;
        } else if g < glob.len() && glob[g] == '*' {
            star = Some((g, t));
            g += 1;
        } else if let Some((sg, st)) = star {
            g = sg + 1;
            t = st + 1;
            star = Some((sg, st + 1));
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The agent is set to take any window (`--any-window`).
    Unchecked,
    /// The window is the agent's.
    Match(WindowInfo),
    /// Nothing is recorded for the agent yet: this window becomes its window.
    Learn(WindowInfo),
    /// Not the agent's window, or no window at all: why, for the attempt's detail.
    Wrong(String),
}

/// The WM_CLASS class GTK gives the desktop app's windows on X11 (from its binary's name,
/// `switchboard-desktop`), so that an engine in another process knows them too.
pub const DESKTOP_WINDOW_CLASS: &str = "Switchboard-desktop";

/// A window of Switchboard itself: this process's own (the engine inside the desktop app), or
/// the desktop app's while the engine runs elsewhere (`switchboard deliver`).
pub fn is_switchboard(w: &WindowInfo) -> bool {
    w.pid == Some(std::process::id()) || w.class.eq_ignore_ascii_case(DESKTOP_WINDOW_CLASS)
}

/// Judge the window `found` under `agent`'s point (see [`WindowRule`] for the rules).
/// Switchboard's own window is never the agent's, whatever the rule: a click there could press
/// one of its buttons, and the first delivery would learn it as the agent's window.
pub fn judge(agent: &Agent, found: Option<WindowInfo>) -> Verdict {
    let rule = &agent.window;
    if let Some(own) = found.as_ref().filter(|w| is_switchboard(w)) {
        return Verdict::Wrong(format!(
            "the window at {} is Switchboard's own ({}), over {}'s input box; nothing was \
             clicked or typed. Move the Switchboard window off that point (or minimise it) and \
             the message is delivered on its next attempt",
            agent.point,
            describe(own),
            agent.name
        ));
    }
    if rule.any {
        return Verdict::Unchecked;
    }
    let Some(found) = found else {
        return Verdict::Wrong(format!(
            "there is no window at {} (only the desktop), so {}'s window ({}) was closed, moved \
             or minimised; nothing was clicked or typed",
            agent.point,
            agent.name,
            expectation(rule)
        ));
    };
    let patterns = [
        ("class", rule.class.as_deref(), found.class.as_str()),
        ("title", rule.title.as_deref(), found.title.as_str()),
    ];
    let ok = if patterns.iter().any(|(_, p, _)| p.is_some()) {
        // Patterns were validated when stored; one that no longer parses matches nothing.
        patterns.iter().all(|(_, pattern, text)| {
            pattern.is_none_or(|p| Pattern::parse(p).is_ok_and(|p| p.matches(text)))
        })
    } else {
        match &rule.seen {
            None => return Verdict::Learn(found),
            Some(seen) => same_program(&seen.window, &found),
        }
    };
    if ok {
        return Verdict::Match(found);
    }
    Verdict::Wrong(format!(
        "the window at {} is {}, not {}'s window ({}); nothing was clicked or typed. Move that \
         window away; if the agent's program was restarted, capture the position again with \
         `switchboard agent capture {}` or match the window with --window-class/--window-title",
        agent.point,
        describe(&found),
        agent.name,
        expectation(rule),
        agent.name
    ))
}

/// The recorded window and `found` belong to the same program: same class and same process.
/// Titles are not compared (agents change them as they work). A window without a process id
/// is compared by its window id instead, which changes when the program restarts.
fn same_program(seen: &WindowInfo, found: &WindowInfo) -> bool {
    seen.class == found.class
        && match (seen.pid, found.pid) {
            (Some(a), Some(b)) => a == b,
            _ => seen.id == found.id,
        }
}

/// `XTerm "title" (pid 123, window 0x400022)`, for messages.
pub fn describe(w: &WindowInfo) -> String {
    let class = if w.class.is_empty() {
        "a window without a class"
    } else {
        &w.class
    };
    let title: String = if w.title.chars().count() > 60 {
        w.title.chars().take(59).chain(['…']).collect()
    } else {
        w.title.clone()
    };
    let pid = w.pid.map(|p| format!("pid {p}, ")).unwrap_or_default();
    format!("{class} {title:?} ({pid}window {:#x})", w.id)
}

/// What the rule asks of the window, for messages and `agent show`.
pub fn expectation(rule: &WindowRule) -> String {
    if rule.any {
        return "any window: not checked".into();
    }
    let patterns: Vec<String> = [("class", &rule.class), ("title", &rule.title)]
        .iter()
        .filter_map(|(what, p)| p.as_ref().map(|p| format!("{what} matching {p:?}")))
        .collect();
    if !patterns.is_empty() {
        return patterns.join(" and ");
    }
    match &rule.seen {
        Some(seen) => describe(&seen.window),
        None => "none recorded yet: the first delivery records the window it finds".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Point;
    use crate::model::{InputProfile, SeenWindow};

    fn window(id: u64, class: &str, title: &str, pid: Option<u32>) -> WindowInfo {
        WindowInfo {
            id,
            class: class.into(),
            title: title.into(),
            pid,
        }
    }

    fn agent(rule: WindowRule) -> Agent {
        Agent {
            id: 1,
            name: "A".into(),
            team: None,
            role: None,
            enabled: true,
            point: Point { x: 5, y: 5 },
            input: InputProfile::default(),
            max_attempts: None,
            window: rule,
            min_gap_ms: None,
            strip_control: false,
            last_delivered_at: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn seen(w: WindowInfo) -> WindowRule {
        WindowRule {
            seen: Some(SeenWindow { window: w, at: 0 }),
            ..WindowRule::default()
        }
    }

    #[test]
    fn globs_match_whole_texts_without_regard_to_case() {
        let p = |s: &str| Pattern::parse(s).unwrap();
        assert!(p("xterm").matches("XTerm"));
        assert!(p("*claude*").matches("✳ Claude Code — ~/work"));
        assert!(p("a?c").matches("abc") && !p("a?c").matches("abbc"));
        assert!(
            !p("code").matches("vscode"),
            "a glob matches the whole text"
        );
        assert!(p("*").matches(""));
        assert!(p("a*b*c").matches("aXbYbZc") && !p("a*b*c").matches("aXbYbZ"));
    }

    #[test]
    fn regexes_are_searched_and_bad_ones_say_why() {
        let re = Pattern::parse("re:^Agent-[0-9]+$").unwrap();
        assert!(re.matches("Agent-12") && !re.matches("my Agent-12"));
        let e = Pattern::parse("re:(").unwrap_err();
        assert!(e.contains("not a valid regular expression"), "{e}");
        assert!(Pattern::parse("").is_err());
    }

    #[test]
    fn a_recorded_window_matches_the_same_program_whatever_its_title() {
        let a = agent(seen(window(10, "XTerm", "old title", Some(100))));
        let renamed = window(10, "XTerm", "new title", Some(100));
        assert_eq!(judge(&a, Some(renamed.clone())), Verdict::Match(renamed));
        let other_xterm = window(11, "XTerm", "old title", Some(200));
        let Verdict::Wrong(why) = judge(&a, Some(other_xterm)) else {
            panic!("another xterm is another agent's window");
        };
        assert!(
            why.contains("pid 200") && why.contains("agent capture A"),
            "the detail names the intruder and the fix: {why}"
        );
    }

    #[test]
    fn without_a_pid_the_window_id_decides() {
        let a = agent(seen(window(10, "Emacs", "t", None)));
        assert!(matches!(
            judge(&a, Some(window(10, "Emacs", "u", None))),
            Verdict::Match(_)
        ));
        assert!(matches!(
            judge(&a, Some(window(12, "Emacs", "t", None))),
            Verdict::Wrong(_)
        ));
    }

    #[test]
    fn patterns_take_precedence_over_the_recorded_window() {
        let mut rule = seen(window(10, "XTerm", "t", Some(1)));
        rule.title = Some("*agent-a*".into());
        let a = agent(rule);
        assert!(matches!(
            judge(&a, Some(window(99, "Code", "Agent-A: main.rs", Some(7)))),
            Verdict::Match(_)
        ));
        assert!(matches!(
            judge(&a, Some(window(10, "XTerm", "t", Some(1)))),
            Verdict::Wrong(_)
        ));
    }

    #[test]
    fn no_window_is_wrong_nothing_recorded_learns_and_any_skips() {
        let a = agent(WindowRule::default());
        let Verdict::Wrong(why) = judge(&a, None) else {
            panic!("no window is never right")
        };
        assert!(why.contains("no window at (5, 5)"), "{why}");
        let w = window(3, "XTerm", "t", Some(1));
        assert_eq!(judge(&a, Some(w.clone())), Verdict::Learn(w.clone()));
        let any = agent(WindowRule {
            any: true,
            ..WindowRule::default()
        });
        assert_eq!(judge(&any, None), Verdict::Unchecked);
    }

    #[test]
    fn switchboards_own_window_is_never_an_agents_whatever_the_rule() {
        let desktop = window(4, DESKTOP_WINDOW_CLASS, "Switchboard", Some(4321));
        let this_process = window(5, "", "", Some(std::process::id()));
        let pattern_for_everything = WindowRule {
            class: Some("*".into()),
            ..WindowRule::default()
        };
        let rules = [
            WindowRule::default(),
            seen(desktop.clone()),
            pattern_for_everything,
            WindowRule {
                any: true,
                ..WindowRule::default()
            },
        ];
        for rule in rules {
            for own in [&desktop, &this_process] {
                let Verdict::Wrong(why) = judge(&agent(rule.clone()), Some(own.clone())) else {
                    panic!("{own:?} was taken under {rule:?}");
                };
                assert!(
                    why.contains("Switchboard's own") && why.contains("nothing was clicked"),
                    "{why}"
                );
            }
        }
        let lookalike = window(6, "switchboard-desktop-notes", "Switchboard", Some(4321));
        assert!(!is_switchboard(&lookalike), "only the app's class itself");
    }
}
