/**
 * vault/deploy-time-token: beside the dev stack (agents), Vault credentials minted at deployment are
 * declared by the security team. A `vault.Token` with no policy list carries every policy of the
 * deployer's token (Vault: "If not specified, defaults to all the policies of the calling token"), one
 * with `roleName` an existing token role's unread policies; an AppRole SecretID or a login keeps login
 * material in Pulumi state; a token role with no allowed policies lets its tokens take their creator's.
 * Attack round 13 B and C.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "vault/deploy-time-token";
const dev = devBaseline();

const v = (type: string, name: string, props: Record<string, unknown>): Resource => ({ type, name, props });
const ciPolicy = v("vault:index/policy:Policy", "ci", { name: "ci-reader", policy: 'path "kv/data/ci/*" {\n  capabilities = ["read"]\n}\n' });
const token = (props: Record<string, unknown>) => v("vault:index/token:Token", "deploy", { ttl: "768h", renewable: true, ...props });
const tokenRole = (props: Record<string, unknown>) =>
  v("vault:tokenauth/authBackendRole:AuthBackendRole", "ci-tokens", { roleName: "ci", allowedPolicies: ["ci-reader"], orphan: false, ...props });

describe("credentials minted at deployment beside agents are declared", () => {
  it.each<[string, Resource]>([
    ["a token with no policy list (the deployer's policies)", token({})],
    ["a periodic orphan token with an empty policy list", token({ policies: [], noParent: true, period: "768h" })],
    ["a token without the default policy and no list", token({ noDefaultPolicy: true })],
    ["a token through an existing token role (its allowed policies unread)", token({ roleName: "ops-admin" })],
    ["a token carrying only a policy of the stack (still a credential in state)", token({ policies: ["ci-reader"] })],
    [
      "a SecretID of an existing AppRole",
      v("vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId", "sid", { backend: "approle", roleName: "vault-admin" }),
    ],
    [
      "an AppRole login kept in state",
      v("vault:appRole/authBackendLogin:AuthBackendLogin", "login", { backend: "approle", roleId: "2b6f-role-id", secretId: "s" }),
    ],
    ["an AWS auth login kept in state", v("vault:aws/authBackendLogin:AuthBackendLogin", "aws-login", { backend: "aws", role: "ops" })],
  ])(
    "refuses %s until declared, and again once it changes",
    async (_what, resource) => {
      expect(await dev.added([ciPolicy, resource])).toContain(RULE);
      expect(await dev.added([ciPolicy, resource], declaring(resource))).not.toContain(RULE);
      const changed = { ...resource, props: { ...resource.props, ttl: "8760h" } };
      expect(await dev.added([ciPolicy, changed], declaring(resource))).toContain(RULE);
    },
    120_000,
  );
  it("refuses a token whose policies are unknown at preview", async () => {
    expect(await dev.added([token({ policies: UNKNOWN })])).toContain(RULE);
  }, 120_000);
  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([token({}), v("vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId", "sid", { roleName: "x" })]))).not.toContain(
      RULE,
    );
  }, 120_000);
});

describe("token roles whose tokens may take their creator's policies are declared", () => {
  it("a token role listing stack policies by name passes (the happy path each case changes one thing of)", async () => {
    expect(await dev.added([ciPolicy, tokenRole({})])).toEqual([]);
  }, 120_000);
  it.each<[string, Record<string, unknown>]>([
    ["an empty allowedPolicies", { allowedPolicies: [] }],
    ["no allowedPolicies", { allowedPolicies: undefined }],
    ["only names Vault drops (empty, spaces)", { allowedPolicies: ["", " "] }],
    ["allowedPolicies unknown at preview", { allowedPolicies: UNKNOWN }],
    ["a policy glob", { allowedPolicies: [], allowedPoliciesGlobs: ["ci-*"] }],
  ])(
    "refuses a token role with %s until declared",
    async (_what, change) => {
      const role = tokenRole(change);
      expect(await dev.added([ciPolicy, role])).toContain(RULE);
      if (change.allowedPolicies !== UNKNOWN) expect(await dev.added([ciPolicy, role], declaring(role))).not.toContain(RULE);
    },
    120_000,
  );
  it("reads the token role type of older @pulumi/vault releases the same way", async () => {
    const legacy = (allowedPolicies: string[]) => ({ ...tokenRole({ allowedPolicies }), type: "vault:index/tokenAuthBackendRole:TokenAuthBackendRole" });
    expect(await dev.added([ciPolicy, legacy(["ci-reader"])])).not.toContain(RULE);
    expect(await dev.added([ciPolicy, legacy([])])).toContain(RULE);
  }, 120_000);
});
