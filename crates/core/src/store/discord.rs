//! What the Discord bot (`crates/discord`) keeps here: the log of every command it received
//! (`discord_commands`), its settings document, and the few reads its `/status` and
//! notification channel need. The core knows nothing of Discord itself: ids are text and the
//! settings are an opaque JSON document that the bot crate types and validates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Event, Millis, now_ms};

use super::{Store, log_event};

/// The `settings` key that holds the bot's settings document.
const SETTINGS_KEY: &str = "discord.bot";

/// An engine whose heartbeat is older than this is not counted as running (engines beat every
/// 5 s; the delivery engine takes 60 s of silence as dead, this only informs a person).
const RUNNING_WITHIN_MS: i64 = 30_000;

/// What became of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandOutcome {
    /// It did what was asked.
    Succeeded,
    /// The caller may not run it (not on an allow-list, or not in an allowed channel).
    Refused,
    /// It was allowed but could not be done (unknown agent, empty text, a database error).
    Failed,
}

impl CommandOutcome {
    pub const ALL: [CommandOutcome; 3] = [
        CommandOutcome::Succeeded,
        CommandOutcome::Refused,
        CommandOutcome::Failed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CommandOutcome::Succeeded => "succeeded",
            CommandOutcome::Refused => "refused",
            CommandOutcome::Failed => "failed",
        }
    }
}

impl fmt::Display for CommandOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CommandOutcome {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase();
        CommandOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == wanted)
            .ok_or_else(|| format!("{s:?} is not an outcome; use succeeded, refused or failed"))
    }
}

/// A command as the bot received and answered it, ready to be logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDiscordCommand {
    /// The interaction id (slash commands) or message id (prefix commands).
    pub source_id: String,
    /// `slash` or `prefix`.
    pub kind: String,
    pub user_id: String,
    pub user_name: String,
    pub guild_id: Option<String>,
    pub channel_id: String,
    pub command: String,
    /// A JSON object of the arguments as given.
    pub arguments: serde_json::Value,
    pub received_at: Millis,
    pub outcome: CommandOutcome,
    pub duration_ms: i64,
    pub reply: String,
    pub error: Option<String>,
    pub message_ids: Vec<i64>,
}

/// One logged command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscordCommand {
    pub id: i64,
    #[serde(flatten)]
    pub command: NewDiscordCommand,
}

/// Which logged commands [`Store::discord_commands`] returns, newest first. Fields left out
/// of a JSON filter are unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscordCommandFilter {
    /// A Discord user id, or a user name (any case).
    pub user: Option<String>,
    pub outcome: Option<CommandOutcome>,
    /// The command's name (`send`, `status`...), any case.
    pub command: Option<String>,
    /// Text found in the arguments, the reply or the error (any case).
    pub text: Option<String>,
    /// Received at or after this time (ms since the epoch).
    pub since: Option<Millis>,
    /// Received before this time.
    pub until: Option<Millis>,
    /// Only commands older than this log id: the cursor of the next page.
    pub before_id: Option<i64>,
    /// 1 to 1000; 0 means 50.
    pub limit: u32,
}

#[derive(sqlx::FromRow)]
struct CommandRow {
    id: i64,
    source_id: String,
    kind: String,
    user_id: String,
    user_name: String,
    guild_id: Option<String>,
    channel_id: String,
    command: String,
    arguments: String,
    received_at: i64,
    outcome: String,
    duration_ms: i64,
    reply: String,
    error: Option<String>,
    message_ids: String,
}

impl CommandRow {
    fn into_command(self) -> Result<DiscordCommand> {
        Ok(DiscordCommand {
            id: self.id,
            command: NewDiscordCommand {
                source_id: self.source_id,
                kind: self.kind,
                user_id: self.user_id,
                user_name: self.user_name,
                guild_id: self.guild_id,
                channel_id: self.channel_id,
                command: self.command,
                // Written by `record_discord_command` from valid JSON; a hand-edited row still
                // lists, with its arguments as the raw text.
                arguments: serde_json::from_str(&self.arguments)
                    .unwrap_or(serde_json::Value::String(self.arguments)),
                received_at: self.received_at,
                outcome: super::parse_column("outcome", &self.outcome)?,
                duration_ms: self.duration_ms,
                reply: self.reply,
                error: self.error,
                message_ids: serde_json::from_str(&self.message_ids).unwrap_or_default(),
            },
        })
    }
}

