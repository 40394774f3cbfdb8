-- Safe delivery: which window an agent's point must be in, per-agent pacing and control
-- characters, and visual receipts of deliveries.
-- Released migrations are never edited; add a new numbered file instead.

-- Patterns the window under the point must match (NULL: not used). A glob (`*`, `?`,
-- case-insensitive) or `re:` followed by a regular expression.
ALTER TABLE agents ADD COLUMN window_class TEXT;
ALTER TABLE agents ADD COLUMN window_title TEXT;
-- 1: the operator opted out of the window check for this agent.
ALTER TABLE agents ADD COLUMN any_window INTEGER NOT NULL DEFAULT 0 CHECK (any_window IN (0, 1));
-- The window found under the point when the position was captured or set, or at the first
-- delivery after that (NULL: none recorded yet). Without patterns, deliveries go only into
-- this window: same class and same process (or the same window id when there is no pid).
ALTER TABLE agents ADD COLUMN seen_window_id INTEGER;
ALTER TABLE agents ADD COLUMN seen_class TEXT;
ALTER TABLE agents ADD COLUMN seen_title TEXT;
ALTER TABLE agents ADD COLUMN seen_pid INTEGER;
ALTER TABLE agents ADD COLUMN seen_at INTEGER;
-- Least time between two deliveries to this agent; NULL uses the min_gap_ms setting.
ALTER TABLE agents ADD COLUMN min_gap_ms INTEGER CHECK (min_gap_ms IS NULL OR min_gap_ms >= 0);
-- 1: control characters are removed from messages to this agent instead of refused.
ALTER TABLE agents ADD COLUMN strip_control INTEGER NOT NULL DEFAULT 0 CHECK (strip_control IN (0, 1));
-- When a message was last delivered to this agent (engine clock), for the minimum gap.
ALTER TABLE agents ADD COLUMN last_delivered_at INTEGER;
UPDATE agents SET last_delivered_at =
    (SELECT max(delivered_at) FROM messages WHERE messages.agent_id = agents.id);

-- A small screenshot around the input box taken right after the submit key: a PNG file in the
-- `receipts` folder beside the database, deleted (file and row) after receipt_keep_days.
CREATE TABLE receipts (
    attempt_id INTEGER PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL,
    path       TEXT    NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    taken_at   INTEGER NOT NULL
);
CREATE INDEX receipts_taken ON receipts (taken_at);
CREATE INDEX receipts_message ON receipts (message_id);
