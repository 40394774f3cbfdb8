// Adding or editing one agent. Errors from the core (empty or duplicate name, a chord it
// cannot read) appear in the form, next to what caused them.

import { useState } from "preact/hooks";

import type { AgentView, ClearMethod, InputMode, InputView } from "../backend/types";
import { BackendError } from "../backend/errors";
import { useBackend } from "../shared/context";
import { useAction } from "../shared/hooks";
import { PROFILES } from "../shared/profiles";
import { ErrorBox } from "../shared/ui";
import { type AgentForm, emptyForm, formFromAgent, toAgentInput } from "./agentForm";
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
      if (result.ok) set({ x: String(result.value.x), y: String(result.value.y) });
      else setError(result.error);
    });

  const text = (field: "name" | "team" | "role" | "x" | "y" | "maxAttempts") => ({
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
