//! `switchboard send | broadcast | queue | history | show | retry | cancel | stats`

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use switchboard_core::Store;
use switchboard_core::model::{Message, MessageState, Priority};
use switchboard_core::store::{HistoryFilter, NewBroadcast, NewMessage};

use super::output::{or_dash, table, time};
use super::when;
use super::{CliResult, Failure, Out};

/// Where the text comes from and how it is labelled; shared by `send` and `broadcast`.
#[derive(Debug, Args)]
pub struct Body {
    /// The message; `-` reads standard input
    text: Option<String>,
    /// Read the message from a UTF-8 file (`-`: standard input)
    #[arg(long, short = 'f', value_name = "PATH", conflicts_with = "text")]
    file: Option<PathBuf>,
    /// urgent, high, normal or low
    #[arg(long, short = 'p', default_value = "normal", value_parser = parse_priority)]
    priority: Priority,
    /// A label kept with the message (repeatable)
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    tags: Vec<String>,
    /// Who it is from (an agent messaging another gives its own name)
    #[arg(
        long = "from",
        env = "SWITCHBOARD_FROM",
        default_value = "operator",
        value_name = "SENDER"
    )]
    sender: String,
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse()
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The agent's name
    agent: String,
    #[command(flatten)]
    body: Body,
    /// The id of the message this answers
    #[arg(long, value_name = "ID")]
    reply_to: Option<i64>,
}

#[derive(Debug, Args)]
pub struct BroadcastArgs {
    #[command(flatten)]
    body: Body,
    /// Only the agents of this team
    #[arg(long)]
    team: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only messages to this agent
    #[arg(long)]
    agent: Option<String>,
    /// Only messages in this state (queued, in_flight, delivered, failed, cancelled, needs_review)
    #[arg(long, value_parser = |s: &str| s.parse::<MessageState>())]
    state: Option<MessageState>,
    /// Only messages whose text or sender contains this
    #[arg(long)]
    search: Option<String>,
    // When the message was queued.
    #[command(flatten)]
    queued: when::Dates,
    /// Messages older than this id (the next page)
    #[arg(long, value_name = "ID")]
    before: Option<i64>,
    /// How many messages
    #[arg(long, default_value_t = 20)]
    limit: u32,
}

impl Body {
    /// The text, from the argument, the file or standard input.
    fn read(&self) -> Result<String, Failure> {
        let from_stdin = || -> Result<String, Failure> {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::invalid(format!("cannot read standard input: {e}")))?;
            utf8(bytes, "standard input")
        };
        match (&self.text, &self.file) {
            (Some(t), _) if t == "-" => from_stdin(),
            (Some(t), _) => Ok(t.clone()),
            (None, Some(p)) if p.as_os_str() == "-" => from_stdin(),
            (None, Some(p)) => {
                let bytes = std::fs::read(p).map_err(|e| {
                    Failure::invalid(format!(
                        "cannot read {}: {e}; check the path and its permissions",
                        p.display()
                    ))
                })?;
                utf8(bytes, &p.display().to_string())
            }
            (None, None) => Err(Failure::invalid(
                "no message given; pass the text as an argument, --file PATH, or - to read standard input",
            )),
        }
    }
}

fn utf8(bytes: Vec<u8>, source: &str) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        Failure::invalid(format!(
            "{source} is not UTF-8 text (invalid byte at offset {}); save it as UTF-8 and try again",
            e.utf8_error().valid_up_to()
        ))
    })
}

pub async fn send(args: SendArgs, store: &Store, out: &Out) -> CliResult {
    let message = store
        .enqueue(NewMessage {
            sender: args.body.sender.clone(),
            recipient: args.agent,
            body: args.body.read()?,
            priority: args.body.priority,
            tags: args.body.tags.clone(),
            reply_to: args.reply_to,
        })
        .await?;
    out.print(&message, || message.id.to_string())
}

pub async fn broadcast(args: BroadcastArgs, store: &Store, out: &Out) -> CliResult {
    let messages = store
        .broadcast(NewBroadcast {
            sender: args.body.sender.clone(),
            body: args.body.read()?,
            priority: args.body.priority,
            tags: args.body.tags.clone(),
            team: args.team,
        })
        .await?;
    out.print(&messages, || {
        messages
            .iter()
            .map(|m| format!("{}\t{}", m.id, m.recipient))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn message_rows(messages: &[Message]) -> Vec<Vec<String>> {
    messages
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.state.to_string(),
                m.priority.to_string(),
                m.recipient.clone(),
                m.sender.clone(),
                m.attempts.to_string(),
                time(m.created_at),
                m.body.clone(),
            ]
        })
        .collect()
}

const MESSAGE_HEADERS: [&str; 8] = [
    "ID", "STATE", "PRIORITY", "TO", "FROM", "TRIES", "QUEUED", "TEXT",
];

