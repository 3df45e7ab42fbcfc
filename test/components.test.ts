/**
 * The real components under Pulumi's mock monitor: what they register must be exactly the plan
 * that `plan` prints (same compile path), with stable names and URNs.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Agent, AgentFleet, type AgentFleetArgs } from "../components";
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION, compileFleet } from "../components/core/compile";
import { rolePlanRecordText } from "../components/core/role-plan";
import { vaultPlanRecordText } from "../components/core/vault-plan";
import { parseDeclaration } from "../components/core/schema";
import { renderVaultPolicy } from "../components/core/vault-policy";
import { PLATFORM, TODAY_DATE, agent, stackDeclaration } from "./helpers/fixtures";
import { installMocks, outputValue, resources, settle, type RegisteredResource } from "./helpers/pulumi-mocks";

const byType = (type: string) => resources().filter((r) => r.type === type);
const one = (type: string, predicate: (r: RegisteredResource) => boolean) => {
  const found = byType(type).filter(predicate);
  expect(found, `${type} matching`).toHaveLength(1);
  return found[0];
};

beforeEach(() => installMocks("dev"));

describe("AgentFleet under mocks", () => {
  it("registers exactly the resources of the plan, with the plan's values", async () => {
    const declaration = stackDeclaration("dev");
    const fleet = new AgentFleet("platform", { ...(declaration as AgentFleetArgs), validationDate: TODAY_DATE });
    await settle();
    const plan = compileFleet(parseDeclaration(declaration), "dev");
    expect(JSON.stringify(fleet.plan)).toBe(JSON.stringify(plan));

    const identities = plan.agents.flatMap((a) => a.identities);
    expect(byType("kubernetes:core/v1:ServiceAccount")).toHaveLength(identities.length);
    expect(byType("aws:iam/role:Role")).toHaveLength(identities.length);
    expect(byType("aws:iam/rolePolicy:RolePolicy")).toHaveLength(identities.reduce((n, i) => n + i.iamRole.policies.length, 0));
    const withVault = identities.filter((i) => i.vault.role !== null);
    expect(withVault.length).toBeLessThan(identities.length); // the dev stack has a revoked agent
    expect(byType("vault:index/policy:Policy")).toHaveLength(withVault.length);
    expect(byType("vault:kubernetes/authBackendRole:AuthBackendRole")).toHaveLength(withVault.length);
    const secretRoles = identities.flatMap((i) => i.vault.secretRoles);
    expect(byType("vault:database/secretBackendRole:SecretBackendRole")).toHaveLength(secretRoles.filter((s) => s.type === "database").length);
    expect(byType("vault:aws/secretBackendRole:SecretBackendRole")).toHaveLength(secretRoles.filter((s) => s.type === "aws").length);
    expect(byType("kubernetes:core/v1:Namespace")).toHaveLength(plan.agents.length);
    expect(byType("aws:cloudwatch/logGroup:LogGroup")).toHaveLength(plan.agents.length);
    expect(byType("agent-identity:index:AgentFleet")).toHaveLength(1);
    expect(byType("agent-identity:index:Agent")).toHaveLength(plan.agents.length);
    expect(byType("agent-identity:index:AgentIdentity")).toHaveLength(identities.length);

    for (const identity of identities) {
      const sa = one("kubernetes:core/v1:ServiceAccount", (r) => (r.inputs.metadata as { name: string }).name === identity.serviceAccount.name);
      expect(sa.inputs.automountServiceAccountToken).toBe(false);
      expect(sa.inputs.metadata).toEqual({
        name: identity.serviceAccount.name,
        namespace: identity.serviceAccount.namespace,
        labels: identity.serviceAccount.labels,
        // The plan's annotations, and the role and Vault resources as planned for the policy pack (written by the component).
        annotations: {
          ...identity.serviceAccount.annotations,
          [ROLE_PLAN_ANNOTATION]: rolePlanRecordText(identity.iamRole),
          [VAULT_PLAN_ANNOTATION]: vaultPlanRecordText(identity.vault),
        },
      });

      const role = one("aws:iam/role:Role", (r) => r.inputs.name === identity.iamRole.name);
      expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual(identity.iamRole.trustPolicy);
      expect(role.inputs.maxSessionDuration).toBe(identity.iamRole.maxSessionDuration);
      expect(role.inputs.permissionsBoundary).toBe(identity.iamRole.permissionsBoundary);
      expect(role.inputs.tags).toEqual(identity.iamRole.tags);

      for (const policy of identity.iamRole.policies) {
        const inline = one("aws:iam/rolePolicy:RolePolicy", (r) => r.inputs.role === identity.iamRole.name && r.inputs.name === policy.name);
        expect(JSON.parse(inline.inputs.policy as string)).toEqual(policy.document);
      }

      if (!identity.vault.role) continue;
      const vaultPolicy = one("vault:index/policy:Policy", (r) => r.inputs.name === identity.vault.policy!.name);
      expect(vaultPolicy.inputs.policy).toBe(renderVaultPolicy(identity.vault.policy!.paths));

      const vaultRole = one("vault:kubernetes/authBackendRole:AuthBackendRole", (r) => r.inputs.roleName === identity.vault.role!.name);
      const planned = identity.vault.role!;
      expect(vaultRole.inputs).toMatchObject({
        backend: planned.backend,
        boundServiceAccountNames: planned.boundServiceAccountNames,
        boundServiceAccountNamespaces: planned.boundServiceAccountNamespaces,
        audience: planned.audience,
        tokenTtl: planned.tokenTtl,
        tokenMaxTtl: planned.tokenMaxTtl,
        tokenPolicies: planned.tokenPolicies,
        tokenNoDefaultPolicy: true,
        aliasNameSource: "serviceaccount_uid",
      });
      expect(vaultRole.inputs.tokenPeriod).toBeUndefined();

      for (const secret of identity.vault.secretRoles) {
        if (secret.type === "database") {
          const db = one("vault:database/secretBackendRole:SecretBackendRole", (r) => r.inputs.name === secret.name);
          expect(db.inputs).toMatchObject({
            backend: secret.backend,
            dbName: secret.dbName,
            creationStatements: secret.creationStatements,
            defaultTtl: secret.defaultTtl,
            maxTtl: secret.maxTtl,
          });
        } else {
          const awsRole = one("vault:aws/secretBackendRole:SecretBackendRole", (r) => r.inputs.name === secret.name);
          expect(awsRole.inputs).toMatchObject({
            backend: secret.backend,
            credentialType: "assumed_role",
            roleArns: secret.roleArns,
            defaultStsTtl: secret.defaultStsTtl,
            maxStsTtl: secret.maxStsTtl,
          });
        }
      }
    }
  });

  it("exposes per-identity outputs", async () => {
    const fleet = new AgentFleet("platform", { platform: PLATFORM, agents: [agent("alpha")], validationDate: TODAY_DATE });
    const execution = fleet.agents.alpha.identities.execution;
    expect(await outputValue(execution.serviceAccountName)).toBe("alpha-execution");
    expect(await outputValue(execution.serviceAccountNamespace)).toBe("acme-test-alpha");
    expect(await outputValue(execution.roleName)).toBe("acme-test-alpha-execution");
    expect(await outputValue(execution.roleArn)).toBe("arn:aws:iam::111122223333:role/acme-test-alpha-execution");
    expect(await outputValue(execution.vaultRoleName)).toBe("test-alpha-execution");
    expect(await outputValue(execution.vaultPolicyName)).toBe("acme-test-alpha-execution");
  });

  it("gives every child a name derived from its agent, not its position", async () => {
    const urns = async (names: string[]) => {
      installMocks("dev");
      new AgentFleet("platform", { platform: PLATFORM, agents: names.map((n) => agent(n)), validationDate: TODAY_DATE });
      await settle();
      return resources().map((r) => `${r.type}::${r.name}::${JSON.stringify(r.inputs)}`);
    };
    const forward = await urns(["alpha", "beta", "gamma"]);
    const reversed = await urns(["gamma", "beta", "alpha"]);
    expect([...reversed].sort()).toEqual([...forward].sort());

    const withDelta = await urns(["alpha", "beta", "gamma", "delta"]);
    const others = withDelta.filter((r) => !r.includes("delta"));
    expect(others.sort()).toEqual([...forward].sort());
    expect(withDelta.length).toBeGreaterThan(forward.length);
  });

  it("uses the component type tokens and parents every child", async () => {
    new Agent("solo", { ...agent("solo"), platform: PLATFORM, validationDate: TODAY_DATE });
    await settle();
    const types = new Set(resources().map((r) => r.type));
    expect(types).toContain("agent-identity:index:Agent");
    expect(types).toContain("agent-identity:index:AgentIdentity");
    expect(
      resources()
        .filter((r) => r.custom)
        .every((r) => r.name.startsWith("solo-")),
    ).toBe(true);
  });

  it("fails with every violation before creating any child resource", async () => {
    let error: unknown;
    try {
      new Agent("old", {
        ...agent("old", { audit: { logRetentionDays: 1 }, tools: [{ name: "x", dataClass: "restricted", kv: { path: "k" } }] }),
        platform: PLATFORM,
        validationDate: TODAY_DATE,
      });
    } catch (e) {
      error = e;
    }
    await settle();
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    const message = (error as Error).message;
    expect(message).toContain("old/*: lifecycle/bounds: audit retention is 1 days");
    expect(message).toContain("old/execution: context/data-class-ceiling");
    expect(resources().filter((r) => r.custom)).toEqual([]);
  });

  it("rejects a malformed declaration with the field and reason", async () => {
    expect(() => new Agent("bad", { ...agent("bad"), tier: "superuser" as never, platform: PLATFORM, validationDate: TODAY_DATE })).toThrow(/agent\.tier/);
    await settle();
    expect(resources().filter((r) => r.custom)).toEqual([]);
  });
});
