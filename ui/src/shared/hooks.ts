// Loading data without polling: load once, then again whenever the backend says the database
// changed (the `db-changed` event, sent for this app's changes and for other processes').

import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import { BackendError, errorTitle, toBackendError } from "../backend/errors";
import { useBackend, useNotify } from "./context";

export interface Loaded<T> {
  data: T | undefined;
  error: BackendError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * `load()` now, and again after every database change while `live` is true. Changes that
 * arrive while a load runs are folded into one more load after it, so a burst of writes
 * (a delivery records several phases) costs at most two queries. With `minGapMs`, reloads
 * start at least that far apart (for queries that read the whole table, like the
 * dashboard's counts): a change inside the gap is picked up when it ends.
 */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], live = true, minGapMs = 0): Loaded<T> {
  const backend = useBackend();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<BackendError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const running = useRef(false);
  const again = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const alive = useRef(true);
  const lastStart = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const run = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return;
    }
    running.current = true;
    setLoading(true);
    do {
      again.current = false;
      lastStart.current = Date.now();
      try {
        const value = await loadRef.current();
        if (alive.current) {
          setData(value);
          setError(undefined);
        }
      } catch (e) {
        if (alive.current) setError(toBackendError(e));
      }
    } while (again.current && alive.current);
    running.current = false;
    if (alive.current) setLoading(false);
  }, []);

  useEffect(() => {
    alive.current = true;
    void run();
    return () => {
      alive.current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    if (!live) return;
    const off = backend.onDbChanged(() => {
      const wait = lastStart.current + minGapMs - Date.now();
      if (wait <= 0) {
        void run();
      } else if (!pending.current) {
        pending.current = setTimeout(() => {
          pending.current = null;
          void run();
        }, wait);
      }
    });
    return () => {
      off();
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
    };
  }, [backend, live, run, minGapMs]);

  return { data, error, loading, reload: () => void run() };
}

/**
 * Run an operator's action: while it runs `busy` is true; a failure becomes a notification
 * (or is returned for an inline message when `inline` is set), success optionally says so.
 */
export function useAction() {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const act = useCallback(
    async <T,>(action: () => Promise<T>, options: { success?: (value: T) => string; inline?: boolean } = {}): Promise<{ ok: true; value: T } | { ok: false; error: BackendError }> => {
      setBusy(true);
      try {
        const value = await action();
        if (options.success) notify({ tone: "ok", title: "Done", message: options.success(value) });
        return { ok: true, value };
      } catch (e) {
        const error = toBackendError(e);
        if (!options.inline) notify({ tone: "error", title: errorTitle(error.code), message: error.message });
        return { ok: false, error };
      } finally {
        setBusy(false);
      }
    },
    [notify],
  );
  return { busy, act };
}

/** The current time, moving every `everyMs` (for "3 min ago" labels and countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
