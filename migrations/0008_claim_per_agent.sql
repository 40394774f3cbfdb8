-- Claims look at each agent's first due message instead of walking every queued message in
-- delivery order: an agent that cannot take a message now (one in flight, its minimum gap not
-- passed, disabled) costs one index probe, however many messages it has waiting.
-- Released migrations are never edited; add a new numbered file instead.
CREATE INDEX messages_agent_queued ON messages (agent_id, priority, id, next_attempt_at)
    WHERE state = 'queued';

-- The claim's former index (all queued messages in delivery order). Nothing reads it now, and
-- every enqueue and claim paid a page write to keep it.
DROP INDEX messages_due;
