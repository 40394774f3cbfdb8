// History: filtered on the backend, paged by cursor, newest first. The first page follows
// database changes; later pages stay put while you read them.

import type { HistoryFilter, MessageState } from "../backend/types";
import { MESSAGE_STATES } from "../backend/types";
import { href, navigate } from "../app/router";
import { useBackend } from "../shared/context";
import { excerpt, formatTime, stateLabel } from "../shared/format";
import { useLive } from "../shared/hooks";
import { Empty, ErrorBox, ScreenHeader, StateBadge } from "../shared/ui";
import { DateRangeAndSearch, PageButtons, useFilteredPages } from "../shared/pager";
import { emptyHistoryForm, toFilter } from "./historyModel";
import { MessageDetailView } from "./MessageDetail";

export function History({ detailId, params }: { detailId: number | null; params: URLSearchParams }) {
  if (detailId !== null) return <MessageDetailView id={detailId} />;
  return <HistoryList initialAgent={params.get("agent") ?? ""} />;
}

function HistoryList({ initialAgent }: { initialAgent: string }) {
  const backend = useBackend();
  const agents = useLive(() => backend.agents(), [], false);
  const { form, set, apply, clear, filtered, formError, page, pager, setCursor } = useFilteredPages(
    emptyHistoryForm,
    { ...emptyHistoryForm(), agent: initialAgent },
    toFilter,
    async (filter: HistoryFilter) => {
      const started = performance.now();
      const result = await backend.history(filter);
      return { ...result, ms: performance.now() - started };
    },
  );
  const messages = page.data?.messages ?? [];

  return (
    <section>
      <ScreenHeader title="History" />
      <form class="filters" onSubmit={apply}>
        <label>
          Agent
          <select value={form.agent} onChange={(e) => set({ agent: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {(agents.data ?? []).map((a) => (
              <option key={a.id} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={form.state} onChange={(e) => set({ state: (e.target as HTMLSelectElement).value as MessageState | "" })}>
            <option value="">any</option>
            {MESSAGE_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Text or sender contains
          <input type="search" value={form.text} onInput={(e) => set({ text: (e.target as HTMLInputElement).value })} />
        </label>
        <DateRangeAndSearch pages={{ form, set, filtered, clear }} />
      </form>
      <ErrorBox error={formError ?? page.error} />
      {page.data && messages.length === 0 && (
        <Empty title={filtered ? "No message matches" : "No messages yet"}>
          <p>
            {filtered ? "Change or clear the filters." : "Every message sent from Compose or the command line is kept here, with each delivery attempt."}
          </p>
        </Empty>
      )}
      {messages.length > 0 && (
        <table class="table clickable" data-testid="history-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Queued</th>
              <th>To</th>
              <th>From</th>
              <th>State</th>
              <th class="num">Attempts</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-message={m.id} onClick={() => navigate(href("history", m.id))}>
                <td>
                  <a href={href("history", m.id)}>#{m.id}</a>
                </td>
                <td>{formatTime(m.created_at)}</td>
                <td class="strong name">{m.recipient}</td>
                <td>{m.sender}</td>
                <td>
                  <StateBadge state={m.state} />
                </td>
                <td class="num">{m.attempts}</td>
                <td title={m.body}>{excerpt(m.body, 70)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PageButtons pager={pager} next={page.data?.next_before} onMove={setCursor}>
        {page.data && ` · ${Math.round(page.data.ms)} ms`}
      </PageButtons>
    </section>
  );
}
