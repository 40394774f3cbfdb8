-- Indexes for reading a large history quickly (the desktop app's History, Dead letters and
-- Dashboard screens). Measured at 1,000,000 messages with
-- `cargo run --release -p switchboard-desktop --example history_bench -- 1000000`.
-- Released migrations are never edited; add a new numbered file instead.

-- Attempts finished in the last hour (stats, the dashboard's chart) without reading every
-- attempt ever made: 100 ms -> under 1 ms at a million attempts.
CREATE INDEX attempts_finished ON attempts (finished_at);

-- History filtered by date: a day long ago is a short range here instead of a walk down from
-- the newest message.
CREATE INDEX messages_created ON messages (created_at);

-- Text search in history ("contains", any case): a trigram index over the body and the sender,
-- kept in step with `messages` by the triggers below. A search for a rare word or one that
-- matches nothing reads a few index pages instead of every message (240 ms -> under 1 ms at a
-- million messages). It costs about as much disk as the text itself.
CREATE VIRTUAL TABLE messages_text USING fts5(
    body, sender, content = 'messages', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO messages_text (messages_text) VALUES ('rebuild');

CREATE TRIGGER messages_text_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_text (rowid, body, sender) VALUES (new.id, new.body, new.sender);
END;
CREATE TRIGGER messages_text_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_text (messages_text, rowid, body, sender)
        VALUES ('delete', old.id, old.body, old.sender);
END;
CREATE TRIGGER messages_text_update AFTER UPDATE OF body, sender ON messages BEGIN
    INSERT INTO messages_text (messages_text, rowid, body, sender)
        VALUES ('delete', old.id, old.body, old.sender);
    INSERT INTO messages_text (rowid, body, sender) VALUES (new.id, new.body, new.sender);
END;
