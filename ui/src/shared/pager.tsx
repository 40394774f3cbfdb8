// Pages fetched by cursor (the last id seen), so page 500 costs what page 1 costs: the cursors
// visited, the Newer / Older buttons over them, and a filter form over such pages.

import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";

import type { Parsed } from "../agents/agentForm";
import { BackendError } from "../backend/errors";
import { type Loaded, useLive } from "./hooks";

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

/** Newer / page N / Older. `next` is the cursor of the page after this one (none: this is the
 * last); `onMove` gets the cursor of the page to show. */
export function PageButtons({
  pager,
  next,
  onMove,
  children,
}: {
  pager: Pager;
  next: number | null | undefined;
  onMove: (before: number | null) => void;
  /** Said after the page number. */
  children?: ComponentChildren;
}) {
  return (
    <div class="pager">
      <button
        type="button"
        disabled={!pager.hasPrevious}
        onClick={() => {
          pager.previous();
          onMove(pager.before);
        }}
      >
        Newer
      </button>
      <span class="muted">
        page {pager.page}
        {children}
      </span>
      <button
        type="button"
        disabled={!next}
        onClick={() => {
          if (!next) return;
          pager.next(next);
          onMove(pager.before);
        }}
      >
        Older
      </button>
    </div>
  );
}

/** A filter form over cursor pages, as History and the Discord log use it. */
export interface FilteredPages<Form, Page> {
  /** The form as typed. */
  form: Form;
  set: (patch: Partial<Form>) => void;
  /** The form's submit: shows the first page for the form, or says what is wrong with it. */
  apply: (e: Event) => void;
  /** Empties the form and shows the first page of everything. */
  clear: () => void;
  /** The page shown is filtered (offer Clear; say "no match" rather than "nothing yet"). */
  filtered: boolean;
  formError: BackendError | undefined;
  /** The first page follows database changes; older pages stay put while you read them. */
  page: Loaded<Page>;
  pager: Pager;
  /** Show the page before this cursor (null: the first), for [`PageButtons`]. */
  setCursor: (before: number | null) => void;
}

export function useFilteredPages<Form, Filter, Page>(
  empty: () => Form,
  initial: Form,
  toFilter: (form: Form, cursor: number | null) => Parsed<Filter>,
  fetch: (filter: Filter) => Promise<Page>,
): FilteredPages<Form, Page> {
  const [form, setForm] = useState<Form>(initial);
  const [applied, setApplied] = useState<Form>(initial);
  const pager = useMemo(() => new Pager(), []);
  const [cursor, setCursor] = useState<number | null>(null);
  const [formError, setFormError] = useState<BackendError | undefined>(undefined);
  const filter = toFilter(applied, cursor);
  const page = useLive(
    async () => {
      if (!filter.ok) throw new BackendError("INVALID", filter.error);
      return fetch(filter.value);
    },
    [JSON.stringify(applied), cursor],
    cursor === null,
  );
  const show = (next: Form) => {
    setFormError(undefined);
    pager.reset();
    setCursor(null);
    setApplied({ ...next });
  };
  return {
    form,
    set: (patch) => setForm((f) => ({ ...f, ...patch })),
    apply: (e) => {
      e.preventDefault();
      const parsed = toFilter(form, null);
      if (parsed.ok) show(form);
      else setFormError(new BackendError("INVALID", parsed.error));
    },
    clear: () => {
      setForm(empty());
      show(empty());
    },
    filtered: JSON.stringify(applied) !== JSON.stringify(empty()),
    formError,
    page,
    pager,
    setCursor,
  };
}

/** A date range as a filter form holds it: `<input type="datetime-local">` values. */
interface DateFields {
  from: string;
  to: string;
}

/** The end of a filter form over pages: From and To (local date and time), Search, and Clear
 * once a filter is applied. Takes the [`FilteredPages`] of a form with `from` and `to`. */
export function DateRangeAndSearch<Form extends DateFields>({
  pages: { form, set, filtered, clear },
}: {
  pages: Pick<FilteredPages<Form, unknown>, "form" | "set" | "filtered" | "clear">;
}) {
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const change = (patch: Partial<DateFields>) => set(patch as Partial<Form>);
  return (
    <>
      <label>
        From
        <input name="from" type="datetime-local" value={form.from} onInput={(e) => change({ from: value(e) })} />
      </label>
      <label>
        To
        <input name="to" type="datetime-local" value={form.to} onInput={(e) => change({ to: value(e) })} />
      </label>
      <button type="submit" class="primary">
        Search
      </button>
      {filtered && (
        <button type="button" onClick={clear}>
          Clear
        </button>
      )}
    </>
  );
}
