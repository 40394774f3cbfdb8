// Errors from the backend as the operator reads them. The Rust side sends `{code, message}`
// (src-tauri/src/error.rs); the message already says what happened and what to do.

export class BackendError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

/** Whatever a call rejected with, as a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (typeof code === "string" && typeof message === "string") return new BackendError(code, message);
  }
  // Tauri's own failures (a command that does not exist, arguments that do not deserialize)
  // arrive as plain strings: a mismatch between this UI and the backend, not an operator error.
  const text = typeof e === "string" ? e : e instanceof Error ? e.message : JSON.stringify(e);
  return new BackendError("INTERNAL", `Switchboard's window and backend disagree (${text}). Please report this; the log file has details.`);
}

/** A short title for an error, for the notification's heading. */
export function errorTitle(code: string): string {
  switch (code) {
    case "INVALID":
      return "Check the input";
    case "CONFLICT":
      return "Not possible right now";
    case "NOT_FOUND":
      return "Not found";
    case "DATABASE_BUSY":
      return "The database is busy";
    case "DATABASE_UNAVAILABLE":
    case "DATABASE":
    case "DATABASE_SCHEMA":
      return "Database problem";
    case "DISPLAY_UNAVAILABLE":
    case "DISPLAY_BUSY":
    case "INPUT_FAILED":
      return "Display problem";
    default:
      return "Something went wrong";
  }
}
