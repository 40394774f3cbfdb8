// Dead letters: messages that ran out of attempts or hit a permanent error. Retry them (a
// fresh allowance of attempts) or cancel them, one or many at once.

import { useMemo, useState } from "preact/hooks";

import { href } from "../app/router";
import { PAGE_SIZE } from "../history/historyModel";
import { PageButtons, Pager } from "../shared/pager";
import { describeBatch } from "../queue/queueModel";
import { useBackend } from "../shared/context";
import { excerpt, formatTime, plural } from "../shared/format";
import { useAction, useLive } from "../shared/hooks";
import { Text } from "../shared/Text";
import { Empty, ErrorBox, ScreenHeader } from "../shared/ui";
import { selectionAfter } from "./selection";

export function DeadLetters() {
  const backend = useBackend();
  const pager = useMemo(() => new Pager(), []);
  const [cursor, setCursor] = useState<number | null>(null);
  const page = useLive(
    () => backend.history({ agent: null, state: "failed", text: null, since: null, until: null, before_id: cursor, limit: PAGE_SIZE }),
    [cursor],
  );
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const { busy, act } = useAction();
  const messages = page.data?.messages ?? [];
  const visible = new Set(messages.map((m) => m.id));
  const chosen = [...selected].filter((id) => visible.has(id)).sort((a, b) => a - b);

  const run = async (verb: "retry" | "cancel", ids: number[]) => {
    const result = await act(() => (verb === "retry" ? backend.retry(ids) : backend.cancel(ids)), {
      success: (r) => describeBatch(verb === "retry" ? "Queued again" : "Cancelled", r),
    });
    if (result.ok) setSelected((s) => selectionAfter(s, result.value));
  };

  return (
    <section>
      <ScreenHeader title="Dead letters">
        <label class="check">
          <input
            type="checkbox"
            aria-label="select all"
            checked={messages.length > 0 && chosen.length === messages.length}
            onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(visible) : new Set())}
          />
          all on this page
        </label>
        <button class="primary" disabled={busy || chosen.length === 0} onClick={() => run("retry", chosen)}>
          Retry selected{chosen.length ? ` (${chosen.length})` : ""}
        </button>
        <button class="danger" disabled={busy || chosen.length === 0} onClick={() => run("cancel", chosen)}>
          Cancel selected
        </button>
      </ScreenHeader>
      <ErrorBox error={page.error} />
      {page.data && messages.length === 0 && !pager.hasPrevious && (
        <Empty title="No dead letters">
          <p>
            A message lands here when every attempt failed (after the retries set in Settings) or the failure cannot be fixed by retrying,
            such as a position on no monitor. Fix the cause (often the agent's position or keys), then retry it from here.
          </p>
        </Empty>
      )}
      {messages.length > 0 && (
        <table class="table" data-testid="dead-letters-table">
          <thead>
            <tr>
              <th />
              <th>#</th>
              <th>To</th>
              <th>Failed</th>
              <th>Reason</th>
              <th class="num">Attempts</th>
              <th>Message</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message={m.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`select message ${m.id}`}
                    checked={selected.has(m.id)}
                    onChange={(e) =>
                      setSelected((s) => {
                        const next = new Set(s);
                        if ((e.target as HTMLInputElement).checked) next.add(m.id);
                        else next.delete(m.id);
                        return next;
                      })
                    }
                  />
                </td>
                <td>
                  <a href={href("history", m.id)}>#{m.id}</a>
                </td>
                <td class="strong name">{m.recipient}</td>
                <td>{formatTime(m.updated_at)}</td>
                <td class="reason">
                  <span class="mono">{m.last_error_code ?? "—"}</span> <Text value={m.last_error ?? ""} />
                </td>
                <td class="num">{m.attempts}</td>
                <td title={m.body}>{excerpt(m.body, 50)}</td>
                <td class="row-actions">
                  <button disabled={busy} onClick={() => run("retry", [m.id])}>
                    Retry
                  </button>
                  <button class="danger-text" disabled={busy} onClick={() => run("cancel", [m.id])}>
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(pager.hasPrevious || page.data?.next_before) && (
        <PageButtons pager={pager} next={page.data?.next_before} onMove={setCursor} />
      )}
      {messages.length > 0 && <p class="muted">{plural(messages.length, "dead letter")} on this page.</p>}
    </section>
  );
}
