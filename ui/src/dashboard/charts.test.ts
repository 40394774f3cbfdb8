import { describe, expect, it } from "vitest";

import { stateSegments, timelineBars } from "./charts";

describe("stateSegments", () => {
  it("leaves out empty states and fills the bar exactly", () => {
    const segments = stateSegments([
      { state: "queued", count: 1 },
      { state: "in_flight", count: 0 },
      { state: "delivered", count: 3 },
    ]);
    expect(segments.map((s) => s.state)).toEqual(["queued", "delivered"]);
    expect(segments[0]).toMatchObject({ offset: 0, width: 25 });
    expect(segments[1]).toMatchObject({ offset: 25, width: 75 });
  });

  it("draws nothing when there are no messages", () => {
    expect(stateSegments([{ state: "queued", count: 0 }])).toEqual([]);
  });
});

describe("timelineBars", () => {
  it("scales the busiest slot to the full height and stacks failures on deliveries", () => {
    const { bars, max } = timelineBars([
      { start: 0, delivered: 2, failed: 2 },
      { start: 300_000, delivered: 1, failed: 0 },
    ]);
    expect(max).toBe(4);
    expect(bars[0]).toMatchObject({ start: 0, deliveredHeight: 50, failedHeight: 50 });
    expect(bars[1]).toMatchObject({ start: 300_000, deliveredHeight: 25, failedHeight: 0 });
  });

  it("keeps empty hours flat instead of dividing by zero", () => {
    const { bars, max } = timelineBars([{ start: 0, delivered: 0, failed: 0 }]);
    expect(max).toBe(0);
    expect(bars[0]!.deliveredHeight).toBe(0);
  });
});
