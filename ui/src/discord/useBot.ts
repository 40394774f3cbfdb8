// The bot's status, loaded once and then followed through the backend's `bot` events.

import { useEffect, useState } from "preact/hooks";

import type { BotStatus } from "../backend/types";
import { type BackendError, toBackendError } from "../backend/errors";
import { useBackend } from "../shared/context";

export function useBot(): { status: BotStatus | undefined; error: BackendError | undefined; set: (s: BotStatus) => void } {
  const backend = useBackend();
  const [status, setStatus] = useState<BotStatus | undefined>(undefined);
  const [error, setError] = useState<BackendError | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    // Subscribed first, so a change between the load and the subscription is not missed.
    const off = backend.onBot((s) => {
      if (alive) setStatus(s);
    });
    backend.botStatus().then(
      (s) => alive && setStatus((current) => current ?? s),
      (e: unknown) => alive && setError(toBackendError(e)),
    );
    return () => {
      alive = false;
      off();
    };
  }, [backend]);
  return { status, error, set: setStatus };
}
