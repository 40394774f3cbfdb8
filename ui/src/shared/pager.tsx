// Pages fetched by cursor (the last id seen), so page 500 costs what page 1 costs: the cursors
// visited, and the Newer / Older buttons over them.

import type { ComponentChildren } from "preact";

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
