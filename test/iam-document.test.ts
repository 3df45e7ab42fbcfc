import { describe, expect, it } from "vitest";
import { sid } from "../components/core/iam-document";

describe("sid", () => {
  it("keeps each run of [A-Za-z0-9] of the parts, its first character upper-cased", () => {
    expect(sid("s3-read", "agent.x")).toBe("S3ReadAgentX");
    expect(sid("Tool", "ledger_db/sync")).toBe("ToolLedgerDbSync");
    expect(sid("9lives", "éclair")).toBe("9livesClair");
  });

  it("drops everything else, and parts that hold nothing allowed", () => {
    expect(sid()).toBe("");
    expect(sid("", "--", "a")).toBe("A");
    expect(sid("a-b", "c")).toBe("ABC");
  });
});
