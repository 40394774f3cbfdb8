// Hash routes (#/agents, #/history/42, #/compose?reply=42): the app is one page served from
// the binary, so the hash is the whole address.

import { useEffect, useState } from "preact/hooks";

export const SCREENS = ["dashboard", "agents", "compose", "queue", "history", "dead-letters", "discord", "settings"] as const;
export type Screen = (typeof SCREENS)[number];

export interface Route {
  screen: Screen;
  /** A message id (#/history/42). */
  id: number | null;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const [first = "", second] = path.split("/");
  const screen = (SCREENS as readonly string[]).includes(first) ? (first as Screen) : "dashboard";
  const id = second !== undefined && /^\d+$/.test(second) ? Number(second) : null;
  return { screen, id, params: new URLSearchParams(query) };
}

export function href(screen: Screen, id?: number | null, params?: Record<string, string>): string {
  const query = params && Object.keys(params).length ? `?${new URLSearchParams(params).toString()}` : "";
  return `#/${screen}${id != null ? `/${id}` : ""}${query}`;
}

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
