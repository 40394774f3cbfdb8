import { describe, expect, it } from "vitest";

import { MockBackend } from "../backend/mock";
import { databaseHelp, formatValue, isChanged, settingTitle } from "./settingsModel";

describe("settings", () => {
  it("names settings by their words and unit", () => {
    expect(settingTitle("click_settle_ms")).toBe("Click settle (ms)");
    expect(settingTitle("max_message_chars")).toBe("Max message (characters)");
    expect(settingTitle("retry_jitter")).toBe("Retry jitter");
  });

  it("shows values as typed and marks changed ones", () => {
    expect(formatValue(0.2)).toBe("0.2");
    expect(formatValue("x")).toBe("x");
    expect(isChanged({ key: "a", value: 3, default: 5, help: "" })).toBe(true);
    expect(isChanged({ key: "a", value: 5, default: 5, help: "" })).toBe(false);
  });

  it("says how to change the database whatever chose it", async () => {
    const info = await new MockBackend().appInfo();
    for (const source of ["flag", "env", "default"] as const) {
      const help = databaseHelp({ ...info, database_source: source });
      expect(help).toContain("--db PATH");
      expect(help).toContain("SWITCHBOARD_DB");
    }
  });
});
