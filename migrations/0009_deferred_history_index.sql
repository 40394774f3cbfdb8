-- The History indexes (`messages_text`, migration 0004; `message_spans`, migration 0007) are
-- brought up to date in batches instead of by a trigger on every enqueue.
--
-- Why: with an enqueue down to two round trips, the insert triggers were most of its cost. Each
-- enqueue commits alone, so FTS5 wrote a new index segment per message (twice the pages
-- written), and the span upsert another page: 1,918-3,166 enqueues/s with both triggers,
-- 3,628-5,416/s without (N = 200, `queue_bench`, see BENCHMARKS.md "Queue throughput").
--
-- How: `history_index.indexed_through` is the highest message id both indexes cover. Every
-- message with a higher id is not in them yet; `Store::catch_up_history_index` adds all of
-- those in one transaction (one FTS5 segment for the lot) and moves the mark. History pages
-- that use either index catch up first, so their results stay exact, and a running engine
-- catches up whenever it goes idle.
--
-- Ids only grow while nothing is deleted, and a catch-up reads and marks in one write
-- transaction, so "id > indexed_through" is exactly the set not yet indexed. If a message
-- with the highest id were ever deleted, SQLite could give its id (now <= the mark) to the
-- next message: `history_index_reused_id` indexes such a message at once.
-- Released migrations are never edited; add a new numbered file instead.

CREATE TABLE history_index (
    id              INTEGER PRIMARY KEY CHECK (id = 1),   -- one row
    indexed_through INTEGER NOT NULL
);
-- Every message so far is indexed: the triggers dropped below kept both indexes in step.
INSERT INTO history_index (id, indexed_through) SELECT 1, coalesce(max(id), 0) FROM messages;

DROP TRIGGER messages_text_insert;
DROP TRIGGER message_spans_insert;

CREATE TRIGGER history_index_reused_id AFTER INSERT ON messages
    WHEN new.id <= (SELECT indexed_through FROM history_index WHERE id = 1)
BEGIN
    INSERT INTO messages_text (rowid, body, sender) VALUES (new.id, new.body, new.sender);
    INSERT INTO message_spans (span, min_created, max_created)
        VALUES (new.id >> 12, new.created_at, new.created_at)
        ON CONFLICT (span) DO UPDATE SET
            min_created = min(min_created, excluded.min_created),
            max_created = max(max_created, excluded.max_created);
END;

-- FTS5 with external content must only be told to delete what it holds: a 'delete' of a row
-- it never indexed corrupts the index. So the text triggers touch only indexed ids; a message
-- not yet indexed is read as it is by the next catch-up.
DROP TRIGGER messages_text_delete;
CREATE TRIGGER messages_text_delete AFTER DELETE ON messages
    WHEN old.id <= (SELECT indexed_through FROM history_index WHERE id = 1)
BEGIN
    INSERT INTO messages_text (messages_text, rowid, body, sender)
        VALUES ('delete', old.id, old.body, old.sender);
END;

DROP TRIGGER messages_text_update;
CREATE TRIGGER messages_text_update AFTER UPDATE OF body, sender ON messages
    WHEN old.id <= (SELECT indexed_through FROM history_index WHERE id = 1)
      OR new.id <= (SELECT indexed_through FROM history_index WHERE id = 1)
BEGIN
    INSERT INTO messages_text (messages_text, rowid, body, sender)
        SELECT 'delete', old.id, old.body, old.sender
        WHERE old.id <= (SELECT indexed_through FROM history_index WHERE id = 1);
    INSERT INTO messages_text (rowid, body, sender)
        SELECT new.id, new.body, new.sender
        WHERE new.id <= (SELECT indexed_through FROM history_index WHERE id = 1);
END;

-- `message_spans_update` (migration 0007) stays as it is: widening a span, indexed or not,
-- keeps it exact, and the catch-up's upsert only widens further.
