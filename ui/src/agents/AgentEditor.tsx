// Adding or editing one agent: every option of `switchboard agent add`. Errors from the core
// (empty or duplicate name, a chord or window pattern it cannot read, a gap over a day)
// appear in the form in the core's words.

import { useState } from "preact/hooks";

import type { AgentView, ClearMethod, InputMode, InputView } from "../backend/types";
import { BackendError } from "../backend/errors";
import { useBackend } from "../shared/context";
import { useAction } from "../shared/hooks";
import { PROFILES } from "../shared/profiles";
import { ErrorBox } from "../shared/ui";
import { formatTime } from "../shared/format";
import { type AgentForm, describeWindow, emptyForm, formFromAgent, toAgentInput } from "./agentForm";
import { CAPTURE_SECONDS, useCountdown } from "./countdown";

export function AgentEditor({ agent, onDone }: { agent: AgentView | null; onDone: () => void }) {
  const backend = useBackend();
  const [form, setForm] = useState<AgentForm>(() => (agent ? formFromAgent(agent) : emptyForm()));
  const [error, setError] = useState<BackendError | undefined>(undefined);
  const { busy, act } = useAction();
  const capture = useCountdown();
  const set = (patch: Partial<AgentForm>) => setForm((f) => ({ ...f, ...patch }));
  const setInput = (patch: Partial<InputView>) => setForm((f) => ({ ...f, profile: "custom", input: { ...f.input, ...patch } }));

  const save = async (e: Event) => {
    e.preventDefault();
    const parsed = toAgentInput(form);
    if (!parsed.ok) {
      setError(new BackendError("INVALID", parsed.error));
      return;
    }
    const result = await act(() => (agent ? backend.editAgent(agent.name, parsed.value) : backend.addAgent(parsed.value)), {
      inline: true,
      success: (a) => (agent ? `Saved ${a.name}` : `Added ${a.name} at (${a.x}, ${a.y})`),
    });
    if (result.ok) onDone();
    else setError(result.error);
  };

  const captureHere = () =>
    capture.start(CAPTURE_SECONDS, async () => {
      const result = await act(() => backend.pointerPosition(), { inline: true });
      if (result.ok) set({ x: String(result.value.x), y: String(result.value.y), captured: result.value });
      else setError(result.error);
    });

  const text = (field: "name" | "team" | "role" | "x" | "y" | "maxAttempts" | "windowClass" | "windowTitle" | "minGap") => ({
    value: form[field],
    onInput: (e: Event) => set({ [field]: (e.target as HTMLInputElement).value }),
  });

  return (
    <form class="panel agent-editor" onSubmit={save} aria-label={agent ? `Edit ${agent.name}` : "Add an agent"}>
      <h3>{agent ? `Edit ${agent.name}` : "Add an agent"}</h3>
      <ErrorBox error={error} />
      <div class="grid">
        <label>
          Name
          <input name="name" autoFocus placeholder="Agent-1" {...text("name")} />
        </label>
        <label>
          Team <span class="muted">(optional, for sending to a group)</span>
          <input name="team" placeholder="backend" {...text("team")} />
        </label>
        <label>
          Role <span class="muted">(optional)</span>
          <input name="role" placeholder="reviewer" {...text("role")} />
        </label>
        <fieldset class="position">
          <legend>Input box position</legend>
          <label>
            x
            <input name="x" inputMode="numeric" {...text("x")} />
          </label>
          <label>
            y
            <input name="y" inputMode="numeric" {...text("y")} />
          </label>
          <button type="button" onClick={captureHere} disabled={capture.running}>
            {capture.running ? `Move the pointer there: ${capture.left}…` : "Capture from pointer"}
          </button>
        </fieldset>
        <label>
          Window kind
          <select
            name="profile"
            value={form.profile}
            onChange={(e) => {
              const id = (e.target as HTMLSelectElement).value;
              const preset = PROFILES.find((p) => p.id === id);
              set(preset ? { profile: id, input: { ...preset.input } } : { profile: "custom" });
            }}
          >
            {PROFILES.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom keys…</option>
          </select>
        </label>
        <label>
          Max attempts <span class="muted">(blank: the global setting)</span>
          <input name="maxAttempts" inputMode="numeric" {...text("maxAttempts")} />
        </label>
        {form.profile === "custom" && (
          <fieldset class="keys">
            <legend>Keys</legend>
            <label>
              Enter text by
              <select value={form.input.mode} onChange={(e) => setInput({ mode: (e.target as HTMLSelectElement).value as InputMode })}>
                <option value="paste">pasting (fast, any character)</option>
                <option value="type">typing key by key</option>
              </select>
            </label>
            <label>
              Paste key
              <input value={form.input.paste_key} onInput={(e) => setInput({ paste_key: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              Submit key <span class="muted">(none: leave the text in the box)</span>
              <input value={form.input.submit_key} onInput={(e) => setInput({ submit_key: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              Line break key
              <input value={form.input.newline_key} onInput={(e) => setInput({ newline_key: (e.target as HTMLInputElement).value })} />
            </label>
            <label>
              Empty the box first
              <select value={form.input.clear} onChange={(e) => setInput({ clear: (e.target as HTMLSelectElement).value as ClearMethod })}>
                <option value="none">no</option>
                <option value="select-all">select all, delete (chat panels)</option>
                <option value="kill-line">ctrl+u (terminals)</option>
              </select>
            </label>
          </fieldset>
        )}
        <fieldset class="safety">
          <legend>Safe delivery</legend>
          <WindowNote agent={agent} form={form} />
          <label>
            Window class <span class="muted">(a glob such as XTerm or *code*, any case, or re:REGEX; blank: the recorded window)</span>
            <input name="windowClass" placeholder="XTerm" disabled={form.anyWindow} {...text("windowClass")} />
          </label>
          <label>
            Window title <span class="muted">(titles change as agents work: prefer a glob such as *claude*)</span>
            <input name="windowTitle" placeholder="*claude*" disabled={form.anyWindow} {...text("windowTitle")} />
          </label>
          <label class="check">
            <input
              type="checkbox"
              name="anyWindow"
              checked={form.anyWindow}
              onChange={(e) => set({ anyWindow: (e.target as HTMLInputElement).checked })}
            />
            Any window under the point (no window check)
          </label>
          <label>
            Minimum gap between deliveries, ms <span class="muted">(blank: the min_gap_ms setting)</span>
            <input name="minGap" inputMode="numeric" placeholder="20000" {...text("minGap")} />
          </label>
          <label>
            Control characters (escape sequences, bell…) in a message
            <select
              name="control"
              value={form.stripControl ? "strip" : "refuse"}
              onChange={(e) => set({ stripControl: (e.target as HTMLSelectElement).value === "strip" })}
            >
              <option value="refuse">refuse the message</option>
              <option value="strip">remove them, deliver the rest</option>
            </select>
          </label>
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} />
          Enabled (deliver to it)
        </label>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy} data-testid="save-agent">
          {agent ? "Save" : "Add agent"}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Which window deliveries go into now, and what saving the form will record. */
function WindowNote({ agent, form }: { agent: AgentView | null; form: AgentForm }) {
  const recorded = agent?.window.seen ?? null;
  const captured = form.captured && String(form.captured.x) === form.x.trim() && String(form.captured.y) === form.y.trim() ? form.captured : null;
  let note: string;
  if (form.anyWindow) note = "Deliveries go into whatever window is under the point.";
  else if (form.windowClass.trim() || form.windowTitle.trim()) note = "Deliveries go only into a window matching these patterns.";
  else if (captured?.window) note = `Captured window, recorded when you save: ${describeWindow(captured.window)}.`;
  else if (captured) note = "No window was under the pointer; the window found there at the first delivery will be recorded.";
  else if (recorded && agent && String(agent.x) === form.x.trim() && String(agent.y) === form.y.trim())
    note = `Recorded window: ${describeWindow(recorded)}, since ${formatTime(recorded.at)}. Deliveries go only into it.`;
  else note = "The window under the point is recorded when you save (or at the first delivery), and deliveries go only into it.";
  return (
    <p class="muted window-note" data-testid="window-note">
      {note}
    </p>
  );
}
