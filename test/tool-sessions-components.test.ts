/**
 * Tool sessions (issue #14) through the real components under Pulumi mocks: the prod stack (which
 * uses tagged-sessions) registers one tool role per agent with aws tools, its inline policy, and a
 * Vault AWS secret role per aws tool with the tool's session tags, TTL and external id; the
 * execution role gets no tool policy; bootstrap on sets the username templates that name the tool.
 */
import { describe, expect, it } from "vitest";
import { componentResources } from "./helpers/component-resources";
import { TODAY_DATE, stackDeclaration } from "./helpers/fixtures";
import { installMocks, resources, settle } from "./helpers/pulumi-mocks";
import { AgentPlatform } from "../components";
import { TOOL_SESSIONS_ENV, workloadIdentity } from "../components/core/workload";
import { planDeclaration } from "../components/plan";
import type { DeclarationInput } from "../components/core/schema";
import { AWS_SESSION_NAME_TEMPLATE, DATABASE_USERNAME_TEMPLATE, SESSION_TAG } from "../components/core/tool-sessions";

const NOW = new Date("2026-11-28T12:00:00Z");

/** What a standalone AgentPlatform registers for a declaration (its bootstrap part only). */
/** The postgresql block is secret (it holds the root password): read inside the secret wrapper. */
const postgresql = (inputs: Record<string, unknown>) => {
  const block = inputs.postgresql as Record<string, unknown>;
  return (block.value ?? block) as Record<string, unknown>;
};

async function platformResources(declaration: DeclarationInput) {
  installMocks();
  new AgentPlatform("platform", {
    platform: declaration.platform,
    agents: declaration.agents ?? [],
    validationDate: TODAY_DATE,
    rootPasswords: { ledgerRootPassword: "test-password" },
  });
  await settle();
  return resources();
}

describe("tagged-sessions under mocks (prod stack)", () => {
  it("registers the tool role, its policy and one tagged Vault AWS role per aws tool", async () => {
    const declaration = stackDeclaration("prod");
    const plan = planDeclaration(declaration, "prod", NOW).plan;
    const resources = await componentResources(declaration);
    const roles = resources.filter((r) => r.type === "aws:iam/role:Role");
    const toolRoles = roles.filter((r) => String(r.props.name).endsWith("-tools"));
    expect(toolRoles.map((r) => r.props.name).sort()).toEqual(["acme-prod-invoice-triage-tools", "acme-prod-support-assistant-tools"]);
    for (const agent of plan.agents) {
      const toolRole = agent.identities.find((i) => i.kind === "execution")!.toolRole!;
      const registered = toolRoles.find((r) => r.props.name === toolRole.name)!;
      expect(JSON.parse(String(registered.props.assumeRolePolicy))).toEqual(toolRole.trustPolicy);
      expect(registered.props.permissionsBoundary).toBe("arn:aws:iam::999988887777:policy/agent-boundary");
      const policies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.includes(`${agent.name}-execution-tool-role`));
      expect(policies.map((p) => JSON.parse(String(p.props.policy)))).toEqual(toolRole.policies.map((p) => p.document));
    }
    // The execution roles carry no tool policy of their own.
    const executionPolicies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && /execution-agent-identity-execution$/.test(r.name));
    expect(executionPolicies).toEqual([]);
    const awsRoles = resources.filter((r) => r.type === "vault:aws/secretBackendRole:SecretBackendRole");
    expect(awsRoles.map((r) => r.props.name).sort()).toEqual([
      "prod.invoice-triage.archive-invoices",
      "prod.invoice-triage.read-invoices",
      "prod.support-assistant.kb-search",
    ]);
    const archive = awsRoles.find((r) => r.props.name === "prod.invoice-triage.archive-invoices")!;
    expect(archive.props).toMatchObject({
      credentialType: "assumed_role",
      roleArns: ["arn:aws:iam::999988887777:role/acme-prod-invoice-triage-tools"],
      externalId: "acme-prod-invoice-archive",
      defaultStsTtl: 900,
      sessionTags: {
        [SESSION_TAG.agent]: "invoice-triage",
        [SESSION_TAG.identity]: "execution",
        [SESSION_TAG.tool]: "archive-invoices",
        [SESSION_TAG.dataClass]: "internal",
        [SESSION_TAG.environment]: "prod",
      },
    });
    expect(awsRoles.find((r) => r.props.name === "prod.invoice-triage.read-invoices")!.props.externalId).toBeUndefined();
  });

  it("role mode registers neither tool roles nor session tags (dev stack)", async () => {
    const resources = await componentResources(stackDeclaration("dev"));
    expect(resources.filter((r) => r.type === "aws:iam/role:Role" && String(r.props.name).endsWith("-tools"))).toEqual([]);
    for (const role of resources.filter((r) => r.type === "vault:aws/secretBackendRole:SecretBackendRole")) expect(role.props.sessionTags).toBeUndefined();
  });

  it("bootstrap with tagged-sessions sets the username templates that name the tool", async () => {
    const sandbox = stackDeclaration("sandbox");
    const platform = sandbox.platform as Record<string, unknown> & { vault: Record<string, unknown>; bootstrap?: Record<string, unknown> };
    const engine = `arn:aws:iam::${(platform.aws as { accountId: string }).accountId}:role/vault-aws-engine`;
    const tagged = {
      ...sandbox,
      platform: {
        ...platform,
        toolSessions: "tagged-sessions",
        vault: { ...platform.vault, version: "1.21.1", edition: "enterprise" },
        bootstrap: { ...platform.bootstrap, aws: { roleArn: engine, identityTokenAudience: "vault-plugin" } },
      },
    } as DeclarationInput;
    const resources = await platformResources(tagged);
    const connection = resources.find((r) => r.type === "vault:database/secretBackendConnection:SecretBackendConnection")!;
    expect(postgresql(connection.inputs).usernameTemplate).toBe(DATABASE_USERNAME_TEMPLATE);
    const mount = resources.find((r) => r.type === "vault:aws/secretBackend:SecretBackend")!;
    expect(mount.inputs.usernameTemplate).toBe(AWS_SESSION_NAME_TEMPLATE);
    // The engine the platform creates is the principal every tool role trusts.
    for (const agent of planDeclaration(tagged, "sandbox", NOW).plan.agents) {
      const toolRole = agent.identities.find((i) => i.kind === "execution")!.toolRole;
      if (toolRole) expect(JSON.stringify(toolRole.trustPolicy)).toContain(engine);
    }
    const untagged = await platformResources(sandbox);
    expect(
      postgresql(untagged.find((r) => r.type === "vault:database/secretBackendConnection:SecretBackendConnection")!.inputs).usernameTemplate,
    ).toBeUndefined();
    expect(untagged.find((r) => r.type === "vault:aws/secretBackend:SecretBackend")?.inputs.usernameTemplate).toBeUndefined();
  });
});

