/**
 * Denied calls are evidence of need: a denied call of a granted action on the grant's own resources
 * keeps the grant; one elsewhere does not; neither is ever added. A revoked agent gets no proposal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStackFile } from "../../cli/plan-command";
import type { FleetPlan } from "../../components/core/plan-types";
import { parserLoaded } from "../../components/core/sql/parser";
import { narrow } from "../../components/narrow/narrow";
import { callerIdentity, identityOf, s3Object, trailFile } from "./trail-events";

const STACK = readFileSync("stacks/Pulumi.dev.yaml", "utf8").replace(
  "            - actions: [s3:GetObject]\n",
  "            - actions: [s3:GetObject, s3:PutObject]\n",
);
let dir: string;
let plan: FleetPlan;
let agents: unknown;

beforeAll(async () => {
  await parserLoaded();
  dir = mkdtempSync(join(tmpdir(), "agent-identity-proposal-"));
  writeFileSync(join(dir, "Pulumi.dev.yaml"), STACK);
  const outcome = planStackFile(join(dir, "Pulumi.dev.yaml"), "dev", new Date("2026-12-01T00:00:00Z"));
  if (!outcome.ok) throw new Error(outcome.lines.join("\n"));
  plan = outcome.result.plan;
  agents = outcome.stackFile.declaration.agents;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readInvoices(deniedKey: string) {
  const exec = identityOf(plan, "invoice-triage", "execution").iamRole.arn;
  const file = join(dir, `trail-${deniedKey.replaceAll("/", "-")}.json`);
  writeFileSync(
    file,
    trailFile([
      callerIdentity(exec, "2026-11-30T08:00:00Z"),
      s3Object(exec, "GetObject", "acme-invoices-dev", "incoming/a.pdf", "2026-11-30T08:01:00Z"),
      s3Object(exec, "PutObject", "acme-invoices-dev", deniedKey, "2026-11-30T08:02:00Z", { errorCode: "AccessDenied" }),
    ]),
  );
  const result = await narrow({ plan, agents, cloudtrail: [file], dataEvents: ["s3"] });
  return result.proposal.agents.find((a) => a.agent === "invoice-triage")!;
}

describe("proposal: needs", () => {
  it("a denied PutObject on the grant's own prefix keeps s3:PutObject (and lists the need)", async () => {
    const agent = await readInvoices("incoming/b.pdf");
    const statement = agent.tools.find((t) => t.name === "read-invoices")!.statements[0];
    expect(statement.actions.find((a) => a.action === "s3:PutObject")?.status).toBe("unused");
    expect(statement.removeActions).toEqual([]);
    expect(agent.needs).toMatchObject([{ action: "s3:PutObject", resource: "arn:aws:s3:::acme-invoices-dev/incoming/b.pdf", errorCode: "AccessDenied" }]);
  });

  it("a denied PutObject elsewhere does not keep the unused grant, and adds nothing", async () => {
    const agent = await readInvoices("archive/b.pdf");
    const statement = agent.tools.find((t) => t.name === "read-invoices")!.statements[0];
    expect(statement.removeActions).toEqual(["s3:PutObject"]);
    expect(statement.resources).toEqual([{ resource: "arn:aws:s3:::acme-invoices-dev/incoming/*", used: true }]);
  });

  it("a revoked agent is reported, never narrowed", async () => {
    const agent = (await narrow({ plan, agents, cloudtrail: [join(dir, "trail-archive-b.pdf.json")], dataEvents: ["s3"] })).proposal.agents.find(
      (a) => a.agent === "legacy-summariser",
    )!;
    expect(agent.revoked).toBe(true);
    expect(agent.tools.every((t) => !t.remove && t.statements.every((s) => !s.removeActions.length && !s.removeStatement))).toBe(true);
  });
});
