// The status bar's words for the backend's status.

import type { Status } from "../backend/types";

export type Tone = "ok" | "busy" | "warn" | "error" | "idle";

export interface StatusView {
  tone: Tone;
  label: string;
  detail: string | null;
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;

export function statusView(status: Status): StatusView {
  const db = status.database;
  if (db.state === "opening") return { tone: "busy", label: "Opening the database…", detail: null };
  if (db.state === "unavailable") {
    return { tone: "error", label: "Database unavailable", detail: `${db.message}. Trying again every ${seconds(db.retry_in_ms)}.` };
  }
  const e = status.engine;
  switch (e.state) {
    case "starting":
      return { tone: "busy", label: "Starting the delivery engine…", detail: null };
    case "waiting_for_display":
      return {
        tone: "warn",
        label: "Waiting for the display",
        detail: `${e.reason}. Messages stay queued; trying again every ${seconds(e.retry_in_ms)}.`,
      };
    case "idle":
      return { tone: "ok", label: status.paused ? "Paused" : "Running", detail: status.paused ? null : "waiting for messages" };
    case "delivering":
      return { tone: "busy", label: `Delivering message #${e.message_id}`, detail: null };
    case "waiting_for_idle":
      return {
        tone: "busy",
        label: `Waiting for you to pause (message #${e.message_id})`,
        detail: "the mouse or keyboard is in use; the message is typed once they have been still for a moment",
      };
    case "paused":
      return { tone: "warn", label: "Paused", detail: `by ${e.by}: ${e.reason}` };
    case "failed":
      return { tone: "error", label: "Delivery engine stopped", detail: `${e.message}. Restarting in ${seconds(e.retry_in_ms)}.` };
    case "stopped":
      return { tone: "idle", label: "Stopped", detail: null };
  }
}
