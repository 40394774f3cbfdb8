import { describe, expect, it } from "vitest";

import type { AgentView } from "../backend/types";
import { defaultInput } from "../shared/profiles";
import { audience, charCount, emptyCompose, isSendShortcut, teamsOf, toCompose } from "./composeForm";

const agent = (name: string, team: string | null, enabled = true): AgentView => ({
  id: name.length,
  name,
  team,
  role: null,
  enabled,
  x: 0,
  y: 0,
  input: defaultInput(),
  max_attempts: null,
  window: { class: null, title: null, any: false, seen: null },
  min_gap_ms: null,
  strip_control: false,
  created_at: 0,
  updated_at: 0,
  queued: 0,
  last: null,
});

describe("compose form", () => {
  it("sends to the chosen agents with parsed tags", () => {
    const parsed = toCompose({ ...emptyCompose(), names: ["A", "B"], body: "line 1\nline 2", tags: "ci, urgent ,, ci", priority: "high" });
    expect(parsed).toEqual({
      ok: true,
      value: { to: { kind: "agents", names: ["A", "B"] }, sender: "operator", body: "line 1\nline 2", priority: "high", tags: ["ci", "urgent"], reply_to: null },
    });
  });

  it("says what is missing before anything is sent", () => {
    expect(toCompose({ ...emptyCompose(), names: ["A"] })).toMatchObject({ ok: false, error: "write the message first" });
    expect(toCompose({ ...emptyCompose(), body: "hi" })).toMatchObject({ ok: false, error: expect.stringContaining("at least one agent") });
    expect(toCompose({ ...emptyCompose(), mode: "team", body: "hi" })).toMatchObject({ ok: false, error: expect.stringContaining("team") });
    expect(toCompose({ ...emptyCompose(), mode: "all", body: "hi", replyTo: 4 })).toMatchObject({ ok: false, error: expect.stringContaining("reply") });
  });

  it("sends to a team or everyone", () => {
    expect(toCompose({ ...emptyCompose(), mode: "team", team: " ops ", body: "x" })).toMatchObject({ ok: true, value: { to: { kind: "team", team: "ops" } } });
    expect(toCompose({ ...emptyCompose(), mode: "all", body: "x" })).toMatchObject({ ok: true, value: { to: { kind: "all" } } });
  });

  it("counts characters as the core does", () => {
    expect(charCount("héllo 👋")).toBe(7);
    expect("👋".length).toBe(2);
  });

  it("sends on Ctrl+Enter only", () => {
    expect(isSendShortcut({ key: "Enter", ctrlKey: true, metaKey: false })).toBe(true);
    expect(isSendShortcut({ key: "Enter", ctrlKey: false, metaKey: false })).toBe(false);
    expect(isSendShortcut({ key: "a", ctrlKey: true, metaKey: false })).toBe(false);
  });

  it("lists teams of enabled agents once and counts the audience", () => {
    const agents = [agent("A", "ops"), agent("B", "Ops"), agent("C", "dev", false), agent("D", null)];
    expect(teamsOf(agents)).toEqual(["Ops"]);
    expect(audience({ ...emptyCompose(), mode: "team", team: "ops" }, agents)).toBe(2);
    expect(audience({ ...emptyCompose(), mode: "all" }, agents)).toBe(3);
  });
});
