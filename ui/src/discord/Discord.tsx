// The Discord screen: the bot's state with Connect / Disconnect, the log of the commands it
// received (filtered on the backend, paged, following new commands live) and its settings.

import { useEffect, useState } from "preact/hooks";

import type { BotSettingsView, BotStatus, CommandOutcome, DiscordCommand, DiscordCommandFilter } from "../backend/types";
import { BackendError } from "../backend/errors";
import { COMMAND_OUTCOMES } from "../backend/types";
import { href } from "../app/router";
import { DateRangeAndSearch, PageButtons, useFilteredPages } from "../shared/pager";
import { useBackend } from "../shared/context";
import { excerpt, formatDuration, formatTime } from "../shared/format";
import { useAction, useLive } from "../shared/hooks";
import { Empty, ErrorBox, ScreenHeader } from "../shared/ui";
import { botView } from "./botView";
import {
  type BotField,
  type BotForm,
  FIELD_LABELS,
  checkForm,
  commandName,
  emptyLogForm,
  fieldOf,
  formatArguments,
  nobodyAllowed,
  toEdit,
  toForm,
  toLogFilter,
} from "./discordModel";
import { useBot } from "./useBot";

export function Discord({ params }: { params: URLSearchParams }) {
  const backend = useBackend();
  const bot = useBot();
  // Reloaded on database changes: `switchboard bot config` may change them meanwhile.
  const settings = useLive(() => backend.botSettings(), []);
  // Kept here: saving reloads the settings, which remounts the form.
  const [applied, setApplied] = useState<string | null>(null);
  const toSettings = params.get("section") === "settings";
  useEffect(() => {
    if (toSettings && settings.data) document.getElementById("bot-settings")?.scrollIntoView?.();
  }, [toSettings, settings.data !== undefined]);
  return (
    <section>
      <ScreenHeader title="Discord" />
      <ErrorBox error={bot.error} />
      {bot.status && <BotPanel status={bot.status} settings={settings.data} onStatus={bot.set} />}
      <CommandLog />
      <h3 id="bot-settings">Settings</h3>
      <ErrorBox error={settings.error} />
      {settings.data && (
        <SettingsForm
          key={JSON.stringify(settings.data)}
          settings={settings.data}
          onStatus={bot.set}
          reload={settings.reload}
          applied={applied}
          setApplied={setApplied}
        />
      )}
    </section>
  );
}

function BotPanel({ status, settings, onStatus }: { status: BotStatus; settings: BotSettingsView | undefined; onStatus: (s: BotStatus) => void }) {
  const backend = useBackend();
  const { busy, act } = useAction();
  const view = botView(status);
  const connect = async () => {
    const r = await act(() => backend.startBot());
    if (r.ok) onStatus(r.value);
  };
  const disconnect = async () => {
    const r = await act(() => backend.stopBot());
    if (r.ok) onStatus(r.value);
  };
  return (
    <div class="card bot-panel" data-testid="bot-panel" data-state={status.connection.state}>
      <div class="bot-panel-head">
        <p class={`big-state tone-${view.tone}`} data-testid="bot-state">
          {view.label}
        </p>
        {view.running ? (
          <button type="button" onClick={disconnect} disabled={busy} data-testid="bot-disconnect">
            Disconnect
          </button>
        ) : (
          <button
            type="button"
            class="primary"
            onClick={connect}
            disabled={busy || !view.canConnect}
            title={view.canConnect ? undefined : "set a token in the settings below first"}
            data-testid="bot-connect"
          >
            Connect
          </button>
        )}
      </div>
      <p data-testid="bot-explanation">{view.explanation}</p>
      {settings && (
        <dl>
          <dt>Token</dt>
          <dd class="mono">
            {settings.token ?? "not set"}
            {settings.token_from_env && " (SWITCHBOARD_DISCORD_TOKEN is set: the bot uses that one)"}
          </dd>
          <dt>Server</dt>
          <dd>{settings.guild_id ?? "every server the bot is in (commands may take up to an hour to appear)"}</dd>
        </dl>
      )}
      {settings && status.configured && nobodyAllowed(settings) && (
        <p class="tone-warn" data-testid="nobody-allowed">
          Nobody may use the bot yet: add operator or viewer user ids (or role ids) in the settings below. Anyone else gets a private reply
          saying how to get access, and <code>/help</code> tells them their user id.
        </p>
      )}
    </div>
  );
}

