// How times, durations and states read on screen.

import type { MessageState, Priority } from "../backend/types";

// Numbers and dates are formatted here rather than with `Intl` (`toLocaleString`): the UI is
// in English, and loading ICU's locale data for it costs the web view about 1 MB resident
// (measured for BENCHMARKS.md's idle memory).

const pad = (n: number) => String(n).padStart(2, "0");

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "1,234,567": whole numbers grouped by thousands; anything else as JavaScript writes it. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  const digits = String(Math.abs(n));
  let out = "";
  for (let end = digits.length; end > 0; end -= 3) {
    const group = digits.slice(Math.max(0, end - 3), end);
    out = out ? `${group},${out}` : group;
  }
  return n < 0 ? `-${out}` : out;
}

/** "14:03:22" today, "Mar 4 14:03" this year, "2025-03-04 14:03" otherwise. */
export function formatTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === n.toDateString()) return `${hm}:${pad(d.getSeconds())}`;
  const month = MONTHS[d.getMonth()];
  if (d.getFullYear() === n.getFullYear()) return `${month} ${d.getDate()} ${hm}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/** "85 ms", "1.4 s", "2 min 5 s", "3 h 10 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** "in 4 s", "now", "3 min ago". */
export function relative(ms: number, now: number = Date.now()): string {
  const diff = ms - now;
  if (Math.abs(diff) < 1000) return "now";
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

const STATE_LABELS: Record<MessageState, string> = {
  queued: "queued",
  in_flight: "delivering",
  delivered: "delivered",
  failed: "dead letter",
  cancelled: "cancelled",
  needs_review: "needs review",
};

export function stateLabel(state: MessageState): string {
  return STATE_LABELS[state];
}

export function priorityLabel(p: Priority): string {
  return p;
}

/** The first line of a message, cut to `max` characters. */
export function excerpt(text: string, max = 80): string {
  const first = text.split("\n", 1)[0] ?? "";
  const more = first.length < text.length;
  return first.length > max ? `${first.slice(0, max - 1)}…` : more ? `${first} …` : first;
}

/** A count with its noun: "1 message", "3 messages". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
