/**
 * `new Agent(...)` on its own runs the stack-wide rules against every agent created before it in the
 * program (fleet or standalone), so composing agents without AgentFleet is as safe as with it.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Agent, AgentFleet } from "../components";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration } from "../components/core/schema";
import { StackAgentRegistry } from "../components/registry";
import { PLATFORM, TODAY, TODAY_DATE, agent } from "./helpers/fixtures";
import { installMocks, resources, settle } from "./helpers/pulumi-mocks";

beforeEach(() => installMocks("dev"));

const sharedPrefix = (name: string) =>
  agent(name, {
    owns: ["arn:aws:s3:::acme-data/shared/*"],
    tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/shared/*"] }] }],
  });

function errorOf(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the component to throw");
}

describe("standalone agents", () => {
  it("with the same S3 prefix fail like AgentFleet does, naming both agents, the rule and the fix", async () => {
    const fleetError = errorOf(
      () => new AgentFleet("fleet", { platform: PLATFORM, agents: [sharedPrefix("one"), sharedPrefix("two")], validationDate: TODAY_DATE }),
    );
    expect(fleetError.message).toContain("separation/owns-declaration");
    await settle();

    installMocks("dev");
    new Agent("one", { ...sharedPrefix("one"), platform: PLATFORM, validationDate: TODAY_DATE });
    const error = errorOf(() => new Agent("two", { ...sharedPrefix("two"), platform: PLATFORM, validationDate: TODAY_DATE }));
    await settle();
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error.message).toMatch(
      /two\/\*: separation\/owns-declaration: owns "arn:aws:s3:::acme-data\/shared\/\*", which overlaps "arn:aws:s3:::acme-data\/shared\/\*" of agent one — .+/,
    );
    expect(error.message).toContain("between two (Agent two) and agents created earlier in this program: one (Agent one)");
    // Nothing of the second agent was registered.
    expect(resources().filter((r) => r.custom && r.name.startsWith("two-"))).toEqual([]);
  });

  it("check a fleet and a standalone agent against each other", async () => {
    new AgentFleet("fleet", { platform: PLATFORM, agents: [sharedPrefix("one")], validationDate: TODAY_DATE });
    const error = errorOf(() => new Agent("two", { ...sharedPrefix("two"), platform: PLATFORM, validationDate: TODAY_DATE }));
    await settle();
    expect(error.message).toContain("one (Agent fleet-one)");
  });

  it("refuse the same agent twice (shared identity names)", async () => {
    new Agent("solo", { ...agent("solo"), platform: PLATFORM, validationDate: TODAY_DATE });
    const error = errorOf(() => new Agent("solo-again", { ...agent("solo"), platform: PLATFORM, validationDate: TODAY_DATE }));
    await settle();
    // One cause, one violation (it was 18, each twice: every identity name, from both sides).
    expect(error.message).toBe(
      'agent solo: 1 policy violation(s) across agents\n  - solo/*: stack/no-shared-identity: agent "solo" is declared twice in this program (Agent solo and Agent solo-again) — give each agent a unique name; names of roles, ServiceAccounts and Vault roles derive from it',
    );
  });

  it("refuse a second, different platform declaration for the same prefix and environment", async () => {
    new Agent("one", { ...agent("one"), platform: PLATFORM, validationDate: TODAY_DATE });
    const other = { ...PLATFORM, vault: { ...PLATFORM.vault, audience: "vault-other" } };
    const error = errorOf(() => new Agent("two", { ...agent("two"), platform: other, validationDate: TODAY_DATE }));
    await settle();
    expect(error.message).toContain('platform "acme-test" is declared differently here than for agent one (Agent one)');
  });

  it("accept agents of their own, and a new program run starts empty", async () => {
    new Agent("one", { ...agent("one"), platform: PLATFORM, validationDate: TODAY_DATE });
    new Agent("two", { ...agent("two"), platform: PLATFORM, validationDate: TODAY_DATE });
    await settle();
    installMocks("dev");
    new Agent("one", { ...agent("one"), platform: PLATFORM, validationDate: TODAY_DATE });
    await settle();
  });

  it("register 1,000 agents and still catch a conflicting 1,001st (timings are in the bench, not here)", () => {
    const names = Array.from({ length: 1000 }, (_, i) => `agent-${String(i).padStart(4, "0")}`);
    const plan = compileFleet(parseDeclaration({ platform: PLATFORM, agents: names.map((n) => agent(n)) }), "dev");
    const registry = new StackAgentRegistry();
    for (const a of plan.agents) expect(registry.register(a, plan.platform, `Agent ${a.name}`, TODAY)).toEqual([]);
    expect(registry.size).toBe(1000);
    // And the last one still sees the first: a conflicting 1,001st agent is caught.
    const clash = compileFleet(
      parseDeclaration({
        platform: PLATFORM,
        agents: [agent("late", { tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/agent-0000/*"] }] }] })],
      }),
      "dev",
    );
    const conflicts = registry.register(clash.agents[0], clash.platform, "Agent late", TODAY);
    expect(conflicts.join("\n")).toContain("late/execution: separation/cross-agent-grant");
    expect(conflicts.join("\n")).toContain("agent-0000 (Agent agent-0000)");
  });
});
