// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { mount, settle, type Mounted } from "../testing/render";
import { Compose } from "./Compose";
import { DEFAULT_SAFETY } from "../agents/agentForm";

let view: Mounted | undefined;
let backend: MockBackend;
afterEach(() => view?.unmount());
beforeEach(async () => {
  backend = new MockBackend();
  for (const [name, team] of [
    ["Agent-1", "ops"],
    ["Agent-2", "ops"],
  ] as const) {
    await backend.addAgent({ name, team, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
  }
});

describe("compose screen", () => {
  it("sends a multi-line message on Ctrl+Enter and counts its characters", async () => {
    view = await mount(<Compose params={new URLSearchParams()} />, backend);
    view.click('input[value="Agent-2"]');
    view.type('textarea[name="body"]', "first line\nsecond line");
    view.type('input[name="tags"]', "ci, review");
    expect(view.one('[data-testid="char-count"]').textContent).toBe("22 / 20,000 characters");
    view.key('textarea[name="body"]', "Enter", { ctrlKey: true });
    await settle();
    expect(backend.callsOf("send")).toEqual([
      [{ to: { kind: "agents", names: ["Agent-2"] }, sender: "operator", body: "first line\nsecond line", priority: "normal", tags: ["ci", "review"], reply_to: null }],
    ]);
    expect(view.one(".sent").textContent).toContain("Queued 1 message: #3 to Agent-2");
    expect((view.one('textarea[name="body"]') as HTMLTextAreaElement).value).toBe("");
  });

  it("does not send on plain Enter and says what is missing", async () => {
    view = await mount(<Compose params={new URLSearchParams()} />, backend);
    view.type('textarea[name="body"]', "hi");
    view.key('textarea[name="body"]', "Enter");
    expect(backend.callsOf("send")).toEqual([]);
    view.click('[data-testid="send"]');
    await settle();
    expect(view.one('[role="alert"]').textContent).toContain("choose at least one agent");
  });

  it("sends to a team", async () => {
    view = await mount(<Compose params={new URLSearchParams()} />, backend);
    const team = view.all('input[name="mode"]')[1]!;
    team.click();
    await settle();
    const select = view.one("select") as HTMLSelectElement;
    select.value = "ops";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    view.type('textarea[name="body"]', "to the team");
    expect(view.one('[data-testid="send"]').textContent).toBe("Send to 2 agents");
    view.click('[data-testid="send"]');
    await settle();
    expect(backend.callsOf("send")[0]![0]).toMatchObject({ to: { kind: "team", team: "ops" } });
  });

  it("replies to an earlier message, addressed to its agent", async () => {
    const [original] = await backend.send({ to: { kind: "agents", names: ["Agent-1"] }, sender: "operator", body: "question?", priority: "normal", tags: [], reply_to: null });
    view = await mount(<Compose params={new URLSearchParams({ reply: String(original!.id) })} />, backend);
    await settle();
    expect(view.one(".reply-to").textContent).toContain("question?");
    expect((view.one('input[value="Agent-1"]') as HTMLInputElement).checked).toBe(true);
    view.type('textarea[name="body"]', "answer");
    view.click('[data-testid="send"]');
    await settle();
    expect(backend.callsOf("send")[1]![0]).toMatchObject({ reply_to: original!.id, to: { kind: "agents", names: ["Agent-1"] } });
  });

  it("shows the backend's refusal, e.g. a disabled agent", async () => {
    view = await mount(<Compose params={new URLSearchParams({ to: "Agent-1" })} />, backend);
    await backend.setAgentEnabled("Agent-1", false);
    view.type('textarea[name="body"]', "hi");
    view.click('[data-testid="send"]');
    await settle();
    expect(view.one('[role="alert"]').textContent).toContain("Agent-1 is disabled");
  });
});
