/**
 * An agent's Vault resources are the ones its plan describes (vault/agent-resources-as-planned):
 * each case changes one property of the components' own resources for stacks/Pulumi.dev.yaml (as a
 * transformation or a hand-written resource would) and runs the whole pack. The message must name
 * the field that changed. Unknown at preview is not a change.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION } from "../../components/core/compile";
import { inputChanges, pathRuleChanges, readVaultPlanRecord, vaultPlanRecord } from "../../components/core/vault-plan";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaring, UNKNOWN, runPack, ruleIds, type Resource } from "../helpers/policy-args";

const RULE = "vault/agent-resources-as-planned";
const POLICY = "platform-payout-approver-execution-vault-policy";
const AUTH_ROLE = "platform-payout-approver-execution-vault-role";
const DB_ROLE = "platform-payout-approver-execution-secret-payouts-db";
const AWS_ROLE = "platform-invoice-triage-execution-secret-reports";
const SA = "platform-payout-approver-execution-service-account";

type Props = Record<string, unknown>;
const change = (name: string, edit: (props: Props) => Props) => (resources: readonly Resource[]) =>
  resources.map((r) => (r.name === name ? { ...r, props: edit(structuredClone(r.props) as Props) } : r));
const set = (name: string, field: string, value: unknown) => change(name, (p) => ({ ...p, [field]: value }));
const annotations = (props: Props) => (props.metadata as { annotations: Record<string, unknown> }).annotations;
/** Every Vault resource created through one explicit Vault provider (attack round 11 b10 pkg-vault-provider-namespace-agents-policy). */
const throughProvider = (props: Props) => (resources: readonly Resource[]) => {
  const provider: Resource = { type: "pulumi:providers:vault", name: "vault-team", props: { address: "https://vault.acme.example:8200", ...props } };
  return resources.map((r) => (r.type.startsWith("vault:") ? { ...r, provider } : r));
};
const block = (path: string, ...capabilities: string[]) => `path "${path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`;

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});

