// The add/edit form's state and its conversion to what the backend takes. Names, chords,
// window patterns and limits are checked by the core (one set of rules for the CLI and the
// app); the form only makes sure numbers are numbers.

import type { AgentInput, AgentView, CapturedPoint, ImportReport, InputView, SeenWindow, WindowRule } from "../backend/types";
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
  /** Window class and title patterns (a glob, or re:REGEX); blank: none. */
  windowClass: string;
  windowTitle: string;
  /** No window check at all. */
  anyWindow: boolean;
  /** Least time between deliveries to it, ms; blank: the min_gap_ms setting. */
  minGap: string;
  /** Remove control characters from its messages instead of refusing them. */
  stripControl: boolean;
  /** The last capture: its point and the window under it, recorded if saved at that point. */
  captured: CapturedPoint | null;
}

/** The safe-delivery options of an agent added without them: as `switchboard agent add`. */
export const DEFAULT_SAFETY = {
  window_class: null,
  window_title: null,
  any_window: false,
  min_gap_ms: null,
  strip_control: false,
  seen: null,
} as const satisfies Partial<AgentInput>;

export function emptyForm(): AgentForm {
  return {
    name: "",
    team: "",
    role: "",
    enabled: true,
    x: "",
    y: "",
    profile: "ide-chat",
    input: defaultInput(),
    maxAttempts: "",
    windowClass: "",
    windowTitle: "",
    anyWindow: false,
    minGap: "",
    stripControl: false,
    captured: null,
  };
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
    windowClass: a.window.class ?? "",
    windowTitle: a.window.title ?? "",
    anyWindow: a.window.any,
    minGap: a.min_gap_ms === null ? "" : String(a.min_gap_ms),
    stripControl: a.strip_control,
    captured: null,
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
  const gap = f.minGap.trim();
  if (gap !== "" && !/^\d+$/.test(gap)) {
    return {
      ok: false,
      error: `the minimum gap must be a whole number of milliseconds (0 or more; 20000 is 20 s), or blank for the min_gap_ms setting, not "${gap}"`,
    };
  }
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  // The captured window belongs to the captured point only: typed coordinates are looked up
  // again when saved.
  const captured = f.captured && f.captured.x === Number(x) && f.captured.y === Number(y) ? f.captured.window : null;
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
      window_class: text(f.windowClass),
      window_title: text(f.windowTitle),
      any_window: f.anyWindow,
      min_gap_ms: gap === "" ? null : Number(gap),
      strip_control: f.stripControl,
      seen: captured,
    },
  };
}

/** A recorded window in a few words: `XTerm "claude: ~/src" (pid 4242)`. */
export function describeWindow(w: SeenWindow): string {
  const parts = [w.class || "a window without a class"];
  if (w.title) parts.push(`"${w.title}"`);
  if (w.pid !== null) parts.push(`(pid ${w.pid})`);
  return parts.join(" ");
}

/** Which windows deliveries go into, as the agents table shows it (the detail for a tooltip). */
export function describeWindowRule(rule: WindowRule): { text: string; detail?: string } {
  if (rule.any) return { text: "any window (not checked)" };
  const patterns = [rule.class !== null && `class ${rule.class}`, rule.title !== null && `title ${rule.title}`].filter(Boolean);
  if (patterns.length) return { text: `matching ${patterns.join(", ")}` };
  if (rule.seen) return { text: describeWindow(rule.seen) };
  return {
    text: "not recorded yet",
    detail: "The first delivery records the window it finds at the point; later deliveries insist on it.",
  };
}

/** One line about an import, for the notification. */
export function summarizeImport(r: ImportReport): string {
  const parts = [`${plural(r.created.length, "agent")} created`];
  if (r.skipped.length) parts.push(`${r.skipped.length} skipped (already registered)`);
  if (r.invalid.length) parts.push(`${r.invalid.length} invalid`);
  return parts.join(", ");
}
