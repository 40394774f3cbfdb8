// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";

import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { mount, settle, type Mounted } from "../testing/render";
import { DeadLetters } from "./DeadLetters";
import { selectionAfter } from "./selection";
import { DEFAULT_SAFETY } from "../agents/agentForm";

let view: Mounted | undefined;
afterEach(() => view?.unmount());

async function withDeadLetters(): Promise<MockBackend> {
  const backend = new MockBackend();
  await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
  const sent = await backend.send({ to: { kind: "agents", names: ["A"] }, sender: "op", body: "one", priority: "normal", tags: [], reply_to: null });
  const more = await backend.send({ to: { kind: "agents", names: ["A"] }, sender: "op", body: "two", priority: "normal", tags: [], reply_to: null });
  backend.failMessage(sent[0]!.id, "OFF_SCREEN", "(5000, 10) is on no monitor");
  backend.failMessage(more[0]!.id, "PASTE_NOT_READ", "the target window did not read the clipboard");
  return backend;
}

describe("dead letters", () => {
  it("lists failed messages with their reason and retries the selected ones", async () => {
    const backend = await withDeadLetters();
    view = await mount(<DeadLetters />, backend);
    const rows = view.all("[data-message]");
    expect(rows).toHaveLength(2);
    expect(view.text()).toContain("OFF_SCREEN");
    expect(view.text()).toContain("is on no monitor");

    view.click('input[aria-label="select all"]');
    await settle();
    view.clickButton("Retry selected (2)");
    await settle();
    expect(backend.callsOf("retry")).toEqual([[[2, 3]]]);
    expect(view.all("[data-message]")).toHaveLength(0);
    expect(view.text()).toContain("No dead letters");
  });

  it("keeps only what failed selected after a batch", () => {
    expect([...selectionAfter(new Set([1, 2, 3]), { done: [1, 3] })]).toEqual([2]);
  });
});
