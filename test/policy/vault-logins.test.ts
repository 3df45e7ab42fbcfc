/**
 * Ways into Vault for an agent's ServiceAccount token: only the identity's own Kubernetes-auth role,
 * keyed by ServiceAccount UID as the plan sets it. A JWT/OIDC role is read as Vault's JWT plugin
 * reads a login (subject, bound claims with JSON pointers and globs, user claim). Each case changes
 * one property of a passing input beside the dev stack's components.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loginReach } from "../../policy/checks/service-account-login";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaring, ruleIds, runPack, UNKNOWN, type Reported, type Resource } from "../helpers/policy-args";
import { replanned } from "../helpers/replan";

const NS = "acme-dev-support-assistant";
const SA = "support-assistant-execution";
const EXECUTION_ROLE = "platform-support-assistant-execution-vault-role";

let base: Resource[];
let before: Set<string>;
beforeAll(async () => {
  // The CI roles carry `ci`, a platform policy of the stack (vault/policy-in-stack reads it).
  const ci: Resource = {
    type: "vault:index/policy:Policy",
    name: "ci-policy",
    props: { name: "ci", policy: 'path "kv/data/ci/*" {\n  capabilities = ["read"]\n}\n' },
  };
  base = [...(await componentResources(stackDeclaration("dev"))), ci];
  before = new Set((await runPack(base)).map((r) => r.message));
}, 120_000);

const added = async (resources: Resource[], config: object = {}): Promise<Reported[]> =>
  (await runPack(resources, undefined, config)).filter((r) => !before.has(r.message));

/** A CI role bound to a claim ServiceAccount tokens never carry (GitHub Actions' `repository`). */
const ciRole = (props: Record<string, unknown> = {}): Resource => ({
  type: "vault:jwt/authBackendRole:AuthBackendRole",
  name: "ci-jwt",
  props: {
    backend: "jwt",
    roleName: "ci",
    roleType: "jwt",
    userClaim: "sub",
    boundAudiences: ["vault"],
    boundClaims: { repository: "acme/deploy" },
    tokenPolicies: ["ci"],
    tokenTtl: 600,
    tokenMaxTtl: 900,
    tokenNoDefaultPolicy: true,
    ...props,
  },
});

describe("a JWT/OIDC role is a way in for an agent's token only if nothing it binds excludes one", () => {
  it("a CI role bound to a claim ServiceAccount tokens lack passes (the happy path)", async () => {
    expect(ruleIds(await added([...base, ciRole()]))).toEqual([]);
  }, 60_000);

  // The identity a finding names: the one ServiceAccount the role pins, else every agent of the namespace (`*`).
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ["bound to the agent ServiceAccount's subject", { boundClaims: {}, boundSubject: `system:serviceaccount:${NS}:${SA}` }, "execution"],
    [
      "bound by nested claims to the agent namespace and ServiceAccount",
      { boundClaims: { "/kubernetes.io/namespace": NS, "/kubernetes.io/serviceaccount/name": SA } },
      "execution",
    ],
    ["bound by a glob on the subject", { boundClaimsType: "glob", boundClaims: { sub: `system:serviceaccount:${NS}:*` } }, "\\*"],
    ["bound by a glob on the namespace claim", { boundClaimsType: "glob", boundClaims: { "/kubernetes.io/namespace": "acme-dev-support-*" } }, "\\*"],
    ["bound by a comma list naming the agent namespace", { boundClaims: { "/kubernetes.io/namespace": `ci,${NS}` } }, "\\*"],
  ];
  it.each(refused)(
    "refuses a role %s, declared or not",
    async (_name, props, identity) => {
      const reported = await added([...base, ciRole(props)], declaring(ciRole(props)));
      expect(ruleIds(reported)).toEqual(["vault/service-account-login"]);
      expect(reported[0].message).toMatch(
        new RegExp(
          `^support-assistant/${identity}: vault/service-account-login: Vault JWT role auth/jwt/role/ci binds a subject or claims of agent namespace acme-dev-support-assistant`,
        ),
      );
    },
    60_000,
  );

  it("refuses a role nothing of which excludes a ServiceAccount token, until the security team declares it", async () => {
    const open = ciRole({ boundClaims: {} });
    expect(ruleIds(await added([...base, open]))).toEqual(["vault/service-account-login"]);
    expect(ruleIds(await added([...base, open], declaring(open)))).toEqual([]);
  }, 60_000);

  it("passes a role whose claim key is not a JSON pointer (a top-level `kubernetes.io/namespace` claim no token carries)", async () => {
    expect(ruleIds(await added([...base, ciRole({ boundClaims: { "kubernetes.io/namespace": NS } })]))).toEqual([]);
  }, 60_000);

  it("passes a role whose subject is outside the agents' namespaces", async () => {
    expect(ruleIds(await added([...base, ciRole({ boundClaims: {}, boundSubject: "system:serviceaccount:ci:runner" })]))).toEqual([]);
  }, 60_000);
});

/** An AWS auth role for a CI role that is no agent role. */
const awsRole = (props: Record<string, unknown> = {}): Resource => ({
  type: "vault:aws/authBackendRole:AuthBackendRole",
  name: "ci-aws",
  props: {
    backend: "aws",
    role: "ci",
    authType: "iam",
    boundIamPrincipalArns: ["arn:aws:iam::111122223333:role/ci-deployer"],
    tokenPolicies: ["ci"],
    tokenTtl: 300,
    tokenMaxTtl: 900,
    ...props,
  },
});

