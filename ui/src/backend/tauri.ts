// The Backend over Tauri's IPC. Every command and event name lives here and nowhere else.

import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { Backend, Unsubscribe } from "./backend";
import { toBackendError } from "./errors";

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

function on<T>(event: string, listener: (payload: T) => void): Unsubscribe {
  // listen() resolves asynchronously; an unsubscribe that comes first must still take effect.
  let unlisten: (() => void) | undefined;
  let stopped = false;
  listen<T>(event, (e) => listener(e.payload)).then(
    (f) => (stopped ? f() : (unlisten = f)),
    (e: unknown) => console.error(`cannot listen to ${event}`, e),
  );
  return () => {
    stopped = true;
    unlisten?.();
  };
}

export function tauriBackend(): Backend {
  return {
    appInfo: () => call("app_info"),
    status: () => call("status"),
    dashboard: () => call("dashboard"),
    botStatus: () => call("bot_status"),
    uiReady: () => call("ui_ready"),
    agents: () => call("agents"),
    addAgent: (agent) => call("add_agent", { agent }),
    editAgent: (name, agent) => call("edit_agent", { name, agent }),
    setAgentEnabled: (name, enabled) => call("set_agent_enabled", { name, enabled }),
    removeAgent: (name, force) => call("remove_agent", { name, force }),
    testAgent: (name) => call("test_agent", { name }),
    importAgents: (json) => call("import_agents", { json }),
    pointerPosition: () => call("pointer_position"),
    capturePosition: (name) => call("capture_position", { name }),
    showPosition: (name) => call("show_position", { name }),
    send: (message) => call("send", { message }),
    queue: () => call("queue"),
    retry: (ids) => call("retry", { ids }),
    cancel: (ids) => call("cancel", { ids }),
    setPriority: (id, priority) => call("set_priority", { id, priority }),
    history: (filter) => call("history", { filter }),
    messageDetail: (id) => call("message_detail", { id }),
    settings: () => call("settings"),
    setSetting: (key, value) => call("set_setting", { key, value }),
    pause: (reason) => call("pause", { reason }),
    resume: () => call("resume"),
    startBot: () => call("start_bot"),
    stopBot: () => call("stop_bot"),
    botSettings: () => call("bot_settings"),
    saveBotSettings: (edit) => call("save_bot_settings", { edit }),
    discordCommands: (filter) => call("discord_commands", { filter }),
    onStatus: (listener) => on("status", listener),
    onDbChanged: (listener) => on("db-changed", listener),
    onQueue: (listener) => on("queue", listener),
    onBot: (listener) => on("bot", listener),
  };
}
