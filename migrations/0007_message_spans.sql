-- History filtered by date, newest first, without sorting the whole date range.
--
-- A "to" date with no "from" date (or a wide range) matches most of the table; walking
-- `messages_created` and sorting the ids took 111 ms at a million messages, and walking ids
-- from the newest reads every message after the date. This table summarises messages in spans
-- of 4,096 consecutive ids by the earliest and latest `created_at` in each span, so a History
-- page walks only the spans that can hold a match, newest first, and inside them the ids in
-- order (`Store::history_page`). Exact, not a guess from the id order: a span whose range
-- misses the dates holds no match. Deleted messages only widen a span's range (still exact).
-- Released migrations are never edited; add a new numbered file instead.

CREATE TABLE message_spans (
    span        INTEGER PRIMARY KEY,   -- messages.id >> 12
    min_created INTEGER NOT NULL,
    max_created INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO message_spans (span, min_created, max_created)
    SELECT id >> 12, min(created_at), max(created_at) FROM messages GROUP BY id >> 12;

CREATE TRIGGER message_spans_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_spans (span, min_created, max_created)
        VALUES (new.id >> 12, new.created_at, new.created_at)
        ON CONFLICT (span) DO UPDATE SET
            min_created = min(min_created, excluded.min_created),
            max_created = max(max_created, excluded.max_created);
END;

-- Nothing changes `created_at` today; if something ever does, the span still covers it.
CREATE TRIGGER message_spans_update AFTER UPDATE OF id, created_at ON messages BEGIN
    INSERT INTO message_spans (span, min_created, max_created)
        VALUES (new.id >> 12, new.created_at, new.created_at)
        ON CONFLICT (span) DO UPDATE SET
            min_created = min(min_created, excluded.min_created),
            max_created = max(max_created, excluded.max_created);
END;
