// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";

import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { mount, settle, type Mounted } from "../testing/render";
import { Agents } from "./Agents";

let view: Mounted | undefined;
afterEach(() => view?.unmount());

async function fillAndSave(v: Mounted, name: string, x = "120", y = "340") {
  v.type('input[name="name"]', name);
  v.type('input[name="x"]', x);
  v.type('input[name="y"]', y);
  v.click('[data-testid="save-agent"]');
  await settle();
}

describe("agents screen", () => {
  it("explains what an agent is when there is none", async () => {
    view = await mount(<Agents />, new MockBackend());
    expect(view.text()).toContain("No agents yet");
    expect(view.text()).toContain("Capture");
  });

  it("adds an agent and shows it in the table", async () => {
    const backend = new MockBackend();
    view = await mount(<Agents />, backend);
    view.clickButton("Add your first agent");
    await fillAndSave(view, "Agent-1");
    expect(backend.callsOf("addAgent")[0]![0]).toMatchObject({ name: "Agent-1", x: 120, y: 340, input: defaultInput() });
    const row = view.one('[data-agent="Agent-1"]');
    expect(row.textContent).toContain("120, 340");
    expect(row.textContent).toContain("never");
    expect(view.notes).toEqual([expect.objectContaining({ tone: "ok", message: "Added Agent-1 at (120, 340)" })]);
  });

  it("shows the core's reason for an empty or duplicate name in the form", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "Agent-1", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null });
    view = await mount(<Agents />, backend);
    view.click('[data-testid="add-agent"]');
    await fillAndSave(view, "   ");
    expect(view.one('[role="alert"]').textContent).toContain("an agent needs a name");
    await fillAndSave(view, "agent-1");
    const alert = view.one('[role="alert"]');
    expect(alert.dataset.code).toBe("CONFLICT");
    expect(alert.textContent).toContain('an agent named "agent-1" already exists');
    expect(view.notes).toEqual([]);
  });

  it("refuses a position that is not a number before calling the backend", async () => {
    const backend = new MockBackend();
    view = await mount(<Agents />, backend);
    view.click('[data-testid="add-agent"]');
    await fillAndSave(view, "Agent-1", "left", "2");
    expect(view.one('[role="alert"]').textContent).toContain("whole numbers");
    expect(backend.callsOf("addAgent")).toEqual([]);
  });

  it("offers to cancel waiting messages when removal is refused for them", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null });
    await backend.testAgent("A");
    view = await mount(<Agents />, backend);
    view.clickButton("Delete");
    view.clickButton("Remove");
    await settle();
    expect(view.text()).toContain("has 1 message(s) waiting");
    view.clickButton("Remove and cancel 1 waiting message");
    await settle();
    expect(backend.callsOf("removeAgent")).toEqual([
      ["A", false],
      ["A", true],
    ]);
    expect(view.text()).toContain("No agents yet");
  });

  it("imports pasted JSON and reports what happened to each agent", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "Agent-1", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null });
    view = await mount(<Agents />, backend);
    view.clickButton("Import…");
    view.type("textarea", JSON.stringify({ agents: { "Agent-1": { chat_input_coordinates: [5, 5] }, "Agent-2": { chat_input_coordinates: [10, 20] }, Bad: {} } }));
    view.clickButton("Import");
    await settle();
    const report = view.one(".import-report").textContent ?? "";
    expect(report).toContain("1 agent created, 1 skipped (already registered), 1 invalid");
    expect(report).toContain("Invalid Bad");
    expect(view.one('[data-agent="Agent-2"]').textContent).toContain("10, 20");
  });
});
