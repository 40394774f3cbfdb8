// Ready-made input profiles for the kinds of windows agents run in. Chords are the text the
// core parses (`ctrl+v`, `shift+insert`, `none`).

import type { InputView } from "../backend/types";

export interface Profile {
  id: string;
  label: string;
  /** The label without its examples, for the agents table. */
  short: string;
  input: InputView;
}

export const PROFILES: readonly Profile[] = [
  {
    id: "ide-chat",
    label: "IDE chat panel (VS Code, Cursor)",
    short: "IDE chat panel",
    input: { mode: "paste", paste_key: "ctrl+v", submit_key: "enter", newline_key: "shift+enter", clear: "none" },
  },
  {
    id: "xterm",
    label: "xterm",
    short: "xterm",
    input: { mode: "paste", paste_key: "shift+insert", submit_key: "enter", newline_key: "shift+enter", clear: "none" },
  },
  {
    id: "terminal",
    label: "Terminal (GNOME Terminal, Konsole)",
    short: "Terminal",
    input: { mode: "paste", paste_key: "ctrl+shift+v", submit_key: "enter", newline_key: "shift+enter", clear: "none" },
  },
];

/** The core's default (what an agent registered from the CLI gets). */
export function defaultInput(): InputView {
  return { ...PROFILES[0]!.input };
}

/** The preset matching `input` exactly, if any. */
export function profileOf(input: InputView): Profile | undefined {
  return PROFILES.find((p) => (Object.keys(p.input) as (keyof InputView)[]).every((k) => p.input[k] === input[k]));
}

/** A few words for the agents table (a preset's short name, its full label as the detail). */
export function describeInput(input: InputView): { text: string; detail?: string } {
  const preset = profileOf(input);
  if (preset) return { text: preset.short, detail: preset.label };
  const entry = input.mode === "paste" ? `paste ${input.paste_key}` : "type";
  const submit = input.submit_key === "none" ? "no submit" : `then ${input.submit_key}`;
  return { text: `${entry} ${submit}` };
}