// ----- the command log -----

function CommandLog() {
  const backend = useBackend();
  const { form, set, apply, clear, filtered, formError, page, pager, setCursor } = useFilteredPages(
    emptyLogForm,
    emptyLogForm(),
    toLogFilter,
    (filter: DiscordCommandFilter) => backend.discordCommands(filter),
  );
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const commands = page.data?.commands ?? [];
  return (
    <>
      <h3>Command log</h3>
      <form class="filters" onSubmit={apply} aria-label="filter the command log">
        <label>
          Outcome
          <select name="outcome" value={form.outcome} onChange={(e) => set({ outcome: (e.target as HTMLSelectElement).value as CommandOutcome | "" })}>
            <option value="">any</option>
            {COMMAND_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Command
          <input name="command" placeholder="send" size={10} value={form.command} onInput={(e) => set({ command: value(e) })} />
        </label>
        <label>
          User (name or id)
          <input name="user" size={14} value={form.user} onInput={(e) => set({ user: value(e) })} />
        </label>
        <label class="grow">
          Arguments, reply or error contain
          <input name="text" type="search" value={form.text} onInput={(e) => set({ text: value(e) })} />
        </label>
        <DateRangeAndSearch pages={{ form, set, filtered, clear }} />
      </form>
      <ErrorBox error={formError ?? page.error} />
      {page.data && commands.length === 0 && (
        <Empty title={filtered ? "No command matches" : "No commands yet"}>
          <p>
            {filtered
              ? "Change or clear the filters."
              : "Every command the bot receives (/status, /send, !message…) shows here with who sent it, its outcome and the reply. Set the token and allow someone in the settings below first."}
          </p>
        </Empty>
      )}
      {commands.length > 0 && (
        <table class="table" data-testid="discord-log">
          <thead>
            <tr>
              <th>Time</th>
              <th>User</th>
              <th>Command</th>
              <th>Arguments</th>
              <th>Outcome</th>
              <th class="num">Took</th>
              <th>Reply or error</th>
              <th>Messages</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((c) => (
              <LogRow key={c.id} c={c} />
            ))}
          </tbody>
        </table>
      )}
      <PageButtons pager={pager} next={page.data?.next_before} onMove={setCursor} />
    </>
  );
}

function LogRow({ c }: { c: DiscordCommand }) {
  const args = formatArguments(c.arguments);
  // Replies are Discord markdown: bold markers would only clutter the table.
  const answer = (c.error ?? c.reply).replaceAll("**", "");
  return (
    <tr data-command={c.id}>
      <td class="mono">{formatTime(c.received_at)}</td>
      <td title={`user id ${c.user_id}`}>{c.user_name}</td>
      <td class="mono strong">{commandName(c)}</td>
      <td title={args}>{excerpt(args, 60)}</td>
      <td>
        <span class={`badge outcome-${c.outcome}`}>{c.outcome}</span>
      </td>
      <td class="num">{formatDuration(c.duration_ms)}</td>
      <td title={answer} class={c.error ? "tone-error" : undefined}>
        {excerpt(answer, 80)}
      </td>
      <td>
        {c.message_ids.map((id) => (
          <a key={id} href={href("history", id)} class="message-link">
            #{id}
          </a>
        ))}
      </td>
    </tr>
  );
}

// ----- settings -----

interface SettingsFormProps {
  settings: BotSettingsView;
  onStatus: (s: BotStatus) => void;
  reload: () => void;
  /** What the last save did, in words. */
  applied: string | null;
  setApplied: (text: string | null) => void;
}

