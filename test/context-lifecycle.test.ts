/** Context binding, risk tiers and the ownership lifecycle (issue 5), through the real plan path. */
import { describe, expect, it } from "vitest";
import { PlanViolationError, planDeclaration } from "../components/validate";
import { DeclarationError, type AgentInput, type PlatformInput } from "../components/core/schema";
import { effectiveTierPolicy } from "../components/core/tiers";
import { asList } from "../components/core/iam-document";
import { PLATFORM, TODAY, agent, stackDeclaration } from "./helpers/fixtures";
import { checkSessionNameRoom } from "../components/rules/context";

const HIGH_RISK: Partial<AgentInput> = { tier: "high-risk", approval: { ticket: "SEC-9", approvedBy: "sec@example.com" } };

function violations(agents: AgentInput[], platform: PlatformInput = PLATFORM, now = TODAY) {
  try {
    return planDeclaration({ platform, agents }, "test", now).evaluation.violations;
  } catch (error) {
    if (error instanceof PlanViolationError) return error.evaluation.violations;
    throw error;
  }
}
const rules = (agents: AgentInput[], platform?: PlatformInput, now?: Date) => violations(agents, platform, now).map((v) => `${v.severity}:${v.rule}`);

describe("ownership lifecycle", () => {
  it("revokes an expired agent, warning how many days overdue and naming the sponsor", () => {
    const found = violations([agent("old", { expires: "2026-11-01" }), agent("current")]);
    expect(found).toEqual([
      expect.objectContaining({
        agent: "old",
        rule: "lifecycle/revoked-on-expiry",
        severity: "warning",
        message: "expired on 2026-11-01 (27 days overdue) and is revoked: its grants are Deny, its Vault roles removed",
      }),
    ]);
    expect(found[0].fix).toContain(agent("old").sponsor);
    const { plan } = planDeclaration({ platform: PLATFORM, agents: [agent("old", { expires: "2026-11-01" }), agent("current")] }, "test", TODAY);
    const [current, old] = plan.agents;
    expect(old.revoked).toMatchObject({ at: "2026-11-02T00:00:00Z", onExpiry: true });
    expect(current.revoked).toBeNull();
    // Every session issued before expiry ends; no new one starts; Vault roles and policies are gone.
    for (const identity of old.identities) {
      expect(identity.iamRole.policies.map((p) => p.name)).toContain("agent-identity-revoked");
      expect(identity.iamRole.trustPolicy.Statement.every((s) => s.Effect === "Deny")).toBe(true);
      expect(identity.vault.role).toBeNull();
      expect(identity.vault.policy).toBeNull();
    }
    expect(current.identities.every((i) => i.vault.role !== null)).toBe(true);
  });

  it("keeps a declared revocation as declared when the agent has also expired", () => {
    const revoked = { at: "2026-10-01T00:00:00Z", reason: "incident INC-7" };
    const { plan, evaluation } = planDeclaration({ platform: PLATFORM, agents: [agent("old", { expires: "2026-11-01", revoked })] }, "test", TODAY);
    expect(plan.agents[0].revoked).toMatchObject({ ...revoked, onExpiry: false });
    expect(evaluation.violations).toEqual([]);
  });

  it("accepts an agent on its last day and warns within 30 days", () => {
    expect(rules([agent("last", { expires: "2026-11-28" })])).toEqual(["warning:lifecycle/expiring-soon"]);
    expect(rules([agent("soon", { expires: "2026-12-28" })])).toEqual(["warning:lifecycle/expiring-soon"]);
    expect(rules([agent("later", { expires: "2026-12-29" })])).toEqual([]);
  });

  it("requires owner, sponsor and expires", () => {
    const { expires: _expires, ...noExpiry } = agent("x");
    void _expires;
    expect(() => planDeclaration({ platform: PLATFORM, agents: [noExpiry] }, "test", TODAY)).toThrow(DeclarationError);
    expect(() => planDeclaration({ platform: PLATFORM, agents: [{ ...agent("x"), sponsor: "not-an-email" }] }, "test", TODAY)).toThrow(/sponsor/);
  });

  it("writes owner, sponsor and expiry to IAM tags, ServiceAccount annotations and Vault alias metadata", () => {
    const { plan } = planDeclaration({ platform: PLATFORM, agents: [agent("tagged")] }, "test", TODAY);
    for (const identity of plan.agents[0].identities) {
      expect(identity.iamRole.tags).toMatchObject({ owner: "team-test", sponsor: "owner@example.com", expires: "2027-06-30", "data-class": "internal" });
      expect(identity.serviceAccount.annotations).toMatchObject({
        "agent-identity.io/sponsor": "owner@example.com",
        "agent-identity.io/expires": "2027-06-30",
      });
      expect(identity.vault.role!.aliasMetadata).toMatchObject({ owner: "team-test", sponsor: "owner@example.com", expires: "2027-06-30" });
    }
  });
});

