// Importing agents from the replaced system's file: pick the file or paste its JSON.

import { useState } from "preact/hooks";

import type { ImportReport } from "../backend/types";
import { BackendError } from "../backend/errors";
import { useBackend } from "../shared/context";
import { useAction } from "../shared/hooks";
import { ErrorBox } from "../shared/ui";
import { summarizeImport } from "./agentForm";

const EXAMPLE = `{"agents": {"Agent-1": {"chat_input_coordinates": [812, 944]}}}`;

export function ImportPanel({ onDone }: { onDone: () => void }) {
  const backend = useBackend();
  const [json, setJson] = useState("");
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<BackendError | undefined>(undefined);
  const { busy, act } = useAction();

  const readFile = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) setJson(await file.text());
  };

  const run = async () => {
    const result = await act(() => backend.importAgents(json), { inline: true, success: summarizeImport });
    if (result.ok) {
      setReport(result.value);
      setError(undefined);
    } else {
      setError(result.error);
    }
  };

  return (
    <div class="panel" role="dialog" aria-label="Import agents">
      <h3>Import agents</h3>
      <p>
        From the replaced system's agents file, for example <code>{EXAMPLE}</code>. Agents that already exist are left as they are; new
        ones get the IDE chat panel keys (change them with Edit).
      </p>
      <label>
        File <input type="file" accept=".json,application/json" onChange={readFile} />
      </label>
      <label>
        or paste the JSON
        <textarea rows={6} value={json} onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)} placeholder={EXAMPLE} />
      </label>
      <ErrorBox error={error} />
      {report && (
        <div class="import-report" role="status">
          <p class="strong">{summarizeImport(report)}</p>
          {report.created.length > 0 && <p>Created: {report.created.join(", ")}</p>}
          {report.skipped.length > 0 && (
            <ul>
              {report.skipped.map((i) => (
                <li key={i.name}>
                  Skipped {i.name}: {i.reason}
                </li>
              ))}
            </ul>
          )}
          {report.invalid.length > 0 && (
            <ul class="tone-error">
              {report.invalid.map((i) => (
                <li key={i.name}>
                  Invalid {i.name}: {i.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div class="actions">
        <button class="primary" disabled={busy || json.trim() === ""} onClick={run}>
          Import
        </button>
        <button onClick={onDone}>{report ? "Close" : "Cancel"}</button>
      </div>
    </div>
  );
}
