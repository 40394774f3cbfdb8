// History's filter form and its pages. Pages are fetched by cursor (the last id seen), so
// page 500 costs what page 1 costs.

import type { HistoryFilter, MessageState } from "../backend/types";
import type { Parsed } from "../agents/agentForm";
import { toDateRange } from "../shared/dateRange";

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

export function toFilter(form: HistoryForm, beforeId: number | null, limit = PAGE_SIZE): Parsed<HistoryFilter> {
  const range = toDateRange(form.from, form.to);
  if (!range.ok) return range;
  const text = form.text.trim();
  return {
    ok: true,
    value: {
      agent: form.agent === "" ? null : form.agent,
      state: form.state === "" ? null : form.state,
      text: text === "" ? null : text,
      since: range.value.since,
      until: range.value.until,
      before_id: beforeId,
      limit,
    },
  };
}
