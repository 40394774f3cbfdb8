-- Switchboard's core schema: agents, messages, delivery attempts, the event log and settings.
-- Released migrations are never edited; add a new numbered file instead.
-- Times are Unix epoch milliseconds (UTC) in INTEGER columns: compact, ordered, zone-free.

-- An agent is a window on screen that accepts text at a point.
CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    team          TEXT,
    role          TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- The input box, in virtual-screen coordinates; negative values are monitors left of or
    -- above the primary one.
    x             INTEGER NOT NULL,
    y             INTEGER NOT NULL,
    -- How text goes in: 'paste' (clipboard + paste_key) or 'type' (key by key).
    input_mode    TEXT    NOT NULL DEFAULT 'paste' CHECK (input_mode IN ('paste', 'type')),
    paste_key     TEXT    NOT NULL DEFAULT 'ctrl+v',
    -- A key chord, or 'none' to leave the text unsubmitted.
    submit_key    TEXT    NOT NULL DEFAULT 'enter',
    -- Chord that enters a line break inside a message when typing.
    newline_key   TEXT    NOT NULL DEFAULT 'shift+enter',
    -- How to empty the input box before entering text: 'none', 'select-all' or 'kill-line'.
    clear         TEXT    NOT NULL DEFAULT 'none' CHECK (clear IN ('none', 'select-all', 'kill-line')),
    -- Attempts before the message becomes a dead letter; NULL uses the global setting.
    max_attempts  INTEGER CHECK (max_attempts IS NULL OR max_attempts >= 1),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- Names are what people type: unique regardless of case.
CREATE UNIQUE INDEX agents_name_key ON agents (name COLLATE NOCASE);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    sender          TEXT    NOT NULL,
    -- SET NULL keeps history readable after an agent is removed; `recipient` keeps the name.
    agent_id        INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    recipient       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    -- 0 urgent, 1 high, 2 normal, 3 low: ascending order is delivery order.
    priority        INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 3),
    tags            TEXT    NOT NULL DEFAULT '[]',   -- JSON array of strings
    reply_to        INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    -- Messages queued by one broadcast share this id (the first message's id).
    broadcast_id    INTEGER,
    -- queued -> in_flight -> delivered | queued (retry) | failed (dead letter)
    -- needs_review: a crash interrupted an attempt that may have pressed the submit key.
    state           TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'in_flight', 'delivered', 'failed', 'cancelled', 'needs_review')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error_code TEXT,
    last_error      TEXT,
    -- The engine that holds an in_flight message (engines.id).
    claimed_by      INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
-- The claim query: due queued messages by priority, then age.
CREATE INDEX messages_due ON messages (priority, id, next_attempt_at) WHERE state = 'queued';
CREATE INDEX messages_state ON messages (state, id);
CREATE INDEX messages_agent ON messages (agent_id, id);

-- One row per try at delivering a message.
CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    engine_id   INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    duration_ms INTEGER,
    -- Written before each step, so a crash leaves the last step that was begun:
    -- claimed, locating, clicking, clearing, entering, submitting, done.
    phase       TEXT    NOT NULL DEFAULT 'claimed',
    -- NULL while running; then delivered, failed or interrupted.
    outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('delivered', 'failed', 'interrupted')),
    error_code  TEXT,
    detail      TEXT,
    retryable   INTEGER
);
CREATE INDEX attempts_message ON attempts (message_id, id);

-- Every delivery engine that ran, so stale claims can be recovered after a crash.
CREATE TABLE engines (
    id           INTEGER PRIMARY KEY,
    pid          INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    display      TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    stopped_at   INTEGER
);

-- Who changed what, and when. `actor` is e.g. 'cli', 'engine:3', 'desktop', 'discord:<user>'.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    message_id INTEGER,
    agent_id   INTEGER,
    detail     TEXT
);
CREATE INDEX events_message ON events (message_id) WHERE message_id IS NOT NULL;

-- Operator settings shared by every process on this database (JSON values).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
