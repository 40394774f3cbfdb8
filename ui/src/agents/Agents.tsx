// The agents screen: the table, add/edit, enable/disable, capture and show the position, a
// test message, removal and import.

import { useState } from "preact/hooks";

import type { AgentView } from "../backend/types";
import { BackendError } from "../backend/errors";
import { href, navigate } from "../app/router";
import { useBackend } from "../shared/context";
import { formatTime, plural } from "../shared/format";
import { useAction, useLive } from "../shared/hooks";
import { describeInput } from "../shared/profiles";
import { Empty, ErrorBox, ScreenHeader, StateBadge } from "../shared/ui";
import { AgentEditor } from "./AgentEditor";
import { describeWindow, describeWindowRule } from "./agentForm";
import { ImportPanel } from "./ImportPanel";
import { CAPTURE_SECONDS, useCountdown } from "./countdown";

type Panel = { kind: "none" } | { kind: "add" } | { kind: "edit"; agent: AgentView } | { kind: "import" };

export function Agents({ params }: { params?: URLSearchParams }) {
  const backend = useBackend();
  const { data: agents, error } = useLive(() => backend.agents(), []);
  const [panel, setPanel] = useState<Panel>(() =>
    params?.get("add") ? { kind: "add" } : params?.get("import") ? { kind: "import" } : { kind: "none" },
  );
  const [removing, setRemoving] = useState<{ agent: AgentView; conflict: BackendError | null } | null>(null);
  const capture = useCountdown();
  const [capturing, setCapturing] = useState<string | null>(null);
  const { busy, act } = useAction();

  const startCapture = (name: string) => {
    setCapturing(name);
    capture.start(CAPTURE_SECONDS, async () => {
      await act(() => backend.capturePosition(name), {
        success: (a) =>
          `${a.name}'s input box is now at (${a.x}, ${a.y})` + (a.window.seen ? `, in ${describeWindow(a.window.seen)}` : ", with no window there"),
      });
      setCapturing(null);
    });
  };

  const remove = async (agent: AgentView, force: boolean) => {
    const result = await act(() => backend.removeAgent(agent.name, force), {
      inline: true,
      success: (r) => (r.cancelled ? `Removed ${r.name} and cancelled ${plural(r.cancelled, "waiting message")}` : `Removed ${r.name}`),
    });
    if (result.ok) setRemoving(null);
    else setRemoving({ agent, conflict: result.error });
  };

  const list = agents ?? [];
  return (
    <section>
      <ScreenHeader title="Agents">
        <button class="primary" data-testid="add-agent" onClick={() => setPanel({ kind: "add" })}>
          Add agent
        </button>
        <button onClick={() => setPanel({ kind: "import" })}>Import…</button>
      </ScreenHeader>
      <ErrorBox error={error} />
      {capturing && (
        <div class="overlay-note" role="status" data-testid="capture-countdown">
          Move the pointer over <strong>{capturing}</strong>'s input box: {capture.left}…
          <button onClick={() => (capture.cancel(), setCapturing(null))}>Cancel</button>
        </div>
      )}
      {(panel.kind === "add" || panel.kind === "edit") && (
        <AgentEditor
          agent={panel.kind === "edit" ? panel.agent : null}
          onDone={() => {
            setPanel({ kind: "none" });
            if (params?.get("add")) navigate(href("agents"));
          }}
        />
      )}
      {panel.kind === "import" && <ImportPanel onDone={() => setPanel({ kind: "none" })} />}
      {removing && (
        <div class="panel" role="dialog" aria-label={`Remove ${removing.agent.name}`}>
          <h3>Remove {removing.agent.name}?</h3>
          <p>Its delivered and failed messages stay in History.</p>
          <ErrorBox error={removing.conflict ?? undefined} />
          <div class="actions">
            {removing.conflict?.code === "CONFLICT" && removing.agent.queued > 0 ? (
              <button class="danger" disabled={busy} onClick={() => remove(removing.agent, true)}>
                Remove and cancel {plural(removing.agent.queued, "waiting message")}
              </button>
            ) : (
              <button class="danger" disabled={busy} onClick={() => remove(removing.agent, false)}>
                Remove
              </button>
            )}
            <button onClick={() => setRemoving(null)}>Keep it</button>
          </div>
        </div>
      )}
      {agents && list.length === 0 && panel.kind === "none" && (
        <Empty title="No agents yet">
          <p>
            An agent is a window that takes text: an IDE chat panel, a terminal running an AI agent. Switchboard clicks its input box and
            pastes or types the message. Add one by the position of its input box (Capture reads it from the pointer), or import the old
            system's <code>agents.json</code>.
          </p>
          <p>
            <button class="primary" onClick={() => setPanel({ kind: "add" })}>
              Add your first agent
            </button>
          </p>
        </Empty>
      )}
      {list.length > 0 && (
        <table class="table" data-testid="agents-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Team</th>
              <th>Role</th>
              <th>Enabled</th>
              <th>Position</th>
              <th>Input</th>
              <th>Window</th>
              <th>Last delivery</th>
              <th class="num">Queued</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((a) => {
              const input = describeInput(a.input);
              const window = describeWindowRule(a.window);
              return (
                <tr key={a.id} data-agent={a.name} class={a.enabled ? "" : "disabled"}>
                  <td class="strong name">{a.name}</td>
                  <td>{a.team ?? "—"}</td>
                  <td>{a.role ?? "—"}</td>
                  <td>
                    <label class="switch">
                      <input
                        type="checkbox"
                        checked={a.enabled}
                        aria-label={`${a.name} enabled`}
                        onChange={(e) => act(() => backend.setAgentEnabled(a.name, (e.target as HTMLInputElement).checked))}
                      />
                      {a.enabled ? "yes" : "no"}
                    </label>
                  </td>
                  <td class="mono">
                    {a.x}, {a.y}
                  </td>
                  <td title={input.detail}>{input.text}</td>
                  <td class="window" data-testid="agent-window" title={window.detail}>
                    {window.text}
                  </td>
                  <td>
                    {a.last ? (
                      <a href={href("history", a.last.message_id)}>
                        <StateBadge state={a.last.state} /> {formatTime(a.last.at)}
                      </a>
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                  <td class="num">{a.queued}</td>
                  <td class="row-actions">
                    <button onClick={() => setPanel({ kind: "edit", agent: a })}>Edit</button>
                    <button onClick={() => act(() => backend.showPosition(a.name))} title="Move the pointer to the input box">
                      Show
                    </button>
                    <button disabled={capturing !== null} onClick={() => startCapture(a.name)} title="Store where the pointer is after a countdown">
                      Capture
                    </button>
                    <button
                      disabled={!a.enabled}
                      onClick={() => act(() => backend.testAgent(a.name), { success: (m) => `Queued test message #${m.id} to ${a.name}` })}
                      title={a.enabled ? "Queue a short ping to this agent" : "Enable the agent to test it"}
                    >
                      Test
                    </button>
                    <button class="danger-text" onClick={() => setRemoving({ agent: a, conflict: null })}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
