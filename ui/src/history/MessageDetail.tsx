// One message with every attempt (phase reached, timing, error code and detail) and every
// event in its life.

import type { MessageDetail } from "../backend/types";
import { href } from "../app/router";
import { canCancel } from "../queue/queueModel";
import { useBackend } from "../shared/context";
import { formatDuration, formatTime } from "../shared/format";
import { useAction, useLive } from "../shared/hooks";
import { Text } from "../shared/Text";
import { ErrorBox, ScreenHeader, StateBadge } from "../shared/ui";
import { describeBatch } from "../queue/queueModel";

export function MessageDetailView({ id }: { id: number }) {
  const backend = useBackend();
  const { data, error } = useLive(() => backend.messageDetail(id), [id]);
  return (
    <section>
      <ScreenHeader title={`Message #${id}`}>
        <a class="button" href={href("history")}>
          Back to history
        </a>
      </ScreenHeader>
      <ErrorBox error={error} />
      {data && <Detail detail={data} />}
    </section>
  );
}

function Detail({ detail }: { detail: MessageDetail }) {
  const backend = useBackend();
  const { busy, act } = useAction();
  const m = detail.message;
  const retryable = m.state === "failed" || m.state === "cancelled" || m.state === "needs_review";
  return (
    <>
      <div class="detail-head">
        <StateBadge state={m.state} />
        <dl class="facts">
          <dt>To</dt>
          <dd>{m.recipient}</dd>
          <dt>From</dt>
          <dd>{m.sender}</dd>
          <dt>Priority</dt>
          <dd>{m.priority}</dd>
          <dt>Queued</dt>
          <dd>{formatTime(m.created_at)}</dd>
          {m.delivered_at !== null && (
            <>
              <dt>Delivered</dt>
              <dd>
                {formatTime(m.delivered_at)} ({formatDuration(m.delivered_at - m.created_at)} after queueing)
              </dd>
            </>
          )}
          {m.tags.length > 0 && (
            <>
              <dt>Tags</dt>
              <dd>{m.tags.join(", ")}</dd>
            </>
          )}
          {m.reply_to !== null && (
            <>
              <dt>Reply to</dt>
              <dd>
                <a href={href("history", m.reply_to)}>#{m.reply_to}</a>
              </dd>
            </>
          )}
          {m.last_error && (
            <>
              <dt>Last error</dt>
              <dd class="tone-error">
                {m.last_error_code}: <Text value={m.last_error} />
              </dd>
            </>
          )}
        </dl>
        <div class="actions">
          <a class="button" href={href("compose", null, { reply: String(m.id) })}>
            Reply
          </a>
          {retryable && (
            <button disabled={busy} onClick={() => act(() => backend.retry([m.id]), { success: (r) => describeBatch("Queued again", r) })}>
              Retry
            </button>
          )}
          {canCancel(m) && (
            <button class="danger-text" disabled={busy} onClick={() => act(() => backend.cancel([m.id]), { success: (r) => describeBatch("Cancelled", r) })}>
              Cancel
            </button>
          )}
        </div>
      </div>
      <pre class="body" data-testid="message-body">
        {m.body}
      </pre>
      <h3>Attempts</h3>
      {detail.attempts.length === 0 ? (
        <p class="muted">No attempt yet.</p>
      ) : (
        <table class="table" data-testid="attempts-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Started</th>
              <th>Reached</th>
              <th>Outcome</th>
              <th class="num">Took</th>
              <th>Error</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {detail.attempts.map((a, i) => (
              <tr key={a.id}>
                <td>{i + 1}</td>
                <td>{formatTime(a.started_at)}</td>
                <td>{a.phase}</td>
                <td>{a.outcome ?? "running"}</td>
                <td class="num">{a.duration_ms === null ? "—" : formatDuration(a.duration_ms)}</td>
                <td class="mono">{a.error_code ?? ""}</td>
                <td>
                  <Text value={a.detail ?? ""} />
                  {a.retryable === false && a.outcome === "failed" ? " (not retried)" : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {detail.events.length > 0 && (
        <>
          <h3>Events</h3>
          <ul class="events">
            {detail.events.map((e) => (
              <li key={e.id}>
                <span class="mono">{formatTime(e.at)}</span> <strong>{e.kind}</strong> by {e.actor}
                {e.detail ? `: ${e.detail}` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
