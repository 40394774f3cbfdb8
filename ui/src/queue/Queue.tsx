// The live queue: follows the backend's `queue` events (no polling). Cancel, retry now, and
// change priority.

import { useState } from "preact/hooks";

import type { Message, Priority } from "../backend/types";
import { PRIORITIES } from "../backend/types";
import { href } from "../app/router";
import { useBackend } from "../shared/context";
import { excerpt, formatTime, plural } from "../shared/format";
import { useAction, useNow } from "../shared/hooks";
import { Empty, ScreenHeader, StateBadge } from "../shared/ui";
import { bump, canCancel, canChangePriority, canRetry, describeBatch, waitLabel } from "./queueModel";

export function Queue({ live, paused }: { live: Message[] | undefined; paused: boolean }) {
  const backend = useBackend();
  const now = useNow();
  const { busy, act } = useAction();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const queue = live ?? [];
  const chosen = queue.filter((m) => selected.has(m.id) && canCancel(m)).map((m) => m.id);

  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const cancel = async (ids: number[]) => {
    await act(() => backend.cancel(ids), { success: (r) => describeBatch("Cancelled", r) });
    setSelected(new Set());
  };
  const setPriority = (m: Message, p: Priority) => act(() => backend.setPriority(m.id, p));

  return (
    <section>
      <ScreenHeader title="Queue">
        <span class="muted">{plural(queue.length, "message")} waiting</span>
        <button class="danger" disabled={busy || chosen.length === 0} onClick={() => cancel(chosen)}>
          Cancel selected{chosen.length ? ` (${chosen.length})` : ""}
        </button>
      </ScreenHeader>
      {live && queue.length === 0 && (
        <Empty title="The queue is empty">
          <p>
            Messages wait here, most urgent first, until the engine has typed them into their agent. Send one from{" "}
            <a href={href("compose")}>Compose</a>, or from a terminal with <code>switchboard send AGENT "text"</code>: it appears here at
            once.
          </p>
        </Empty>
      )}
      {queue.length > 0 && (
        <table class="table" data-testid="queue-table">
          <thead>
            <tr>
              <th />
              <th>#</th>
              <th>To</th>
              <th>Priority</th>
              <th>State</th>
              <th>Message</th>
              <th>Queued</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {queue.map((m) => {
              const up = bump(m.priority);
              return (
                <tr key={m.id} data-message={m.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`select message ${m.id}`}
                      disabled={!canCancel(m)}
                      checked={selected.has(m.id)}
                      onChange={(e) => toggle(m.id, (e.target as HTMLInputElement).checked)}
                    />
                  </td>
                  <td>
                    <a href={href("history", m.id)}>#{m.id}</a>
                  </td>
                  <td class="strong name">{m.recipient}</td>
                  <td>
                    {canChangePriority(m) ? (
                      <select
                        aria-label={`priority of message ${m.id}`}
                        value={m.priority}
                        disabled={busy}
                        onChange={(e) => setPriority(m, (e.target as HTMLSelectElement).value as Priority)}
                      >
                        {PRIORITIES.map((p) => (
                          <option key={p} value={p}>
                            {p}
                          </option>
                        ))}
                      </select>
                    ) : (
                      m.priority
                    )}
                  </td>
                  <td>
                    <StateBadge state={m.state} />
                    <div class="muted small">{waitLabel(m, now, paused)}</div>
                  </td>
                  <td title={m.body}>{excerpt(m.body, 60)}</td>
                  <td>{formatTime(m.created_at, now)}</td>
                  <td class="row-actions">
                    {up && canChangePriority(m) && (
                      <button disabled={busy} onClick={() => setPriority(m, up)} title={`Make it ${up}`}>
                        Bump
                      </button>
                    )}
                    {canRetry(m, now) && (
                      <button disabled={busy} onClick={() => act(() => backend.retry([m.id]), { success: (r) => describeBatch("Queued again", r) })}>
                        Retry now
                      </button>
                    )}
                    {canCancel(m) && (
                      <button class="danger-text" disabled={busy} onClick={() => cancel([m.id])}>
                        Cancel
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
