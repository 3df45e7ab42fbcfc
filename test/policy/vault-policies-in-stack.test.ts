/**
 * vault/policy-in-stack: beside the dev stack (agents), a Vault principal hands out only policies the
 * pack can read: a vault.Policy of the stack or Vault's `default`. An existing `admin` is refused until
 * the principal is declared; `root` always. And vault/policy-system-path admits, on a policy no agent
 * carries, the system paths of Vault's default policy (a platform app renewing its leases).
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "vault/policy-in-stack";
const dev = devBaseline();

const v = (type: string, name: string, props: Record<string, unknown>): Resource => ({ type, name, props });
const ciPolicy = v("vault:index/policy:Policy", "ci", { name: "ci-reader", policy: 'path "kv/data/ci/*" {\n  capabilities = ["read"]\n}\n' });

/** Principals that hand out an existing policy the stack does not write, each in the field its type uses. */
const PRINCIPALS: ReadonlyArray<readonly [string, (policy: string) => Resource]> = [
  ["an AppRole", (p) => v("vault:appRole/authBackendRole:AuthBackendRole", "ci", { backend: "approle", roleName: "ci", tokenPolicies: [p] })],
  ["a token", (p) => v("vault:index/token:Token", "ci", { policies: [p], ttl: "768h" })],
  [
    "a JWT role for GitHub Actions",
    (p) =>
      v("vault:jwt/authBackendRole:AuthBackendRole", "gha", {
        backend: "jwt",
        roleName: "gha",
        roleType: "jwt",
        userClaim: "sub",
        boundAudiences: ["https://github.com/acme"],
        boundClaims: { repository: "acme/infra" },
        tokenPolicies: [p],
      }),
  ],
  ["an identity entity", (p) => v("vault:identity/entity:Entity", "ops", { name: "ops", policies: [p] })],
  [
    "a Kubernetes-auth role for another ServiceAccount",
    (p) =>
      v("vault:kubernetes/authBackendRole:AuthBackendRole", "ci", {
        backend: "kubernetes",
        roleName: "ci",
        boundServiceAccountNames: ["ci"],
        boundServiceAccountNamespaces: ["ci"],
        tokenPolicies: [p],
      }),
  ],
  ["an Okta group", (p) => v("vault:okta/authBackendGroup:AuthBackendGroup", "everyone", { path: "okta", groupName: "Everyone", policies: [p] })],
  ["an LDAP group", (p) => v("vault:ldap/authBackendGroup:AuthBackendGroup", "staff", { backend: "ldap", groupname: "staff", policies: [p] })],
  ["a GitHub team", (p) => v("vault:github/team:Team", "everyone", { backend: "github", team: "everyone", policies: [p] })],
  ["a token role", (p) => v("vault:index/tokenAuthBackendRole:TokenAuthBackendRole", "ci", { roleName: "ci", allowedPolicies: [p] })],
  [
    "an Okta backend's nested group",
    (p) => v("vault:okta/authBackend:AuthBackend", "okta", { organization: "acme", groups: [{ groupName: "Everyone", policies: [p] }] }),
  ],
];

