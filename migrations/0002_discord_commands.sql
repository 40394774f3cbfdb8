-- The Discord bot's audit log: one row per command received, whatever became of it.
-- Released migrations are never edited; add a new numbered file instead.
-- Discord ids (snowflakes) are kept as TEXT, the way Discord's API writes them.
-- The bot's own settings live in the `settings` table under the key 'discord.bot'.

CREATE TABLE discord_commands (
    id           INTEGER PRIMARY KEY,
    -- The interaction id (slash commands) or the message id (prefix commands).
    source_id    TEXT    NOT NULL,
    -- 'slash' or 'prefix'.
    kind         TEXT    NOT NULL CHECK (kind IN ('slash', 'prefix')),
    user_id      TEXT    NOT NULL,
    user_name    TEXT    NOT NULL,
    -- NULL in direct messages.
    guild_id     TEXT,
    channel_id   TEXT    NOT NULL,
    -- The command's name without '/' or the prefix, e.g. 'send' or 'message'.
    command      TEXT    NOT NULL,
    -- The arguments as given, a JSON object.
    arguments    TEXT    NOT NULL DEFAULT '{}',
    received_at  INTEGER NOT NULL,
    -- succeeded: it did what was asked; refused: the caller may not run it here;
    -- failed: it was allowed but could not be done (unknown agent, empty text, database error).
    outcome      TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'refused', 'failed')),
    -- From receipt to the reply being sent.
    duration_ms  INTEGER NOT NULL,
    -- The start of the reply as sent to Discord.
    reply        TEXT    NOT NULL DEFAULT '',
    error        TEXT,
    -- JSON array of the ids of the messages the command queued.
    message_ids  TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX discord_commands_user ON discord_commands (user_id, id);
CREATE INDEX discord_commands_outcome ON discord_commands (outcome, id);
