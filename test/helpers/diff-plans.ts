/** Plans for diff tests: compiled from declarations (the real plan shape), then edited by hand. */
import { compileFleet } from "../../components/core/compile";
import type { FleetPlan } from "../../components/core/plan-types";
import { parseDeclaration, type AgentInput } from "../../components/core/schema";
import { catalogFrom, diffPlans, readPlan, type IdentityDiff } from "../../components/diff";
import { PLATFORM, agent } from "./fixtures";

export { agent };

/** A plan as JSON-like data, so tests can edit it the way a person edits a plan file. */
export type PlanJson = { stack: string; agents: Record<string, any>[] } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function planJson(agents: AgentInput[]): PlanJson {
  const plan: FleetPlan = compileFleet(parseDeclaration({ platform: PLATFORM, agents }), "test");
  return JSON.parse(JSON.stringify(plan));
}

/** A deep copy edited by `edit`. */
export function edited(plan: PlanJson, edit: (copy: PlanJson) => void): PlanJson {
  const copy = JSON.parse(JSON.stringify(plan)) as PlanJson;
  edit(copy);
  return copy;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function identityOf(plan: PlanJson, agentName: string, kind: string): Record<string, any> {
  return plan.agents.find((a) => a.name === agentName)!.identities.find((i: { kind: string }) => i.kind === kind);
}

/** The Allow statements of an identity's own policy (not the revocation one). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function statementsOf(plan: PlanJson, agentName: string, kind: string): Record<string, any>[] {
  return identityOf(plan, agentName, kind).iamRole.policies[0].document.Statement;
}

/** A small, fixed catalogue: tests of the engine do not depend on the data package's version. */
export const TEST_CATALOG = catalogFrom({
  s3: { GetObject: "Read", PutObject: "Write", ListBucket: "List", PutBucketPolicy: "Permissions management, Write", PutObjectTagging: "Tagging, Write" },
  iam: { PassRole: "Write", AttachRolePolicy: "Permissions management, Write", GetRole: "Read" },
  bedrock: { InvokeModel: "Read", InvokeModelWithResponseStream: "Read" },
  logs: { CreateLogStream: "Write", PutLogEvents: "Write" },
});

export function diffOf(base: PlanJson, head: PlanJson): IdentityDiff {
  return diffPlans(readPlan(base, "base.json"), readPlan(head, "head.json"), TEST_CATALOG, { base: "base.json", head: "head.json" });
}
