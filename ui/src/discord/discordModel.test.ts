import { describe, expect, it } from "vitest";

import samples from "../backend/fixtures/samples.json";
import type { BotSettingsView, BotStatus } from "../backend/types";
import { botView } from "./botView";
import { checkForm, emptyLogForm, fieldOf, formatArguments, isDiscordId, splitIds, toEdit, toForm, toLogFilter } from "./discordModel";

const saved = samples.BotSettingsView[0] as BotSettingsView;

describe("the bot's settings form", () => {
  it("shows saved ids as text and never the token", () => {
    const form = toForm(saved);
    expect(form.token).toBe("");
    expect(form.guildId).toBe("123456789012345678");
    expect(form.operatorUsers).toBe("234567890123456789");
    expect(form.prefixCommands).toBe(true);
  });

  it("sends ids as typed and keeps the saved token unless a new one is pasted or it is cleared", () => {
    const form = { ...toForm(saved), operatorRoles: " 5,6 ", channels: "" };
    const edit = toEdit(form);
    expect(edit.token, "blank keeps the saved token").toBeNull();
    expect(edit.operator_roles).toEqual(["5", "6"]);
    expect(edit.channels).toEqual([]);
    expect(toEdit({ ...form, token: "a.b.c", clearToken: true })).toMatchObject({ token: null, clear_token: true });
    expect(toEdit({ ...form, guildId: "  ", apiBase: "" })).toMatchObject({ guild_id: null, api_base: null });
  });

  it("reads ids the way Discord writes them", () => {
    expect(splitIds("1, 2\n3  <@4>")).toEqual(["1", "2", "3", "<@4>"]);
    for (const ok of ["123456789012345678", "<@1>", "<@!1>", "<@&1>", "<#1>"]) expect(isDiscordId(ok), ok).toBe(true);
    for (const bad of ["0", "general", "12a", "<@>", "-5", "123456789012345678901"]) expect(isDiscordId(bad), bad).toBe(false);
  });

  it("finds every mistake, by field, in words that say what to do", () => {
    const errors = checkForm({ ...toForm(saved), token: "abc", guildId: "my server", viewerUsers: "1 two", apiBase: "discord.com" });
    expect(Object.keys(errors).sort()).toEqual(["apiBase", "guildId", "token", "viewerUsers"]);
    expect(errors.guildId).toContain("Copy ID");
    expect(errors.viewerUsers).toContain('"two"');
    expect(errors.apiBase).toContain("https://discord.com");
    expect(checkForm({ ...toForm(saved), token: "Bot a.b.c" }), "a Bot prefix is dropped by the backend").toEqual({});
    expect(checkForm({ ...toForm(saved), token: "abc", clearToken: true }), "a cleared token is not checked").toEqual({});
  });

  it("knows which field a backend error is about", () => {
    expect(fieldOf('Operator role ids: "x" is not a Discord id')).toBe("operatorRoles");
    expect(fieldOf("Server id: nope")).toBe("guildId");
    expect(fieldOf("the database is busy")).toBeNull();
  });
});

describe("the command log's filters", () => {
  it("sends only what was filled in, with To including its whole minute", () => {
    const r = toLogFilter({ ...emptyLogForm(), outcome: "failed", command: " /send ", from: "2026-01-01T10:00", to: "2026-01-01T10:05" }, 40);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ outcome: "failed", command: "/send", user: null, text: null, before_id: 40, limit: 50 });
    expect(r.value.until! - r.value.since!).toBe(6 * 60_000);
    expect(toLogFilter({ ...emptyLogForm(), from: "2026-01-02T00:00", to: "2026-01-01T00:00" }, null)).toEqual({ ok: false, error: "From must be before To" });
  });

  it("shows arguments on one line, quoting text with spaces", () => {
    expect(formatArguments({ agent: "Agent-1", message: "rebase please", priority: 2 })).toBe('agent=Agent-1 message="rebase please" priority=2');
    expect(formatArguments({})).toBe("");
    expect(formatArguments("raw text")).toBe("raw text");
  });
});

describe("the bot's state in words", () => {
  const all = samples.BotStatus as BotStatus[];

  it("has a label, an explanation and the right button for every state", () => {
    for (const status of all) {
      const v = botView(status);
      expect(v.label.length, status.connection.state).toBeGreaterThan(0);
      expect(v.explanation.length, status.connection.state).toBeGreaterThan(20);
      expect(v.running && v.canConnect, "never both Connect and Disconnect").toBe(false);
    }
    const byState = Object.fromEntries(all.map((s) => [s.connection.state, botView(s)]));
    expect(byState.connected!.running).toBe(true);
    expect(byState.reconnecting!.explanation).toContain("deliveries go on");
    expect(byState.wrong_token!.explanation).toContain("Reset Token");
    expect(byState.stopped!.canConnect).toBe(true);
    expect(byState.running_elsewhere!.label).toBe("Running in another process");
    expect(byState.running_elsewhere!.explanation).toContain("process 4242");
    expect(byState.running_elsewhere!.canConnect).toBe(true);
    expect(byState.disabled!.label).toBe("Off: no token");
    expect(byState.disabled!.canConnect).toBe(false);
  });

  it("says why a configured bot is off", () => {
    const v = botView({ connection: { state: "disabled", reason: "Discord refused the bot's intents" }, configured: true });
    expect(v.tone).toBe("error");
    expect(v.explanation).toContain("refused the bot's intents");
    expect(v.canConnect).toBe(true);
  });
});
