/**
 * The deployable program (`stacks/index.ts`, what `pulumi up` runs) under mocks, with the config
 * of stacks/Pulumi.dev.yaml loaded the way the Pulumi engine passes it (JSON for objects).
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runPlan } from "../cli/plan-command";
import { installMocks, outputValue, resources, settle } from "./helpers/pulumi-mocks";

describe("stacks/index.ts", () => {
  afterEach(() => vi.useRealTimers());

  it("builds exactly the planned identities from stack config", async () => {
    // The program validates expiry against today's date: pin it so the test is reproducible.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-28T12:00:00Z"));
    installMocks("dev");
    const config = parse(readFileSync("stacks/Pulumi.dev.yaml", "utf8")).config as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
      pulumi.runtime.setConfig(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    const program = await import("../stacks/index");
    await settle();

    const plan = JSON.parse(runPlan({ stack: "dev", format: "json", date: "2026-11-28" }).stdout).plan;
    const planned = plan.agents.flatMap((a: { identities: Array<{ iamRole: { name: string } }> }) => a.identities.map((i) => i.iamRole.name)).sort();
    const registered = resources()
      .filter((r) => r.type === "aws:iam/role:Role")
      .map((r) => r.inputs.name as string)
      .sort();
    expect(registered).toEqual(planned);

    const exported = program.identities["invoice-triage"].execution;
    expect(await outputValue(exported.serviceAccount)).toBe("acme-dev-invoice-triage/invoice-triage-execution");
    expect(await outputValue(exported.roleArn)).toBe("arn:aws:iam::111122223333:role/acme-dev-invoice-triage-execution");
  });
});
