// The Discord screen's forms: the bot's settings (ids as typed, checked here first so each
// mistake shows beside its field) and the command log's filters, paged by cursor.

import type { BotSettingsEdit, BotSettingsView, CommandOutcome, DiscordCommand, DiscordCommandFilter } from "../backend/types";
import type { Parsed } from "../agents/agentForm";
import { toDateRange } from "../shared/dateRange";

export const LOG_PAGE_SIZE = 50;

/** The settings form's fields, as text. */
export interface BotForm {
  /** A new token; blank keeps the saved one. */
  token: string;
  clearToken: boolean;
  guildId: string;
  operatorUsers: string;
  operatorRoles: string;
  viewerUsers: string;
  viewerRoles: string;
  channels: string;
  prefixCommands: boolean;
  notifyChannel: string;
  apiBase: string;
}

export type BotField = Exclude<keyof BotForm, "clearToken" | "prefixCommands">;

export const FIELD_LABELS: Record<BotField, string> = {
  token: "Token",
  guildId: "Server id",
  operatorUsers: "Operator user ids",
  operatorRoles: "Operator role ids",
  viewerUsers: "Viewer user ids",
  viewerRoles: "Viewer role ids",
  channels: "Channels",
  notifyChannel: "Notification channel",
  apiBase: "API base",
};

export function toForm(s: BotSettingsView): BotForm {
  const list = (ids: string[]) => ids.join(" ");
  return {
    token: "",
    clearToken: false,
    guildId: s.guild_id ?? "",
    operatorUsers: list(s.operators.users),
    operatorRoles: list(s.operators.roles),
    viewerUsers: list(s.viewers.users),
    viewerRoles: list(s.viewers.roles),
    channels: list(s.channels),
    prefixCommands: s.prefix_commands,
    notifyChannel: s.notify_channel ?? "",
    apiBase: s.api_base ?? "",
  };
}

/** Ids as typed: separated by spaces, commas or new lines. */
export function splitIds(text: string): string[] {
  return text.split(/[\s,]+/).filter((t) => t !== "");
}

/** A Discord id: digits, or a mention as Discord writes it (`<@123>`, `<@!123>`, `<@&123>`, `<#123>`). */
export function isDiscordId(text: string): boolean {
  const t = text.trim();
  const inner = t.startsWith("<") && t.endsWith(">") ? t.slice(1, -1).replace(/^[@!&#]+/, "") : t;
  return /^\d{1,20}$/.test(inner) && !/^0+$/.test(inner);
}

const NOT_AN_ID = "is not a Discord id: turn on Developer Mode in Discord (Settings > Advanced), then right-click the user, role, channel or server and choose Copy ID";

/** Every field's mistake, by field; empty when the form can be sent. */
export function checkForm(f: BotForm): Partial<Record<BotField, string>> {
  const errors: Partial<Record<BotField, string>> = {};
  const token = f.token.trim().replace(/^Bot\s+/, "");
  if (!f.clearToken && token !== "" && (token.split(".").length !== 3 || token.split(".").some((p) => p === "") || /\s/.test(token))) {
    errors.token = "this is not a bot token (three parts separated by dots): copy it again from the Developer Portal (Bot > Reset Token)";
  }
  for (const field of ["guildId", "notifyChannel"] as const) {
    const v = f[field].trim();
    if (v !== "" && !isDiscordId(v)) errors[field] = `"${v}" ${NOT_AN_ID}`;
  }
  for (const field of ["operatorUsers", "operatorRoles", "viewerUsers", "viewerRoles", "channels"] as const) {
    const bad = splitIds(f[field]).find((id) => !isDiscordId(id));
    if (bad !== undefined) errors[field] = `"${bad}" ${NOT_AN_ID}`;
  }
  const base = f.apiBase.trim();
  if (base !== "" && !/^https?:\/\/[^\s/]+/.test(base)) {
    errors.apiBase = "give the scheme and host, for example https://discord.com (or leave it empty for Discord itself)";
  }
  return errors;
}

export function toEdit(f: BotForm): BotSettingsEdit {
  const text = (v: string) => (v.trim() === "" ? null : v.trim());
  return {
    token: f.clearToken ? null : text(f.token),
    clear_token: f.clearToken,
    guild_id: text(f.guildId),
    operator_users: splitIds(f.operatorUsers),
    operator_roles: splitIds(f.operatorRoles),
    viewer_users: splitIds(f.viewerUsers),
    viewer_roles: splitIds(f.viewerRoles),
    channels: splitIds(f.channels),
    prefix_commands: f.prefixCommands,
    notify_channel: text(f.notifyChannel),
    api_base: text(f.apiBase),
  };
}

/** Which field a backend error is about: its message starts with the field's label. */
export function fieldOf(message: string): BotField | null {
  for (const [field, label] of Object.entries(FIELD_LABELS) as [BotField, string][]) {
    if (message.startsWith(`${label}: `)) return field;
  }
  return null;
}

export function nobodyAllowed(s: BotSettingsView): boolean {
  return [s.operators.users, s.operators.roles, s.viewers.users, s.viewers.roles].every((l) => l.length === 0);
}

// ----- the command log -----

export interface LogForm {
  outcome: CommandOutcome | "";
  command: string;
  user: string;
  text: string;
  /** `<input type="datetime-local">` values, local time; blank: unbounded. */
  from: string;
  to: string;
}

export function emptyLogForm(): LogForm {
  return { outcome: "", command: "", user: "", text: "", from: "", to: "" };
}

export function toLogFilter(form: LogForm, beforeId: number | null, limit = LOG_PAGE_SIZE): Parsed<DiscordCommandFilter> {
  const range = toDateRange(form.from, form.to);
  if (!range.ok) return range;
  const text = (v: string) => (v.trim() === "" ? null : v.trim());
  return {
    ok: true,
    value: {
      user: text(form.user),
      outcome: form.outcome === "" ? null : form.outcome,
      command: text(form.command),
      text: text(form.text),
      since: range.value.since,
      until: range.value.until,
      before_id: beforeId,
      limit,
    },
  };
}

/** The command as it was typed: `/send` or `!message`. */
export function commandName(c: DiscordCommand): string {
  return `${c.kind === "prefix" ? "!" : "/"}${c.command}`;
}

/** The arguments on one line: `agent=Agent-1 message="rebase please"`. */
export function formatArguments(args: unknown): string {
  if (args === null || args === undefined) return "";
  if (typeof args !== "object" || Array.isArray(args)) return typeof args === "string" ? args : JSON.stringify(args);
  return Object.entries(args as Record<string, unknown>)
    .map(([k, v]) => {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      return `${k}=${typeof v === "string" && /[\s"]/.test(v) ? JSON.stringify(text) : text}`;
    })
    .join(" ");
}
