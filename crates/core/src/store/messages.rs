//! Queueing messages, reading them back, and the operator's retry and cancel.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, Row};

use crate::error::{Error, Result};
use crate::model::{
    Agent, Attempt, Event, Message, MessageDetail, MessageState, Millis, Priority, now_ms,
};
use crate::text::{ControlChars, check_body, check_body_with};

use super::rows::{AGENT_COLUMNS, AgentRow, MESSAGE_COLUMNS, MessageRow, into_messages};
use super::{Store, WriteTx, log_event, settings_from};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewMessage {
    pub sender: String,
    /// The agent's name (any case).
    pub recipient: String,
    pub body: String,
    pub priority: Priority,
    #[serde(default)]
    pub tags: Vec<String>,
    pub reply_to: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewBroadcast {
    pub sender: String,
    pub body: String,
    pub priority: Priority,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only agents of this team; None: every enabled agent.
    pub team: Option<String>,
}

/// Which messages `history` returns: newest first, `limit` at a time; pass the last id seen as
/// `before_id` for the next page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub agent: Option<String>,
    pub state: Option<MessageState>,
    /// Case-insensitive substring of the body or sender.
    pub text: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub before_id: Option<i64>,
    pub limit: u32,
}

fn check_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() || t.len() > 64 || t.chars().any(|c| c.is_control() || c == ',') {
            return Err(Error::Invalid(format!(
                "{t:?} is not a usable tag: tags are 1 to 64 characters, without commas or control characters"
            )));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

fn check_sender(sender: &str) -> Result<String> {
    let s = sender.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "the sender must be 1 to 100 characters without control characters, for example --from operator".into(),
        ));
    }
    Ok(s.to_string())
}

/// What an agent set to strip control characters (or not) does with them.
fn controls(strip_control: bool) -> ControlChars {
    if strip_control {
        ControlChars::Strip
    } else {
        ControlChars::Refuse
    }
}

/// What a new queued message holds besides its recipient.
struct Draft<'a> {
    sender: &'a str,
    body: &'a str,
    priority: Priority,
    tags_json: &'a str,
    reply_to: Option<i64>,
    broadcast_id: Option<i64>,
}

/// A queued message and its event, in one batch; the message comes back as stored. The event
/// names the message by `last_insert_rowid()`, which triggers on `messages` do not change once
/// they are done.
static INSERT_MESSAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO messages (sender, agent_id, recipient, body, priority, tags, reply_to, broadcast_id, \
         state, next_attempt_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9, ?9, ?9) RETURNING {MESSAGE_COLUMNS}; \
         INSERT INTO events (at, actor, kind, message_id, agent_id, detail) \
         VALUES (?9, ?1, 'queued', last_insert_rowid(), ?2, ?10)"
    )
});

/// [`INSERT_MESSAGE`] ending the transaction.
static INSERT_MESSAGE_AND_COMMIT: LazyLock<String> =
    LazyLock::new(|| format!("{}; COMMIT", *INSERT_MESSAGE));

/// Every setting in one value, equal exactly when the stored settings are: an enqueue keeps it
/// with what it read, and the next one to the same agent compares it instead of reading them.
const SETTINGS_FINGERPRINT: &str =
    "(SELECT json_group_array(json_array(key, value) ORDER BY key) FROM settings)";

/// What an enqueue checks, read in the batch that begins its transaction: the settings (and
/// their fingerprint), the agent, and the message it replies to (`?2`, or NULL).
static ENQUEUE_READS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "BEGIN IMMEDIATE; \
         SELECT 'setting' AS part, key, value FROM settings; \
         SELECT 'fingerprint' AS part, {SETTINGS_FINGERPRINT} AS fingerprint; \
         SELECT 'agent' AS part, {AGENT_COLUMNS} FROM agents WHERE name = ?1 COLLATE NOCASE; \
         SELECT 'reply' AS part, id FROM messages WHERE id = ?2"
    )
});

/// An enqueue to a recipient this writer has read before, in one batch: the message is
/// inserted only if the agent (`?2`, named `?3`) is still enabled with the same handling of
/// control characters (`?10`) and the settings still have the fingerprint `?11`, which is what
/// the text was checked against; otherwise nothing is written and no row returned. A reply to
/// a message that does not exist fails its foreign key.
static INSERT_KNOWN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "BEGIN IMMEDIATE; \
         INSERT INTO messages (sender, agent_id, recipient, body, priority, tags, reply_to, \
         state, next_attempt_at, created_at, updated_at) \
         SELECT ?1, id, name, ?4, ?5, ?6, ?7, 'queued', ?8, ?8, ?8 FROM agents \
         WHERE id = ?2 AND name = ?3 AND enabled = 1 AND strip_control = ?10 \
         AND {SETTINGS_FINGERPRINT} = ?11 \
         RETURNING {MESSAGE_COLUMNS}; \
         INSERT INTO events (at, actor, kind, message_id, agent_id, detail) \
         SELECT ?8, ?1, 'queued', last_insert_rowid(), ?2, ?9 WHERE changes() = 1; \
         COMMIT"
    )
});

