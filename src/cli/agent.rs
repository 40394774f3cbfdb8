//! `switchboard agent ...`

use std::time::Duration;

use clap::{Args, Subcommand};
use switchboard_core::Store;
use switchboard_core::engine::window::is_switchboard;
use switchboard_core::input::{self, Chord, Point};
use switchboard_core::model::{Clear, InputMode, InputProfile, SeenWindow, SubmitKey, now_ms};
use switchboard_core::store::{AgentPatch, AgentSafety, NewAgent};

use super::agent_view::{describe, list, window_note};
use super::{CliResult, Failure, Out, exit};

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Register an agent by the screen position of its input box
    Add {
        name: String,
        /// Horizontal position of the input box (negative: a monitor left of the primary)
        #[arg(long, allow_negative_numbers = true)]
        x: i32,
        /// Vertical position of the input box (negative: a monitor above the primary)
        #[arg(long, allow_negative_numbers = true)]
        y: i32,
        #[command(flatten)]
        details: Details,
        /// Register it disabled (nothing is delivered to it until enabled)
        #[arg(long)]
        disabled: bool,
    },
    /// List agents
    List,
    /// Show one agent
    Show { name: String },
    /// Change an agent
    Edit {
        name: String,
        /// New name
        #[arg(long = "name", value_name = "NEW_NAME")]
        new_name: Option<String>,
        #[arg(long, allow_negative_numbers = true)]
        x: Option<i32>,
        #[arg(long, allow_negative_numbers = true)]
        y: Option<i32>,
        #[command(flatten)]
        details: Details,
        /// Deliver to it again
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Stop delivering to it; its messages wait
        #[arg(long)]
        disable: bool,
    },
    /// Remove an agent (its history stays)
    Rm {
        name: String,
        /// Also cancel the messages still waiting for it
        #[arg(long)]
        force: bool,
    },
    /// Store where the pointer is as the agent's input box (registers the agent if new)
    Capture {
        name: String,
        /// Seconds to move the pointer over the input box first
        #[arg(long, default_value_t = 3)]
        countdown: u64,
    },
}

/// Optional agent fields shared by `add` and `edit`.
#[derive(Debug, Args)]
pub struct Details {
    /// Team, for broadcasting to a group ("" clears it when editing)
    #[arg(long)]
    team: Option<String>,
    /// What the agent does ("" clears it when editing)
    #[arg(long)]
    role: Option<String>,
    /// How text goes in: paste (clipboard, fast, any character) or type (key by key)
    #[arg(long, value_parser = parse::<InputMode>)]
    mode: Option<InputMode>,
    /// Paste key: ctrl+v (GUI apps, IDE chats), shift+insert (xterm), ctrl+shift+v (most terminals)
    #[arg(long, value_parser = parse::<Chord>)]
    paste_key: Option<Chord>,
    /// Submit key: enter, ctrl+enter, or none to leave the text in the box
    #[arg(long, value_parser = parse::<SubmitKey>)]
    submit_key: Option<SubmitKey>,
    /// Key for a line break inside a typed message: shift+enter (chats), enter (terminals)...
    #[arg(long, value_parser = parse::<Chord>)]
    newline_key: Option<Chord>,
    /// Empty the input first: none, select-all (ctrl+a, delete) or kill-line (ctrl+u)
    #[arg(long, value_parser = parse::<Clear>)]
    clear: Option<Clear>,
    /// Attempts before a message to it becomes a dead letter ("default": the global setting)
    // The inner Option is spelled out in full so that clap takes it as the parsed value
    // ("default" is None) instead of as an optional value of the flag.
    #[arg(long, value_parser = parse_attempts)]
    max_attempts: Option<::std::option::Option<u32>>,
    /// Deliver only into a window whose WM_CLASS class matches: a glob (XTerm, *code*; any
    /// case) or re:REGEX; "" clears. Without patterns, the window found at the point is used
    #[arg(long, value_name = "PATTERN")]
    window_class: Option<String>,
    /// Deliver only into a window whose title matches ('*claude*', re:REGEX); "" clears
    #[arg(long, value_name = "PATTERN")]
    window_title: Option<String>,
    /// Deliver into whatever window is under the point (no window check)
    #[arg(long, conflicts_with = "check_window")]
    any_window: bool,
    /// Check the window under the point again (undoes --any-window)
    #[arg(long)]
    check_window: bool,
    /// Least time between two deliveries to it, in ms ("default": the min_gap_ms setting)
    #[arg(long, value_name = "MS", value_parser = parse_gap)]
    min_gap_ms: Option<::std::option::Option<u64>>,
    /// Remove control characters (escape sequences...) from its messages instead of refusing them
    #[arg(long, conflicts_with = "refuse_control")]
    strip_control: bool,
    /// Refuse messages holding control characters (the default; undoes --strip-control)
    #[arg(long)]
    refuse_control: bool,
}

