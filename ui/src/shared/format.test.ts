import { describe, expect, it } from "vitest";
import { formatCount, formatTime } from "./format";

describe("formatCount", () => {
  it("groups whole numbers by thousands", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1000)).toBe("1,000");
    expect(formatCount(20_000)).toBe("20,000");
    expect(formatCount(1_234_567)).toBe("1,234,567");
    expect(formatCount(-45_000)).toBe("-45,000");
  });

  it("writes anything that is not a whole number as JavaScript does", () => {
    expect(formatCount(1.5)).toBe("1.5");
    expect(formatCount(Number.NaN)).toBe("NaN");
  });
});

describe("formatTime", () => {
  const now = new Date(2026, 10, 22, 15, 0, 0).getTime();

  it("shows the time alone today, the month's name this year, the full date before", () => {
    expect(formatTime(new Date(2026, 10, 22, 9, 5, 7).getTime(), now)).toBe("09:05:07");
    expect(formatTime(new Date(2026, 2, 4, 14, 3).getTime(), now)).toBe("Mar 4 14:03");
    expect(formatTime(new Date(2026, 0, 31, 8, 0).getTime(), now)).toBe("Jan 31 08:00");
    expect(formatTime(new Date(2025, 11, 24, 23, 59).getTime(), now)).toBe("2025-12-24 23:59");
  });
});