describe("the execution workload names each tool's session path (tagged-sessions)", () => {
  it("adds the Vault role, auth mount and the tool → credentials path map; role mode adds none", () => {
    const prod = planDeclaration(stackDeclaration("prod"), "prod", NOW).plan.agents.find((a) => a.name === "invoice-triage")!;
    const env = workloadIdentity(
      prod.identities.find((i) => i.kind === "execution")!,
      { vaultAudience: "vault" },
    ).env;
    expect(env.find((e) => e.name === "VAULT_K8S_ROLE")?.value).toBe("prod-invoice-triage-execution");
    expect(env.find((e) => e.name === "VAULT_K8S_AUTH_PATH")?.value).toBe("kubernetes-prod");
    expect(JSON.parse(env.find((e) => e.name === TOOL_SESSIONS_ENV)!.value!)).toEqual({
      "read-invoices": "aws/sts/prod.invoice-triage.read-invoices",
      "archive-invoices": "aws/sts/prod.invoice-triage.archive-invoices",
    });
    const dev = planDeclaration(stackDeclaration("dev"), "dev", NOW).plan.agents[0];
    const devEnv = workloadIdentity(
      dev.identities.find((i) => i.kind === "execution")!,
      { vaultAudience: dev.identities[0].vault.role!.audience },
    ).env;
    expect(devEnv.map((e) => e.name)).not.toContain(TOOL_SESSIONS_ENV);
  });
});

describe("the access-review inventory with tagged sessions", () => {
  it("shows what the execution identity's tools reach through the tool role, and the tool role", async () => {
    const { buildInventory } = await import("../cli/inventory");
    const plan = planDeclaration(stackDeclaration("prod"), "prod", NOW).plan;
    const row = buildInventory(plan, [], NOW).rows.find((r) => r.agent === "invoice-triage" && r.identity === "execution")!;
    expect(row.toolRole).toBe("arn:aws:iam::999988887777:role/acme-prod-invoice-triage-tools");
    expect(row.services).toEqual(["s3"]);
    expect(row.resources).toEqual(
      expect.arrayContaining(["arn:aws:s3:::acme-invoices-prod/incoming/*", "arn:aws:s3:::acme-invoices-prod/archive/*", "database connection ledger"]),
    );
    expect(row.resources).not.toContain("arn:aws:iam::999988887777:role/acme-prod-invoice-triage-tools");
  });
});
