// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";

import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { mount, settle, type Mounted } from "../testing/render";
import { Agents } from "./Agents";
import { DEFAULT_SAFETY } from "./agentForm";

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
    await backend.addAgent({ name: "Agent-1", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
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

  it("sets every safe-delivery option, with the core's words for a bad pattern", async () => {
    const backend = new MockBackend();
    view = await mount(<Agents />, backend);
    view.click('[data-testid="add-agent"]');
    view.type('input[name="windowClass"]', "re:(unclosed");
    await fillAndSave(view, "Agent-1");
    const alert = view.one('[role="alert"]');
    expect(alert.dataset.code).toBe("INVALID");
    expect(alert.textContent).toContain("the window class pattern:");

    view.type('input[name="windowClass"]', "xterm");
    view.type('input[name="windowTitle"]', "*claude*");
    view.type('input[name="minGap"]', "20000");
    act(() => {
      const select = view!.one('select[name="control"]') as HTMLSelectElement;
      select.value = "strip";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(view.one('[data-testid="window-note"]').textContent).toContain("matching these patterns");
    await fillAndSave(view, "Agent-1");
    expect(backend.callsOf("addAgent").at(-1)![0]).toMatchObject({
      window_class: "xterm",
      window_title: "*claude*",
      any_window: false,
      min_gap_ms: 20000,
      strip_control: true,
    });
    expect(view.one('[data-agent="Agent-1"] [data-testid="agent-window"]').textContent).toBe("matching class xterm, title *claude*");

    view.clickButton("Edit");
    expect((view.one('input[name="minGap"]') as HTMLInputElement).value).toBe("20000");
    view.click('input[name="anyWindow"]');
    view.type('input[name="minGap"]', "");
    view.click('[data-testid="save-agent"]');
    await settle();
    expect(backend.callsOf("editAgent").at(-1)![1]).toMatchObject({ any_window: true, min_gap_ms: null, window_class: "xterm" });
    expect(view.one('[data-testid="agent-window"]').textContent).toBe("any window (not checked)");
  });

  it("refuses a gap that is not a number of milliseconds before calling the backend", async () => {
    const backend = new MockBackend();
    view = await mount(<Agents />, backend);
    view.click('[data-testid="add-agent"]');
    view.type('input[name="minGap"]', "2s");
    await fillAndSave(view, "Agent-1");
    expect(view.one('[role="alert"]').textContent).toContain("whole number of milliseconds");
    expect(backend.callsOf("addAgent")).toEqual([]);
  });

  it("records the window under the pointer at capture, as the CLI does", async () => {
    const backend = new MockBackend();
    view = await mount(<Agents />, backend);
    view.click('[data-testid="add-agent"]');
    view.type('input[name="name"]', "Agent-1");
    vi.useFakeTimers();
    try {
      view.clickButton("Capture from pointer");
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3100);
      });
    } finally {
      vi.useRealTimers();
    }
    await settle();
    expect((view.one('input[name="x"]') as HTMLInputElement).value).toBe("640");
    expect(view.one('[data-testid="window-note"]').textContent).toContain('Captured window, recorded when you save: XTerm "claude: ~/src/app" (pid 4242)');
    view.click('[data-testid="save-agent"]');
    await settle();
    expect(backend.callsOf("addAgent")[0]![0]).toMatchObject({ x: 640, y: 480, seen: { id: 0x2a00007, class: "XTerm", pid: 4242 } });
    expect(view.one('[data-testid="agent-window"]').textContent).toBe('XTerm "claude: ~/src/app" (pid 4242)');

    // Typed coordinates are not the captured point: the window there is looked up on save.
    view.clickButton("Edit");
    expect(view.one('[data-testid="window-note"]').textContent).toContain("Recorded window: XTerm");
    view.type('input[name="x"]', "10");
    expect(view.one('[data-testid="window-note"]').textContent).toContain("recorded when you save");
    view.click('[data-testid="save-agent"]');
    await settle();
    expect(backend.callsOf("editAgent")[0]![1]).toMatchObject({ x: 10, seen: null });
    const unrecorded = view.one('[data-testid="agent-window"]');
    expect(unrecorded.textContent).toBe("not recorded yet");
    expect(unrecorded.title, "the why is in the tooltip").toContain("first delivery records the window");
  });

  it("shows an input profile by its short name, the full label in the tooltip", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
    view = await mount(<Agents />, backend);
    const cell = view.one('[data-agent="A"] [data-testid="agent-window"]').previousElementSibling as HTMLElement;
    expect(cell.textContent).toBe("IDE chat panel");
    expect(cell.title).toBe("IDE chat panel (VS Code, Cursor)");
  });

  it("the table's Capture stores the point and the window there", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
    view = await mount(<Agents />, backend);
    vi.useFakeTimers();
    try {
      view.clickButton("Capture");
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3100);
      });
    } finally {
      vi.useRealTimers();
    }
    await settle();
    expect(view.notes.at(-1)).toMatchObject({ tone: "ok", message: `A's input box is now at (640, 480), in XTerm "claude: ~/src/app" (pid 4242)` });
    expect(view.one('[data-testid="agent-window"]').textContent).toBe('XTerm "claude: ~/src/app" (pid 4242)');
  });

  it("offers to cancel waiting messages when removal is refused for them", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
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
    await backend.addAgent({ name: "Agent-1", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
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
