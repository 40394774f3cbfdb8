// @vitest-environment happy-dom
// The Tauri backend sends each call as the command and argument names the Rust side takes.
// Every call is recorded into fixtures/commands.json, which the Rust test
// `every_ui_call_reaches_its_command` (src-tauri/tests/commands.rs) replays against the real
// command handler: a renamed command or argument fails one side or the other.

import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import type { Backend } from "./backend";
import { BackendError } from "./errors";
import { tauriBackend } from "./tauri";
import samples from "./fixtures/samples.json";
import type { AgentInput, BotSettingsEdit, Compose, DiscordCommandFilter, HistoryFilter } from "./types";

// Tests run from ui/ (npm test); happy-dom gives import.meta.url an http: scheme.
const FIXTURE = resolve(process.cwd(), "src/backend/fixtures/commands.json");
const agentInput = samples.AgentInput[0] as AgentInput;
const compose = samples.Compose[1] as Compose;
const filter = samples.HistoryFilter[1] as HistoryFilter;
const botEdit = samples.BotSettingsEdit[0] as BotSettingsEdit;
const discordFilter = samples.DiscordCommandFilter[1] as DiscordCommandFilter;

/** One call of every Backend method, with arguments the Rust side can deserialize. */
const CALLS: { [K in keyof Backend]?: (b: Backend) => Promise<unknown> } = {
  appInfo: (b) => b.appInfo(),
  status: (b) => b.status(),
  dashboard: (b) => b.dashboard(),
  botStatus: (b) => b.botStatus(),
  uiReady: (b) => b.uiReady(),
  agents: (b) => b.agents(),
  addAgent: (b) => b.addAgent(agentInput),
  editAgent: (b) => b.editAgent("Agent-2", { ...agentInput, name: "Agent-3" }),
  setAgentEnabled: (b) => b.setAgentEnabled("Agent-3", true),
  removeAgent: (b) => b.removeAgent("Agent-3", true),
  testAgent: (b) => b.testAgent("Agent-1"),
  importAgents: (b) => b.importAgents('{"agents": {"Agent-9": {"chat_input_coordinates": [1, 2]}}}'),
  pointerPosition: (b) => b.pointerPosition(),
  capturePosition: (b) => b.capturePosition("Agent-1"),
  showPosition: (b) => b.showPosition("Agent-1"),
  send: (b) => b.send(compose),
  queue: (b) => b.queue(),
  retry: (b) => b.retry([1, 2]),
  cancel: (b) => b.cancel([3]),
  setPriority: (b) => b.setPriority(1, "urgent"),
  history: (b) => b.history(filter),
  messageDetail: (b) => b.messageDetail(1),
  settings: (b) => b.settings(),
  setSetting: (b) => b.setSetting("max_attempts", "4"),
  pause: (b) => b.pause("emergency stop"),
  resume: (b) => b.resume(),
  startBot: (b) => b.startBot(),
  stopBot: (b) => b.stopBot(),
  botSettings: (b) => b.botSettings(),
  // No token: the replay must not start a bot that would try to reach Discord.
  saveBotSettings: (b) => b.saveBotSettings({ ...botEdit, token: null }),
  discordCommands: (b) => b.discordCommands(discordFilter),
};
const EVENTS = ["onStatus", "onDbChanged", "onQueue", "onBot"] as const;

afterEach(() => clearMocks());

describe("tauri backend", () => {
  it("calls every command with the argument names the Rust side takes", async () => {
    const seen: { command: string; args: unknown }[] = [];
    mockIPC((command, args) => {
      seen.push({ command, args: args ?? {} });
      return null;
    });
    const backend = tauriBackend();
    const methods = Object.keys(backend).filter((k) => !(EVENTS as readonly string[]).includes(k));
    expect(methods.sort()).toEqual(Object.keys(CALLS).sort());
    for (const call of Object.values(CALLS)) await call(backend);

    const text = `${JSON.stringify(seen, null, 2)}\n`;
    if (process.env.UPDATE_FIXTURES) writeFileSync(FIXTURE, text);
    expect(text, "fixtures/commands.json is stale: run `UPDATE_FIXTURES=1 npm test` and then the Rust tests").toBe(
      readFileSync(FIXTURE, "utf8"),
    );
  });

  it("turns the backend's {code, message} into a BackendError", async () => {
    mockIPC(() => {
      throw { code: "CONFLICT", message: 'an agent named "A" already exists' };
    });
    const error = await tauriBackend()
      .addAgent(agentInput)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "CONFLICT", message: 'an agent named "A" already exists' });
  });

  it("reports a command the backend does not know as a mismatch, not an operator error", async () => {
    mockIPC(() => {
      throw "command nope not found";
    });
    const error = await tauriBackend()
      .queue()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INTERNAL", message: expect.stringContaining("command nope not found") });
  });

  it("delivers events to listeners until they unsubscribe", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const backend = tauriBackend();
    const got: unknown[] = [];
    const off = backend.onDbChanged((c) => got.push(c));
    await new Promise((r) => setTimeout(r, 0));
    await emit("db-changed", { version: 1 });
    off();
    await emit("db-changed", { version: 2 });
    expect(got).toEqual([{ version: 1 }]);
  });
});