describe("risk tiers", () => {
  it("rejects a high-risk agent without approval", () => {
    expect(rules([agent("hr", { tier: "high-risk" })])).toContain("error:lifecycle/approval-required");
  });

  it("rejects a high-risk agent without a permissions boundary", () => {
    const { permissionsBoundaryArn: _b, ...aws } = PLATFORM.aws;
    void _b;
    const found = rules([agent("hr", HIGH_RISK)], { ...PLATFORM, aws });
    expect(found.filter((r) => r === "error:context/permissions-boundary-required")).toHaveLength(3);
  });

  it("rejects a high-risk agent in a shared namespace", () => {
    expect(rules([agent("hr", HIGH_RISK)], { ...PLATFORM, kubernetes: { namespacePerAgent: false, namespace: "agents" } })).toContain(
      "error:context/own-namespace-required",
    );
  });

  it("requires traceable session names for high-risk roles only", () => {
    const { plan } = planDeclaration({ platform: PLATFORM, agents: [agent("hr", HIGH_RISK), agent("b")] }, "test", TODAY);
    const condition = (name: string) =>
      plan.agents.find((a) => a.name === name)!.identities.map((i) => i.iamRole.trustPolicy.Statement[0].Condition?.StringLike);
    expect(condition("hr")).toEqual([{ "sts:RoleSessionName": "hr-orch-*" }, { "sts:RoleSessionName": "hr-exec-*" }, { "sts:RoleSessionName": "hr-audit-*" }]);
    expect(condition("b")).toEqual([undefined, undefined, undefined]);
  });

  it("gives even a 40-character high-risk agent session prefixes that leave room for the 36-character pod UID", () => {
    const long = "quarterly-revenue-reconciler-emea-region";
    expect(long).toHaveLength(40);
    expect(violations([agent(long, HIGH_RISK)]).filter((v) => v.rule === "context/session-name-room")).toEqual([]);
    const { plan } = planDeclaration({ platform: PLATFORM, agents: [agent(long, HIGH_RISK)] }, "test", TODAY);
    for (const identity of plan.agents[0].identities) {
      expect(identity.sessionNamePrefix!.length).toBeLessThanOrEqual(64 - 36);
      expect(identity.sessionNamePrefix!.startsWith("quarterly-re")).toBe(true);
    }
    // A prefix a hand-written trust policy might demand is still refused when the UID cannot fit.
    expect(checkSessionNameRoom(`${"a".repeat(24)}-exec-`).map((p) => p.rule)).toEqual(["context/session-name-room"]);
    expect(checkSessionNameRoom(`${"a".repeat(22)}-exec-`)).toEqual([]);
  });

  it("organisation limits only tighten the tier defaults", () => {
    const tightened = effectiveTierPolicy("batch", { tokenMaxTtl: 1200, requireApproval: true });
    expect(tightened).toMatchObject({ tokenMaxTtl: 1200, tokenTtl: 900, requiresApproval: true });
    const loosened = effectiveTierPolicy("high-risk", { tokenMaxTtl: 7200, tokenTtl: 3600 });
    expect(loosened).toMatchObject({ tokenMaxTtl: 900, tokenTtl: 300, requiresApproval: true, requiresPermissionsBoundary: true });
    expect(rules([agent("b")], { ...PLATFORM, limits: { requireApproval: true } })).toContain("error:lifecycle/approval-required");
  });

  it("high-risk ceilings are shorter than batch ceilings", () => {
    expect(effectiveTierPolicy("high-risk").tokenMaxTtl).toBeLessThan(effectiveTierPolicy("assistant").tokenMaxTtl);
    expect(effectiveTierPolicy("assistant").tokenMaxTtl).toBeLessThan(effectiveTierPolicy("batch").tokenMaxTtl);
  });
});

