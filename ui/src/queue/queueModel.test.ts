import { describe, expect, it } from "vitest";

import type { Message } from "../backend/types";
import { bump, canCancel, canChangePriority, canRetry, describeBatch, waitLabel } from "./queueModel";

const now = 1_700_000_000_000;
const msg = (patch: Partial<Message>): Message => ({
  id: 7,
  sender: "operator",
  agent_id: 1,
  recipient: "Agent-1",
  body: "hello",
  priority: "normal",
  tags: [],
  reply_to: null,
  broadcast_id: null,
  state: "queued",
  attempts: 0,
  next_attempt_at: now,
  last_error_code: null,
  last_error: null,
  created_at: now,
  updated_at: now,
  delivered_at: null,
  ...patch,
});

describe("queue actions", () => {
  it("bumps one level at a time up to urgent", () => {
    expect(bump("low")).toBe("normal");
    expect(bump("high")).toBe("urgent");
    expect(bump("urgent")).toBeNull();
  });

  it("never offers to cancel or reorder a message being typed", () => {
    const typing = msg({ state: "in_flight" });
    expect(canCancel(typing)).toBe(false);
    expect(canChangePriority(typing)).toBe(false);
    expect(canCancel(msg({}))).toBe(true);
  });

  it("offers retry for review and for a scheduled retry, not for a fresh message", () => {
    expect(canRetry(msg({}), now)).toBe(false);
    expect(canRetry(msg({ state: "needs_review" }), now)).toBe(true);
    expect(canRetry(msg({ attempts: 1, next_attempt_at: now + 4000 }), now)).toBe(true);
  });

  it("says why a message waits", () => {
    expect(waitLabel(msg({}), now)).toBe("waiting for its turn");
    expect(waitLabel(msg({ attempts: 2, next_attempt_at: now + 4000, last_error_code: "OFF_SCREEN" }), now)).toBe(
      "retry in 4.0 s (attempt 2 failed: OFF_SCREEN)",
    );
    expect(waitLabel(msg({ state: "in_flight" }), now)).toBe("being delivered now");
    expect(waitLabel(msg({}), now, true)).toBe("held: delivery is paused");
  });

  it("describes a batch, failures with their reason", () => {
    expect(describeBatch("Cancelled", { done: [1, 2], failed: [{ id: 3, message: "message 3 was already delivered" }] })).toBe(
      "Cancelled #1, #2; #3: message 3 was already delivered",
    );
  });
});
