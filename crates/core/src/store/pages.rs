//! History pages built for SQLite's indexes ([`Store::history`] is this too).
//!
//! One statement with every filter bound as `(?n IS NULL OR column = ?n)` is planned once, and
//! SQLite cannot use an index for a term that may be switched off, so a selective filter (a
//! rare state, an agent with few messages, a page deep in the past) scanned the table from the
//! newest row: 50-90 ms at a million messages. Here the statement holds only the filters in
//! use, so `state = ?` walks `messages_state`, `agent_id = ?` walks `messages_agent`, the
//! cursor is a rowid range, and text of three characters or more is looked up in the
//! `messages_text` trigram index (migration 0004) newest first, then checked with `LIKE`: the
//! index only narrows, so the results are exact.
//!
//! Dates without text walk `message_spans` (migration 0007): each span of 4,096 ids with the
//! earliest and latest `created_at` in it. The spans whose range meets the filter's are joined
//! to their messages newest first, through `messages_agent` or `messages_state` when those
//! filters are on, so a page stops after the first spans that hold 50 matches instead of
//! sorting every message in a wide date range (a "to" date alone took 111 ms at a million
//! messages). With text as well, the same spans bound the rowids the trigram index walks.
//! The test below pins every combination of filters against a plain reading of
//! the filter over every message.
//!
//! Both indexes trail the newest messages: enqueues leave them to a batched catch-up
//! (migration 0009, `history_index.rs`). A page that reads either index (text of three
//! characters or more, or a date) first catches up if a message is missing from them, so a
//! message queued a moment ago, by this process or another, is found; when none is missing
//! that costs one small read and no write. Other filters read only `messages` and its own
//! indexes and never wait for a catch-up.

use crate::error::{Error, Result};
use crate::model::Message;

use super::Store;
use super::messages::HistoryFilter;
use super::rows::{MESSAGE_COLUMNS, MessageRow, into_messages};

enum Arg {
    Int(i64),
    Text(String),
}