fn parse<T: std::str::FromStr<Err: std::fmt::Display>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: T::Err| e.to_string())
}

fn parse_attempts(s: &str) -> Result<Option<u32>, String> {
    if s.eq_ignore_ascii_case("default") {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(format!(
            "{s:?} is not a number of attempts; give 1 or more, or default"
        )),
    }
}

fn parse_gap(s: &str) -> Result<Option<u64>, String> {
    if s.eq_ignore_ascii_case("default") {
        return Ok(None);
    }
    s.parse::<u64>().map(Some).map_err(|_| {
        format!("{s:?} is not a gap in milliseconds; give 0 or more (20000 is 20 s), or default")
    })
}

/// What is at the agent's point on the display, to record as its window.
enum Probe {
    Found(SeenWindow),
    Nothing,
    /// Switchboard's own window is there, which is never an agent's.
    Switchboard,
    /// No display to look at (or it failed): why.
    NoDisplay(String),
}

impl Probe {
    fn at(point: Point) -> Probe {
        let found = input::connect(None).and_then(|mut d| d.window_at(point));
        match found {
            Ok(Some(window)) if is_switchboard(&window) => Probe::Switchboard,
            Ok(Some(window)) => Probe::Found(SeenWindow {
                window,
                at: now_ms(),
            }),
            Ok(None) => Probe::Nothing,
            Err(e) => Probe::NoDisplay(e.to_string()),
        }
    }

    /// The window to store: `None` to leave it to the store (a new point forgets the old one).
    fn seen(&self) -> Option<Option<SeenWindow>> {
        match self {
            Probe::Found(w) => Some(Some(w.clone())),
            Probe::Nothing | Probe::Switchboard => Some(None),
            Probe::NoDisplay(_) => None,
        }
    }

    /// A line for the person when nothing was recorded.
    fn note(&self, point: Point) -> Option<String> {
        match self {
            Probe::Found(_) => None,
            Probe::Nothing => Some(format!(
                "note: there is no window at {point} now; the window found there at the first delivery will be the agent's"
            )),
            Probe::Switchboard => Some(format!(
                "note: Switchboard's own window is at {point} now, so no window was recorded; move it off the agent's input box (nothing is delivered while it is there)"
            )),
            Probe::NoDisplay(why) => Some(format!(
                "note: no window was recorded ({why}); the window found at the first delivery will be the agent's"
            )),
        }
    }
}

impl Details {
    fn any_window(&self) -> Option<bool> {
        (self.any_window || self.check_window).then_some(self.any_window)
    }
    fn strip_control(&self) -> Option<bool> {
        (self.strip_control || self.refuse_control).then_some(self.strip_control)
    }

    fn profile(&self, base: InputProfile) -> InputProfile {
        InputProfile {
            mode: self.mode.unwrap_or(base.mode),
            paste_key: self.paste_key.unwrap_or(base.paste_key),
            submit_key: self.submit_key.unwrap_or(base.submit_key),
            newline_key: self.newline_key.unwrap_or(base.newline_key),
            clear: self.clear.unwrap_or(base.clear),
        }
    }
    fn touches_profile(&self) -> bool {
        self.mode.is_some()
            || self.paste_key.is_some()
            || self.submit_key.is_some()
            || self.newline_key.is_some()
            || self.clear.is_some()
    }
}