describe("data classes", () => {
  it("rejects a tool above its agent's data ceiling", () => {
    const found = violations([agent("d", { maxDataClass: "internal", tools: [{ name: "pii", dataClass: "confidential", kv: { path: "pii" } }] })]);
    expect(found).toEqual([expect.objectContaining({ rule: "context/data-class-ceiling", identity: "execution" })]);
  });

  it("allows restricted data only for high-risk agents", () => {
    const tool = { name: "vault-of-secrets", dataClass: "restricted" as const, kv: { path: "s" } };
    expect(rules([agent("b", { maxDataClass: "restricted", tools: [tool] })])).toContain("error:context/data-class-tier");
    expect(rules([agent("hr", { ...HIGH_RISK, maxDataClass: "restricted", tools: [tool] })])).toEqual([]);
  });

  it("an organisation limit lowers the ceiling for every tier", () => {
    expect(rules([agent("c", { maxDataClass: "confidential" })], { ...PLATFORM, limits: { maxDataClass: "internal" } })).toContain(
      "error:context/data-class-tier",
    );
  });

  it("tags roles with the data class for aws:PrincipalTag conditions elsewhere", () => {
    const { plan } = planDeclaration({ platform: PLATFORM, agents: [agent("c", { maxDataClass: "confidential" })] }, "test", TODAY);
    expect(plan.agents[0].identities.map((i) => i.iamRole.tags["data-class"])).toEqual(["confidential", "confidential", "confidential"]);
  });
});

describe("environment binding", () => {
  it("binds every Allow statement of the dev stack to the platform region", () => {
    const { plan } = planDeclaration(stackDeclaration("dev"), "dev", TODAY);
    const allows = plan.agents.flatMap((a) =>
      a.identities.flatMap((i) => i.iamRole.policies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === "Allow"))),
    );
    expect(allows.length).toBeGreaterThan(10);
    for (const statement of allows) expect(statement.Condition?.StringEquals?.["aws:RequestedRegion"]).toBe("us-east-1");
  });

  it("uses a tool's declared regions instead", () => {
    const { plan } = planDeclaration(
      {
        platform: PLATFORM,
        agents: [
          agent("r", {
            owns: ["arn:aws:s3:::acme-b/r/*"],
            tools: [{ name: "t", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-b/r/*"], regions: ["us-east-1", "us-west-2"] }] }],
          }),
        ],
      },
      "test",
      TODAY,
    );
    const statement = plan.agents[0].identities[1].iamRole.policies[0].document.Statement[0];
    expect(statement.Condition).toEqual({ StringEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2"], "s3:ResourceAccount": PLATFORM.aws.accountId } });
  });

  it("rejects an ARN in another account unless reached through a vaultAws tool", () => {
    const direct = agent("x", {
      tools: [{ name: "t", aws: [{ actions: ["sqs:ReceiveMessage"], resources: ["arn:aws:sqs:us-east-1:444455556666:their-queue"] }] }],
    });
    // Also not owned (an agent cannot own another account's queue): both rules say so.
    expect(violations([direct])).toEqual([
      expect.objectContaining({ rule: "context/foreign-account", message: expect.stringContaining("444455556666") }),
      expect.objectContaining({ rule: "separation/unowned-resource", message: expect.stringContaining("444455556666") }),
    ]);
    const viaVault = agent("y", { tools: [{ name: "t", vaultAws: { roleArn: "arn:aws:iam::444455556666:role/reader", ttl: "15m" } }] });
    expect(
      violations([viaVault], {
        ...PLATFORM,
        shared: [
          {
            name: "reader",
            vaultAwsRole: "arn:aws:iam::444455556666:role/reader",
            agents: ["y"],
            risk: "assumed read-only through Vault; the platform team reviewed what the role can read",
          },
        ],
      }),
    ).toEqual([]);
  });

  it("carries the environment in every name and tag", () => {
    const { plan } = planDeclaration({ platform: PLATFORM, agents: [agent("e")] }, "test", TODAY);
    const [a] = plan.agents;
    expect(a.namespace.name).toContain("-test-");
    expect(a.auditLogGroup.name).toContain("/test/");
    for (const identity of a.identities) {
      expect(identity.iamRole.name).toContain("-test-");
      expect(identity.iamRole.tags.environment).toBe("test");
      expect(identity.vault.role!.name.startsWith("test-")).toBe(true);
      expect(asList(identity.iamRole.trustPolicy.Statement[0].Action)).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    }
  });
});
