import { describe, expect, it } from "vitest";
import { compileFleet } from "../components/core/compile";
import { asList } from "../components/core/iam-document";
import { IAM_ROLE_NAME_MAX, boundedName, oidcIssuer } from "../components/core/names";
import { parseDeclaration } from "../components/core/schema";
import { planDeclaration } from "../components/validate";
import { PLATFORM, TODAY, agent, stackDeclaration } from "./helpers/fixtures";

const fleet = (agents: ReturnType<typeof agent>[], platform = PLATFORM) => compileFleet(parseDeclaration({ platform, agents }), "test");

describe("compiled plan", () => {
  const plan = fleet([agent("alpha"), agent("beta"), agent("gamma", { tier: "assistant" })]);

  it("gives each agent exactly three identities with distinct names across the fleet", () => {
    for (const a of plan.agents) expect(a.identities.map((i) => i.kind)).toEqual(["orchestration", "execution", "audit"]);
    const identities = plan.agents.flatMap((a) => a.identities);
    const distinct = (values: string[]) => expect(new Set(values).size).toBe(values.length);
    distinct(identities.map((i) => `${i.serviceAccount.namespace}/${i.serviceAccount.name}`));
    distinct(identities.map((i) => i.iamRole.name));
    distinct(identities.map((i) => i.iamRole.arn));
    distinct(identities.map((i) => i.vault.role!.name));
    distinct(identities.map((i) => i.vault.policy!.name));
    expect(identities).toHaveLength(9);
  });

  it("pins every trust policy to exactly its own ServiceAccount", () => {
    const issuer = oidcIssuer(PLATFORM.aws.oidcProviderArn!);
    for (const identity of plan.agents.flatMap((a) => a.identities)) {
      const statements = identity.iamRole.trustPolicy.Statement;
      expect(statements).toHaveLength(1);
      const [statement] = statements;
      expect(statement.Effect).toBe("Allow");
      expect(statement.Principal).toEqual({ Federated: PLATFORM.aws.oidcProviderArn });
      expect(asList(statement.Action)).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      expect(Object.keys(statement.Condition!)).toEqual(["StringEquals"]);
      expect(statement.Condition!.StringEquals).toEqual({
        [`${issuer}:sub`]: `system:serviceaccount:${identity.serviceAccount.namespace}:${identity.serviceAccount.name}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      });
      expect(identity.iamRole.maxSessionDuration).toBe(3600);
      expect(identity.iamRole.permissionsBoundary).toBe(PLATFORM.aws.permissionsBoundaryArn);
    }
  });

  it("binds each Vault role to its one ServiceAccount, namespace and policy", () => {
    for (const identity of plan.agents.flatMap((a) => a.identities)) {
      const role = identity.vault.role!;
      expect(role.boundServiceAccountNames).toEqual([identity.serviceAccount.name]);
      expect(role.boundServiceAccountNamespaces).toEqual([identity.serviceAccount.namespace]);
      expect(role.tokenPolicies).toEqual([identity.vault.policy!.name]);
      expect(role.tokenNoDefaultPolicy).toBe(true);
      expect(role.aliasNameSource).toBe("serviceaccount_uid");
      expect(role.audience).toBe("vault");
    }
  });

  it("gives orchestration only model invocation, execution only its tools, audit only its sink", () => {
    const alpha = plan.agents.find((a) => a.name === "alpha")!;
    const [orchestration, execution, audit] = alpha.identities;
    const actions = (i: typeof orchestration) =>
      i.iamRole.policies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => asList(s.Action)));
    expect(actions(orchestration)).toEqual(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]);
    expect(actions(execution)).toEqual(["s3:GetObject"]);
    expect(actions(audit)).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
    const auditDeny = audit.iamRole.policies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === "Deny").flatMap((s) => asList(s.Action)));
    expect(auditDeny).toEqual(expect.arrayContaining(["logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:PutRetentionPolicy"]));
  });

  it("uses tier TTLs: batch 15m/1h, assistant 10m/30m, high-risk 5m/15m", () => {
    const tiers = fleet([
      agent("b"),
      agent("a", { tier: "assistant" }),
      agent("h", { tier: "high-risk", approval: { ticket: "SEC-1", approvedBy: "sec@example.com" } }),
    ]);
    const ttl = (name: string) => tiers.agents.find((a) => a.name === name)!.identities.map((i) => [i.vault.role!.tokenTtl, i.vault.role!.tokenMaxTtl]);
    expect(ttl("b")).toEqual(Array(3).fill([900, 3600]));
    expect(ttl("a")).toEqual(Array(3).fill([600, 1800]));
    expect(ttl("h")).toEqual(Array(3).fill([300, 900]));
  });

  it("Vault paths of agent `a` never match agent `ab`", () => {
    const kvAgent = (name: string) =>
      agent(name, {
        tools: [
          { name: "secret", kv: { path: "token" } },
          { name: "db", database: { connection: "main", creationStatements: ["SELECT 1"], ttl: "5m" } },
        ],
      });
    const two = fleet([kvAgent("a"), kvAgent("ab")]);
    const paths = (name: string) =>
      two.agents
        .find((x) => x.name === name)!
        .identities[1].vault.policy!.paths.map((p) => p.path)
        .filter((p) => !p.startsWith("auth/token/"));
    for (const path of paths("a")) {
      expect(path).not.toMatch(/[*+]/);
      for (const other of paths("ab")) expect(other.startsWith(`${path}/`) || other === path).toBe(false);
    }
    expect(paths("a")).toContain("kv/data/agents/test/a/token");
  });

  it("does not depend on declaration order", () => {
    const forward = fleet([agent("alpha"), agent("beta"), agent("gamma")]);
    const backward = fleet([agent("gamma"), agent("beta"), agent("alpha")]);
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
  });

  it("keeps long role names within 64 characters, stable and distinct", () => {
    const long = "x".repeat(40);
    const longer = `${"x".repeat(39)}y`;
    const platform = { ...PLATFORM, namePrefix: "organisation", environment: "stagingeu12" };
    const names = fleet([agent(long), agent(longer)], platform).agents.flatMap((a) => a.identities.map((i) => i.iamRole.name));
    for (const name of names) expect(name.length).toBeLessThanOrEqual(IAM_ROLE_NAME_MAX);
    expect(new Set(names).size).toBe(6);
    const again = fleet([agent(longer), agent(long)], platform).agents.flatMap((a) => a.identities.map((i) => i.iamRole.name));
    expect(again.sort()).toEqual([...names].sort());
    expect(boundedName("short", 64)).toBe("short");
    expect(boundedName("a".repeat(70), 64)).toMatch(/^a{55}-[0-9a-f]{8}$/);
  });

  it("plans the repo's dev and prod stacks cleanly", () => {
    const dev = planDeclaration(stackDeclaration("dev"), "dev", TODAY);
    expect(dev.plan.agents.length).toBeGreaterThanOrEqual(3);
    expect(new Set(dev.plan.agents.map((a) => a.tier))).toEqual(new Set(["batch", "assistant", "high-risk"]));
    expect(new Set(dev.plan.agents.flatMap((a) => a.tools.map((t) => t.kind)))).toEqual(new Set(["aws", "database", "kv", "vaultAws"]));
    expect(dev.evaluation.violations.filter((v) => v.severity === "error")).toEqual([]);
    const prod = planDeclaration(stackDeclaration("prod"), "prod", TODAY);
    expect(prod.evaluation.violations.filter((v) => v.severity === "error")).toEqual([]);
  });
});