describe("an AWS auth role is a way in for an agent role's IRSA credentials if a bound ARN could match one", () => {
  it("a role bound to a CI role's ARN passes (the happy path)", async () => {
    expect(ruleIds(await added([...base, awsRole()]))).toEqual([]);
  }, 60_000);

  const agentArn = "arn:aws:iam::111122223333:role/acme-dev-support-assistant-execution";
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ["bound to an agent role's ARN", { boundIamPrincipalArns: [agentArn] }, "execution"],
    ["bound to an agent role by a glob", { boundIamPrincipalArns: ["arn:aws:iam::111122223333:role/acme-dev-support-*"] }, "orchestration"],
    [
      "bound to an agent role's ARN in another path and account",
      { boundIamPrincipalArns: ["arn:aws:iam::999988887777:role/agents/acme-dev-support-assistant-execution"] },
      "execution",
    ],
    ["bound by instance role ARN (EC2 auth) to an agent role", { authType: "ec2", boundIamPrincipalArns: [], boundIamRoleArns: [agentArn] }, "execution"],
  ];
  it.each(refused)(
    "refuses a role %s",
    async (_name, props, identity) => {
      const reported = await added([...base, awsRole(props)]);
      expect(ruleIds(reported)).toEqual(["vault/service-account-login"]);
      expect(reported.map((r) => r.message)).toContainEqual(
        expect.stringMatching(new RegExp(`^support-assistant/${identity}: vault/service-account-login: Vault AWS auth role auth/aws/role/ci binds `)),
      );
    },
    60_000,
  );

  it("refuses a role whose bound ARNs are unknown at preview", async () => {
    const reported = await added([...base, awsRole({ boundIamPrincipalArns: UNKNOWN })]);
    expect(ruleIds(reported)).toContain("vault/service-account-login");
    expect(reported.map((r) => r.message)).toContainEqual(expect.stringMatching(/boundIamPrincipalArns unknown at preview/));
  }, 60_000);
});

describe("loginReach reads a login as Vault's JWT plugin does", () => {
  const role = (props: Partial<Parameters<typeof loginReach>[0]>) => ({ boundClaims: {}, userClaim: "sub", ...props });
  it("a subject is compared exactly (no glob), for any ServiceAccount of the namespace", () => {
    expect(loginReach(role({ boundSubject: `system:serviceaccount:${NS}:other` }), NS)).toEqual({ accepts: true, namesNamespace: true });
    expect(loginReach(role({ boundSubject: `system:serviceaccount:${NS}:*` }), NS).accepts).toBe(true);
    expect(loginReach(role({ boundSubject: `system:serviceaccount:${NS}-x:a` }), NS).accepts).toBe(false);
    expect(loginReach(role({ boundSubject: `system:serviceaccount:${NS}:` }), NS).accepts).toBe(false);
  });
  it("a glob applies only with boundClaimsType glob", () => {
    const claims = { "/kubernetes.io/namespace": "acme-*" };
    expect(loginReach(role({ boundClaims: claims }), NS).accepts).toBe(false);
    expect(loginReach(role({ boundClaims: claims, boundClaimsType: "glob" }), NS).accepts).toBe(true);
  });
  it("a claim the token carries with an unpredictable value may match; one it lacks excludes it", () => {
    expect(loginReach(role({ boundClaims: { iss: "https://oidc.eks.example" } }), NS)).toEqual({ accepts: true, namesNamespace: false });
    expect(loginReach(role({ boundClaims: { "/kubernetes.io/pod/name": "x" } }), NS).accepts).toBe(true);
    expect(loginReach(role({ boundClaims: { "/kubernetes.io": "x" } }), NS).accepts).toBe(false);
    expect(loginReach(role({ boundClaims: { email: "ci@acme.example" } }), NS).accepts).toBe(false);
  });
  it("the user claim must name a string claim: top-level, or a JSON pointer with userClaimJsonPointer", () => {
    expect(loginReach(role({ userClaim: "email" }), NS).accepts).toBe(false);
    expect(loginReach(role({ userClaim: "/kubernetes.io/serviceaccount/uid" }), NS).accepts).toBe(false);
    expect(loginReach(role({ userClaim: "/kubernetes.io/serviceaccount/uid", userClaimJsonPointer: true }), NS).accepts).toBe(true);
    expect(loginReach(role({ userClaim: "jti" }), NS).accepts).toBe(true);
  });
});

describe("an agent's Kubernetes-auth role keys identities by ServiceAccount UID, as the plan does", () => {
  // The plan record is forged along with the role, so this rule is seen refusing it on its own.
  const withRole = (change: (props: Record<string, unknown>) => Record<string, unknown>) =>
    replanned(base.map((r) => (r.name === EXECUTION_ROLE ? { ...r, props: change({ ...r.props }) } : r)));

  it("the component's role sets serviceaccount_uid (the happy path)", () => {
    expect(base.find((r) => r.name === EXECUTION_ROLE)!.props.aliasNameSource).toBe("serviceaccount_uid");
  });
  it("refuses serviceaccount_name", async () => {
    const reported = await added(withRole((p) => ({ ...p, aliasNameSource: "serviceaccount_name" })));
    expect(ruleIds(reported)).toEqual(["vault/alias-by-uid"]);
    expect(reported[0].message).toMatch(/^support-assistant\/execution: vault\/alias-by-uid: aliasNameSource is serviceaccount_name/);
  }, 60_000);
  it("refuses an agent role that leaves it unset (the provider keeps what the role had)", async () => {
    const reported = await added(
      withRole((p) => {
        delete p.aliasNameSource;
        return p;
      }),
    );
    expect(ruleIds(reported)).toEqual(["vault/alias-by-uid"]);
  }, 60_000);
});