/// What an enqueue read of its recipient and the settings, enough to check the next message to
/// it without reading them again (the insert makes sure they have not changed).
#[derive(Debug, Clone)]
pub(super) struct KnownRecipient {
    agent_id: i64,
    name: String,
    strip_control: bool,
    max_message_chars: usize,
    settings_fingerprint: String,
}

/// Recipients a writer remembers at most; past it, it starts over.
const KNOWN_RECIPIENTS: usize = 1024;

/// How a recipient is looked up: trimmed, and in ASCII lower case as `COLLATE NOCASE` compares.
pub(super) fn recipient_key(recipient: &str) -> String {
    recipient.trim().to_ascii_lowercase()
}

/// The detail of a message's `queued` event, the same whichever way it was queued.
fn queued_detail(agent: &str, priority: Priority) -> String {
    format!("to {agent} ({priority})")
}

fn is_foreign_key_violation(e: &Error) -> bool {
    matches!(e, Error::Database(sqlx::Error::Database(d))
        if d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
}

/// Insert one queued message and its event inside `tx`, and commit when `commit`; returns the
/// message as stored.
async fn insert_message(
    tx: &mut WriteTx,
    agent: &Agent,
    d: &Draft<'_>,
    commit: bool,
) -> Result<Message> {
    let sql: &'static LazyLock<String> = if commit {
        &INSERT_MESSAGE_AND_COMMIT
    } else {
        &INSERT_MESSAGE
    };
    let rows = tx
        .batch(sql.as_str(), |q| {
            q.bind(d.sender)
                .bind(agent.id)
                .bind(&agent.name)
                .bind(d.body)
                .bind(d.priority as i64)
                .bind(d.tags_json)
                .bind(d.reply_to)
                .bind(d.broadcast_id)
                .bind(now_ms())
                .bind(queued_detail(&agent.name, d.priority))
        })
        .await?;
    let row = rows.first().ok_or_else(|| {
        Error::Database(sqlx::Error::Protocol(
            "INSERT ... RETURNING returned no row".into(),
        ))
    })?;
    MessageRow::from_row(row)?.into_message()
}

