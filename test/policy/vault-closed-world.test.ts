/**
 * Vault in the closed world (issue #19 part 4): what reaches an agent's Vault paths is the agent's
 * own or refused, whatever form it takes. Each case adds one hand-written resource (or changes one
 * property of a passing one) beside the dev stack's components, which pass on their own
 * (test/policy/components-pass.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { writePath, writeRefusal } from "../../policy/adapters/vault-generic";
import { grantedObjects, toolOf } from "../../policy/checks/vault-secret-reach";
import { cleanVaultPath, pathFamily, vaultPathMatches, vaultPatternsOverlap } from "../../policy/vault-paths";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { ruleIds, runPack, type Reported, type Resource } from "../helpers/policy-args";

const KV = "kv/data/agents/dev/support-assistant/zendesk/api-token";
const AWS_TARGET = "arn:aws:iam::444455556666:role/reports-reader";

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);

const policy = (name: string, path: string, caps = ["read"]): Resource => ({
  type: "vault:index/policy:Policy",
  name: `${name}-policy`,
  props: { name, policy: `path "${path}" {\n  capabilities = ${JSON.stringify(caps)}\n}\n` },
});
const jwtRole = (policies: string[]): Resource => ({
  type: "vault:jwt/authBackendRole:AuthBackendRole",
  name: "ci-jwt",
  // Bound to a claim ServiceAccount tokens lack, so no agent's token logs in through it (vault/service-account-login).
  props: {
    backend: "jwt",
    roleName: "ci",
    roleType: "jwt",
    userClaim: "sub",
    boundAudiences: ["ci"],
    boundClaims: { repository: "acme/ci" },
    tokenPolicies: policies,
  },
});
const added = async (...extra: Resource[]): Promise<Reported[]> => {
  const before = new Set((await runPack(base)).map((r) => r.message));
  return (await runPack([...base, ...extra])).filter((r) => !before.has(r.message));
};
const withBase = async (...extra: Resource[]) => ruleIds(await added(...extra));

describe("a CI policy is judged by the paths it reaches, in every form Vault reads", () => {
  it("an exact path no agent holds passes (the happy path every case changes one thing of)", async () => {
    expect(await withBase(policy("ci", "kv/data/ci/settings"), jwtRole(["ci"]))).toEqual([]);
  }, 60_000);

  const cases: Array<[string, string, string[]]> = [
    ["a templated segment matches every agent", "kv/data/agents/dev/{{identity.entity.metadata.agent}}/zendesk/api-token", ["vault/agent-path-reach"]],
    ["a template standing for several segments", "kv/data/{{identity.entity.aliases.auth_jwt_1.metadata.path}}", ["vault/agent-path-reach"]],
    ["a templated database role name", "database/creds/dev.{{identity.entity.metadata.agent}}.payouts-db", ["vault/agent-path-reach"]],
    ["a glob over the agents' KV prefix", "kv/data/agents/*", ["vault/agent-path-reach"]],
    ["a write to an agent's secret", "kv/data/agents/dev/support-assistant/zendesk/api-token", ["vault/agent-path-reach"]],
    ["KV v2 subkeys of the agent's secret", "kv/subkeys/agents/dev/support-assistant/zendesk/api-token", ["vault/agent-path-reach"]],
    [
      "a repeated slash Vault's listener cleans away",
      "kv/data/agents/dev//support-assistant/zendesk/api-token",
      ["vault/agent-path-reach", "vault/policy-unreadable"],
    ],
    [
      "a dot-dot segment Vault's listener resolves",
      "kv/data/agents/dev/x/../support-assistant/zendesk/api-token",
      ["vault/agent-path-reach", "vault/policy-unreadable"],
    ],
  ];
  for (const [name, path, rules] of cases)
    it(
      name,
      async () => {
        const reported = await added(policy("ci", path), jwtRole(["ci"]));
        expect(ruleIds(reported)).toEqual(rules);
        const reach = reported.filter((r) => r.message.includes("vault/agent-path-reach"));
        // Reported on the agent identity that holds the path, as plan reports it.
        expect(reach.length).toBeGreaterThan(0);
        expect(reach.every((r) => /^(support-assistant|payout-approver|invoice-triage)\/execution: /.test(r.message))).toBe(true);
      },
      60_000,
    );
});

describe("the shape of an agent's own policy (globs, writes) is not asked of a platform policy that reaches no agent path", () => {
  it.each([
    ["a glob under CI's own prefix", policy("ci", "kv/data/ci/*")],
    ["a write to CI's own secret", policy("ci", "kv/data/ci/runner", ["create", "update", "read"])],
  ])(
    "passes %s",
    async (_name, ci) => {
      expect(await withBase(ci, jwtRole(["ci"]))).toEqual([]);
    },
    60_000,
  );

  it("judges a policy named as an agent identity's by that shape before it exists", async () => {
    expect(await withBase(policy("acme-dev-ci-execution", "kv/data/ci/*"), jwtRole(["acme-dev-ci-execution"]))).toContain("vault/policy-glob");
  }, 60_000);

  it("judges a policy an agent identity's auth role carries by that shape, whatever its name", async () => {
    const agentRole = base.find((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && Array.isArray(r.props.tokenPolicies))!;
    const carried = base.map((r) => (r === agentRole ? { ...r, props: { ...r.props, tokenPolicies: [...(r.props.tokenPolicies as string[]), "ci"] } } : r));
    const reported = (await runPack([...carried, policy("ci", "kv/data/ci/*", ["read", "update"])])).filter((r) =>
      / policy ci, carried by agent /.test(r.message),
    );
    expect(ruleIds(reported).sort()).toEqual(["vault/policy-glob", "vault/policy-read-only"]);
  }, 60_000);
});

describe("Kubernetes auth role names compare as the plugin stores them (strings.ToLower)", () => {
  const role = (roleName: string): Resource => ({
    type: "vault:kubernetes/authBackendRole:AuthBackendRole",
    name: "ci-k8s",
    props: {
      backend: "kubernetes",
      roleName,
      boundServiceAccountNames: ["runner"],
      boundServiceAccountNamespaces: ["ci"],
      audience: "vault",
      tokenPolicies: ["ci"],
      tokenTtl: 600,
      tokenMaxTtl: 900,
      tokenNoDefaultPolicy: true,
    },
  });
  it("a role name of its own passes; the agent's name in upper case overwrites the agent's role", async () => {
    expect(await withBase(policy("ci", "kv/data/ci/settings"), role("ci-runner"))).toEqual([]);
    expect(await withBase(policy("ci", "kv/data/ci/settings"), role("DEV-SUPPORT-ASSISTANT-EXECUTION"))).toEqual([
      "vault/agent-resources-as-planned",
      "vault/unique-path",
    ]);
  }, 60_000);
});

describe("secret roles are judged by what their credentials reach", () => {
  const awsRole = (roleArns: string[]): Resource => ({
    type: "vault:aws/secretBackendRole:SecretBackendRole",
    name: "ci-aws",
    props: { backend: "aws", name: "ci.reports", credentialType: "assumed_role", defaultStsTtl: 900, maxStsTtl: 3600, roleArns },
  });
  it("an AWS secret role on a role no agent's tool assumes passes; on the agent tool's role it is refused, naming agent, identity and tool", async () => {
    expect(await withBase(awsRole(["arn:aws:iam::444455556666:role/ci-reader"]))).toEqual([]);
    const reported = await added(awsRole([AWS_TARGET]));
    expect(ruleIds(reported)).toEqual(["vault/agent-path-reach"]);
    expect(reported[0].message).toMatch(/^invoice-triage\/execution: vault\/agent-path-reach: tool reports: AWS secret role aws\/roles\/ci\.reports/);
  }, 60_000);

  const dbRole = (dbName: string, table: string): Resource => ({
    type: "vault:database/secretBackendRole:SecretBackendRole",
    name: "ci-db",
    props: {
      backend: "database",
      name: "ci.reader",
      dbName,
      defaultTtl: 300,
      maxTtl: 900,
      creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ${table} TO "{{name}}";`],
      revocationStatements: [`REVOKE ALL ON ${table} FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";`],
    },
  });
  it("a database role on a connection no agent uses passes; on an agent's connection it is refused, naming the agent's tables it grants on", async () => {
    expect(ruleIds(await added(dbRole("warehouse", "payouts"))).filter((id) => id === "vault/agent-path-reach")).toEqual([]);
    const reported = (await added(dbRole("treasury", "payouts"))).filter((r) => r.message.includes("vault/agent-path-reach"));
    expect(reported).toHaveLength(1);
    expect(reported[0].message).toMatch(/^payout-approver\/execution: vault\/agent-path-reach: tool payouts-db: .*grants on the agent's payouts/);
  }, 60_000);

  it("a static role on an agent's connection is refused; on another connection it passes", async () => {
    const staticRole = (dbName: string): Resource => ({
      type: "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
      name: "owner",
      props: { backend: "database", dbName, name: "owner", username: "treasury_owner", rotationPeriod: 86400 },
    });
    expect(await withBase(staticRole("warehouse"))).toEqual([]);
    expect(await withBase(staticRole("treasury"))).toEqual(["vault/agent-path-reach"]);
  }, 60_000);
});

describe("writes to Vault paths are an allowlist", () => {
  const endpoint = (path: string): Resource => ({ type: "vault:generic/endpoint:Endpoint", name: "ep", props: { path, dataJson: "{}" } });
  it("secret data at a KV v2 path outside the agents' tree passes; anything else is refused, named or not", async () => {
    expect(await withBase(endpoint("kv/data/ci/settings"))).toEqual([]);
    for (const path of [
      "database/rotate-root/treasury",
      "pki/issue/agents",
      "transit/export/encryption-key/k",
      "kv/data/agents/dev/payout-approver/x",
      "kv/data",
    ])
      expect(await withBase(endpoint(path)), path).toContain("vault/generic-write");
  }, 120_000);

  it("kv.SecretV2, kv.Secret and generic.Secret into an agent's secret are refused and reported on the agent", async () => {
    const writes: Resource[] = [
      { type: "vault:kv/secretV2:SecretV2", name: "kv2", props: { mount: "kv", name: "agents/dev/support-assistant/zendesk/api-token", dataJson: "{}" } },
      { type: "vault:generic/secret:Secret", name: "gs", props: { path: KV, dataJson: "{}" } },
    ];
    for (const write of writes) {
      const reported = await added(write);
      expect(ruleIds(reported), write.type).toEqual(["vault/agent-path-reach", "vault/generic-write"]);
      expect(reported.some((r) => r.message.startsWith("support-assistant/execution: vault/agent-path-reach"))).toBe(true);
    }
    const ownSecret = { type: "vault:kv/secretV2:SecretV2", name: "kv2", props: { mount: "kv", name: "ci/settings", dataJson: "{}" } };
    expect(await withBase(ownSecret)).toEqual([]);
    expect(await withBase({ type: "vault:kv/secret:Secret", name: "kv1", props: { path: "kv/agents/dev/support-assistant/x", dataJson: "{}" } })).toEqual([
      "vault/generic-write",
    ]);
  }, 120_000);

  it("the agents' KV mount keeps Vault's version defaults; another mount may set them", async () => {
    const config = (mount: string, extra: object): Resource => ({ type: "vault:kv/secretBackendV2:SecretBackendV2", name: "kvc", props: { mount, ...extra } });
    expect(await withBase(config("kv", { casRequired: true }))).toEqual([]);
    expect(await withBase(config("kv", { maxVersions: 1 }))).toEqual(["vault/agent-kv-config"]);
    expect(await withBase(config("kv", { deleteVersionAfter: 1 }))).toEqual(["vault/agent-kv-config"]);
    expect(await withBase(config("team-kv", { maxVersions: 1 }))).toEqual([]);
  }, 120_000);
});

describe("paths that control what agents get count as reaching the agents (attack round 11, E)", () => {
  const cases: Array<[string, string, string[]]> = [
    ["writes any entity's policies (identity/entity/id/*)", "identity/entity/id/*", ["update"]],
    ["re-points the agents' AWS engine (aws/config/root)", "aws/config/root", ["read", "update"]],
    ["re-points an agent's database connection (database/config/<connection>)", "database/config/ledger", ["update"]],
    ["rotates a connection's root password", "database/rotate-root/treasury", ["update"]],
    ["mints identity tokens for any OIDC role (identity/oidc/token/*)", "identity/oidc/token/*", ["read"]],
    ["moves an alias to another entity", "identity/entity-alias/id/5f1c", ["update"]],
    ["adds members to a group by name", "identity/group/name/vault-admins", ["update"]],
    ["writes a group alias", "identity/group-alias", ["update"]],
    ["looks up entities", "identity/lookup/entity", ["update"]],
    ["reaches the identity engine by a segment glob", "+/entity/id/x", ["update"]],
    ["writes the agents' KV mount's config (versions kept, delete-after)", "kv/config", ["update"]],
    ["writes every mount's config by a glob", "+/config/*", ["update"]],
    ["writes the agents' Kubernetes auth config by a leading glob", "+/kubernetes/config", ["update"]],
    ["reads everything", "*", ["read"]],
    ["writes a config under a templated mount", "{{identity.entity.metadata.mount}}/config/root", ["update"]],
  ];
  for (const [name, path, caps] of cases)
    it(`refuses a platform policy that ${name}`, async () => {
      const reported = await added(policy("ci", path, caps), jwtRole(["ci"]));
      expect(ruleIds(reported)).toContain("vault/agent-path-reach");
      expect(reported.some((r) => r.message.includes(`"${path}"`) && r.message.includes("vault/agent-path-reach"))).toBe(true);
    }, 60_000);

  it.each([
    ["its own entity, as Vault's default policy reads it", "identity/entity/id/{{identity.entity.id}}", ["read"]],
    ["the config of a mount no agent uses", "team-aws/config/root", ["read", "update"]],
    ["credentials of a role no agent holds on the agents' database mount", "database/creds/ci-migrations", ["read"]],
    ["a path every capability of which is denied", "identity/*", ["deny"]],
    ["its own KV metadata on the agents' KV mount", "kv/metadata/ci/*", ["list", "read"]],
    ["AWS credentials of a role no agent holds on the agents' AWS mount", "aws/sts/ci-deploy", ["read"]],
  ])(
    "passes a platform policy reaching %s",
    async (_name, path, caps) => {
      expect(await withBase(policy("ci", path, caps), jwtRole(["ci"]))).toEqual([]);
    },
    60_000,
  );

  it("names what is reached: the agents' auth mount for a leading glob, the engine's config for a literal path", async () => {
    const glob = await added(policy("ci", "+/kubernetes/config", ["update"]), jwtRole(["ci"]));
    expect(glob.some((r) => r.message.includes("reaching auth/kubernetes/config of the agents' auth mount auth/kubernetes"))).toBe(true);
    const config = await added(policy("ci", "aws/config/root", ["update"]), jwtRole(["ci"]));
    expect(config.some((r) => /^invoice-triage\/execution: .*reaching aws\/config of the agents' aws mount aws/.test(r.message))).toBe(true);
  }, 60_000);

  it("writing its own entity is not the default policy's self-read", async () => {
    expect(await withBase(policy("ci", "identity/entity/id/{{identity.entity.id}}", ["update"]), jwtRole(["ci"]))).toEqual(["vault/agent-path-reach"]);
  }, 60_000);
});

describe("path helpers", () => {
  it("clean paths as Go's path.Clean does for the listener, keeping a trailing slash", () => {
    expect(cleanVaultPath("kv//data/./a/../b/")).toBe("kv/data/b/");
    expect(cleanVaultPath("/kv/data/x")).toBe("kv/data/x");
  });
  it("a template matches any text, slashes included; + and * keep their meaning around it", () => {
    expect(vaultPathMatches("kv/data/{{identity.entity.name}}", KV)).toBe(true);
    expect(vaultPathMatches("kv/data/agents/+/{{identity.entity.name}}/api-token", KV)).toBe(true);
    expect(vaultPathMatches("kv/metadata/{{identity.entity.name}}", KV)).toBe(false);
    expect(vaultPathMatches("kv/data/{{identity.entity.name}}/zendesk/*", KV)).toBe(true);
  });
  it("two patterns overlap when some path matches both: * a prefix, + one segment, a template any text", () => {
    expect(vaultPatternsOverlap("*", "identity/*")).toBe(true);
    expect(vaultPatternsOverlap("iden*", "identity/*")).toBe(true);
    expect(vaultPatternsOverlap("+/entity/id/x", "identity/*")).toBe(true);
    expect(vaultPatternsOverlap("ide/*", "identity/*")).toBe(false);
    expect(vaultPatternsOverlap("kv/data/ci/*", "kv/config")).toBe(false);
    expect(vaultPatternsOverlap("kv/+", "kv/config")).toBe(true);
    expect(vaultPatternsOverlap("kv/+/x", "kv/config")).toBe(false);
    expect(vaultPatternsOverlap("+/config/root", "aws/config")).toBe(false);
    expect(vaultPatternsOverlap("{{identity.entity.id}}/config/root", "aws/config/*")).toBe(true);
  });
  it("every KV v2 API prefix of a held secret is in its family", () => {
    expect(pathFamily(KV)).toEqual(expect.arrayContaining(["kv/subkeys/agents/dev/support-assistant/zendesk/api-token"]));
  });
  it("write paths: kv.SecretV2 is <mount>/data/<name>; the refusal names the agent's tree", () => {
    expect(writePath("vault:kv/secretV2:SecretV2", { mount: "kv/", name: "a//b" })).toBe("kv/data/a/b");
    expect(writeRefusal("kv/data/ci/x")).toBeNull();
    expect(writeRefusal("kv/data/agents/dev/payout-approver/x")).toMatch(/agent payout-approver/);
    expect(writeRefusal("team/roles/data/x")).toMatch(/"roles"/);
  });
  it("a role's granted objects and its tool come from the SQL parser and the components' naming", () => {
    expect([...grantedObjects(['CREATE ROLE "{{name}}"; GRANT SELECT ON public.Payouts, ledger TO "{{name}}";'])]).toEqual(["payouts", "ledger"]);
    expect(toolOf("dev.payout-approver.payouts-db", "payout-approver")).toBe("payouts-db");
    expect(toolOf("ci.payouts", "payout-approver")).toBeNull();
  });
});