impl Store {
    /// Log one Discord command. Returns its id in the log.
    pub async fn record_discord_command(&self, new: &NewDiscordCommand) -> Result<i64> {
        if !matches!(new.kind.as_str(), "slash" | "prefix") {
            return Err(Error::Invalid(format!(
                "{:?} is not a kind of Discord command; use slash or prefix",
                new.kind
            )));
        }
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO discord_commands (source_id, kind, user_id, user_name, guild_id, channel_id, \
             command, arguments, received_at, outcome, duration_ms, reply, error, message_ids) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.source_id)
        .bind(&new.kind)
        .bind(&new.user_id)
        .bind(&new.user_name)
        .bind(&new.guild_id)
        .bind(&new.channel_id)
        .bind(&new.command)
        .bind(new.arguments.to_string())
        .bind(new.received_at)
        .bind(new.outcome.as_str())
        .bind(new.duration_ms)
        .bind(&new.reply)
        .bind(&new.error)
        .bind(serde_json::to_string(&new.message_ids).expect("ids serialize"))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Logged commands, newest first.
    pub async fn discord_commands(
        &self,
        filter: &DiscordCommandFilter,
    ) -> Result<Vec<DiscordCommand>> {
        let limit = if filter.limit == 0 { 50 } else { filter.limit };
        let user = filter
            .user
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let command = filter
            .command
            .as_deref()
            .map(|c| c.trim().trim_start_matches(['/', '!']))
            .filter(|c| !c.is_empty());
        // LIKE is case-insensitive for ASCII; its wildcards in the text are taken literally.
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                format!(
                    "%{}%",
                    t.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let rows: Vec<CommandRow> = sqlx::query_as(
            "SELECT id, source_id, kind, user_id, user_name, guild_id, channel_id, command, arguments, \
             received_at, outcome, duration_ms, reply, error, message_ids FROM discord_commands \
             WHERE (?1 IS NULL OR user_id = ?1 OR user_name = ?1 COLLATE NOCASE) \
             AND (?2 IS NULL OR outcome = ?2) \
             AND (?3 IS NULL OR command = ?3 COLLATE NOCASE) \
             AND (?4 IS NULL OR arguments LIKE ?4 ESCAPE '\\' OR reply LIKE ?4 ESCAPE '\\' \
                  OR error LIKE ?4 ESCAPE '\\') \
             AND (?5 IS NULL OR received_at >= ?5) AND (?6 IS NULL OR received_at < ?6) \
             AND (?7 IS NULL OR id < ?7) \
             ORDER BY id DESC LIMIT ?8",
        )
        .bind(user)
        .bind(filter.outcome.map(CommandOutcome::as_str))
        .bind(command)
        .bind(text)
        .bind(filter.since)
        .bind(filter.until)
        .bind(filter.before_id)
        .bind(i64::from(limit.min(1000)))
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(CommandRow::into_command).collect()
    }

    /// The bot's settings document, if it was ever saved.
    pub async fn discord_settings(&self) -> Result<Option<serde_json::Value>> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(SETTINGS_KEY)
            .fetch_optional(self.reader())
            .await?;
        value
            .map(|v| {
                serde_json::from_str(&v).map_err(|e| {
                    Error::Invalid(format!(
                        "the stored Discord bot settings are not valid JSON ({e}); reset them with \
                         `switchboard bot config reset`"
                    ))
                })
            })
            .transpose()
    }

    /// Replace the bot's settings document. `change` is what the event log records: it must
    /// not hold secrets (the caller masks the token).
    pub async fn save_discord_settings(
        &self,
        settings: &serde_json::Value,
        actor: &str,
        change: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(SETTINGS_KEY)
            .bind(settings.to_string())
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            actor,
            "discord_settings_changed",
            None,
            None,
            Some(change.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many delivery engines on this database have beaten their heart recently.
    pub async fn running_engines(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM engines WHERE stopped_at IS NULL AND heartbeat_at >= ?",
        )
        .bind(now_ms() - RUNNING_WITHIN_MS)
        .fetch_one(self.reader())
        .await?)
    }

