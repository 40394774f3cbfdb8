// Compose: write a message to one agent, several, a team or everyone.

import { useEffect, useState } from "preact/hooks";

import type { AgentView, Message } from "../backend/types";
import { BackendError } from "../backend/errors";
import { PRIORITIES } from "../backend/types";
import { href } from "../app/router";
import { useBackend } from "../shared/context";
import { excerpt, formatCount, plural } from "../shared/format";
import { useAction, useLive } from "../shared/hooks";
import { Empty, ErrorBox, ScreenHeader } from "../shared/ui";
import { type ComposeForm, audience, charCount, emptyCompose, isSendShortcut, teamsOf, toCompose } from "./composeForm";

/** Who a reply to `m` goes to: its sender if that is an agent, else the agent it went to. */
function replyTarget(m: Message, agents: AgentView[]): string[] {
  const sender = agents.find((a) => a.name.toLowerCase() === m.sender.toLowerCase());
  return [sender?.name ?? m.recipient];
}

export function Compose({ params }: { params: URLSearchParams }) {
  const backend = useBackend();
  const { data: agents, error: loadError } = useLive(() => backend.agents(), []);
  const limits = useLive(() => backend.settings(), []);
  const [form, setForm] = useState<ComposeForm>(emptyCompose);
  const [original, setOriginal] = useState<Message | null>(null);
  const [error, setError] = useState<BackendError | undefined>(undefined);
  const [sent, setSent] = useState<Message[] | null>(null);
  const { busy, act } = useAction();
  const set = (patch: Partial<ComposeForm>) => setForm((f) => ({ ...f, ...patch }));

  const replyId = Number(params.get("reply")) || null;
  const preset = params.get("to");
  useEffect(() => {
    if (preset) set({ mode: "agents", names: [preset] });
  }, [preset]);
  useEffect(() => {
    if (replyId === null || !agents) return;
    backend.messageDetail(replyId).then(
      (d) => {
        setOriginal(d.message);
        set({ replyTo: replyId, mode: "agents", names: replyTarget(d.message, agents) });
      },
      (e: unknown) => setError(e as BackendError),
    );
  }, [replyId, agents !== undefined]);

  const maxChars = Number(limits.data?.find((s) => s.key === "max_message_chars")?.value ?? 20000);
  const count = charCount(form.body);
  const list = agents ?? [];
  const enabled = list.filter((a) => a.enabled);
  const teams = teamsOf(list);
  const reach = audience(form, list);

  const send = async () => {
    const parsed = toCompose(form);
    if (!parsed.ok) {
      setError(new BackendError("INVALID", parsed.error));
      return;
    }
    const result = await act(() => backend.send(parsed.value), { inline: true });
    if (result.ok) {
      setSent(result.value);
      setError(undefined);
      setOriginal(null);
      set({ body: "", replyTo: null });
    } else {
      setError(result.error);
    }
  };

  if (agents && list.length === 0) {
    return (
      <section>
        <ScreenHeader title="Compose" />
        <Empty title="No one to write to yet">
          <p>Register an agent first: messages go to an agent's input box on screen.</p>
          <a class="button primary" href={href("agents", null, { add: "1" })}>
            Add an agent
          </a>
        </Empty>
      </section>
    );
  }

  const toggle = (name: string, on: boolean) => set({ names: on ? [...form.names, name] : form.names.filter((n) => n !== name) });

  return (
    <section>
      <ScreenHeader title="Compose" />
      <ErrorBox error={loadError} />
      <form
        class="compose"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <fieldset class="recipients">
          <legend>To</legend>
          <div class="segmented" role="radiogroup">
            {(["agents", "team", "all"] as const).map((m) => (
              <label key={m} class={form.mode === m ? "on" : ""}>
                <input type="radio" name="mode" checked={form.mode === m} onChange={() => set({ mode: m })} />
                {m === "agents" ? "Agents" : m === "team" ? "A team" : "Everyone"}
              </label>
            ))}
          </div>
          {form.mode === "agents" && (
            <div class="agent-picks" data-testid="recipients">
              {list.map((a) => (
                <label key={a.id} class={`pick ${a.enabled ? "" : "disabled"}`} title={a.enabled ? "" : `${a.name} is disabled`}>
                  <input
                    type="checkbox"
                    value={a.name}
                    disabled={!a.enabled}
                    checked={form.names.includes(a.name)}
                    onChange={(e) => toggle(a.name, (e.target as HTMLInputElement).checked)}
                  />
                  {a.name}
                  {a.team && <span class="muted"> · {a.team}</span>}
                </label>
              ))}
            </div>
          )}
          {form.mode === "team" &&
            (teams.length ? (
              <select value={form.team} onChange={(e) => set({ team: (e.target as HTMLSelectElement).value })}>
                <option value="">Choose a team…</option>
                {teams.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            ) : (
              <p class="muted">No enabled agent has a team yet; set one with Edit on the Agents screen.</p>
            ))}
          {form.mode === "all" && <p class="muted">Every enabled agent: {plural(enabled.length, "agent")}.</p>}
        </fieldset>
        {original && (
          <div class="reply-to">
            Replying to <a href={href("history", original.id)}>#{original.id}</a> from {original.sender}: “{excerpt(original.body, 60)}”
            <button type="button" class="ghost" onClick={() => (setOriginal(null), set({ replyTo: null }))}>
              Remove reply
            </button>
          </div>
        )}
        <div class="row">
          <label>
            Priority
            <select name="priority" value={form.priority} onChange={(e) => set({ priority: (e.target as HTMLSelectElement).value as ComposeForm["priority"] })}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            Tags <span class="muted">(comma-separated)</span>
            <input name="tags" value={form.tags} onInput={(e) => set({ tags: (e.target as HTMLInputElement).value })} placeholder="review, ci" />
          </label>
          <label>
            From
            <input name="sender" value={form.sender} onInput={(e) => set({ sender: (e.target as HTMLInputElement).value })} />
          </label>
        </div>
        <label>
          Message
          <textarea
            name="body"
            rows={10}
            value={form.body}
            placeholder="Write the message. Ctrl+Enter sends."
            onInput={(e) => set({ body: (e.target as HTMLTextAreaElement).value })}
            onKeyDown={(e) => {
              if (isSendShortcut(e)) {
                e.preventDefault();
                void send();
              }
            }}
          />
        </label>
        <div class="compose-footer">
          <span class={`char-count ${count > maxChars ? "tone-error" : ""}`} data-testid="char-count">
            {formatCount(count)} / {formatCount(maxChars)} characters
          </span>
          <span class="spacer" />
          <span class="muted">Ctrl+Enter</span>
          <button type="submit" class="primary" disabled={busy} data-testid="send">
            Send{reach > 1 ? ` to ${reach} agents` : ""}
          </button>
        </div>
        <ErrorBox error={error} />
        {sent && (
          <div class="sent" role="status">
            Queued {plural(sent.length, "message")}: {sent.map((m) => `#${m.id} to ${m.recipient}`).join(", ")}.{" "}
            <a href={href("queue")}>See the queue</a>
          </div>
        )}
      </form>
    </section>
  );
}