describe("pack: an agent's Vault resources are the ones its plan describes", () => {
  it("reports nothing for the components' own resources", async () => {
    expect(await runPack(base)).toEqual([]);
  });

  const refused: Array<{ name: string; edit: (resources: readonly Resource[]) => Resource[]; names: string }> = [
    {
      name: "the agent's policy gets a path of the platform's KV",
      edit: change(POLICY, (p) => ({ ...p, policy: `${p.policy as string}\n${block("kv/data/platform/db-root", "read")}` })),
      names: 'path "kv/data/platform/db-root" [read] is not planned',
    },
    {
      name: "a planned path gets another capability",
      edit: change(POLICY, (p) => ({
        ...p,
        policy: (p.policy as string).replace(
          'capabilities = ["read"]\n}\n\npath "auth/token/renew-self"',
          'capabilities = ["read", "list"]\n}\n\npath "auth/token/renew-self"',
        ),
      })),
      names: 'path "auth/token/lookup-self" has [list, read], planned [read]',
    },
    {
      name: "a planned path is removed",
      edit: change(POLICY, (p) => ({ ...p, policy: (p.policy as string).replace(block("auth/token/revoke-self", "update"), "") })),
      names: 'planned path "auth/token/revoke-self" [update] is missing',
    },
    { name: "the policy is written in another Vault namespace", edit: set(POLICY, "namespace", "team-b"), names: "namespace is" },
    { name: "the policy is renamed", edit: set(POLICY, "name", "acme-dev-payout-approver-execution-2"), names: "no vault.Policy of the stack names" },
    {
      name: "the auth role binds another namespace too",
      edit: change(AUTH_ROLE, (p) => ({ ...p, boundServiceAccountNamespaces: [...(p.boundServiceAccountNamespaces as string[]), "ci"] })),
      names: "boundServiceAccountNamespaces is",
    },
    {
      name: "the auth role binds another ServiceAccount too",
      edit: change(AUTH_ROLE, (p) => ({ ...p, boundServiceAccountNames: [...(p.boundServiceAccountNames as string[]), "runner"] })),
      names: "boundServiceAccountNames is",
    },
    {
      name: "the auth role carries another policy",
      edit: change(AUTH_ROLE, (p) => ({ ...p, tokenPolicies: [...(p.tokenPolicies as string[]), "ops"] })),
      names: "tokenPolicies is",
    },
    { name: "the auth role's token TTL is raised", edit: set(AUTH_ROLE, "tokenTtl", 600), names: "tokenTtl is 600, planned 300" },
    { name: "the auth role's token max TTL is raised", edit: set(AUTH_ROLE, "tokenMaxTtl", 3600), names: "tokenMaxTtl is 3600, planned 900" },
    {
      name: "the auth role gets an explicit max TTL the plan does not set",
      edit: set(AUTH_ROLE, "tokenExplicitMaxTtl", 86400),
      names: "tokenExplicitMaxTtl is 86400, planned unset",
    },
    { name: "the auth role accepts another audience", edit: set(AUTH_ROLE, "audience", "https://kubernetes.default.svc"), names: "audience is" },
    { name: "the auth role is moved to another mount", edit: set(AUTH_ROLE, "backend", "kubernetes-b"), names: "on mount kubernetes, which no" },
    {
      name: "the AWS secret role assumes another role too",
      edit: change(AWS_ROLE, (p) => ({ ...p, roleArns: [...(p.roleArns as string[]), "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"] })),
      names: "roleArns is",
    },
    {
      name: "the AWS secret role gets a policy document",
      edit: set(AWS_ROLE, "policyDocument", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] })),
      names: "policyDocument is",
    },
    {
      name: "the AWS secret role gets managed policy ARNs",
      edit: set(AWS_ROLE, "policyArns", ["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
      names: "policyArns is",
    },
    { name: "the AWS secret role gets IAM groups", edit: set(AWS_ROLE, "iamGroups", ["admins"]), names: "iamGroups is" },
    {
      name: "the AWS secret role mints IAM users",
      edit: set(AWS_ROLE, "credentialType", "iam_user"),
      names: 'credentialType is "iam_user", planned "assumed_role"',
    },
    { name: "the AWS secret role's max STS TTL is raised", edit: set(AWS_ROLE, "maxStsTtl", 43200), names: "maxStsTtl is 43200, planned 3600" },
    { name: "the database secret role uses another connection", edit: set(DB_ROLE, "dbName", "ledger"), names: 'dbName is "ledger", planned "treasury"' },
    {
      name: "the database secret role's creation statements grant more",
      edit: change(DB_ROLE, (p) => ({ ...p, creationStatements: (p.creationStatements as string[]).map((s) => s.replace("GRANT SELECT", "GRANT ALL")) })),
      names: "creationStatements is",
    },
    {
      name: "the database secret role drops its revocation statements",
      edit: change(DB_ROLE, (p) => ({ ...p, revocationStatements: undefined })),
      names: "revocationStatements is unset",
    },
    {
      name: "the database secret role gets renew statements",
      edit: set(DB_ROLE, "renewStatements", ["ALTER ROLE \"{{name}}\" VALID UNTIL 'infinity';"]),
      names: "renewStatements is",
    },
    { name: "the database secret role's max TTL is raised", edit: set(DB_ROLE, "maxTtl", 86400), names: "maxTtl is 86400, planned 900" },
    {
      name: "the database secret role is renamed",
      edit: set(DB_ROLE, "name", "dev.payout-approver.payouts-db-2"),
      names: "which no vault:database/secretBackendRole",
    },
    {
      name: "the components' ServiceAccount has no Vault plan record",
      edit: change(SA, (p) => {
        delete annotations(p)[VAULT_PLAN_ANNOTATION];
        return p;
      }),
      names: `no ${VAULT_PLAN_ANNOTATION} record`,
    },
    {
      name: "the Vault plan record is not the components'",
      edit: change(SA, (p) => ((annotations(p)[VAULT_PLAN_ANNOTATION] = "{}"), p)),
      names: "is not the components' record",
    },
    {
      name: "the agents' Vault resources go through a provider whose namespace is a child namespace",
      edit: throughProvider({ namespace: "team-a" }),
      names: 'its Vault provider vault-team puts it in namespace "team-a"',
    },
    {
      name: "the agents' Vault resources go through a provider whose namespace is unknown at preview",
      edit: throughProvider({ namespace: UNKNOWN }),
      names: "its Vault provider vault-team sets a namespace unknown at preview",
    },
  ];
  for (const testCase of refused) {
    it(`refuses: ${testCase.name}`, async () => {
      const reported = await runPack(testCase.edit(base));
      expect(ruleIds(reported)).toContain(RULE);
      expect(reported.filter((r) => r.message.includes(`${RULE}:`)).map((r) => r.message)).toContainEqual(expect.stringContaining(testCase.names));
    });
  }

  const accepted: Array<{ name: string; edit: (resources: readonly Resource[]) => Resource[] }> = [
    {
      name: "the same path rules in another order and layout (compared parsed, not as text)",
      edit: change(POLICY, (p) => ({
        ...p,
        policy: (p.policy as string)
          .split("\n\n")
          .reverse()
          .map((b) => b.replace(/\n {2}/g, "\n    "))
          .join("\n"),
      })),
    },
    {
      name: "the same path rules in Vault's JSON form",
      edit: change(POLICY, (p) => {
        const paths = [...(p.policy as string).matchAll(/path "([^"]+)" \{\n {2}capabilities = \[([^\]]*)\]/g)];
        return { ...p, policy: JSON.stringify({ path: Object.fromEntries(paths.map((m) => [m[1], { capabilities: JSON.parse(`[${m[2]}]`) }])) }) };
      }),
    },
    {
      name: "the auth role names its policy in another case (Vault lower-cases policy names)",
      edit: change(AUTH_ROLE, (p) => ({ ...p, tokenPolicies: (p.tokenPolicies as string[]).map((n) => n.toUpperCase()) })),
    },
    { name: "the auth role's token type is the provider's default", edit: set(AUTH_ROLE, "tokenType", "default") },
    { name: "the AWS secret role's mount written with slashes", edit: set(AWS_ROLE, "backend", "/aws/") },
    { name: "the agents' Vault resources go through a provider without a namespace", edit: throughProvider({}) },
    { name: "the agents' Vault resources go through a provider whose namespace is empty (the root)", edit: throughProvider({ namespace: "" }) },
    { name: "the policy text unknown at preview", edit: set(POLICY, "policy", UNKNOWN) },
    { name: "the database secret role's connection unknown at preview", edit: set(DB_ROLE, "dbName", UNKNOWN) },
    { name: "the AWS secret role's role ARNs unknown at preview", edit: set(AWS_ROLE, "roleArns", UNKNOWN) },
    { name: "the auth role's name unknown at preview (not reported as missing)", edit: set(AUTH_ROLE, "roleName", UNKNOWN) },
    {
      name: "the ServiceAccount's annotations unknown at preview",
      edit: change(SA, (p) => ({ ...p, metadata: { ...(p.metadata as object), annotations: UNKNOWN } })),
    },
  ];
  for (const testCase of accepted) {
    it(`does not refuse: ${testCase.name}`, async () => {
      expect(ruleIds(await runPack(testCase.edit(base)))).not.toContain(RULE);
    });
  }

  it("refuses a policy named as another stack's agent identity's (a shared Vault), until declared; a platform name passes", async () => {
    const stray: Resource = {
      type: "vault:index/policy:Policy",
      name: "prod-payout",
      props: { name: "platform-prod-payout-approver-execution", policy: block("kv/data/platform/db-root", "read") },
    };
    const reported = (await runPack([...base, stray])).filter((r) => r.message.includes("no identity of this stack plans it"));
    expect(reported.map((r) => r.message)).toEqual([expect.stringContaining(RULE)]);
    expect(ruleIds(await runPack([...base, stray], undefined, declaring(stray)))).not.toContain(RULE);
    const platform = { ...stray, props: { ...stray.props, name: "platform-db-root-reader" } };
    expect(ruleIds(await runPack([...base, platform]))).not.toContain(RULE);
  });
  it("a hand-written agent ServiceAccount with neither record is not compared", async () => {
    const edit = change(SA, (p) => {
      delete annotations(p)[VAULT_PLAN_ANNOTATION];
      delete annotations(p)[ROLE_PLAN_ANNOTATION];
      return p;
    });
    const reported = await runPack(edit(base));
    expect(reported.filter((r) => r.message.includes(`${RULE}:`))).toEqual([]);
  });
});

