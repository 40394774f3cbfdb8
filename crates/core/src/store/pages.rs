//! History pages built for SQLite's indexes.
//!
//! [`Store::history`] binds every filter as `(?n IS NULL OR column = ?n)`, one statement for
//! all combinations. SQLite plans that statement once and cannot use an index for a term that
//! may be switched off, so a selective filter (a rare state, an agent with few messages, a
//! page deep in the past) scans the table from the newest row: 50-90 ms at a million
//! messages. Here the statement holds only the filters in use, so `state = ?` walks
//! `messages_state`, `agent_id = ?` walks `messages_agent`, dates walk `messages_created`, the
//! cursor is a rowid range, and text of three characters or more is looked up in the
//! `messages_text` trigram index (migration 0004) newest first, then checked with the same
//! `LIKE` as `history`: the index only narrows, so the results are exactly `history`'s.
//! Same filter, same results, same order (pinned by the test below against `history`).

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
        if let Some(name) = &filter.agent {
            match self.agent(name).await {
                Ok(agent) => {
                    terms.push("messages.agent_id = ?");
                    args.push(Arg::Int(agent.id));
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
        let page = match phrase {
            // The phrase query yields matching rowids newest first; each is joined to its
            // message and checked against the other terms until the page is full.
            Some(phrase) => {
                args.push(Arg::Text(phrase));
                format!(
                    "SELECT messages.id FROM messages_text \
                     JOIN messages ON messages.id = messages_text.rowid \
                     {conditions} AND messages_text MATCH ? \
                     ORDER BY messages_text.rowid DESC LIMIT ?"
                )
            }
            None => format!(
                "SELECT messages.id FROM messages {conditions} ORDER BY messages.id DESC LIMIT ?"
            ),
        };
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
    use crate::model::{MessageState, Priority, now_ms};
    use crate::store::{HistoryFilter, NewAgent, NewMessage};

    #[tokio::test]
    async fn pages_match_history_for_every_combination_of_filters() {
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
        let start = now_ms();
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
        let mid = ids[30];

        let agents = [None, Some("alpha"), Some("Gone"), Some("nobody")];
        let states = [
            None,
            Some(MessageState::Cancelled),
            Some(MessageState::Queued),
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
        let ranges = [
            (None, None),
            (Some(start), None),
            (None, Some(start)),
            (Some(start), Some(now_ms() + 1)),
        ];
        let cursors = [None, Some(mid)];
        let mut compared = 0;
        for agent in agents {
            for state in states {
                for text in texts {
                    for (since, until) in ranges {
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
                                let expected = store.history(&filter).await.unwrap();
                                let got = store.history_page(&filter).await.unwrap();
                                assert_eq!(got, expected, "same page for {filter:?}");
                                compared += usize::from(!expected.is_empty());
                            }
                        }
                    }
                }
            }
        }
        assert!(
            compared > 200,
            "most combinations match something ({compared})"
        );
    }
}
