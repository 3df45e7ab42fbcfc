/** The components refuse a bad declaration with every violation listed, before any child exists. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Agent, AgentFleet } from "../../components";
import { installMocks, resources, settle } from "../helpers/pulumi-mocks";
import { PLATFORM, TODAY_DATE, agent } from "../helpers/fixtures";

const bad = agent("greedy", {
  tools: [
    { name: "everything", aws: [{ actions: ["s3:*"], resources: ["*"] }] },
    { name: "typo", aws: [{ actions: ["s3:GetObjects"], resources: ["arn:aws:s3:::acme-data/greedy/*"] }] },
  ],
});

describe("component validation", () => {
  it("AgentFleet throws one ResourceError listing every violation and creates nothing", async () => {
    installMocks();
    let error: unknown;
    try {
      new AgentFleet("platform", { platform: PLATFORM, agents: [agent("fine"), bad], validationDate: TODAY_DATE });
    } catch (e) {
      error = e;
    }
    await settle();
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    const message = (error as Error).message;
    for (const rule of ["iam/service-wildcard", "iam/resource-wildcard", "iam/unknown-action"]) expect(message).toContain(`greedy/execution: ${rule}: `);
    // Nothing is the fine agent's fault (greedy's "*" reaching fine's prefix is greedy's violation).
    expect(message).not.toMatch(/(^|\s)fine\/(orchestration|execution|audit|\*): /m);
    expect(message).toContain("greedy/execution: separation/cross-agent-grant: ");
    expect(resources().filter((r) => r.custom)).toEqual([]);
  });

  it("Agent validates on its own too", async () => {
    installMocks();
    // The component's name is the agent's name when the args do not repeat it.
    expect(() => new Agent("greedy", { ...bad, name: undefined, platform: PLATFORM, validationDate: TODAY_DATE })).toThrow(
      /greedy\/execution: iam\/service-wildcard/,
    );
    await settle();
    expect(resources().filter((r) => r.custom)).toEqual([]);
  });
});
