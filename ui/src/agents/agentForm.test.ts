import { describe, expect, it } from "vitest";

import type { AgentView } from "../backend/types";
import { PROFILES } from "../shared/profiles";
import { describeWindowRule, emptyForm, formFromAgent, summarizeImport, toAgentInput } from "./agentForm";

const agent: AgentView = {
  id: 3,
  name: "Agent-1",
  team: "backend",
  role: null,
  enabled: true,
  x: -1500,
  y: 300,
  input: { ...PROFILES[1]!.input },
  max_attempts: 3,
  window: { class: null, title: "*claude*", any: false, seen: { id: 7, class: "XTerm", title: "claude", pid: null, at: 0 } },
  min_gap_ms: 20000,
  strip_control: true,
  created_at: 0,
  updated_at: 0,
  queued: 0,
  last: null,
};

describe("agent form", () => {
  it("turns the fields into the backend's input, blanks into nulls", () => {
    const parsed = toAgentInput({ ...emptyForm(), name: " Agent-2 ", x: " 10", y: "-20", team: "  " });
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ name: " Agent-2 ", x: 10, y: -20, team: null, role: null, max_attempts: null }),
    });
  });

  it("refuses positions that are not whole numbers and says how to get one", () => {
    const parsed = toAgentInput({ ...emptyForm(), name: "A", x: "10.5", y: "3" });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("Capture");
    expect(toAgentInput({ ...emptyForm(), name: "A", x: "", y: "" }).ok).toBe(false);
  });

  it("refuses a limit that is not a count", () => {
    const parsed = toAgentInput({ ...emptyForm(), name: "A", x: "1", y: "1", maxAttempts: "many" });
    expect(parsed).toMatchObject({ ok: false, error: expect.stringContaining("max attempts") });
  });

  it("round-trips an agent, recognising its preset", () => {
    const form = formFromAgent(agent);
    expect(form.profile).toBe("xterm");
    expect(form.x).toBe("-1500");
    const back = toAgentInput(form);
    expect(back).toEqual({
      ok: true,
      value: {
        name: "Agent-1",
        team: "backend",
        role: null,
        enabled: true,
        x: -1500,
        y: 300,
        input: agent.input,
        max_attempts: 3,
        window_class: null,
        window_title: "*claude*",
        any_window: false,
        min_gap_ms: 20000,
        strip_control: true,
        seen: null,
      },
    });
  });

  it("refuses a gap that is not whole milliseconds, blank meaning the global setting", () => {
    const base = { ...emptyForm(), name: "A", x: "1", y: "1" };
    expect(toAgentInput({ ...base, minGap: "1.5" })).toMatchObject({ ok: false, error: expect.stringContaining("min_gap_ms") });
    expect(toAgentInput({ ...base, minGap: "-1" }).ok).toBe(false);
    expect(toAgentInput({ ...base, minGap: " " })).toMatchObject({ ok: true, value: { min_gap_ms: null } });
    expect(toAgentInput({ ...base, minGap: "0" })).toMatchObject({ ok: true, value: { min_gap_ms: 0 } });
  });

  it("sends the captured window only while the point is the captured one", () => {
    const window = { id: 9, class: "Code", title: "chat", pid: 1, at: 5 };
    const form = { ...emptyForm(), name: "A", x: "640", y: "480", captured: { x: 640, y: 480, window } };
    expect(toAgentInput(form)).toMatchObject({ ok: true, value: { seen: window } });
    expect(toAgentInput({ ...form, x: "641" })).toMatchObject({ ok: true, value: { seen: null } });
  });

  it("describes which windows deliveries go into", () => {
    const seen = { id: 7, class: "XTerm", title: "claude", pid: 42, at: 0 };
    expect(describeWindowRule({ class: null, title: null, any: false, seen }).text).toBe('XTerm "claude" (pid 42)');
    expect(describeWindowRule({ class: "xterm", title: null, any: false, seen }).text).toBe("matching class xterm");
    expect(describeWindowRule({ class: "xterm", title: null, any: true, seen }).text).toBe("any window (not checked)");
    const unrecorded = describeWindowRule({ class: null, title: null, any: false, seen: null });
    expect(unrecorded.text).toBe("not recorded yet");
    expect(unrecorded.detail).toContain("first delivery records the window");
  });

  it("marks changed chords as a custom profile", () => {
    expect(formFromAgent({ ...agent, input: { ...agent.input, submit_key: "ctrl+enter" } }).profile).toBe("custom");
  });

  it("summarizes an import", () => {
    expect(summarizeImport({ created: ["A"], skipped: [], invalid: [] })).toBe("1 agent created");
    expect(
      summarizeImport({ created: ["A", "B"], skipped: [{ name: "C", reason: "" }], invalid: [{ name: "D", reason: "" }] }),
    ).toBe("2 agents created, 1 skipped (already registered), 1 invalid");
  });
});
