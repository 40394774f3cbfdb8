// The compose form's state and its conversion to a send request.

import type { AgentView, Compose, Priority } from "../backend/types";
import type { Parsed } from "../agents/agentForm";

export type RecipientMode = "agents" | "team" | "all";

export interface ComposeForm {
  mode: RecipientMode;
  names: string[];
  team: string;
  sender: string;
  body: string;
  priority: Priority;
  /** Comma-separated. */
  tags: string;
  replyTo: number | null;
}

export function emptyCompose(): ComposeForm {
  return { mode: "agents", names: [], team: "", sender: "operator", body: "", priority: "normal", tags: "", replyTo: null };
}

export function parseTags(text: string): string[] {
  const tags = text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  return [...new Set(tags)];
}

/** Characters as the core counts them (Unicode scalar values, not UTF-16 units). */
export function charCount(text: string): number {
  return [...text].length;
}

export function toCompose(f: ComposeForm): Parsed<Compose> {
  if (f.body.trim() === "") return { ok: false, error: "write the message first" };
  let to: Compose["to"];
  if (f.mode === "agents") {
    if (f.names.length === 0) return { ok: false, error: "choose at least one agent to send to" };
    to = { kind: "agents", names: [...f.names] };
  } else if (f.mode === "team") {
    if (f.team.trim() === "") return { ok: false, error: "choose a team to send to" };
    to = { kind: "team", team: f.team.trim() };
  } else {
    to = { kind: "all" };
  }
  if (f.replyTo !== null && f.mode !== "agents") {
    return { ok: false, error: "a reply goes to agents chosen by name; choose agents, or remove the reply" };
  }
  return {
    ok: true,
    value: { to, sender: f.sender.trim() || "operator", body: f.body, priority: f.priority, tags: parseTags(f.tags), reply_to: f.replyTo },
  };
}

/** Ctrl+Enter (Cmd+Enter on a Mac keyboard) sends. */
export function isSendShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return e.key === "Enter" && (e.ctrlKey || e.metaKey);
}

/** Teams of enabled agents, sorted. */
export function teamsOf(agents: AgentView[]): string[] {
  const teams = new Map<string, string>();
  for (const a of agents) if (a.enabled && a.team) teams.set(a.team.toLowerCase(), a.team);
  return [...teams.values()].sort((a, b) => a.localeCompare(b));
}

/** Who the form would reach, for the send button's label. */
export function audience(f: ComposeForm, agents: AgentView[]): number {
  if (f.mode === "agents") return f.names.length;
  const enabled = agents.filter((a) => a.enabled);
  if (f.mode === "all") return enabled.length;
  return enabled.filter((a) => a.team?.toLowerCase() === f.team.trim().toLowerCase()).length;
}
