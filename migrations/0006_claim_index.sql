-- A claim skips agents that have a message in flight; without this index that check scanned
-- every message of the agent on each claim, so draining a backlog slowed down quadratically.
CREATE INDEX messages_in_flight_agent ON messages (agent_id) WHERE state = 'in_flight';