    /// The id of the newest event, 0 when there is none: where a reader of
    /// [`Store::failure_events_after`] starts so that it reports only what happens from now on.
    pub async fn latest_event_id(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM events")
                .fetch_one(self.reader())
                .await?,
        )
    }

    /// Failed attempts that will be retried (`retry_scheduled`), dead letters (`failed`) and
    /// interrupted deliveries that need a person (`needs_review`) logged after event `after`,
    /// oldest first. Events are written in the same transaction as the state change and ids
    /// grow with each commit, so a reader that remembers the last id it saw misses nothing.
    pub async fn failure_events_after(&self, after: i64, limit: u32) -> Result<Vec<Event>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor, kind, message_id, agent_id, detail FROM events \
             WHERE id > ? AND kind IN ('retry_scheduled', 'failed', 'needs_review') ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(self.reader())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, ManualClock};
    use crate::input::recording::RecordingInput;
    use crate::input::{InputError, Point};
    use crate::model::Priority;
    use crate::store::{NewAgent, NewMessage};
    use std::sync::Arc;

    async fn open() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        (store, dir)
    }

    fn command(user: &str, outcome: CommandOutcome) -> NewDiscordCommand {
        NewDiscordCommand {
            source_id: "1234".into(),
            kind: "slash".into(),
            user_id: format!("{user}-id"),
            user_name: user.into(),
            guild_id: Some("42".into()),
            channel_id: "7".into(),
            command: "send".into(),
            arguments: serde_json::json!({"agent": "A", "message": "hi"}),
            received_at: 1_000,
            outcome,
            duration_ms: 12,
            reply: "queued".into(),
            error: None,
            message_ids: vec![3, 4],
        }
    }

    #[tokio::test]
    async fn commands_are_logged_and_read_back_newest_first_with_filters() {
        let (store, _dir) = open().await;
        let first = command("alice", CommandOutcome::Succeeded);
        store.record_discord_command(&first).await.unwrap();
        store
            .record_discord_command(&command("bob", CommandOutcome::Refused))
            .await
            .unwrap();
        store
            .record_discord_command(&command("alice", CommandOutcome::Failed))
            .await
            .unwrap();

        let all = store
            .discord_commands(&DiscordCommandFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 3);
        assert!(all[0].id > all[2].id, "newest first");
        assert_eq!(all[2].command, first, "every field survives the round trip");

        let alice = DiscordCommandFilter {
            user: Some("ALICE".into()),
            ..Default::default()
        };
        assert_eq!(store.discord_commands(&alice).await.unwrap().len(), 2);
        let by_id = DiscordCommandFilter {
            user: Some("bob-id".into()),
            ..Default::default()
        };
        assert_eq!(store.discord_commands(&by_id).await.unwrap().len(), 1);
        let refused = DiscordCommandFilter {
            outcome: Some(CommandOutcome::Refused),
            ..Default::default()
        };
        let refused = store.discord_commands(&refused).await.unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].command.user_name, "bob");
        let one = DiscordCommandFilter {
            limit: 1,
            ..Default::default()
        };
        assert_eq!(store.discord_commands(&one).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn commands_filter_by_name_text_time_and_page_by_cursor() {
        let (store, _dir) = open().await;
        let mut status = command("alice", CommandOutcome::Succeeded);
        status.command = "status".into();
        status.arguments = serde_json::json!({});
        status.reply = "2 queued, engine idle".into();
        status.received_at = 5_000;
        let mut failed = command("bob", CommandOutcome::Failed);
        failed.error = Some("there is no agent named \"Ghost_1\"".into());
        failed.received_at = 9_000;
        for c in [
            &command("alice", CommandOutcome::Succeeded),
            &status,
            &failed,
        ] {
            store.record_discord_command(c).await.unwrap();
        }
        let ids = |list: Vec<DiscordCommand>| list.iter().map(|c| c.id).collect::<Vec<_>>();
        let find = async |filter: DiscordCommandFilter| {
            ids(store.discord_commands(&filter).await.unwrap())
        };

        let by_name = DiscordCommandFilter {
            command: Some("/STATUS".into()),
            ..Default::default()
        };
        assert_eq!(
            find(by_name).await,
            [2],
            "a leading / and the case do not matter"
        );
        let in_reply = DiscordCommandFilter {
            text: Some("ENGINE idle".into()),
            ..Default::default()
        };
        assert_eq!(find(in_reply).await, [2]);
        let in_error = DiscordCommandFilter {
            text: Some("ghost_1".into()),
            ..Default::default()
        };
        assert_eq!(find(in_error).await, [3]);
        let wildcard = DiscordCommandFilter {
            text: Some("%".into()),
            ..Default::default()
        };
        assert!(
            find(wildcard).await.is_empty(),
            "% is a character, not a wildcard"
        );
        let in_args = DiscordCommandFilter {
            text: Some("\"agent\"".into()),
            ..Default::default()
        };
        assert_eq!(find(in_args).await, [3, 1]);
        let window = DiscordCommandFilter {
            since: Some(5_000),
            until: Some(9_000),
            ..Default::default()
        };
        assert_eq!(
            find(window).await,
            [2],
            "since is inclusive, until exclusive"
        );
        let page = DiscordCommandFilter {
            before_id: Some(3),
            limit: 1,
            ..Default::default()
        };
        assert_eq!(find(page).await, [2]);
        let parsed: DiscordCommandFilter =
            serde_json::from_value(serde_json::json!({"outcome": "failed"})).unwrap();
        assert_eq!(find(parsed).await, [3], "fields left out of JSON are unset");
    }

    #[tokio::test]
    async fn an_unknown_kind_is_refused_and_outcomes_parse_with_a_hint() {
        let (store, _dir) = open().await;
        let mut bad = command("alice", CommandOutcome::Succeeded);
        bad.kind = "voice".into();
        assert!(matches!(
            store.record_discord_command(&bad).await,
            Err(Error::Invalid(_))
        ));
        assert_eq!(
            "Refused".parse::<CommandOutcome>(),
            Ok(CommandOutcome::Refused)
        );
        assert!(
            "maybe"
                .parse::<CommandOutcome>()
                .unwrap_err()
                .contains("succeeded")
        );
    }

    #[tokio::test]
    async fn settings_document_round_trips_and_leaves_core_settings_alone() {
        let (store, _dir) = open().await;
        assert_eq!(store.discord_settings().await.unwrap(), None);
        let doc = serde_json::json!({"guild_id": "42", "prefix_commands": true});
        store
            .save_discord_settings(&doc, "cli", "guild_id = 42")
            .await
            .unwrap();
        assert_eq!(store.discord_settings().await.unwrap(), Some(doc));
        assert_eq!(
            store.settings().await.unwrap(),
            crate::settings::Settings::default(),
            "the bot's key is not one of the core settings"
        );
    }

    #[tokio::test]
    async fn failure_events_are_read_after_a_cursor_and_engines_counted_while_alive() {
        let (store, _dir) = open().await;
        store
            .set_setting("click_settle_ms", "0", "test")
            .await
            .unwrap();
        let agent = NewAgent {
            name: "A".into(),
            team: None,
            role: None,
            point: Point { x: 1, y: 1 },
            input: Default::default(),
            max_attempts: Some(1),
            enabled: true,
        };
        store.add_agent(agent, "test").await.unwrap();
        let cursor = store.latest_event_id().await.unwrap();
        let id = store
            .enqueue(NewMessage {
                sender: "t".into(),
                recipient: "A".into(),
                body: "hi".into(),
                priority: Priority::Normal,
                tags: vec![],
                reply_to: None,
            })
            .await
            .unwrap()
            .id;
        assert_eq!(store.running_engines().await.unwrap(), 0);
        let (input, recorder) = RecordingInput::new();
        let engine = Engine::with_clock(
            store.clone(),
            Box::new(input),
            Arc::new(ManualClock::at(now_ms())),
        )
        .await
        .unwrap();
        assert_eq!(
            store.running_engines().await.unwrap(),
            1,
            "a registered engine counts"
        );
        recorder.fail_next(InputError::InputFailed("test".into()));
        engine.deliver_next().await.unwrap();

        let events = store.failure_events_after(cursor, 10).await.unwrap();
        assert_eq!(events.len(), 1, "one attempt allowed: one dead letter");
        assert_eq!(events[0].kind, "failed");
        assert_eq!(events[0].message_id, Some(id));
        assert!(
            store
                .failure_events_after(events[0].id, 10)
                .await
                .unwrap()
                .is_empty(),
            "nothing after the last one seen"
        );
    }
}
