// An in-memory Backend for the UI's tests. It keeps the rules the screens depend on (unique
// names, disabled agents refuse messages, which states can be retried or cancelled) with the
// same error codes as the core, records every call, and emits events like the real one.

import type { Backend, Unsubscribe } from "./backend";
import { BackendError } from "./errors";
import type {
  AgentInput,
  AgentView,
  AppInfo,
  Attempt,
  BatchReport,
  CapturedPoint,
  BotSettingsEdit,
  BotSettingsSaved,
  BotSettingsView,
  BotStatus,
  Compose,
  Dashboard,
  DbChanged,
  DiscordCommand,
  DiscordCommandFilter,
  DiscordCommandPage,
  HistoryFilter,
  Message,
  MessageState,
  Pause,
  Point,
  Priority,
  SeenWindow,
  SettingInfo,
  Status,
} from "./types";
import { MESSAGE_STATES, PRIORITIES } from "./types";
import { defaultInput } from "../shared/profiles";
import { DEFAULT_SAFETY } from "../agents/agentForm";

type Listener<T> = (value: T) => void;

const rank = (p: Priority) => PRIORITIES.indexOf(p);

export const MOCK_SETTINGS: SettingInfo[] = [
  { key: "click_settle_ms", value: 30, default: 30, help: "pause after clicking an agent's input box, before text goes in (ms)" },
  { key: "max_attempts", value: 5, default: 5, help: "attempts before a message becomes a dead letter (agents may override)" },
  { key: "retry_jitter", value: 0.2, default: 0.2, help: "random spread of retry delays, 0.0 to 1.0" },
];

export class MockBackend implements Backend {
  agentList: AgentView[] = [];
  messages: Message[] = [];
  attempts = new Map<number, Attempt[]>();
  settingList: SettingInfo[] = MOCK_SETTINGS.map((s) => ({ ...s }));
  pointer: Point = { x: 640, y: 480 };
  /** The window under the pointer, as the display reports it; null: none there. */
  pointerWindow: Omit<SeenWindow, "at"> | null = { id: 0x2a00007, class: "XTerm", title: "claude: ~/src/app", pid: 4242 };
  current: Status = {
    database: { state: "ready" },
    engine: { state: "idle" },
    display: "X11 display :99",
    paused: null,
  };
  info: AppInfo = {
    version: "0.1.0",
    database: "/home/op/.local/share/switchboard/switchboard.db",
    database_source: "default",
    log_file: "/home/op/.local/share/switchboard/switchboard.log",
  };
  bot: BotStatus = { connection: { state: "disabled", reason: "no bot token is set" }, configured: false };
  botConfig: BotSettingsView = {
    token: null,
    guild_id: null,
    operators: { users: [], roles: [] },
    viewers: { users: [], roles: [] },
    channels: [],
    prefix_commands: false,
    notify_channel: null,
    api_base: null,
    token_from_env: false,
    api_base_from_env: false,
  };
  /** The command log, in the order logged. */
  discordLog: DiscordCommand[] = [];
  /** Every call, in order: what the tests assert on. */
  calls: { method: string; args: unknown[] }[] = [];
  private failures = new Map<string, BackendError>();
  private nextId = 1;
  private version = 0;
  private statusListeners = new Set<Listener<Status>>();
  private changeListeners = new Set<Listener<DbChanged>>();
  private queueListeners = new Set<Listener<Message[]>>();
  private botListeners = new Set<Listener<BotStatus>>();

  /** Make the next call of `method` fail with this error. */
  failNext(method: keyof Backend, error: BackendError): void {
    this.failures.set(method, error);
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
  }

  callsOf(method: keyof Backend): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  // ----- what the engine and other processes would do -----

  /** A change committed elsewhere (the engine, the CLI): events follow as in the app. */
  changed(): void {
    this.version += 1;
    for (const l of this.changeListeners) l({ version: this.version });
    const q = this.queueNow();
    for (const l of this.queueListeners) l(q);
  }

