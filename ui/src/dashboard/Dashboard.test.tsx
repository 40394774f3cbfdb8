// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";

import { MockBackend } from "../backend/mock";
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
});
