// Geometry for the dashboard's two charts, kept apart from the markup so it can be tested.

import type { MessageState, TimelineBucket } from "../backend/types";

export interface Segment {
  state: MessageState;
  count: number;
  /** Percent of the bar's width. */
  offset: number;
  width: number;
}

/** One stacked bar of messages by state; states without messages take no room. */
export function stateSegments(counts: { state: MessageState; count: number }[]): Segment[] {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return [];
  let offset = 0;
  return counts
    .filter((c) => c.count > 0)
    .map((c) => {
      const width = (c.count / total) * 100;
      const segment = { state: c.state, count: c.count, offset, width };
      offset += width;
      return segment;
    });
}

export interface Bar {
  start: number;
  x: number;
  width: number;
  delivered: number;
  failed: number;
  /** Heights in the chart's units; failed attempts stack on top of deliveries. */
  deliveredHeight: number;
  failedHeight: number;
}

/** Bars for attempts per time slot, scaled so the busiest slot fills `height`. */
export function timelineBars(buckets: TimelineBucket[], width: number, height: number, gap = 2): { bars: Bar[]; max: number } {
  const max = Math.max(0, ...buckets.map((b) => b.delivered + b.failed));
  const slot = buckets.length ? width / buckets.length : 0;
  const scale = max > 0 ? height / max : 0;
  const bars = buckets.map((b, i) => ({
    start: b.start,
    x: i * slot + gap / 2,
    width: Math.max(1, slot - gap),
    delivered: b.delivered,
    failed: b.failed,
    deliveredHeight: b.delivered * scale,
    failedHeight: b.failed * scale,
  }));
  return { bars, max };
}
