// Small presentational pieces shared by the screens.

import type { ComponentChildren } from "preact";

import type { MessageState } from "../backend/types";
import type { BackendError } from "../backend/errors";
import { errorTitle } from "../backend/errors";
import { stateLabel } from "./format";
import { Text } from "./Text";

export function StateBadge({ state }: { state: MessageState }) {
  return <span class={`badge state-${state}`}>{stateLabel(state)}</span>;
}

/** An empty screen that says what to do first. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty" role="status">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** An error shown where it happened (forms, failed loads). */
export function ErrorBox({ error, children }: { error: BackendError | undefined; children?: ComponentChildren }) {
  if (!error) return null;
  return (
    <div class="error-box" role="alert" data-code={error.code}>
      <strong>{errorTitle(error.code)}:</strong> <Text value={error.message} />
      {children}
    </div>
  );
}

export function ScreenHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="screen-header">
      <h2>{title}</h2>
      <div class="toolbar">{children}</div>
    </header>
  );
}
