// The add/edit form's state and its conversion to what the backend takes. Names, chords and
// limits are checked by the core (one set of rules for the CLI and the app); the form only
// makes sure numbers are numbers.

import type { AgentInput, AgentView, ImportReport, InputView } from "../backend/types";
import { defaultInput, profileOf } from "../shared/profiles";
import { plural } from "../shared/format";

export interface AgentForm {
  name: string;
  team: string;
  role: string;
  enabled: boolean;
  x: string;
  y: string;
  /** A preset's id, or "custom" to edit the chords. */
  profile: string;
  input: InputView;
  /** Blank: the global setting. */
  maxAttempts: string;
}

export function emptyForm(): AgentForm {
  return { name: "", team: "", role: "", enabled: true, x: "", y: "", profile: "ide-chat", input: defaultInput(), maxAttempts: "" };
}

export function formFromAgent(a: AgentView): AgentForm {
  return {
    name: a.name,
    team: a.team ?? "",
    role: a.role ?? "",
    enabled: a.enabled,
    x: String(a.x),
    y: String(a.y),
    profile: profileOf(a.input)?.id ?? "custom",
    input: { ...a.input },
    maxAttempts: a.max_attempts === null ? "" : String(a.max_attempts),
  };
}

const WHOLE = /^-?\d+$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function toAgentInput(f: AgentForm): Parsed<AgentInput> {
  const x = f.x.trim();
  const y = f.y.trim();
  if (!WHOLE.test(x) || !WHOLE.test(y)) {
    return {
      ok: false,
      error: "the position needs whole numbers for x and y (negative on a monitor left of or above the main one); use Capture to read it from the pointer",
    };
  }
  const limit = f.maxAttempts.trim();
  if (limit !== "" && !/^\d+$/.test(limit)) {
    return { ok: false, error: `max attempts must be a whole number of 1 or more, or blank for the global setting, not "${limit}"` };
  }
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    ok: true,
    value: {
      name: f.name,
      team: text(f.team),
      role: text(f.role),
      enabled: f.enabled,
      x: Number(x),
      y: Number(y),
      input: { ...f.input },
      max_attempts: limit === "" ? null : Number(limit),
    },
  };
}

/** One line about an import, for the notification. */
export function summarizeImport(r: ImportReport): string {
  const parts = [`${plural(r.created.length, "agent")} created`];
  if (r.skipped.length) parts.push(`${r.skipped.length} skipped (already registered)`);
  if (r.invalid.length) parts.push(`${r.invalid.length} invalid`);
  return parts.join(", ");
}
