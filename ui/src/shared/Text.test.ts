import { describe, expect, it } from "vitest";

import { splitCode } from "./Text";

describe("splitCode", () => {
  it("marks backticked commands as code", () => {
    expect(splitCode("change it with `switchboard agent edit A` now")).toEqual([
      { code: false, text: "change it with " },
      { code: true, text: "switchboard agent edit A" },
      { code: false, text: " now" },
    ]);
  });

  it("leaves text with an unpaired backtick alone", () => {
    expect(splitCode("it's a ` here")).toEqual([{ code: false, text: "it's a ` here" }]);
  });
});
