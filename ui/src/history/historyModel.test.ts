import { describe, expect, it } from "vitest";

import { MockBackend } from "../backend/mock";
import { defaultInput } from "../shared/profiles";
import { Pager } from "../shared/pager";
import { emptyHistoryForm, toFilter } from "./historyModel";
import { DEFAULT_SAFETY } from "../agents/agentForm";

describe("history filter", () => {
  it("sends blanks as no filter", () => {
    expect(toFilter(emptyHistoryForm(), null)).toEqual({
      ok: true,
      value: { agent: null, state: null, text: null, since: null, until: null, before_id: null, limit: 50 },
    });
  });

  it("makes the To minute inclusive and refuses an empty range", () => {
    const f = toFilter({ ...emptyHistoryForm(), from: "2026-03-04T10:00", to: "2026-03-04T10:05" }, 99);
    expect(f.ok).toBe(true);
    if (f.ok) {
      expect(f.value.until! - f.value.since!).toBe(6 * 60_000);
      expect(f.value.before_id).toBe(99);
    }
    expect(toFilter({ ...emptyHistoryForm(), from: "2026-03-04T10:06", to: "2026-03-04T10:05" }, null)).toMatchObject({
      ok: false,
      error: "From must be before To",
    });
  });
});

describe("paging through the mock backend", () => {
  it("visits every message once, newest first, and Previous returns to the same page", async () => {
    const backend = new MockBackend();
    await backend.addAgent({ name: "A", team: null, role: null, enabled: true, x: 1, y: 1, input: defaultInput(), max_attempts: null, ...DEFAULT_SAFETY });
    for (let i = 0; i < 7; i++) await backend.send({ to: { kind: "agents", names: ["A"] }, sender: "op", body: `m${i}`, priority: "normal", tags: [], reply_to: null });
    const pager = new Pager();
    const seen: string[] = [];
    const pages: string[][] = [];
    for (;;) {
      const filter = toFilter(emptyHistoryForm(), pager.before, 3);
      if (!filter.ok) throw new Error(filter.error);
      const page = await backend.history(filter.value);
      pages.push(page.messages.map((m) => m.body));
      seen.push(...page.messages.map((m) => m.body));
      if (page.next_before === null) break;
      pager.next(page.next_before);
    }
    expect(seen).toEqual(["m6", "m5", "m4", "m3", "m2", "m1", "m0"]);
    expect(pager.page).toBe(3);
    pager.previous();
    const again = toFilter(emptyHistoryForm(), pager.before, 3);
    if (!again.ok) throw new Error(again.error);
    expect((await backend.history(again.value)).messages.map((m) => m.body)).toEqual(pages[1]);
  });
});
