// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";

import { MockBackend } from "../backend/mock";
import { mount, settle, type Mounted } from "../testing/render";
import { useBackend } from "./context";
import { useLive } from "./hooks";

let view: Mounted | undefined;
afterEach(() => {
  view?.unmount();
  vi.useRealTimers();
});

function Counter({ gap }: { gap: number }) {
  const backend = useBackend();
  const { data } = useLive(() => backend.queue(), [], true, gap);
  return <p>{data?.length ?? "…"}</p>;
}

describe("useLive", () => {
  it("reloads on every database change, without polling", async () => {
    const backend = new MockBackend();
    view = await mount(<Counter gap={0} />, backend);
    expect(backend.callsOf("queue")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.callsOf("queue")).toHaveLength(1);
    backend.changed();
    await settle();
    backend.changed();
    await settle();
    expect(backend.callsOf("queue")).toHaveLength(3);
  });

  it("spaces reloads by the gap and still picks up the last change", async () => {
    const backend = new MockBackend();
    view = await mount(<Counter gap={1000} />, backend);
    vi.useFakeTimers();
    for (let i = 0; i < 5; i++) backend.changed();
    await vi.advanceTimersByTimeAsync(100);
    expect(backend.callsOf("queue")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(backend.callsOf("queue")).toHaveLength(2);
  });
});
