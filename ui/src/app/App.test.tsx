// @vitest-environment happy-dom
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { settle } from "../testing/render";
import { App } from "./App";
import { DEFAULT_SAFETY } from "../agents/agentForm";

let root: HTMLElement;
let backend: MockBackend;

beforeEach(async () => {
  backend = new MockBackend();
  await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
  root = document.createElement("div");
  document.body.appendChild(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  window.location.hash = "";
});

async function open(hash: string) {
  window.location.hash = hash;
  await act(() => render(<App backend={backend} />, root));
  await settle();
}

const rows = () => [...root.querySelectorAll("[data-testid=queue-table] [data-message]")];

describe("app", () => {
  it("follows the queue through backend events, without asking again", async () => {
    await open("#/queue");
    expect(root.textContent).toContain("The queue is empty");
    const asked = backend.callsOf("queue").length;
    // Another process (the CLI) queues a message: the backend's event carries the new queue.
    await backend.send({ to: { kind: "agents", names: ["A"] }, sender: "cli", body: "from the terminal", priority: "normal", tags: [], reply_to: null });
    await settle();
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.textContent).toContain("from the terminal");
    expect(root.querySelector("[data-nav=queue] .count")?.textContent).toBe("1");
    backend.deliver(2);
    await settle();
    expect(rows()).toHaveLength(0);
    expect(backend.callsOf("queue").length).toBe(asked);
  });

  it("bumps and cancels from the queue", async () => {
    await backend.send({ to: { kind: "agents", names: ["A"] }, sender: "op", body: "x", priority: "low", tags: [], reply_to: null });
    await open("#/queue");
    const bump = [...root.querySelectorAll("button")].find((b) => b.textContent === "Bump")!;
    await act(() => bump.click());
    await settle();
    expect(backend.callsOf("setPriority")).toEqual([[2, "normal"]]);
    const cancel = [...root.querySelectorAll("button")].find((b) => b.textContent === "Cancel")!;
    await act(() => cancel.click());
    await settle();
    expect(backend.callsOf("cancel")).toEqual([[[2]]]);
    expect(rows()).toHaveLength(0);
  });

  it("shows the engine's state and stops everything with one button on any screen", async () => {
    await open("#/settings");
    expect(root.querySelector("[data-testid=engine-state]")?.textContent).toBe("Running");
    const stop = root.querySelector<HTMLButtonElement>("[data-testid=emergency-stop]")!;
    await act(() => stop.click());
    await settle();
    expect(backend.callsOf("pause")).toEqual([["emergency stop"]]);
    expect(root.querySelector("[data-testid=engine-state]")?.textContent).toBe("Paused");
    expect(root.querySelector(".pause-banner")?.textContent).toContain("emergency stop");
    const resume = [...root.querySelectorAll("button")].find((b) => b.textContent === "Resume delivery")!;
    await act(() => resume.click());
    await settle();
    expect(root.querySelector(".pause-banner")).toBeNull();
  });

  it("says when the display is missing and that messages wait", async () => {
    await open("#/dashboard");
    await act(() => backend.setStatus({ engine: { state: "waiting_for_display", reason: "cannot connect to the X display :0", retry_in_ms: 3000 }, display: null }));
    const state = root.querySelector("[data-testid=engine-state]")!;
    expect(state.textContent).toBe("Waiting for the display");
    expect(root.querySelector(".status-detail")?.textContent).toBe(
      "cannot connect to the X display :0. Messages stay queued; trying again every 3 s.",
    );
  });

  it("announces the first interactive screen once", async () => {
    await open("#/dashboard");
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.callsOf("uiReady")).toHaveLength(1);
  });
});