impl Store {
    /// One page of history, newest first: the same as [`Store::history`], faster on large
    /// databases.
    pub async fn history_page(&self, filter: &HistoryFilter) -> Result<Vec<Message>> {
        let mut terms: Vec<&str> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        // The index a walk through date spans looks each span up in.
        let mut span_index = "NOT INDEXED";
        if let Some(name) = &filter.agent {
            match self.agent(name).await {
                Ok(agent) => {
                    terms.push("messages.agent_id = ?");
                    args.push(Arg::Int(agent.id));
                    span_index = "INDEXED BY messages_agent";
                }
                // A removed agent's messages are still found by their recorded name.
                Err(Error::NotFound(_)) => {
                    terms.push("messages.recipient = ? COLLATE NOCASE");
                    args.push(Arg::Text(name.clone()));
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(state) = filter.state {
            terms.push("messages.state = ?");
            args.push(Arg::Text(state.as_str().to_string()));
            if span_index == "NOT INDEXED" {
                span_index = "INDEXED BY messages_state";
            }
        }
        let mut phrase = None;
        if let Some(text) = filter.text.as_deref().filter(|t| !t.is_empty()) {
            let pattern = format!(
                "%{}%",
                text.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            // Trigrams need three characters; shorter text is matched by scanning alone.
            if text.chars().count() >= 3 {
                phrase = Some(format!("\"{}\"", text.replace('"', "\"\"")));
            }
            terms.push("(messages.body LIKE ? ESCAPE '\\' OR messages.sender LIKE ? ESCAPE '\\')");
            args.push(Arg::Text(pattern.clone()));
            args.push(Arg::Text(pattern));
        }
        if let Some(since) = filter.since {
            terms.push("messages.created_at >= ?");
            args.push(Arg::Int(since));
        }
        if let Some(until) = filter.until {
            terms.push("messages.created_at < ?");
            args.push(Arg::Int(until));
        }
        if let Some(before) = filter.before_id {
            terms.push("messages.id < ?");
            args.push(Arg::Int(before));
        }
        let conditions = if terms.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", terms.join(" AND "))
        };
        // The page's ids first, then its rows: a filter that walks an index in another order
        // (dates) sorts small integers from a covering index instead of whole messages.
        // Only fixed fragments above go into the text; every value is bound.
        let uses_index = phrase.is_some() || filter.since.is_some() || filter.until.is_some();
        let page = match phrase {
            // The phrase query yields matching rowids newest first; each is joined to its
            // message and checked against the other terms until the page is full.
            // With dates, the spans that can hold them bound the rowids the phrase query
            // walks (the date terms still decide).
            Some(phrase) => {
                args.push(Arg::Text(phrase));
                let mut bounds = String::new();
                if let Some(until) = filter.until {
                    bounds.push_str(
                        " AND messages_text.rowid <= (SELECT (max(span) << 12) + 4095 \
                         FROM message_spans WHERE min_created < ?)",
                    );
                    args.push(Arg::Int(until));
                }
                if let Some(since) = filter.since {
                    bounds.push_str(
                        " AND messages_text.rowid >= (SELECT min(span) << 12 \
                         FROM message_spans WHERE max_created >= ?)",
                    );
                    args.push(Arg::Int(since));
                }
                format!(
                    "SELECT messages.id FROM messages_text \
                     JOIN messages ON messages.id = messages_text.rowid \
                     {conditions} AND messages_text MATCH ?{bounds} \
                     ORDER BY messages_text.rowid DESC LIMIT ?"
                )
            }
            // Dates: only the spans whose dates meet the range, newest span first, and in each
            // its messages newest first, so SQLite stops at the page's end without a sort.
            // The span terms come first in the text, so their values go first.
            None if filter.since.is_some() || filter.until.is_some() => {
                let mut span_terms = Vec::new();
                let mut span_args = Vec::new();
                if let Some(since) = filter.since {
                    span_terms.push("message_spans.max_created >= ?");
                    span_args.push(Arg::Int(since));
                }
                if let Some(until) = filter.until {
                    span_terms.push("message_spans.min_created < ?");
                    span_args.push(Arg::Int(until));
                }
                span_args.append(&mut args);
                args = span_args;
                format!(
                    "SELECT messages.id FROM message_spans CROSS JOIN messages {span_index} \
                     ON messages.id BETWEEN message_spans.span << 12 \
                         AND (message_spans.span << 12) + 4095 \
                     WHERE {} AND {} \
                     ORDER BY message_spans.span DESC, messages.id DESC LIMIT ?",
                    span_terms.join(" AND "),
                    terms.join(" AND ")
                )
            }
            None => format!(
                "SELECT messages.id FROM messages {conditions} ORDER BY messages.id DESC LIMIT ?"
            ),
        };
        // Both indexes trail the newest messages (migration 0009); a query that reads one
        // brings them up to date first, so a message queued a moment ago, by any process, is
        // found. When they are up to date this is one small read.
        if uses_index {
            self.catch_up_history_index_if_behind().await?;
        }
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN ({page}) ORDER BY id DESC");
        let mut query = sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql));
        for arg in args {
            query = match arg {
                Arg::Int(i) => query.bind(i),
                Arg::Text(t) => query.bind(t),
            };
        }
        let rows = query
            .bind(i64::from(filter.limit.clamp(1, 1000)))
            .fetch_all(self.reader())
            .await?;
        into_messages(rows)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::input::Point;
    use crate::model::{Message, MessageState, Priority, now_ms};
    use crate::store::rows::{MESSAGE_COLUMNS, MessageRow, into_messages};
    use crate::store::{HistoryFilter, NewAgent, NewMessage};

    const MINUTE: i64 = 60_000;
    const DAY: i64 = 86_400_000;

    /// The filter read plainly, over every message: what a page must hold.
    fn expected(all: &[Message], agent_id: Option<i64>, f: &HistoryFilter) -> Vec<Message> {
        let text = f
            .text
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_lowercase);
        let mut page: Vec<Message> = all
            .iter()
            .filter(|m| match (&f.agent, agent_id) {
                (None, _) => true,
                (Some(_), Some(id)) => m.agent_id == Some(id),
                // LIKE and NOCASE fold ASCII letters only.
                (Some(name), None) => m.recipient.eq_ignore_ascii_case(name),
            })
            .filter(|m| f.state.is_none_or(|s| m.state == s))
            .filter(|m| {
                text.as_ref().is_none_or(|t| {
                    m.body.to_ascii_lowercase().contains(t.as_str())
                        || m.sender.to_ascii_lowercase().contains(t.as_str())
                })
            })
            .filter(|m| f.since.is_none_or(|s| m.created_at >= s))
            .filter(|m| f.until.is_none_or(|u| m.created_at < u))
            .filter(|m| f.before_id.is_none_or(|b| m.id < b))
            .cloned()
            .collect();
        page.sort_by_key(|m| std::cmp::Reverse(m.id));
        page.truncate(f.limit.clamp(1, 1000) as usize);
        page
    }

    #[tokio::test]
    async fn pages_hold_exactly_what_the_filter_says_for_every_combination() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        for name in ["Alpha", "Beta", "Gone"] {
            let new = NewAgent {
                name: name.into(),
                team: None,
                role: None,
                point: Point { x: 1, y: 1 },
                input: Default::default(),
                max_attempts: None,
                enabled: true,
            };
            store.add_agent(new, "test").await.unwrap();
        }
        let alpha = store.agent("Alpha").await.unwrap().id;
        let base = now_ms();
        let mut ids = Vec::new();
        for i in 0..60 {
            let to = ["Alpha", "Beta", "Gone"][i % 3];
            let extra = match i % 7 {
                0 => "50%_off",
                1 => "Été \"quoted\"",
                2 => "été",
                _ => "plain",
            };
            let body = format!("message {i} {extra}");
            let sender = if i % 5 == 0 { "cli" } else { "operator" };
            let new = NewMessage {
                sender: sender.into(),
                recipient: to.into(),
                body,
                priority: Priority::Normal,
                tags: vec![],
                reply_to: None,
            };
            ids.push(store.enqueue(new).await.unwrap().id);
        }
        for id in ids.iter().step_by(4) {
            store.cancel(*id, "test").await.unwrap();
        }
        // Gone's messages stay in history under its name.
        store.remove_agent("Gone", true, "test").await.unwrap();

        // Dates out of id order, and messages in several spans of ids (4,096 each) whose
        // dates overlap: later spans hold older messages, and each span one very old one.
        let mut tx = store.write().await.unwrap();
        for (i, id) in ids.iter().enumerate() {
            let at = base + ((i as i64 * 37) % 60) * MINUTE;
            sqlx::query("UPDATE messages SET created_at = ? WHERE id = ?")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        for span in 1..=4_i64 {
            for j in 0..10_i64 {
                let id = span * 4096 + j * 300;
                let at = match j {
                    9 => base - 10 * DAY,
                    _ => base - span * DAY + j * MINUTE,
                };
                let state = if j % 3 == 0 { "failed" } else { "delivered" };
                sqlx::query(
                    "INSERT INTO messages (id, sender, agent_id, recipient, body, state, \
                     next_attempt_at, created_at, updated_at) \
                     VALUES (?, 'operator', ?, 'Alpha', ?, ?, ?, ?, ?)",
                )
                .bind(id)
                .bind(alpha)
                .bind(format!("older message {id} plain"))
                .bind(state)
                .bind(at)
                .bind(at)
                .bind(at)
                .execute(&mut *tx)
                .await
                .unwrap();
            }
        }
        tx.commit().await.unwrap();
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages");
        let rows: Vec<MessageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(store.reader())
            .await
            .unwrap();
        let all = into_messages(rows).unwrap();

        let agents = [None, Some("alpha"), Some("Gone"), Some("nobody")];
        let states = [
            None,
            Some(MessageState::Cancelled),
            Some(MessageState::Failed),
        ];
        // Short text is scanned; three characters or more go through the trigram index, whose
        // case folding (Unicode) is wider than LIKE's (ASCII): "été" must not find "Été".
        let texts = [
            None,
            Some(""),
            Some("ab"),
            Some("50%_"),
            Some("CLI"),
            Some("message 1"),
            Some("été"),
            Some("\"quo"),
            Some("nowhere"),
        ];
        let times = [
            None,
            Some(base - 5 * DAY),
            Some(base - 2 * DAY + 3 * MINUTE),
            Some(base),
            Some(base + 30 * MINUTE),
            Some(base + 90 * MINUTE),
        ];
        let cursors = [None, Some(ids[30]), Some(2 * 4096 + 1000)];
        let mut compared = 0;
        for agent in agents {
            let agent_id = match agent {
                Some(name) => store.agent(name).await.ok().map(|a| a.id),
                None => None,
            };
            for state in states {
                for text in texts {
                    for since in times {
                        for until in times {
                            for before_id in cursors {
                                for limit in [7, 100] {
                                    let filter = HistoryFilter {
                                        agent: agent.map(Into::into),
                                        state,
                                        text: text.map(Into::into),
                                        since,
                                        until,
                                        before_id,
                                        limit,
                                    };
                                    let want = expected(&all, agent_id, &filter);
                                    let got = store.history_page(&filter).await.unwrap();
                                    assert_eq!(got, want, "the page for {filter:?}");
                                    compared += usize::from(!want.is_empty());
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(
            compared > 2000,
            "most combinations match something ({compared})"
        );
    }
}
