//! Bringing the History indexes up to date (migration 0009).
//!
//! Enqueues no longer index their message: `history_index.indexed_through` is the highest
//! message id that the text index (`messages_text`) and the date spans (`message_spans`) cover,
//! and every message above it waits for the next catch-up. A catch-up indexes them a few
//! thousand per write transaction, so FTS5 writes one segment for each batch instead of one
//! per message.
//! [`Store::history_page`] catches up before a query that reads either index, which keeps its
//! results exact whichever process queued the messages; an engine catches up when it goes idle,
//! which keeps the backlog, and so the first search's wait, small while the app runs.

use std::sync::LazyLock;

use sqlx::Row;

use crate::error::Result;

use super::Store;

/// Messages indexed per transaction. A catch-up of many (an app that was not running while
/// the CLI or the bot queued thousands) would otherwise hold the write lock for seconds, and
/// every enqueue in every process would wait that long: 100,000 took 3 s in one transaction.
/// About 30-50 us a message here (`history_catch_up_bench`), so some 100 ms a transaction.
/// (Migration 0009's comment, written before this limit, says one transaction.)
const CHUNK: i64 = 2_048;

/// The last id of this transaction's chunk: the CHUNK-th message above the mark (or the last).
const CHUNK_END: &str = "(SELECT max(id) FROM (SELECT id FROM messages \
    WHERE id > (SELECT indexed_through FROM history_index WHERE id = 1) ORDER BY id LIMIT ?1))";

/// One transaction: index the next chunk of messages above the mark, then move the mark to the
/// chunk's last id. The mark never moves down (see migration 0009 for ids reused after a
/// delete), and the UPDATE comes last: every statement before it reads the old mark.
static CATCH_UP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "BEGIN IMMEDIATE; \
         SELECT count(*) AS indexed FROM messages \
             WHERE id > (SELECT indexed_through FROM history_index WHERE id = 1) \
               AND id <= {CHUNK_END}; \
         INSERT INTO messages_text (rowid, body, sender) \
             SELECT id, body, sender FROM messages \
             WHERE id > (SELECT indexed_through FROM history_index WHERE id = 1) \
               AND id <= {CHUNK_END} ORDER BY id; \
         INSERT INTO message_spans (span, min_created, max_created) \
             SELECT id >> 12, min(created_at), max(created_at) FROM messages \
             WHERE id > (SELECT indexed_through FROM history_index WHERE id = 1) \
               AND id <= {CHUNK_END} GROUP BY id >> 12 \
             ON CONFLICT (span) DO UPDATE SET \
                 min_created = min(min_created, excluded.min_created), \
                 max_created = max(max_created, excluded.max_created); \
         UPDATE history_index \
             SET indexed_through = max(indexed_through, coalesce({CHUNK_END}, 0)) \
             WHERE id = 1; \
         COMMIT"
    )
});

impl Store {
    /// Add every message not yet in the History indexes (text search, date spans) to them,
    /// a few thousand per write transaction so that other writers wait little. Returns how
    /// many were added; 0 when they were up to date.
    ///
    /// [`Store::history_page`] calls this when it needs the indexes, and a running engine when
    /// it is idle; call it directly to index ahead of time (after a bulk insert, say).
    pub async fn catch_up_history_index(&self) -> Result<u64> {
        let mut total = 0;
        loop {
            let mut tx = self.writer().await?;
            let rows = tx.batch(CATCH_UP.as_str(), |q| q.bind(CHUNK)).await?;
            let indexed: i64 = rows
                .first()
                .map(|r| r.try_get("indexed"))
                .transpose()?
                .unwrap_or(0);
            total += indexed as u64;
            // A short chunk was the last one; a full one may have more behind it.
            if indexed < CHUNK {
                return Ok(total);
            }
        }
    }

    /// [`Store::catch_up_history_index`] if a message is missing from the indexes. When none is,
    /// this is one small read and takes no write lock. Returns how many were added.
    pub async fn catch_up_history_index_if_behind(&self) -> Result<u64> {
        let behind: bool = sqlx::query_scalar(
            "SELECT coalesce((SELECT max(id) FROM messages), 0) \
             > (SELECT indexed_through FROM history_index WHERE id = 1)",
        )
        .fetch_one(self.reader())
        .await?;
        if !behind {
            return Ok(0);
        }
        self.catch_up_history_index().await
    }
}
