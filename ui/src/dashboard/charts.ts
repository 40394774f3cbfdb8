// Geometry for the dashboard's two charts, kept apart from the markup so it can be tested.
// The charts are plain HTML boxes sized in percent: inline SVG would cost the web view about
// 2 MB more resident (measured for BENCHMARKS.md).

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
  delivered: number;
  failed: number;
  /** Percent of the chart's height; failed attempts stack on top of deliveries. */
  deliveredHeight: number;
  failedHeight: number;
}

/** Bars for attempts per time slot, scaled so the busiest slot fills the chart's height. */
export function timelineBars(buckets: TimelineBucket[]): { bars: Bar[]; max: number } {
  const max = Math.max(0, ...buckets.map((b) => b.delivered + b.failed));
  const scale = max > 0 ? 100 / max : 0;
  const bars = buckets.map((b) => ({
    start: b.start,
    delivered: b.delivered,
    failed: b.failed,
    deliveredHeight: b.delivered * scale,
    failedHeight: b.failed * scale,
  }));
  return { bars, max };
}
