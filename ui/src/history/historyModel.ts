// History's filter form and its pages. Pages are fetched by cursor (the last id seen), so
// page 500 costs what page 1 costs.

import type { HistoryFilter, MessageState } from "../backend/types";
import type { Parsed } from "../agents/agentForm";

export const PAGE_SIZE = 50;

export interface HistoryForm {
  agent: string;
  state: MessageState | "";
  text: string;
  /** `<input type="datetime-local">` values, local time; blank: unbounded. */
  from: string;
  to: string;
}

export function emptyHistoryForm(): HistoryForm {
  return { agent: "", state: "", text: "", from: "", to: "" };
}

function localTime(value: string, field: string): Parsed<number | null> {
  if (value.trim() === "") return { ok: true, value: null };
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? { ok: false, error: `${field} is not a date and time` } : { ok: true, value: ms };
}

export function toFilter(form: HistoryForm, beforeId: number | null, limit = PAGE_SIZE): Parsed<HistoryFilter> {
  const since = localTime(form.from, "From");
  if (!since.ok) return since;
  const until = localTime(form.to, "To");
  if (!until.ok) return until;
  // "To 14:05" includes the whole minute 14:05.
  const untilExclusive = until.value === null ? null : until.value + 60_000;
  if (since.value !== null && untilExclusive !== null && since.value >= untilExclusive) {
    return { ok: false, error: "From must be before To" };
  }
  const text = form.text.trim();
  return {
    ok: true,
    value: {
      agent: form.agent === "" ? null : form.agent,
      state: form.state === "" ? null : form.state,
      text: text === "" ? null : text,
      since: since.value,
      until: untilExclusive,
      before_id: beforeId,
      limit,
    },
  };
}

/** The cursors of the pages visited, so Previous goes back exactly. */
export class Pager {
  private cursors: (number | null)[] = [null];

  get before(): number | null {
    return this.cursors[this.cursors.length - 1] ?? null;
  }

  get page(): number {
    return this.cursors.length;
  }

  get hasPrevious(): boolean {
    return this.cursors.length > 1;
  }

  next(nextBefore: number): void {
    this.cursors.push(nextBefore);
  }

  previous(): void {
    if (this.cursors.length > 1) this.cursors.pop();
  }

  reset(): void {
    this.cursors = [null];
  }
}
