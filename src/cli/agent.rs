//! `switchboard agent ...`

use std::time::Duration;

use clap::{Args, Subcommand};
use switchboard_core::Store;
use switchboard_core::input::{self, Chord, Point};
use switchboard_core::model::{Agent, Clear, InputMode, InputProfile, SubmitKey};
use switchboard_core::store::{AgentPatch, NewAgent};

use super::output::{or_dash, table, time};
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
    #[arg(long, value_parser = parse_attempts)]
    max_attempts: Option<Option<u32>>,
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

impl Details {
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
            let agent = store
                .add_agent(
                    NewAgent {
                        name,
                        team: details.team.clone(),
                        role: details.role.clone(),
                        point: Point { x, y },
                        input: details.profile(InputProfile::default()),
                        max_attempts: details.max_attempts.flatten(),
                        enabled: !disabled,
                    },
                    "cli",
                )
                .await?;
            out.print(&agent, || {
                format!("registered {} at {}", agent.name, agent.point)
            })
        }
        AgentCommand::List => {
            let agents = store.agents().await?;
            out.print(&agents, || {
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
                        ]
                    })
                    .collect();
                table(&["NAME", "TEAM", "ROLE", "ENABLED", "POINT", "INPUT"], rows)
            })
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
    let (agent, verb) = match store.agent(name).await {
        Ok(_) => {
            let patch = AgentPatch {
                point: Some(point),
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
            (store.add_agent(new, "cli").await?, "registered")
        }
        Err(e) => return Err(e.into()),
    };
    out.print(&agent, || {
        format!("{verb} {} at {}", agent.name, agent.point)
    })
}

pub fn display_failure(e: input::InputError) -> Failure {
    Failure {
        code: "DISPLAY_UNAVAILABLE",
        message: e.to_string(),
        status: exit::DISPLAY,
    }
}

fn profile_summary(p: &InputProfile) -> String {
    match p.mode {
        InputMode::Paste => format!("paste {} then {}", p.paste_key, p.submit_key),
        InputMode::Type => format!("type then {}", p.submit_key),
    }
}

fn describe(a: &Agent) -> String {
    let p = &a.input;
    let attempts = a
        .max_attempts
        .map_or_else(|| "the global setting".to_string(), |n| n.to_string());
    format!(
        "name:         {}\nteam:         {}\nrole:         {}\nenabled:      {}\npoint:        {}\n\
         mode:         {}\npaste key:    {}\nsubmit key:   {}\nnewline key:  {}\nclear first:  {}\n\
         max attempts: {attempts}\nadded:        {}\nchanged:      {}",
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
        time(a.created_at),
        time(a.updated_at),
    )
}
