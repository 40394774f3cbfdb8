// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";

import { MockBackend } from "../backend/mock";
import { mount, settle, type Mounted } from "../testing/render";
import { Discord } from "./Discord";

let view: Mounted | undefined;
afterEach(() => view?.unmount());

const TOKEN = "MTAwMQ.c3RhbmQ.stand-in-token-for-tests-only";

function choose(v: Mounted, selector: string, value: string) {
  act(() => {
    const el = v.one(selector) as HTMLSelectElement;
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

async function open(backend: MockBackend): Promise<Mounted> {
  return mount(<Discord params={new URLSearchParams()} />, backend);
}

describe("discord screen", () => {
  it("explains what to do first when no token is set", async () => {
    view = await open(new MockBackend());
    expect(view.one('[data-testid="bot-state"]').textContent).toBe("Off: no token");
    expect(view.one('[data-testid="bot-explanation"]').textContent).toContain("Developer Portal");
    expect((view.one('[data-testid="bot-connect"]') as HTMLButtonElement).disabled).toBe(true);
    expect(view.text()).toContain("No commands yet");
    expect(view.text()).toContain("Set the token and allow someone");
  });

  it("saves a pasted token with the allow-lists, then follows the bot's state as it connects and disconnects", async () => {
    const backend = new MockBackend();
    view = await open(backend);
    view.type('input[name="token"]', `  ${TOKEN}\n`);
    view.type('input[name="guildId"]', "42");
    view.type('input[name="operatorUsers"]', "1001, <@1002> 1001");
    view.type('input[name="viewerRoles"]', "300");
    view.click('[data-testid="save-bot-settings"]');
    await settle();
    expect(backend.callsOf("saveBotSettings")[0]![0]).toMatchObject({
      token: TOKEN,
      clear_token: false,
      guild_id: "42",
      operator_users: ["1001", "<@1002>", "1001"],
      viewer_roles: ["300"],
      prefix_commands: false,
    });
    expect(view.one('[data-testid="bot-settings-applied"]').textContent).toBe("Saved. The bot was started.");
    expect(view.one('[data-testid="bot-state"]').textContent).toContain("Connecting");
    const token = view.one('input[name="token"]') as HTMLInputElement;
    expect(token.value, "the token never stays in the form").toBe("");
    expect(token.type).toBe("password");
    expect(view.text()).toContain("****only");
    expect(view.text(), "the token is never shown in full").not.toContain(TOKEN);
    expect(view.text(), "two operators are allowed").not.toContain("Nobody may use the bot yet");

    act(() => backend.setBot({ connection: { state: "connected", user: "switchboard-bot" } }));
    expect(view.one('[data-testid="bot-state"]').textContent).toBe("Connected as switchboard-bot");
    view.click('[data-testid="bot-disconnect"]');
    await settle();
    expect(backend.callsOf("stopBot")).toHaveLength(1);
    expect(view.one('[data-testid="bot-state"]').textContent).toBe("Disconnected");
    view.click('[data-testid="bot-connect"]');
    await settle();
    expect(backend.callsOf("startBot")).toHaveLength(1);
    expect(view.one('[data-testid="bot-state"]').textContent).toContain("Connecting");
  });

  it("shows each mistake beside its field without saving", async () => {
    const backend = new MockBackend();
    view = await open(backend);
    view.type('input[name="token"]', "not a token");
    view.type('input[name="channels"]', "77 general");
    view.click('[data-testid="save-bot-settings"]');
    await settle();
    expect(backend.callsOf("saveBotSettings")).toHaveLength(0);
    expect(view.one('[data-field-error="token"]').textContent).toContain("Reset Token");
    expect(view.one('[data-field-error="channels"]').textContent).toContain('"general" is not a Discord id');
    expect(view.one('[data-field-error="channels"]').textContent).toContain("Copy ID");
  });

  it("puts the backend's error about a field beside that field", async () => {
    const backend = new MockBackend();
    view = await open(backend);
    // Passes the form's own check (a mention's shape) but the backend still refuses it.
    view.type('input[name="notifyChannel"]', "<#0>");
    view.click('[data-testid="save-bot-settings"]');
    await settle();
    expect(view.one('[data-field-error="notifyChannel"]').textContent).toContain("is not a Discord id");
  });

  it("explains a wrong token and warns when nobody is allowed", async () => {
    const backend = new MockBackend();
    backend.botConfig.token = "****ABCD (72 characters)";
    backend.bot = { connection: { state: "wrong_token", message: "Discord refused the bot token" }, configured: true };
    view = await open(backend);
    expect(view.one('[data-testid="bot-state"]').textContent).toBe("Wrong token");
    expect(view.one('[data-testid="bot-explanation"]').textContent).toContain("Reset Token");
    expect(view.one('[data-testid="nobody-allowed"]').textContent).toContain("operator or viewer user ids");
    expect((view.one('[data-testid="bot-connect"]') as HTMLButtonElement).disabled).toBe(false);
  });

  it("lists commands with their outcome and queued messages, and shows new ones as they are logged", async () => {
    const backend = new MockBackend();
    backend.logCommand({ command: "send", arguments: { agent: "Agent-1", message: "rebase please" }, reply: "queued #12 for Agent-1", message_ids: [12] });
    view = await open(backend);
    const row = view.one('[data-command="1"]');
    expect(row.textContent).toContain("/send");
    expect(row.textContent).toContain('agent=Agent-1 message="rebase please"');
    expect(row.textContent).toContain("succeeded");
    expect(row.querySelector("a")!.getAttribute("href")).toBe("#/history/12");

    act(() => {
      backend.logCommand({ user_name: "mallory", user_id: "2002", command: "stop", outcome: "refused", reply: "", error: "you may not use /stop" });
    });
    await settle();
    expect(view.all("[data-command]")).toHaveLength(2);
    expect(view.one('[data-command="2"]').textContent).toContain("you may not use /stop");

    choose(view, 'select[name="outcome"]', "refused");
    view.clickButton("Search");
    await settle();
    expect(backend.callsOf("discordCommands").at(-1)![0]).toMatchObject({ outcome: "refused", before_id: null });
    expect(view.all("[data-command]").map((r) => r.dataset.command)).toEqual(["2"]);

    view.type('input[name="user"]', "alice");
    view.clickButton("Search");
    await settle();
    expect(view.text()).toContain("No command matches");
    view.clickButton("Clear");
    await settle();
    expect(view.all("[data-command]")).toHaveLength(2);
  });

  it("filters the log by a date range and says when From is not before To", async () => {
    const backend = new MockBackend();
    backend.logCommand();
    view = await open(backend);
    view.type('input[name="from"]', "2026-03-04T10:00");
    view.type('input[name="to"]', "2026-03-04T10:05");
    view.clickButton("Search");
    await settle();
    expect(backend.callsOf("discordCommands").at(-1)![0]).toMatchObject({
      since: new Date("2026-03-04T10:00").getTime(),
      until: new Date("2026-03-04T10:06").getTime(),
    });
    expect(view.text()).toContain("No command matches");
    view.type('input[name="from"]', "2026-03-04T10:06");
    view.clickButton("Search");
    await settle();
    expect(view.text()).toContain("From must be before To");
    view.clickButton("Clear");
    await settle();
    expect((view.one('input[name="from"]') as HTMLInputElement).value).toBe("");
    expect(view.all("[data-command]")).toHaveLength(1);
  });

  it("pages through a long log, older and newer", async () => {
    const backend = new MockBackend();
    for (let i = 0; i < 60; i++) backend.logCommand();
    view = await open(backend);
    expect(view.all("[data-command]")).toHaveLength(50);
    expect(view.one('[data-command="60"]')).toBeTruthy();
    view.clickButton("Older");
    await settle();
    expect(view.all("[data-command]").map((r) => Number(r.dataset.command))).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(view.text()).toContain("page 2");
    view.clickButton("Newer");
    await settle();
    expect(view.all("[data-command]")).toHaveLength(50);
  });
});
