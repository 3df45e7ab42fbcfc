/**
 * Every action the public privilege-escalation catalogues list (components/rules/data/escalation-catalogues.ts),
 * granted as an agent's own: on a resource it declares it owns, of a type the action acts on (an
 * ownable type when the action has one), or on "*" when AWS authorises it only there. Each must be
 * refused by a named rule. The few the allowlist lets through on what the agent owns are List and
 * Read actions on its own data (s3:GetObject on its own prefix); those are refused on "*" and on
 * another agent's resource instead.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import { accessLevel, resourceTypesFor } from "../../components/core/iam-catalog";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { ACCOUNT_LEVEL_READ_ALLOWLIST } from "../../components/rules/data/account-level-reads";
import { ESCALATION_CATALOGUES } from "../../components/rules/data/escalation-catalogues";
import { ownableTypeOf, ownedActionProblem } from "../../components/rules/ownable";
import type { AgentInput } from "../../components/core/schema";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const ACTIONS = [...new Set(ESCALATION_CATALOGUES.flatMap((catalogue) => catalogue.actions))].sort();

/** A concrete ARN of a resource-type template, its names made unique to one agent. */
function fill(template: string, unique: string): string {
  let n = 0;
  return template
    .replace(/\$\{Partition\}/g, "aws")
    .replace(/\$\{Region\}/g, "us-east-1")
    .replace(/\$\{Account\}/g, PLATFORM.aws.accountId)
    .replace(/\$\{[^}]+\}/g, () => `${unique}x${n++}`);
}

interface Case {
  readonly action: string;
  readonly resource: string;
  /** The resource is the agent's own (declared under owns). */
  readonly owned: boolean;
}

function caseOf(action: string, index: number): Case {
  const types = resourceTypesFor(action)
    .map((type) => fill(type.arn, `c${index}`))
    // Concrete, and an ARN the declaration accepts (AWS-owned resources such as `…:aws:code-interpreter/…` are not).
    .filter((arn) => !/[*?]/.test(arn) && /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/.test(arn));
  if (types.length === 0) return { action, resource: "*", owned: false };
  return { action, resource: types.find((arn) => ownableTypeOf(arn)) ?? types[0], owned: true };
}

const CASES = ACTIONS.map(caseOf);
const agentName = (index: number) => `c${index}`;

function declare(index: number, c: Case): AgentInput {
  return agent(agentName(index), {
    owns: c.owned ? [c.resource] : [],
    tools: [{ name: "t", aws: [{ actions: [c.action], resources: [c.resource] }] }],
  });
}

/** Whether the allowlist lets an agent use this action on what it owns (a read or a named data-plane write of its own data). */
const ownDataRead = (c: Case) => c.owned && ownableTypeOf(c.resource) !== undefined && ownedActionProblem(c.action, c.resource) === undefined;

describe("public escalation catalogues", () => {
  it("are imported with their sources, and name actions the IAM reference knows", () => {
    expect(ESCALATION_CATALOGUES.length).toBeGreaterThanOrEqual(8);
    for (const catalogue of ESCALATION_CATALOGUES) {
      expect(catalogue.repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
      expect(catalogue.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(catalogue.actions.length).toBeGreaterThan(10);
      for (const action of catalogue.actions) expect(accessLevel(action), action).toBeDefined();
    }
    expect(ACTIONS.length).toBeGreaterThan(250);
  });

  const violations = (() => {
    const plan = compileFleet(parseDeclaration({ platform: PLATFORM, agents: CASES.map((c, i) => declare(i, c)) }), "test");
    const byAgent = new Map<string, Set<string>>();
    for (const v of evaluatePlan(plan, ALL_RULES, TODAY).violations) byAgent.set(v.agent, (byAgent.get(v.agent) ?? new Set()).add(v.rule));
    return byAgent;
  })();

  it("every listed action granted on a resource the agent owns is refused by iam/owned-action, unless it is a read or named data-plane write of the agent's own data", () => {
    const missed = CASES.flatMap((c, i) => (c.owned && !ownDataRead(c) && !violations.get(agentName(i))?.has("iam/owned-action") ? [c.action] : []));
    expect(missed).toEqual([]);
  });

  it("every listed action that owns nothing is refused on '*' by a named rule, unless it is on the sourced account-level read list", () => {
    const allowed = new Set(ACCOUNT_LEVEL_READ_ALLOWLIST.map((entry) => entry.action));
    const refusing = new Set([
      "iam/account-wide-write",
      "iam/account-wide-read",
      "iam/credentials-exposure",
      "iam/privilege-escalation",
      "iam/permissions-management",
    ]);
    const missed = CASES.flatMap((c, i) =>
      !c.owned && !allowed.has(c.action) && ![...(violations.get(agentName(i)) ?? [])].some((rule) => refusing.has(rule)) ? [c.action] : [],
    );
    expect(missed).toEqual([]);
  });

  it("the uses of the agent's own data are refused on '*' and on another agent's resource", () => {
    const reads = CASES.filter(ownDataRead);
    expect(reads.map((c) => c.action)).toContain("s3:GetObject");
    const agents = reads.flatMap((c, i) => [
      agent(`w${i}`, { owns: [], tools: [{ name: "t", aws: [{ actions: [c.action], resources: ["*"] }] }] }),
      agent(`o${i}`, { owns: [c.resource], tools: [] }),
      agent(`x${i}`, { owns: [], tools: [{ name: "t", aws: [{ actions: [c.action], resources: [c.resource] }] }] }),
    ]);
    const plan = compileFleet(parseDeclaration({ platform: PLATFORM, agents }), "test");
    const rulesOf = new Map<string, Set<string>>();
    for (const v of evaluatePlan(plan, ALL_RULES, TODAY).violations) rulesOf.set(v.agent, (rulesOf.get(v.agent) ?? new Set()).add(v.rule));
    reads.forEach((c, i) => {
      expect([...(rulesOf.get(`w${i}`) ?? [])], `${c.action} on *`).toContain("separation/cross-agent-grant");
      expect([...(rulesOf.get(`x${i}`) ?? [])], `${c.action} on another agent's`).toContain("separation/cross-agent-grant");
    });
  });
});
