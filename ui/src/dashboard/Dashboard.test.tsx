// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";

import { DEFAULT_SAFETY } from "../agents/agentForm";
import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { mount, type Mounted } from "../testing/render";
import { Dashboard } from "./Dashboard";

let view: Mounted | undefined;
afterEach(() => view?.unmount());

describe("dashboard", () => {
  it("shows the Discord bot's state as it changes, with a way to the Discord screen", async () => {
    const backend = new MockBackend();
    view = await mount(<Dashboard status={backend.current} />, backend);
    const card = () => view!.one('[data-testid="bot-card"]');
    expect(card().textContent).toContain("Discord bot: Off: no token");
    expect(card().querySelector("a")!.getAttribute("href")).toBe("#/discord");
    act(() => backend.setBot({ connection: { state: "reconnecting", reason: "the connection to Discord dropped" }, configured: true }));
    expect(card().textContent).toContain("Discord bot: Reconnecting");
    expect(card().textContent).toContain("the connection to Discord dropped");
    expect(backend.callsOf("botStatus"), "loaded once, then followed through events").toHaveLength(1);
  });

  it("draws messages by state as one bar and the hour's attempts as a bar per five minutes", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
    const to = { kind: "agents" as const, names: ["A"] };
    const ids: number[] = [];
    for (const body of ["one", "two", "three", "four"]) {
      const sent = await backend.send({ to, sender: "op", body, priority: "normal", tags: [], reply_to: null });
      ids.push(sent[0]!.id);
    }
    for (const id of ids.slice(0, 3)) backend.deliver(id);
    view = await mount(<Dashboard status={backend.current} />, backend);

    const segments = view.all(".state-bar > span");
    expect(segments.map((s) => [s.className, s.style.width, s.title])).toEqual([
      ["fill-queued", "25%", "queued: 1"],
      ["fill-delivered", "75%", "delivered: 3"],
    ]);
    expect(view.one(".legend").textContent).toContain("delivered 3");

    const bars = view.all(".timeline-bar");
    expect(bars).toHaveLength(12);
    const now = bars[11]!;
    expect(now.title).toMatch(/: 3 delivered, 0 failed$/);
    expect(now.querySelector<HTMLElement>(".fill-delivered")!.style.height).toBe("100%");
    expect(bars[0]!.querySelector<HTMLElement>(".fill-delivered")!.style.height).toBe("0%");
    expect(view.one(".timeline").textContent).toContain("busiest five minutes: 3");
  });
});