describe("a Vault principal hands out only policies the pack reads", () => {
  for (const [what, principal] of PRINCIPALS) {
    it(`refuses ${what} carrying an existing admin policy until declared, and passes it with a policy of the stack or default`, async () => {
      const admin = principal("vault-admin");
      expect(await dev.added([admin])).toContain(RULE);
      expect(await dev.added([admin], declaring(admin))).not.toContain(RULE);
      expect(await dev.added([ciPolicy, principal("ci-reader")])).not.toContain(RULE);
      expect(await dev.added([principal("default")])).not.toContain(RULE);
    }, 120_000);
  }
  it("compares names as Vault folds them, and refuses a stack policy's name with another word", async () => {
    expect(await dev.added([ciPolicy, PRINCIPALS[0][1](" CI-Reader ")])).not.toContain(RULE);
    expect(await dev.added([ciPolicy, PRINCIPALS[0][1]("ci-reader2")])).toContain(RULE);
  }, 120_000);
  it("counts a stack policy only on its own Vault server and namespace", async () => {
    const approle = PRINCIPALS[0][1]("ci-reader");
    const provider = (name: string, props: Record<string, unknown>): Resource => ({ type: "pulumi:providers:vault", name, props });
    const teamA = provider("team-a", { address: "https://vault.acme.example:8200", namespace: "team-a" });
    const other = provider("other", { address: "https://vault-2.acme.example:8200" });
    const inNamespace = (r: Resource, namespace: string) => ({ ...r, props: { ...r.props, namespace } });
    // The policy in team-a, the principal in root (by the resource's own namespace input, or by a provider's).
    expect(await dev.added([inNamespace(ciPolicy, "team-a"), approle])).toContain(RULE);
    expect(await dev.added([{ ...ciPolicy, provider: teamA }, approle])).toContain(RULE);
    // The reverse, and a policy on another Vault server.
    expect(await dev.added([ciPolicy, { ...approle, provider: teamA }])).toContain(RULE);
    expect(await dev.added([{ ...ciPolicy, provider: other }, approle])).toContain(RULE);
    // Another provider with the same address: its token may be scoped to another namespace (set_namespace_from_token).
    const sameAddress = provider("same-address", { address: "https://vault.acme.example:8200" });
    const rootProvider = provider("root", { address: "https://vault.acme.example:8200" });
    expect(
      await dev.added([
        { ...ciPolicy, provider: sameAddress },
        { ...approle, provider: rootProvider },
      ]),
    ).toContain(RULE);
    // A namespace unknown at preview vouches for nothing.
    const unknownNamespace = provider("team-x", { address: "https://vault.acme.example:8200", namespace: UNKNOWN });
    expect(
      await dev.added([
        { ...ciPolicy, provider: unknownNamespace },
        { ...approle, provider: unknownNamespace },
      ]),
    ).toContain(RULE);
    // Both in one namespace, by the provider or by the resources' own input (relative to the provider's), pass.
    expect(
      await dev.added([
        { ...ciPolicy, provider: teamA },
        { ...approle, provider: teamA },
      ]),
    ).not.toContain(RULE);
    expect(await dev.added([inNamespace(ciPolicy, "team-a"), inNamespace(approle, "team-a")])).not.toContain(RULE);
  }, 120_000);
  it("passes policies named by a stack policy's output (unknown at preview), and refuses an agent's policy named so", async () => {
    const approle = PRINCIPALS[0][1]("ci-reader");
    const traced: Resource = { ...approle, props: { ...approle.props, tokenPolicies: UNKNOWN }, dependsOn: { tokenPolicies: ["ci"] } };
    expect(await dev.added([ciPolicy, traced])).toEqual([]);
    const agentPolicy = dev.base().find((r) => r.type === "vault:index/policy:Policy" && String(r.props.name).endsWith("-execution"))!;
    const toAgent: Resource = { ...traced, dependsOn: { tokenPolicies: [agentPolicy.name] } };
    expect(await dev.added([toAgent])).toContain("vault/agent-policy-use");
  }, 120_000);
  it("refuses a Vault type token no adapter lists (a legacy alias of the AppRole SecretID type) until declared", async () => {
    const legacy = v("vault:appRole/authBackendRoleSecretID:AuthBackendRoleSecretID", "old", { backend: "approle", roleName: "vault-admin" });
    expect(await dev.added([legacy])).toContain("stack/unread-package");
    expect(await dev.added([legacy], declaring(legacy))).not.toContain("stack/unread-package");
  }, 120_000);
  it("refuses an Okta or LDAP user joined to a group the stack does not define, until declared; passes one in a stack group", async () => {
    const oktaUser = v("vault:okta/authBackendUser:AuthBackendUser", "alice", { path: "okta", username: "alice", groups: ["admins"] });
    expect(await dev.added([oktaUser])).toContain(RULE);
    expect(await dev.added([oktaUser], declaring(oktaUser))).not.toContain(RULE);
    const group = v("vault:okta/authBackendGroup:AuthBackendGroup", "admins", { path: "okta", groupName: "admins", policies: ["ci-reader"] });
    expect(await dev.added([ciPolicy, group, oktaUser])).not.toContain(RULE);
    const ldapUser = v("vault:ldap/authBackendUser:AuthBackendUser", "bob", { backend: "ldap", username: "bob", groups: ["staff"] });
    expect(await dev.added([ldapUser])).toContain(RULE);
  }, 120_000);
  it("refuses root even when declared, on a token and a token role", async () => {
    for (const make of [PRINCIPALS[1][1], PRINCIPALS[8][1]]) {
      const root = make("root");
      expect(await dev.added([root], declaring(root))).toContain(RULE);
    }
  }, 120_000);
  it("refuses a policy glob on a token role until declared, even when it matches only the stack's policies today", async () => {
    const globs = v("vault:index/tokenAuthBackendRole:TokenAuthBackendRole", "ci", { roleName: "ci", allowedPoliciesGlobs: ["ci-*"] });
    expect(await dev.added([ciPolicy, globs])).toContain(RULE);
    expect(await dev.added([ciPolicy, globs], declaring(globs))).not.toContain(RULE);
  }, 120_000);
  it("refuses policies added to a group the stack creates", async () => {
    const group = v("vault:identity/group:Group", "ops", { name: "ops", type: "internal", policies: [] });
    const policies = v("vault:identity/groupPolicies:GroupPolicies", "ops-admin", { groupId: "group-id-of-ops", policies: ["admin"], exclusive: false });
    expect(await dev.added([group, { ...policies, dependsOn: { groupId: ["ops"] } }])).toContain(RULE);
  }, 120_000);
  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([PRINCIPALS[0][1]("vault-admin")]))).not.toContain(RULE);
  }, 120_000);
});

describe("a platform policy may hold what Vault's default policy grants", () => {
  const policy = (hcl: string) => v("vault:index/policy:Policy", "app", { name: "app-leases", policy: hcl });
  const path = (p: string, ...caps: string[]) => `path "${p}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(", ")}]\n}\n`;
  it("passes the default policy's own system paths (lease renewal and lookup, wrapping, hashing, capabilities-self)", async () => {
    const hcl = [
      path("sys/leases/renew", "update"),
      path("sys/leases/lookup", "update"),
      path("sys/wrapping/unwrap", "update"),
      path("sys/tools/hash", "update"),
      path("sys/capabilities-self", "update"),
      path("kv/data/app/*", "read"),
    ].join("\n");
    expect(await dev.added([policy(hcl)])).toEqual([]);
  }, 120_000);
  it("refuses more than the default grants there, and other system paths", async () => {
    expect(await dev.added([policy(path("sys/leases/renew", "update", "sudo"))])).toContain("vault/policy-system-path");
    expect(await dev.added([policy(path("sys/leases/revoke", "update"))])).toContain("vault/policy-system-path");
    expect(await dev.added([policy(path("sys/policies/acl/app", "read"))])).toContain("vault/policy-system-path");
  }, 120_000);
});
