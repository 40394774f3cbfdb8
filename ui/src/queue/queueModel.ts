// What the queue screen offers for each message, and how it describes the wait.

import type { Message, Priority } from "../backend/types";
import { PRIORITIES } from "../backend/types";
import { relative } from "../shared/format";

/** One level more urgent, or null when already urgent. */
export function bump(p: Priority): Priority | null {
  const i = PRIORITIES.indexOf(p);
  return i > 0 ? PRIORITIES[i - 1]! : null;
}

/** A message being typed cannot be stopped half-way; anything else waiting can. */
export function canCancel(m: Message): boolean {
  return m.state === "queued" || m.state === "needs_review";
}

/** Retry: decide a needs-review message, or skip the back-off of a scheduled retry. */
export function canRetry(m: Message, now: number): boolean {
  return m.state === "needs_review" || (m.state === "queued" && m.attempts > 0 && m.next_attempt_at > now);
}

export function canChangePriority(m: Message): boolean {
  return m.state === "queued" || m.state === "needs_review";
}

export function waitLabel(m: Message, now: number, paused = false): string {
  if (paused && m.state === "queued") return "held: delivery is paused";
  switch (m.state) {
    case "in_flight":
      return "being delivered now";
    case "needs_review":
      return `needs review: ${m.last_error ?? "an attempt was interrupted after the submit key may have been pressed"}`;
    case "queued":
      if (m.attempts > 0 && m.next_attempt_at > now) {
        return `retry ${relative(m.next_attempt_at, now)} (attempt ${m.attempts} failed: ${m.last_error_code ?? "error"})`;
      }
      return m.attempts > 0 ? `due again (attempt ${m.attempts} failed: ${m.last_error_code ?? "error"})` : "waiting for its turn";
    default:
      return m.state;
  }
}

/** One sentence about a batch action. */
export function describeBatch(verb: string, report: { done: number[]; failed: { id: number; message: string }[] }): string {
  const parts: string[] = [];
  if (report.done.length) parts.push(`${verb} ${report.done.map((id) => `#${id}`).join(", ")}`);
  for (const f of report.failed) parts.push(`#${f.id}: ${f.message}`);
  return parts.join("; ");
}
