// On every screen: what the engine is doing, the display, pause/resume and the emergency stop.

import type { Status } from "../backend/types";
import { useAction } from "../shared/hooks";
import { useBackend } from "../shared/context";
import { formatTime } from "../shared/format";
import { Text } from "../shared/Text";
import { statusView } from "./statusView";

export function StatusBar({ status }: { status: Status | undefined }) {
  const backend = useBackend();
  const { busy, act } = useAction();
  if (!status) return <div class="status-bar" />;
  const view = statusView(status);
  const paused = status.paused;
  const ready = status.database.state === "ready";
  return (
    <div class="status-bar">
      <div class={`pill tone-${view.tone}`} data-testid="engine-state" title={view.detail ?? ""}>
        <span class="dot" />
        {view.label}
      </div>
      {view.detail && (
        <span class="status-detail" title={view.detail}>
          <Text value={view.detail} />
        </span>
      )}
      <span class="spacer" />
      {status.display && <span class="display" title="The display messages are typed on">{status.display}</span>}
      {paused ? (
        <button class="primary" disabled={busy || !ready} onClick={() => act(() => backend.resume(), { success: () => "Delivery resumed" })}>
          Resume delivery
        </button>
      ) : (
        <>
          <button disabled={busy || !ready} onClick={() => act(() => backend.pause("paused from the desktop app"))} title="Finish nothing new; a delivery in progress stops before its next step">
            Pause
          </button>
          <button
            class="danger"
            data-testid="emergency-stop"
            disabled={busy || !ready}
            onClick={() => act(() => backend.pause("emergency stop"))}
            title="Stop all delivery on this database now: the engine stops before its next step and never presses Enter"
          >
            Emergency stop
          </button>
        </>
      )}
      {paused && (
        <div class="pause-banner" role="status">
          Delivery is paused by <strong>{paused.by}</strong> since {formatTime(paused.at)}: {paused.reason}. Messages wait in the queue until you resume.
        </div>
      )}
    </div>
  );
}
