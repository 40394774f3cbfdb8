// What every screen can reach: the backend and the notification area.

import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { Backend } from "../backend/backend";

export const BackendContext = createContext<Backend | null>(null);

export function useBackend(): Backend {
  const backend = useContext(BackendContext);
  if (!backend) throw new Error("useBackend outside <BackendContext.Provider>");
  return backend;
}

export interface Note {
  id: number;
  tone: "error" | "ok";
  title: string;
  message: string;
}

export type Notify = (note: Omit<Note, "id">) => void;

export const NotifyContext = createContext<Notify>(() => {});

export function useNotify(): Notify {
  return useContext(NotifyContext);
}