/// Queue `new` in one round trip if this writer has read its recipient before: the text is
/// checked against what was read then, and the insert itself checks that the agent and the
/// settings are still so. `None`, with nothing written and no transaction open, when the
/// recipient is not known, the agent or the settings changed, the remembered checks refuse the
/// message or the message it replies to is missing: the full path then reads everything afresh
/// and says what is wrong, if anything.
async fn enqueue_known(tx: &mut WriteTx, new: &NewMessage) -> Result<Option<Message>> {
    let key = recipient_key(&new.recipient);
    let Some(known) = tx.recipients().get(&key).cloned() else {
        return Ok(None);
    };
    let (Ok(body), Ok(sender), Ok(tags)) = (
        check_body_with(
            &new.body,
            known.max_message_chars,
            controls(known.strip_control),
        ),
        check_sender(&new.sender),
        check_tags(&new.tags),
    ) else {
        return Ok(None);
    };
    let tags = serde_json::to_string(&tags).expect("tags serialize");
    let inserted = tx
        .batch(INSERT_KNOWN.as_str(), |q| {
            q.bind(sender.as_str())
                .bind(known.agent_id)
                .bind(known.name.as_str())
                .bind(body.as_str())
                .bind(new.priority as i64)
                .bind(tags.as_str())
                .bind(new.reply_to)
                .bind(now_ms())
                .bind(queued_detail(&known.name, new.priority))
                .bind(known.strip_control)
                .bind(known.settings_fingerprint.as_str())
        })
        .await;
    let rows = match inserted {
        Ok(rows) => rows,
        Err(e) if is_foreign_key_violation(&e) => {
            tx.rollback().await?;
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    match rows.first() {
        Some(row) => Ok(Some(MessageRow::from_row(row)?.into_message()?)),
        None => {
            tx.recipients().remove(&key);
            Ok(None)
        }
    }
}

impl Store {
    /// Queue one message. Returns it as stored.
    ///
    /// The first message to an agent takes two round trips to the database's thread: one
    /// begins the write transaction and reads the settings and the agent (as fresh as the
    /// write, whichever process changed them), one inserts the message and its event and
    /// commits. Later ones take one (see [`enqueue_known`]), unless the agent or the settings
    /// changed meanwhile.
    pub async fn enqueue(&self, new: NewMessage) -> Result<Message> {
        let mut tx = self.writer().await?;
        if let Some(message) = enqueue_known(&mut tx, &new).await? {
            return Ok(message);
        }
        let rows = tx
            .batch(ENQUEUE_READS.as_str(), |q| {
                q.bind(new.recipient.trim()).bind(new.reply_to)
            })
            .await?;
        let settings = settings_from(&rows)?;
        let mut agent = None;
        let mut reply_found = false;
        let mut settings_fingerprint = String::new();
        for row in &rows {
            match row.try_get::<&str, _>("part")? {
                "agent" => agent = Some(AgentRow::from_row(row)?.into_agent()?),
                "reply" => reply_found = true,
                "fingerprint" => settings_fingerprint = row.try_get("fingerprint")?,
                _ => {}
            }
        }
        let Some(agent) = agent else {
            drop(tx);
            return Err(self.unknown_agent(&new.recipient).await);
        };
        if agent.enabled {
            let known = tx.recipients();
            if known.len() >= KNOWN_RECIPIENTS {
                known.clear();
            }
            known.insert(
                recipient_key(&new.recipient),
                KnownRecipient {
                    agent_id: agent.id,
                    name: agent.name.clone(),
                    strip_control: agent.strip_control,
                    max_message_chars: settings.max_message_chars,
                    settings_fingerprint,
                },
            );
        }
        // The agent decides whether control characters are refused or removed.
        let body = check_body_with(
            &new.body,
            settings.max_message_chars,
            controls(agent.strip_control),
        )?;
        let sender = check_sender(&new.sender)?;
        let tags = serde_json::to_string(&check_tags(&new.tags)?).expect("tags serialize");
        if !agent.enabled {
            return Err(Error::Conflict(format!(
                "{} is disabled, so nothing would deliver this message; enable it with `switchboard agent edit {} --enable`",
                agent.name, agent.name
            )));
        }
        if let Some(r) = new.reply_to
            && !reply_found
        {
            return Err(Error::NotFound(format!(
                "message {r} does not exist, so this cannot reply to it; check the id with `switchboard history`"
            )));
        }
        let draft = Draft {
            sender: &sender,
            body: &body,
            priority: new.priority,
            tags_json: &tags,
            reply_to: new.reply_to,
            broadcast_id: None,
        };
        insert_message(&mut tx, &agent, &draft, true).await
    }

    /// Queue one message for every enabled agent (of `team`, if given), in name order, in one
    /// transaction: either every agent gets it or none does.
    pub async fn broadcast(&self, new: NewBroadcast) -> Result<Vec<Message>> {
        let settings = self.settings().await?;
        // Checked again once the agents are known: those set to strip control characters may
        // get a cleaned text, and only if every one of them is.
        let body = check_body_with(&new.body, settings.max_message_chars, ControlChars::Strip)?;
        let sender = check_sender(&new.sender)?;
        let tags = serde_json::to_string(&check_tags(&new.tags)?).expect("tags serialize");
        let team = new.team.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let mut tx = self.write().await?;
        let sql = format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE enabled = 1 AND (?1 IS NULL OR team = ?1 COLLATE NOCASE) \
             ORDER BY name COLLATE NOCASE, id"
        );
        let agents: Vec<Agent> = sqlx::query_as::<_, AgentRow>(sqlx::AssertSqlSafe(sql))
            .bind(team)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(AgentRow::into_agent)
            .collect::<Result<_>>()?;
        if agents.is_empty() {
            return Err(Error::Invalid(match team {
                Some(t) => format!("no enabled agent is in team {t:?}; check the teams with `switchboard agent list`"),
                None => "there are no enabled agents to broadcast to; register one with `switchboard agent add`".into(),
            }));
        }
        let body = if agents.iter().all(|a| a.strip_control) {
            body
        } else {
            check_body(&new.body, settings.max_message_chars)?
        };
        let mut out = Vec::with_capacity(agents.len());
        let mut draft = Draft {
            sender: &sender,
            body: &body,
            priority: new.priority,
            tags_json: &tags,
            reply_to: None,
            broadcast_id: None,
        };
        for agent in &agents {
            let mut message = insert_message(&mut tx, agent, &draft, false).await?;
            if draft.broadcast_id.is_none() {
                draft.broadcast_id = Some(message.id);
                sqlx::query("UPDATE messages SET broadcast_id = ? WHERE id = ?")
                    .bind(message.id)
                    .bind(message.id)
                    .execute(&mut *tx)
                    .await?;
                message.broadcast_id = Some(message.id);
            }
            out.push(message);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn message(&self, id: i64) -> Result<Message> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?");
        let row: Option<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.ok_or_else(|| {
            Error::NotFound(format!(
                "there is no message {id}; `switchboard history` lists them"
            ))
        })?
        .into_message()
    }

    /// A message with every attempt and event, oldest first.
    pub async fn message_detail(&self, id: i64) -> Result<MessageDetail> {
        let message = self.message(id).await?;
        let attempts: Vec<Attempt> = sqlx::query_as(
            "SELECT id, message_id, engine_id, started_at, finished_at, duration_ms, phase, outcome, \
             error_code, detail, retryable FROM attempts WHERE message_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        let events: Vec<Event> = sqlx::query_as(
            "SELECT id, at, actor, kind, message_id, agent_id, detail FROM events WHERE message_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        Ok(MessageDetail {
            message,
            attempts,
            events,
        })
    }

    /// Messages not yet finished (queued, in flight, needing review), in delivery order.
    pub async fn queue(&self) -> Result<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE state IN ('queued', 'in_flight', 'needs_review') \
             ORDER BY state = 'in_flight' DESC, priority, id"
        );
        let rows: Vec<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.reader())
            .await?;
        into_messages(rows)
    }

    /// One page of history, newest first (the same as [`Store::history_page`], which walks
    /// the indexes that suit the filter).
    pub async fn history(&self, filter: &HistoryFilter) -> Result<Vec<Message>> {
        self.history_page(filter).await
    }

    /// Queue a message again now, with a fresh allowance of attempts. Allowed for failed,
    /// cancelled, needs-review and queued (waiting for a retry) messages.
    pub async fn retry(&self, id: i64, actor: &str) -> Result<Message> {
        let message = self.message(id).await?;
        match message.state {
            MessageState::Failed
            | MessageState::Cancelled
            | MessageState::NeedsReview
            | MessageState::Queued => {}
            MessageState::InFlight => {
                return Err(Error::Conflict(format!(
                    "message {id} is being delivered right now"
                )));
            }
            MessageState::Delivered => {
                return Err(Error::Conflict(format!(
                    "message {id} was already delivered; to send it again, queue it anew with `switchboard send {} --file ...`",
                    message.recipient
                )));
            }
        }
        if message.agent_id.is_none() {
            return Err(Error::Conflict(format!(
                "message {id} was for {}, which has been removed; send it to another agent instead",
                message.recipient
            )));
        }
        let mut tx = self.write().await?;
        let now = now_ms();
        let changed = sqlx::query(
            "UPDATE messages SET state = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? \
             WHERE id = ? AND state = ?",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(message.state.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(Error::Conflict(format!(
                "message {id} changed meanwhile; look again with `switchboard show {id}`"
            )));
        }
        log_event(
            &mut tx,
            actor,
            "retried",
            Some(id),
            message.agent_id,
            Some(format!("was {}", message.state)),
        )
        .await?;
        tx.commit().await?;
        self.message(id).await
    }

    /// Cancel a message that has not been delivered. A message being typed right now cannot be
    /// cancelled half-way: that would leave half a message in the agent's input box.
    pub async fn cancel(&self, id: i64, actor: &str) -> Result<Message> {
        let message = self.message(id).await?;
        match message.state {
            MessageState::Queued | MessageState::Failed | MessageState::NeedsReview => {}
            MessageState::InFlight => {
                return Err(Error::Conflict(format!(
                    "message {id} is being delivered right now and cannot be stopped half-way; check it with `switchboard show {id}` in a moment"
                )));
            }
            MessageState::Delivered => {
                return Err(Error::Conflict(format!(
                    "message {id} was already delivered"
                )));
            }
            MessageState::Cancelled => return Ok(message),
        }
        let mut tx = self.write().await?;
        let changed = sqlx::query(
            "UPDATE messages SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = ?",
        )
        .bind(now_ms())
        .bind(id)
        .bind(message.state.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(Error::Conflict(format!(
                "message {id} changed meanwhile; look again with `switchboard show {id}`"
            )));
        }
        log_event(
            &mut tx,
            actor,
            "cancelled",
            Some(id),
            message.agent_id,
            Some(format!("was {}", message.state)),
        )
        .await?;
        tx.commit().await?;
        self.message(id).await
    }
}
