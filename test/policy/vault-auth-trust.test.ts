/**
 * Whom a Vault auth mount trusts (its JWKS URL, GitHub organisation, LDAP server, AWS STS client...)
 * is the platform's: in a stack with agents such a setting is refused unless the security team
 * declares it. Each case adds one resource beside the dev stack's components.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { VAULT_AUTH_TRUST_TYPES } from "../../policy/adapters/vault-auth-trust";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaring, ruleIds, runPack, type Reported, type Resource } from "../helpers/policy-args";
import { exportedTypes } from "../helpers/provider-types";

let base: Resource[];
let before: Set<string>;
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
  before = new Set((await runPack(base)).map((r) => r.message));
}, 120_000);

const added = async (resources: Resource[], config: object = {}): Promise<Reported[]> =>
  (await runPack(resources, undefined, config)).filter((r) => !before.has(r.message));

const cases: Array<[string, Resource]> = [
  [
    "a JWT mount's JWKS URL",
    {
      type: "vault:jwt/authBackend:AuthBackend",
      name: "jwt",
      props: { path: "jwt", type: "jwt", jwksUrl: "https://evil.example.com/jwks.json", disableRemount: true },
    },
  ],
  [
    "a GitHub mount's organisation",
    { type: "vault:github/authBackend:AuthBackend", name: "gh", props: { path: "github", organization: "evil-org", disableRemount: true } },
  ],
  [
    "AWS auth's STS endpoint",
    { type: "vault:aws/authBackendClient:AuthBackendClient", name: "aac", props: { backend: "aws", stsEndpoint: "https://evil.example.com" } },
  ],
  [
    "a cross-account STS role for AWS auth",
    {
      type: "vault:aws/authBackendStsRole:AuthBackendStsRole",
      name: "sts",
      props: { backend: "aws", accountId: "999988887777", stsRole: "arn:aws:iam::999988887777:role/x" },
    },
  ],
  [
    "an LDAP server",
    { type: "vault:ldap/authBackend:AuthBackend", name: "ldap", props: { path: "ldap", url: "ldaps://evil.example.com", disableRemount: true } },
  ],
];

describe("an auth mount's trust root in a stack with agents", () => {
  it.each(cases)(
    "%s is refused until declared",
    async (_what, resource) => {
      const reported = await added([...base, resource]);
      expect(ruleIds(reported)).toEqual(["vault/auth-trust-root"]);
      expect(reported[0]!.message).toContain(`${resource.type}::${resource.name}`);
      const declared = await added([...base, resource], declaring(resource));
      expect(ruleIds(declared)).toEqual([]);
    },
    60_000,
  );

  it("a declaration of another resource name does not cover it", async () => {
    const [, resource] = cases[0]!;
    const reported = await added([...base, resource], declaring({ ...resource, name: "other" }));
    expect(ruleIds(reported)).toEqual(["vault/auth-trust-root"]);
  }, 60_000);

  it("is not judged in a stack without agents (the platform's own stack)", async () => {
    const [, resource] = cases[1]!;
    expect(ruleIds(await runPack([resource]))).toEqual([]);
  }, 60_000);

  it("covers every auth mount configuration the installed @pulumi/vault exports", () => {
    // Mount-level configuration types; the Kubernetes one is bound to its cluster by vault/auth-backend-host
    // and vault.AuthBackend only enables a mount (its type and tuning, no trust root).
    const elsewhere = new Set(["vault:kubernetes/authBackendConfig:AuthBackendConfig", "vault:index/authBackend:AuthBackend"]);
    const configs = exportedTypes("@pulumi/vault").filter((type) =>
      /^vault:[A-Za-z]+\/(authBackend(Client|Cert|StsRole|ConfigIdentity|Config)?|ociAuthBackend):/.test(type),
    );
    expect(configs.length).toBeGreaterThan(10);
    for (const type of configs) expect(type in VAULT_AUTH_TRUST_TYPES || elsewhere.has(type), type).toBe(true);
  });
});
