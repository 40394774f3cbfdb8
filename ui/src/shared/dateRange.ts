// A filter form's From/To pair (`<input type="datetime-local">` values, local time) as the
// backend's bounds: `since` inclusive, `until` exclusive, in ms; blank means unbounded.

import type { Parsed } from "../agents/agentForm";

export interface DateRange {
  since: number | null;
  until: number | null;
}

function localTime(value: string, field: string): Parsed<number | null> {
  if (value.trim() === "") return { ok: true, value: null };
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? { ok: false, error: `${field} is not a date and time` } : { ok: true, value: ms };
}

export function toDateRange(from: string, to: string): Parsed<DateRange> {
  const since = localTime(from, "From");
  if (!since.ok) return since;
  const until = localTime(to, "To");
  if (!until.ok) return until;
  // "To 14:05" includes the whole minute 14:05.
  const untilExclusive = until.value === null ? null : until.value + 60_000;
  if (since.value !== null && untilExclusive !== null && since.value >= untilExclusive) {
    return { ok: false, error: "From must be before To" };
  }
  return { ok: true, value: { since: since.value, until: untilExclusive } };
}
