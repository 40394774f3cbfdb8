// The Rust side serializes a sample of every type (src-tauri/src/fixtures.rs) into
// fixtures/samples.json; every sample must fit the UI's schema of the same name, strictly.

import { describe, expect, it } from "vitest";

import samples from "./fixtures/samples.json";
import { SCHEMAS } from "./types";

const byName = samples as Record<string, unknown[]>;

describe("the backend's JSON fits the UI's types", () => {
  it("has a schema for every Rust sample and a sample for every schema", () => {
    expect(Object.keys(byName).sort()).toEqual(Object.keys(SCHEMAS).sort());
  });

  for (const [name, values] of Object.entries(byName)) {
    it(`accepts every ${name}`, () => {
      const schema = SCHEMAS[name as keyof typeof SCHEMAS];
      expect(values.length, `${name} needs at least one sample`).toBeGreaterThan(0);
      for (const [i, v] of values.entries()) expect(schema.check(v, `${name}[${i}]`)).toBeNull();
    });
  }
});

describe("the schemas are strict", () => {
  const message = byName.Message![0] as Record<string, unknown>;

  it("rejects a field the UI does not know", () => {
    expect(SCHEMAS.Message.check({ ...message, new_field: 1 }, "m")).toBe("m.new_field: not in the UI's type");
  });

  it("rejects a missing field and a wrong enum value", () => {
    const { body: _, ...noBody } = message;
    expect(SCHEMAS.Message.check(noBody, "m")).toBe("m.body: missing");
    expect(SCHEMAS.Message.check({ ...message, state: "lost" }, "m")).toContain("m.state: expected one of");
  });

  it("checks tagged unions by their tag", () => {
    expect(SCHEMAS.EngineStatus.check({ state: "delivering" }, "e")).toBe("e<delivering>.message_id: missing");
    expect(SCHEMAS.EngineStatus.check({ state: "dancing" }, "e")).toContain("e.state: expected one of");
  });
});