  setStatus(patch: Partial<Status>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.statusListeners) l(this.current);
  }

  /** The bot's connection changed (Discord answered, dropped, refused the token). */
  setBot(patch: Partial<BotStatus>): void {
    this.bot = { ...this.bot, ...patch };
    for (const l of this.botListeners) l(this.bot);
  }

  /** The bot logged a command: the log grows and a database change follows. */
  logCommand(patch: Partial<DiscordCommand> = {}): DiscordCommand {
    const c: DiscordCommand = {
      id: this.discordLog.length + 1,
      source_id: String(1_300_000_000_000_000_000 + this.discordLog.length),
      kind: "slash",
      user_id: "1001",
      user_name: "alice",
      guild_id: "42",
      channel_id: "77",
      command: "status",
      arguments: {},
      received_at: Date.now(),
      outcome: "succeeded",
      duration_ms: 12,
      reply: "engine idle, nothing waiting",
      error: null,
      message_ids: [],
      ...patch,
    };
    this.discordLog.push(c);
    this.changed();
    return c;
  }

  deliver(id: number, durationMs = 120): void {
    this.finish(id, "delivered", durationMs);
  }

  failMessage(id: number, code: string, detail: string): void {
    this.finish(id, "failed", 80, code, detail);
  }

  private finish(id: number, state: MessageState, durationMs: number, code?: string, detail?: string): void {
    const m = this.find(id);
    const at = m.created_at + durationMs;
    m.state = state;
    m.attempts += 1;
    m.updated_at = at;
    m.delivered_at = state === "delivered" ? at : null;
    m.last_error_code = code ?? null;
    m.last_error = detail ?? null;
    const list = this.attempts.get(id) ?? [];
    list.push({
      id: list.length + 1,
      message_id: id,
      engine_id: 1,
      started_at: m.created_at,
      finished_at: at,
      duration_ms: durationMs,
      phase: state === "delivered" ? "done" : "clicking",
      outcome: state === "delivered" ? "delivered" : "failed",
      error_code: code ?? null,
      detail: detail ?? null,
      retryable: state === "delivered" ? null : false,
    });
    this.attempts.set(id, list);
    const agent = this.agentList.find((a) => a.id === m.agent_id);
    if (agent) {
      agent.last = { message_id: id, state, at };
      agent.queued = this.messages.filter((x) => x.agent_id === agent.id && x.state === "queued").length;
    }
    this.changed();
  }

  // ----- Backend -----

  async appInfo(): Promise<AppInfo> {
    this.record("appInfo", []);
    return this.info;
  }

  async status(): Promise<Status> {
    this.record("status", []);
    return this.current;
  }

  async dashboard(): Promise<Dashboard> {
    this.record("dashboard", []);
    const count = (s: MessageState) => this.messages.filter((m) => m.state === s).length;
    const delivered = this.messages.filter((m) => m.state === "delivered");
    const durations = delivered.map((m) => (m.delivered_at ?? m.created_at) - m.created_at);
    const now = Date.now();
    const bucket = 300_000;
    const start = Math.floor((now - 3_600_000) / bucket) * bucket + bucket;
    return {
      stats: {
        by_state: MESSAGE_STATES.map((state) => ({ state, count: count(state) })),
        delivered_last_hour: delivered.length,
        failed_attempts_last_hour: count("failed"),
        avg_delivery_ms: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null,
        max_delivery_ms: durations.length ? Math.max(...durations) : null,
        agents: this.agentList.length,
        agents_enabled: this.agentList.filter((a) => a.enabled).length,
      },
      timeline: Array.from({ length: 12 }, (_, i) => ({ start: start + i * bucket, delivered: i === 11 ? delivered.length : 0, failed: 0 })),
      bucket_ms: bucket,
    };
  }

  async botStatus(): Promise<BotStatus> {
    this.record("botStatus", []);
    return this.bot;
  }

  async uiReady(): Promise<number> {
    this.record("uiReady", []);
    return 420;
  }

  async agents(): Promise<AgentView[]> {
    this.record("agents", []);
    return this.agentList.map((a) => ({ ...a })).sort((a, b) => a.name.localeCompare(b.name));
  }

  private check(agent: AgentInput, except?: number): void {
    const name = agent.name.trim();
    if (!name) throw new BackendError("INVALID", "an agent needs a name, for example Agent-1");
    const clash = this.agentList.find((a) => a.name.toLowerCase() === name.toLowerCase() && a.id !== except);
    if (clash) {
      throw new BackendError(
        "CONFLICT",
        `an agent named "${name}" already exists; choose another name, or change that agent with \`switchboard agent edit ${name}\``,
      );
    }
  }

  /** The window at `point`: the pointer's window where the pointer is, else none. */
  private windowAt(point: Point): SeenWindow | null {
    const here = point.x === this.pointer.x && point.y === this.pointer.y;
    return here && this.pointerWindow ? { ...this.pointerWindow, at: Date.now() } : null;
  }

  /** The core's checks of the safe-delivery options, and what is stored (as the CLI does). */
  private safety(agent: AgentInput, current?: AgentView): Pick<AgentView, "window" | "min_gap_ms" | "strip_control"> {
    const pattern = (what: string, text: string | null): string | null => {
      if (text === null || text.trim() === "") return null;
      if (text.startsWith("re:")) {
        try {
          new RegExp(text.slice(3));
        } catch (e) {
          throw new BackendError("INVALID", `the window ${what} pattern: ${JSON.stringify(text)} is not a valid regular expression: ${String(e)}`);
        }
      }
      return text;
    };
    if (agent.min_gap_ms !== null && agent.min_gap_ms > 86_400_000) {
      throw new BackendError("INVALID", `a minimum gap of ${agent.min_gap_ms} ms is more than a day; give at most 86400000`);
    }
    const moved = !current || current.x !== agent.x || current.y !== agent.y;
    const seen = agent.seen ?? (!moved ? current!.window.seen : !current && agent.any_window ? null : this.windowAt(agent));
    return {
      window: { class: pattern("class", agent.window_class), title: pattern("title", agent.window_title), any: agent.any_window, seen },
      min_gap_ms: agent.min_gap_ms,
      strip_control: agent.strip_control,
    };
  }

  /** What the form sets on an agent, as the backend stores it (`current`: the agent edited). */
  private fields(agent: AgentInput, current?: AgentView) {
    return {
      name: agent.name.trim(),
      team: agent.team?.trim() || null,
      role: agent.role?.trim() || null,
      enabled: agent.enabled,
      x: agent.x,
      y: agent.y,
      input: { ...agent.input },
      max_attempts: agent.max_attempts,
      ...this.safety(agent, current),
    };
  }

  async addAgent(agent: AgentInput): Promise<AgentView> {
    this.record("addAgent", [agent]);
    this.check(agent);
    const view: AgentView = {
      ...this.fields(agent),
      id: this.nextId++,
      created_at: Date.now(),
      updated_at: Date.now(),
      queued: 0,
      last: null,
    };
    this.agentList.push(view);
    this.changed();
    return { ...view };
  }

  private agent(name: string): AgentView {
    const a = this.agentList.find((x) => x.name.toLowerCase() === name.trim().toLowerCase());
    if (!a) throw new BackendError("NOT_FOUND", `there is no agent named "${name}"`);
    return a;
  }

  async editAgent(name: string, agent: AgentInput): Promise<AgentView> {
    this.record("editAgent", [name, agent]);
    const a = this.agent(name);
    this.check(agent, a.id);
    Object.assign(a, this.fields(agent, a));
    this.changed();
    return { ...a };
  }

  async setAgentEnabled(name: string, enabled: boolean): Promise<AgentView> {
    this.record("setAgentEnabled", [name, enabled]);
    const a = this.agent(name);
    a.enabled = enabled;
    this.changed();
    return { ...a };
  }

  async removeAgent(name: string, force: boolean) {
    this.record("removeAgent", [name, force]);
    const a = this.agent(name);
    const waiting = this.messages.filter((m) => m.agent_id === a.id && m.state === "queued");
    if (waiting.length && !force) {
      throw new BackendError("CONFLICT", `${a.name} has ${waiting.length} message(s) waiting; cancel them first, or remove with --force to cancel them`);
    }
    for (const m of waiting) m.state = "cancelled";
    this.agentList = this.agentList.filter((x) => x !== a);
    this.changed();
    return { name: a.name, cancelled: waiting.length };
  }

  private enqueue(agent: AgentView, sender: string, body: string, priority: Priority, tags: string[], replyTo: number | null): Message {
    if (!body.trim()) throw new BackendError("INVALID", "the message is empty; write something to send");
    const now = Date.now();
    const m: Message = {
      id: this.nextId++,
      sender,
      agent_id: agent.id,
      recipient: agent.name,
      body,
      priority,
      tags,
      reply_to: replyTo,
      broadcast_id: null,
      state: "queued",
      attempts: 0,
      next_attempt_at: now,
      last_error_code: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    };
    this.messages.push(m);
    agent.queued += 1;
    return m;
  }

  async testAgent(name: string): Promise<Message> {
    this.record("testAgent", [name]);
    const m = this.enqueue(this.agent(name), "switchboard", "ping from Switchboard: this is a test message", "urgent", ["test"], null);
    this.changed();
    return { ...m };
  }

  async importAgents(json: string) {
    this.record("importAgents", [json]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new BackendError("INVALID", 'this is not JSON; an agents file looks like {"agents": {"Agent-1": {"chat_input_coordinates": [x, y]}}}');
    }
    const agents = (parsed as { agents?: Record<string, { chat_input_coordinates?: unknown }> }).agents;
    if (!agents || typeof agents !== "object") throw new BackendError("INVALID", 'no "agents" object in this file');
    const report = { created: [] as string[], skipped: [] as { name: string; reason: string }[], invalid: [] as { name: string; reason: string }[] };
    for (const [name, entry] of Object.entries(agents)) {
      const c = entry.chat_input_coordinates;
      if (!Array.isArray(c) || c.length !== 2 || !c.every(Number.isInteger)) {
        report.invalid.push({ name, reason: "chat_input_coordinates must be [x, y]" });
      } else if (this.agentList.some((a) => a.name.toLowerCase() === name.toLowerCase())) {
        report.skipped.push({ name, reason: "already registered" });
      } else {
        await this.addAgent({ name, team: null, role: null, enabled: true, x: c[0] as number, y: c[1] as number, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
        report.created.push(name);
      }
    }
    return report;
  }

  async pointerPosition(): Promise<CapturedPoint> {
    this.record("pointerPosition", []);
    return { ...this.pointer, window: this.windowAt(this.pointer) };
  }

  async capturePosition(name: string): Promise<AgentView> {
    this.record("capturePosition", [name]);
    const a = this.agent(name);
    a.x = this.pointer.x;
    a.y = this.pointer.y;
    a.window = { ...a.window, seen: this.windowAt(this.pointer) };
    this.changed();
    return { ...a };
  }

  async showPosition(name: string): Promise<Point> {
    this.record("showPosition", [name]);
    const a = this.agent(name);
    this.pointer = { x: a.x, y: a.y };
    return { ...this.pointer };
  }

  async send(message: Compose): Promise<Message[]> {
    this.record("send", [message]);
    const to = message.to;
    let targets: AgentView[];
    if (to.kind === "agents") {
      if (!to.names.length) throw new BackendError("INVALID", "choose at least one agent to send to");
      targets = to.names.map((n) => this.agent(n));
      const off = targets.find((a) => !a.enabled);
      if (off) throw new BackendError("CONFLICT", `${off.name} is disabled, so nothing would deliver to it; enable it on the Agents screen or leave it out`);
    } else {
      targets = this.agentList.filter((a) => a.enabled && (to.kind === "all" || a.team?.toLowerCase() === to.team.toLowerCase()));
      if (!targets.length) throw new BackendError("INVALID", "there are no enabled agents to broadcast to");
    }
    const sent = targets.map((a) => this.enqueue(a, message.sender, message.body, message.priority, message.tags, message.reply_to));
    this.changed();
    return sent.map((m) => ({ ...m }));
  }

  private queueNow(): Message[] {
    return this.messages
      .filter((m) => m.state === "queued" || m.state === "in_flight" || m.state === "needs_review")
      .sort((a, b) => Number(b.state === "in_flight") - Number(a.state === "in_flight") || rank(a.priority) - rank(b.priority) || a.id - b.id)
      .map((m) => ({ ...m }));
  }

  async queue(): Promise<Message[]> {
    this.record("queue", []);
    return this.queueNow();
  }

  private find(id: number): Message {
    const m = this.messages.find((x) => x.id === id);
    if (!m) throw new BackendError("NOT_FOUND", `there is no message ${id}`);
    return m;
  }

  private batch(ids: number[], f: (m: Message) => void): BatchReport {
    const report: BatchReport = { done: [], failed: [] };
    for (const id of ids) {
      try {
        f(this.find(id));
        report.done.push(id);
      } catch (e) {
        const err = e as BackendError;
        report.failed.push({ id, code: err.code, message: err.message });
      }
    }
    this.changed();
    return report;
  }

  async retry(ids: number[]): Promise<BatchReport> {
    this.record("retry", [ids]);
    return this.batch(ids, (m) => {
      if (m.state === "delivered") throw new BackendError("CONFLICT", `message ${m.id} was already delivered`);
      if (m.state === "in_flight") throw new BackendError("CONFLICT", `message ${m.id} is being delivered right now`);
      m.state = "queued";
      m.attempts = 0;
    });
  }

  async cancel(ids: number[]): Promise<BatchReport> {
    this.record("cancel", [ids]);
    return this.batch(ids, (m) => {
      if (m.state === "delivered") throw new BackendError("CONFLICT", `message ${m.id} was already delivered`);
      if (m.state === "in_flight") throw new BackendError("CONFLICT", `message ${m.id} is being delivered right now and cannot be stopped half-way`);
      m.state = "cancelled";
    });
  }

  async setPriority(id: number, priority: Priority): Promise<Message> {
    this.record("setPriority", [id, priority]);
    const m = this.find(id);
    if (m.state !== "queued" && m.state !== "needs_review") {
      throw new BackendError("CONFLICT", `message ${id} is ${m.state}, not waiting; retry it first to queue it again`);
    }
    m.priority = priority;
    this.changed();
    return { ...m };
  }

  async history(filter: HistoryFilter) {
    this.record("history", [filter]);
    const text = filter.text?.toLowerCase();
    const matches = this.messages
      .filter(
        (m) =>
          (filter.agent === null || m.recipient.toLowerCase() === filter.agent.toLowerCase()) &&
          (filter.state === null || m.state === filter.state) &&
          (!text || m.body.toLowerCase().includes(text) || m.sender.toLowerCase().includes(text)) &&
          (filter.since === null || m.created_at >= filter.since) &&
          (filter.until === null || m.created_at < filter.until) &&
          (filter.before_id === null || m.id < filter.before_id),
      )
      .sort((a, b) => b.id - a.id);
    const page = matches.slice(0, filter.limit).map((m) => ({ ...m }));
    const last = page.at(-1);
    return { messages: page, next_before: matches.length > filter.limit && last ? last.id : null };
  }

  async messageDetail(id: number) {
    this.record("messageDetail", [id]);
    const m = this.find(id);
    return { message: { ...m }, attempts: this.attempts.get(id) ?? [], events: [] };
  }

  async settings(): Promise<SettingInfo[]> {
    this.record("settings", []);
    return this.settingList.map((s) => ({ ...s }));
  }

  async setSetting(key: string, value: string): Promise<SettingInfo[]> {
    this.record("setSetting", [key, value]);
    const s = this.settingList.find((x) => x.key === key);
    if (!s) throw new BackendError("INVALID", `there is no setting "${key}"`);
    const n = Number(value);
    if (value.trim() === "" || Number.isNaN(n)) throw new BackendError("INVALID", `${key} takes a number, not "${value}"`);
    if (key === "max_attempts" && n < 1) throw new BackendError("INVALID", "max_attempts must be at least 1");
    s.value = n;
    this.changed();
    return this.settings();
  }

  async pause(reason: string): Promise<Pause> {
    this.record("pause", [reason]);
    const p: Pause = { by: "desktop", at: Date.now(), reason: reason || "paused from the desktop app" };
    this.setStatus({ paused: p, engine: { state: "paused", by: p.by, reason: p.reason } });
    this.changed();
    return p;
  }

  async resume(): Promise<boolean> {
    this.record("resume", []);
    const was = this.current.paused !== null;
    this.setStatus({ paused: null, engine: { state: "idle" } });
    this.changed();
    return was;
  }

  async startBot(): Promise<BotStatus> {
    this.record("startBot", []);
    if (!this.bot.configured) {
      this.setBot({ connection: { state: "disabled", reason: "no bot token is set" } });
      throw new BackendError("DISCORD_NO_TOKEN", "no Discord bot token is set: paste the bot's token into the Token field of the Discord screen's settings and save");
    }
    if (!["connecting", "connected", "reconnecting"].includes(this.bot.connection.state)) this.setBot({ connection: { state: "connecting" } });
    return this.bot;
  }

  async stopBot(): Promise<BotStatus> {
    this.record("stopBot", []);
    if (["connecting", "connected", "reconnecting"].includes(this.bot.connection.state)) this.setBot({ connection: { state: "stopped" } });
    return this.bot;
  }

  async botSettings(): Promise<BotSettingsView> {
    this.record("botSettings", []);
    return structuredClone(this.botConfig);
  }

  async saveBotSettings(edit: BotSettingsEdit): Promise<BotSettingsSaved> {
    this.record("saveBotSettings", [edit]);
    const id = (v: string, label: string): string => {
      const digits = v.trim().replace(/^<[@#]?[!&]?(\d+)>$/, "$1");
      if (!/^\d+$/.test(digits) || /^0+$/.test(digits)) {
        throw new BackendError("INVALID", `${label}: "${v}" is not a Discord id: turn on Developer Mode in Discord (Settings > Advanced), then right-click it and choose Copy ID`);
      }
      return digits;
    };
    const one = (v: string | null, label: string) => (v && v.trim() ? id(v, label) : null);
    const many = (vs: string[], label: string) => [...new Set(vs.filter((v) => v.trim()).map((v) => id(v, label)))];
    let token = this.botConfig.token;
    if (edit.clear_token) token = null;
    else if (edit.token && edit.token.trim()) {
      const t = edit.token.trim();
      if (t.split(".").length !== 3 || /\s/.test(t)) {
        throw new BackendError("DISCORD_WRONG_TOKEN", "Token: what was pasted is not a bot token. Copy it again from Discord's Developer Portal (Applications > your app > Bot > Reset Token) and paste the whole of it");
      }
      token = `****${t.slice(-4)} (${t.length} characters)`;
    }
    const next: BotSettingsView = {
      ...this.botConfig,
      token,
      guild_id: one(edit.guild_id, "Server id"),
      operators: { users: many(edit.operator_users, "Operator user ids"), roles: many(edit.operator_roles, "Operator role ids") },
      viewers: { users: many(edit.viewer_users, "Viewer user ids"), roles: many(edit.viewer_roles, "Viewer role ids") },
      channels: many(edit.channels, "Channels"),
      prefix_commands: edit.prefix_commands,
      notify_channel: one(edit.notify_channel, "Notification channel"),
      api_base: edit.api_base?.trim() || null,
    };
    const before = this.botConfig;
    this.botConfig = next;
    const restart =
      before.token !== next.token ||
      before.guild_id !== next.guild_id ||
      before.prefix_commands !== next.prefix_commands ||
      before.notify_channel !== next.notify_channel ||
      before.api_base !== next.api_base;
    const running = ["connecting", "connected", "reconnecting"].includes(this.bot.connection.state);
    let applied: string;
    if (!restart) {
      applied = "Saved. Allow-lists and channels apply from the next command.";
    } else if (token === null) {
      this.setBot({ connection: { state: "disabled", reason: "no bot token is set" }, configured: false });
      applied = "Saved. Without a token the bot is off.";
    } else if (running) {
      this.setBot({ connection: { state: "connecting" }, configured: true });
      applied = "Saved. The bot was restarted to use them.";
    } else if (this.bot.connection.state === "stopped") {
      this.setBot({ configured: true });
      applied = "Saved. The bot is stopped: Connect to use the new settings.";
    } else {
      this.setBot({ connection: { state: "connecting" }, configured: true });
      applied = "Saved. The bot was started.";
    }
    this.changed();
    return { settings: structuredClone(next), status: this.bot, applied };
  }

  async discordCommands(filter: DiscordCommandFilter): Promise<DiscordCommandPage> {
    this.record("discordCommands", [filter]);
    const user = filter.user?.trim().toLowerCase();
    const command = filter.command?.trim().replace(/^[/!]/, "").toLowerCase();
    const text = filter.text?.trim().toLowerCase();
    const matches = this.discordLog
      .filter(
        (c) =>
          (!user || c.user_id === user || c.user_name.toLowerCase() === user) &&
          (filter.outcome === null || c.outcome === filter.outcome) &&
          (!command || c.command.toLowerCase() === command) &&
          (!text || [JSON.stringify(c.arguments), c.reply, c.error ?? ""].some((t) => t.toLowerCase().includes(text))) &&
          (filter.since === null || c.received_at >= filter.since) &&
          (filter.until === null || c.received_at < filter.until) &&
          (filter.before_id === null || c.id < filter.before_id),
      )
      .sort((a, b) => b.id - a.id);
    const page = matches.slice(0, filter.limit).map((c) => structuredClone(c));
    const last = page.at(-1);
    return { commands: page, next_before: matches.length > filter.limit && last ? last.id : null };
  }

  onBot(listener: Listener<BotStatus>): Unsubscribe {
    this.botListeners.add(listener);
    return () => this.botListeners.delete(listener);
  }

  onStatus(listener: Listener<Status>): Unsubscribe {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onDbChanged(listener: Listener<DbChanged>): Unsubscribe {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onQueue(listener: Listener<Message[]>): Unsubscribe {
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }
}