pub async fn run(cmd: AgentCommand, store: &Store, out: &Out) -> CliResult {
    match cmd {
        AgentCommand::Add {
            name,
            x,
            y,
            details,
            disabled,
        } => {
            let point = Point { x, y };
            // Unless the operator opted out, record which window is at the point now.
            let probe = match details.any_window {
                true => Probe::Nothing,
                false => Probe::at(point),
            };
            let mut window = switchboard_core::model::WindowRule {
                class: details.window_class.clone(),
                title: details.window_title.clone(),
                any: details.any_window,
                seen: None,
            };
            if let Probe::Found(seen) = &probe {
                window.seen = Some(seen.clone());
            }
            let safety = AgentSafety {
                window,
                min_gap_ms: details.min_gap_ms.flatten(),
                strip_control: details.strip_control,
            };
            let new = NewAgent {
                name,
                team: details.team.clone(),
                role: details.role.clone(),
                point,
                input: details.profile(InputProfile::default()),
                max_attempts: details.max_attempts.flatten(),
                enabled: !disabled,
            };
            let agent = store.add_agent_with(new, safety, "cli").await?;
            out.print(&agent, || {
                let mut text = format!("registered {} at {}", agent.name, agent.point);
                text.push_str(&window_note(&agent));
                if agent.window.class.is_none()
                    && agent.window.title.is_none()
                    && !agent.window.any
                    && let Some(note) = probe.note(point)
                {
                    text.push('\n');
                    text.push_str(&note);
                }
                text
            })
        }
        AgentCommand::List => {
            let agents = store.agents().await?;
            out.print(&agents, || list(&agents))
        }
        AgentCommand::Show { name } => {
            let agent = store.agent(&name).await?;
            out.print(&agent, || describe(&agent))
        }
        AgentCommand::Edit {
            name,
            new_name,
            x,
            y,
            details,
            enable,
            disable,
        } => {
            let current = store.agent(&name).await?;
            let point = match (x, y) {
                (None, None) => None,
                (x, y) => Some(Point {
                    x: x.unwrap_or(current.point.x),
                    y: y.unwrap_or(current.point.y),
                }),
            };
            // A new point: record the window there now, when there is a display.
            let seen = point
                .filter(|p| *p != current.point)
                .and_then(|p| Probe::at(p).seen());
            let patch = AgentPatch {
                name: new_name,
                team: details.team.clone(),
                role: details.role.clone(),
                enabled: (enable || disable).then_some(enable),
                point,
                input: details
                    .touches_profile()
                    .then(|| details.profile(current.input)),
                max_attempts: details.max_attempts,
                window_class: details.window_class.clone(),
                window_title: details.window_title.clone(),
                any_window: details.any_window(),
                seen,
                min_gap_ms: details.min_gap_ms,
                strip_control: details.strip_control(),
            };
            let agent = store.edit_agent(&name, patch, "cli").await?;
            out.print(&agent, || {
                format!("updated {}\n{}", agent.name, describe(&agent))
            })
        }
        AgentCommand::Rm { name, force } => {
            let (agent, cancelled) = store.remove_agent(&name, force, "cli").await?;
            let value =
                serde_json::json!({ "removed": agent.name, "cancelled_messages": cancelled });
            out.print(&value, || match cancelled {
                0 => format!("removed {}", agent.name),
                n => format!(
                    "removed {} and cancelled {n} waiting message(s)",
                    agent.name
                ),
            })
        }
        AgentCommand::Capture { name, countdown } => capture(&name, countdown, store, out).await,
    }
}

async fn capture(name: &str, countdown: u64, store: &Store, out: &Out) -> CliResult {
    let mut display = input::connect(None).map_err(display_failure)?;
    for left in (1..=countdown).rev() {
        if !out.json() {
            eprintln!("move the pointer over {name}'s input box: {left}...");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let point = display.pointer().map_err(display_failure)?;
    let found = display.window_at(point).map_err(display_failure)?;
    if found.as_ref().is_some_and(is_switchboard) {
        return Err(Failure::invalid(format!(
            "the pointer was over Switchboard's own window at {point}, not over {name}'s input box, so nothing was captured; run the capture again and move the pointer over the input box before the countdown ends"
        )));
    }
    let seen = found.map(|window| SeenWindow {
        window,
        at: now_ms(),
    });
    let (agent, verb) = match store.agent(name).await {
        Ok(_) => {
            let patch = AgentPatch {
                point: Some(point),
                seen: Some(seen),
                ..AgentPatch::default()
            };
            (store.edit_agent(name, patch, "cli").await?, "moved")
        }
        Err(switchboard_core::Error::NotFound(_)) => {
            let new = NewAgent {
                name: name.to_string(),
                team: None,
                role: None,
                point,
                input: InputProfile::default(),
                max_attempts: None,
                enabled: true,
            };
            let safety = AgentSafety {
                window: switchboard_core::model::WindowRule {
                    seen,
                    ..Default::default()
                },
                ..AgentSafety::default()
            };
            (
                store.add_agent_with(new, safety, "cli").await?,
                "registered",
            )
        }
        Err(e) => return Err(e.into()),
    };
    out.print(&agent, || {
        format!(
            "{verb} {} at {}{}",
            agent.name,
            agent.point,
            window_note(&agent)
        )
    })
}

pub fn display_failure(e: input::InputError) -> Failure {
    Failure {
        code: "DISPLAY_UNAVAILABLE",
        message: e.to_string(),
        status: exit::DISPLAY,
    }
}
