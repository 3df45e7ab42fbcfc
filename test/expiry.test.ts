import { describe, expect, it } from "vitest";
import { daysUntil, isExpired } from "../components/core/expiry";

describe("daysUntil", () => {
  it("counts whole UTC days from now's date, negative when past", () => {
    const now = new Date("2026-11-28T23:59:59Z");
    expect(daysUntil("2026-11-30", now)).toBe(2);
    expect(daysUntil("2026-11-28", now)).toBe(0);
    expect(daysUntil("2026-11-27", now)).toBe(-1);
  });

  it("follows a Date changed in place (today's midnight is worked out per instant, not per object)", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    expect(daysUntil("2026-12-01", now)).toBe(3);
    now.setUTCDate(30);
    expect(daysUntil("2026-12-01", now)).toBe(1);
    expect(isExpired("2026-11-29", now)).toBe(true);
  });
});