function SettingsForm({ settings, onStatus, reload, applied, setApplied }: SettingsFormProps) {
  const backend = useBackend();
  const { busy, act } = useAction();
  const [form, setForm] = useState<BotForm>(() => toForm(settings));
  const [errors, setErrors] = useState<Partial<Record<BotField, string>>>({});
  const [error, setError] = useState<BackendError | undefined>(undefined);
  const set = (patch: Partial<BotForm>) => setForm((f) => ({ ...f, ...patch }));
  const save = async (e: Event) => {
    e.preventDefault();
    setApplied(null);
    const found = checkForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setError(undefined);
      return;
    }
    const r = await act(() => backend.saveBotSettings(toEdit(form)), { inline: true });
    if (!r.ok) {
      // An error about one field shows beside it; anything else above the buttons.
      const field = fieldOf(r.error.message);
      if (field) {
        setErrors({ [field]: r.error.message.slice(FIELD_LABELS[field].length + 2) });
        setError(undefined);
      } else {
        setError(r.error);
      }
      return;
    }
    setError(undefined);
    setApplied(r.value.applied);
    onStatus(r.value.status);
    set({ token: "", clearToken: false });
    reload();
  };
  const text = (field: BotField, hint: string, props: Record<string, unknown> = {}) => (
    <label class={errors[field] ? "invalid" : undefined}>
      {FIELD_LABELS[field]} <span class="muted">{hint}</span>
      <input
        name={field}
        value={form[field]}
        aria-invalid={errors[field] ? "true" : undefined}
        onInput={(e) => set({ [field]: (e.target as HTMLInputElement).value } as Partial<BotForm>)}
        {...props}
      />
      {errors[field] && (
        <span class="field-error" role="alert" data-field-error={field}>
          {errors[field]}
        </span>
      )}
    </label>
  );
  return (
    <form class="panel bot-settings" onSubmit={save} aria-label="Discord bot settings" data-testid="bot-settings-form">
      <div class="grid">
        {text(
          "token",
          settings.token ? `(saved: ${settings.token}; paste a new one to replace it)` : "(not set: paste the bot's token)",
          { type: "password", autocomplete: "off", placeholder: settings.token ?? "", disabled: form.clearToken },
        )}
        {settings.token && (
          <label class="check">
            <input type="checkbox" name="clearToken" checked={form.clearToken} onChange={(e) => set({ clearToken: (e.target as HTMLInputElement).checked, token: "" })} />
            Forget the saved token (the bot stops)
          </label>
        )}
        {text("guildId", "(blank: every server; commands then take up to an hour to appear)")}
        {text("operatorUsers", "(may do everything)")}
        {text("operatorRoles", "(anyone with one of these roles is an operator)")}
        {text("viewerUsers", "(read-only commands)")}
        {text("viewerRoles", "")}
        {text("channels", "(blank: any channel)")}
        {text("notifyChannel", "(failures and dead letters are posted here)")}
        {text("apiBase", "(blank: Discord itself; for a proxy or a test stand-in)")}
        <label class="check">
          <input type="checkbox" name="prefixCommands" checked={form.prefixCommands} onChange={(e) => set({ prefixCommands: (e.target as HTMLInputElement).checked })} />
          Prefix commands (!message, !status…): needs the Message Content intent, turned on in the Developer Portal (Bot &gt; Privileged
          Gateway Intents)
        </label>
      </div>
      <p class="muted">
        Ids are numbers (Developer Mode in Discord, then right-click &gt; Copy ID) or mentions such as &lt;@123&gt;, separated by spaces or
        commas. The token is never shown again once saved.
        {settings.token_from_env && " SWITCHBOARD_DISCORD_TOKEN is set: it wins over the saved token."}
        {settings.api_base_from_env && " SWITCHBOARD_DISCORD_API_BASE is set: it wins over the API base here."}
      </p>
      <ErrorBox error={error} />
      {applied && (
        <p class="tone-ok" role="status" data-testid="bot-settings-applied">
          {applied}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="save-bot-settings">
          Save
        </button>
      </div>
    </form>
  );
}