pub async fn queue(store: &Store, out: &Out) -> CliResult {
    let messages = store.queue().await?;
    out.print(&messages, || {
        if messages.is_empty() {
            return "the queue is empty".into();
        }
        table(&MESSAGE_HEADERS, message_rows(&messages))
    })
}

pub async fn history(args: HistoryArgs, store: &Store, out: &Out) -> CliResult {
    let (since, until) = args.queued.checked()?;
    let filter = HistoryFilter {
        agent: args.agent,
        state: args.state,
        text: args.search,
        since,
        until,
        before_id: args.before,
        limit: args.limit,
    };
    let messages = store.history(&filter).await?;
    out.print(&messages, || {
        if messages.is_empty() {
            return "no messages match".into();
        }
        let mut text = table(&MESSAGE_HEADERS, message_rows(&messages));
        if messages.len() as u32 == filter.limit.clamp(1, 1000)
            && let Some(last) = messages.last()
        {
            text.push_str(&format!("(more: --before {})\n", last.id));
        }
        text
    })
}

/// `show --json`: the message detail plus the attempts' visual receipts.
#[derive(serde::Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    detail: &'a switchboard_core::model::MessageDetail,
    receipts: Vec<switchboard_core::store::Receipt>,
}

pub async fn show(id: i64, store: &Store, out: &Out) -> CliResult {
    let detail = store.message_detail(id).await?;
    let receipts = store.receipts(id).await?;
    let shown = Shown {
        detail: &detail,
        receipts,
    };
    out.print(&shown, || {
        let m = &detail.message;
        let mut text = format!(
            "message {}  {}\nto:        {}\nfrom:      {}\npriority:  {}\ntags:      {}\nreply to:  {}\nqueued:    {}\nattempts:  {}\n",
            m.id,
            m.state,
            m.recipient,
            m.sender,
            m.priority,
            if m.tags.is_empty() { "-".into() } else { m.tags.join(", ") },
            or_dash(m.reply_to),
            time(m.created_at),
            m.attempts,
        );
        if let Some(at) = m.delivered_at {
            text.push_str(&format!("delivered: {}\n", time(at)));
        }
        if m.state == MessageState::Queued && m.attempts > 0 {
            text.push_str(&format!("next try:  {}\n", time(m.next_attempt_at)));
        }
        if let (Some(code), Some(err)) = (&m.last_error_code, &m.last_error) {
            text.push_str(&format!("last error: {code}: {err}\n"));
        }
        text.push_str(&format!("\n{}\n", m.body));
        if !detail.attempts.is_empty() {
            let rows = detail
                .attempts
                .iter()
                .enumerate()
                .map(|(n, a)| {
                    vec![
                        (n + 1).to_string(),
                        time(a.started_at),
                        or_dash(a.duration_ms.map(|d| format!("{d} ms"))),
                        a.phase.to_string(),
                        or_dash(a.outcome),
                        or_dash(a.error_code.as_ref()),
                        or_dash(a.detail.as_ref()),
                    ]
                })
                .collect();
            text.push('\n');
            text.push_str(&table(&["#", "STARTED", "TOOK", "PHASE", "OUTCOME", "CODE", "DETAIL"], rows));
        }
        for r in &shown.receipts {
            let n = detail.attempts.iter().position(|a| a.id == r.attempt_id).map_or(0, |n| n + 1);
            text.push_str(&format!("receipt of attempt {n}: {}\n", r.path));
        }
        text
    })
}

pub async fn retry(id: i64, store: &Store, out: &Out) -> CliResult {
    let m = store.retry(id, "cli").await?;
    out.print(&m, || {
        format!("message {} to {} is queued again", m.id, m.recipient)
    })
}

pub async fn cancel(id: i64, store: &Store, out: &Out) -> CliResult {
    let m = store.cancel(id, "cli").await?;
    out.print(&m, || {
        format!("message {} to {} is cancelled", m.id, m.recipient)
    })
}

pub async fn stats(store: &Store, out: &Out) -> CliResult {
    let s = store.stats().await?;
    let paused = store.paused().await?;
    let value = serde_json::json!({ "stats": &s, "paused": &paused });
    out.print(&value, || {
        let mut text = String::new();
        if let Some(p) = &paused {
            text.push_str(&format!("delivery is STOPPED since {} by {}: {} (`switchboard resume` continues)\n\n", time(p.at), p.by, p.reason));
        }
        for c in &s.by_state {
            text.push_str(&format!("{:<13} {}\n", c.state.as_str(), c.count));
        }
        text.push_str(&format!(
            "\nagents:                  {} ({} enabled)\ndelivered in last hour:  {}\nfailed tries, last hour: {}\n",
            s.agents, s.agents_enabled, s.delivered_last_hour, s.failed_attempts_last_hour
        ));
        if let (Some(avg), Some(max)) = (s.avg_delivery_ms, s.max_delivery_ms) {
            text.push_str(&format!("delivery time, last hour: average {avg:.0} ms, slowest {max} ms\n"));
        }
        text
    })
}
