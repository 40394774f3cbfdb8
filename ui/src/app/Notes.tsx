// The notification area: errors stay until dismissed (they say what to do); confirmations
// fade after a few seconds.

import type { Note } from "../shared/context";
import { Text } from "../shared/Text";

export function Notes({ notes, dismiss }: { notes: Note[]; dismiss: (id: number) => void }) {
  return (
    <div class="notes" aria-live="polite">
      {notes.map((n) => (
        <div key={n.id} class={`note note-${n.tone}`} role={n.tone === "error" ? "alert" : "status"}>
          <div>
            <strong>{n.title}</strong>
            <p>
              <Text value={n.message} />
            </p>
          </div>
          <button class="ghost" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