describe("Vault plan record", () => {
  const vault = {
    role: null,
    additionalRoles: [],
    policy: { name: "p", paths: [{ path: "kv/data/a", capabilities: ["read"] }] },
    secretRoles: [],
  };

  it("holds nothing but the policy of an identity without an auth role, and reads back what it writes", () => {
    const record = vaultPlanRecord(vault);
    expect(record.policy).toBeNull();
    expect(readVaultPlanRecord(JSON.stringify(record))).toEqual(record);
  });

  it("reads only the components' record, bounded in size", () => {
    expect(readVaultPlanRecord("not json")).toBeUndefined();
    expect(readVaultPlanRecord(JSON.stringify({ policy: null }))).toBeUndefined();
    expect(readVaultPlanRecord(" ".repeat(70_000))).toBeUndefined();
    const record = { policy: null, authRoles: [], awsSecretRoles: [], databaseSecretRoles: [] };
    expect(readVaultPlanRecord(JSON.stringify({ ...record, extra: 1 }))).toBeUndefined();
    expect(readVaultPlanRecord(JSON.stringify({ ...record, awsSecretRoles: [{ backend: "aws" }] }))).toBeUndefined();
  });

  it("compares inputs closed-world: an unplanned input is a change, an empty one is not, sets ignore order", () => {
    const planned = { name: "r", roleArns: ["a", "b"], maxStsTtl: 900 };
    const none = () => false;
    expect(inputChanges(planned, { name: "r", roleArns: ["b", "a"], maxStsTtl: 900, iamGroups: [] }, new Set(), none)).toEqual([]);
    expect(inputChanges(planned, { name: "r", roleArns: ["a", "b"], maxStsTtl: 900, userPath: "/x/" }, new Set(), none).map((c) => c.field)).toEqual([
      "userPath",
    ]);
    expect(inputChanges(planned, { name: "r", roleArns: ["a"], maxStsTtl: 900 }, new Set(), none).map((c) => c.field)).toEqual(["roleArns"]);
    expect(inputChanges(planned, { name: "s", roleArns: ["a", "b"], maxStsTtl: UNKNOWN }, new Set(["name"]), (f) => f === "maxStsTtl")).toEqual([]);
  });

  it("compares path rules as Vault merges them: a repeated block adds its capabilities", () => {
    const planned = [{ path: "kv/data/a", capabilities: ["read"] }];
    expect(
      pathRuleChanges(planned, [
        { path: "kv/data/a", capabilities: ["read"] },
        { path: "kv/data/a", capabilities: ["read"] },
      ]),
    ).toEqual([]);
    expect(
      pathRuleChanges(planned, [
        { path: "kv/data/a", capabilities: ["read"] },
        { path: "kv/data/a", capabilities: ["delete"] },
      ]),
    ).toEqual(['path "kv/data/a" has [delete, read], planned [read]']);
  });
});
