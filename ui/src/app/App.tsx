// The window: navigation, the status bar, the current screen and notifications.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import type { Backend } from "../backend/backend";
import type { Message, Status } from "../backend/types";
import { Agents } from "../agents/Agents";
import { Compose } from "../compose/Compose";
import { Dashboard } from "../dashboard/Dashboard";
import { DeadLetters } from "../deadletters/DeadLetters";
import { Discord } from "../discord/Discord";
import { History } from "../history/History";
import { Queue } from "../queue/Queue";
import { Settings } from "../settings/Settings";
import { BackendContext, type Note, type Notify, NotifyContext } from "../shared/context";
import { Notes } from "./Notes";
import { type Screen, href, useRoute } from "./router";
import { StatusBar } from "./StatusBar";

const NAV: { screen: Screen; label: string }[] = [
  { screen: "dashboard", label: "Dashboard" },
  { screen: "agents", label: "Agents" },
  { screen: "compose", label: "Compose" },
  { screen: "queue", label: "Queue" },
  { screen: "history", label: "History" },
  { screen: "dead-letters", label: "Dead letters" },
  { screen: "discord", label: "Discord" },
  { screen: "settings", label: "Settings" },
];

/** How long a confirmation stays on screen. */
const OK_NOTE_MS = 4000;

export function App({ backend }: { backend: Backend }) {
  const route = useRoute();
  const [status, setStatus] = useState<Status | undefined>(undefined);
  const [queue, setQueue] = useState<Message[] | undefined>(undefined);
  const [notes, setNotes] = useState<Note[]>([]);
  const nextNote = useRef(1);
  const announced = useRef(false);

  const dismiss = useCallback((id: number) => setNotes((ns) => ns.filter((n) => n.id !== id)), []);
  const notify: Notify = useCallback(
    (note) => {
      const id = nextNote.current++;
      setNotes((ns) => [...ns.slice(-4), { ...note, id }]);
      if (note.tone === "ok") setTimeout(() => dismiss(id), OK_NOTE_MS);
    },
    [dismiss],
  );

  useEffect(() => {
    const offStatus = backend.onStatus(setStatus);
    const offQueue = backend.onQueue(setQueue);
    backend.status().then(setStatus, () => {});
    backend.queue().then(setQueue, () => {});
    return () => {
      offStatus();
      offQueue();
    };
  }, [backend]);

  // Once the first screen has painted with the status known, tell the backend (start-up time).
  useEffect(() => {
    if (!status || announced.current) return;
    announced.current = true;
    requestAnimationFrame(() => setTimeout(() => void backend.uiReady().catch(() => {}), 0));
  }, [status, backend]);

  const waiting = queue?.length ?? 0;
  return (
    <BackendContext.Provider value={backend}>
      <NotifyContext.Provider value={notify}>
        <div class="shell">
          <nav class="sidebar">
            <h1>
              {/* A PNG: an SVG image costs the web view a document of its own (about 2 MB resident). */}
              <img src="./icon.png" alt="" width="22" height="22" /> Switchboard
            </h1>
            {NAV.map((n) => (
              <a key={n.screen} href={href(n.screen)} class={route.screen === n.screen ? "active" : ""} data-nav={n.screen}>
                {n.label}
                {n.screen === "queue" && waiting > 0 && <span class="count">{waiting}</span>}
              </a>
            ))}
          </nav>
          <div class="main">
            <StatusBar status={status} />
            <main class="screen">
              {route.screen === "dashboard" && <Dashboard status={status} />}
              {route.screen === "agents" && <Agents params={route.params} />}
              {route.screen === "compose" && <Compose params={route.params} />}
              {route.screen === "queue" && <Queue live={queue} paused={status?.paused != null} />}
              {route.screen === "history" && <History detailId={route.id} params={route.params} />}
              {route.screen === "dead-letters" && <DeadLetters />}
              {route.screen === "discord" && <Discord params={route.params} />}
              {route.screen === "settings" && <Settings />}
            </main>
          </div>
          <Notes notes={notes} dismiss={dismiss} />
        </div>
      </NotifyContext.Provider>
    </BackendContext.Provider>
  );
}
