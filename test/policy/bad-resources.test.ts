/**
 * Hand-written resources around the components: each mistake is reported by the pack under its
 * rule id, next to the components' own (valid) resources for the same agent.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { UNKNOWN, runPack, ruleIds, type Resource, withExclusivePolicies, declaringPlatformIam } from "../helpers/policy-args";
import { policies } from "../../policy/policies";

const OIDC = PLATFORM.aws.oidcProviderArn!;
const ISSUER = OIDC.split(":oidc-provider/")[1];
const trust = (condition?: Record<string, Record<string, string | string[]>>, principal: unknown = { Federated: OIDC }) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRoleWithWebIdentity", ...(condition ? { Condition: condition } : {}) }],
  });
// Region-bound like the components' statements, so each case shows only its own mistake.
const policy = (statement: Record<string, unknown>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } }, ...statement }],
  });
/** What the components tag an agent role with besides agent and identity (lifecycle/ownership-tags). */
const OWNERSHIP = { owner: "team-test", sponsor: "owner@example.com", expires: "2099-12-31", tier: "batch", "data-class": "internal" };

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({
    platform: { ...PLATFORM, kubernetes: { namespacePerAgent: false, namespace: "agents" } },
    agents: [agent("billing"), agent("search")],
  });
});

async function rulesFor(...extra: Resource[]): Promise<string[]> {
  return ruleIds(await runPack(withExclusivePolicies([...base, ...extra]), undefined, declaringPlatformIam([...base, ...extra])));
}

/** EKS Pod Identity trust: AWS's documented statement, with the conditions the compiler adds. */
const podTrust = (condition?: Record<string, Record<string, string>>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
const POD_PINNED = {
  "aws:SourceAccount": "111122223333",
  "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:us-west-2:111122223333:cluster/green",
  "aws:RequestTag/kubernetes-namespace": "tools",
  "aws:RequestTag/kubernetes-service-account": "worker",
};

const cases: Array<{ name: string; resources: Resource[]; expect: string[] }> = [
  {
    name: "an untagged role with AWS's unconditioned EKS Pod Identity trust (any pod of any cluster)",
    resources: [{ type: "aws:iam/role:Role", name: "any-pod-identity", props: { name: "any-pod-identity", assumeRolePolicy: podTrust() } }],
    expect: ["trust/pod-identity-session-tags"],
  },
  {
    name: "an untagged Pod Identity role pinned to a namespace only (every ServiceAccount in it, any cluster)",
    resources: [
      {
        type: "aws:iam/role:Role",
        name: "ns-pod-identity",
        props: { name: "ns-pod-identity", assumeRolePolicy: podTrust({ StringEquals: { "aws:RequestTag/kubernetes-namespace": "tools" } }) },
      },
    ],
    expect: ["trust/pod-identity-session-tags"],
  },
  {
    name: "a role trusting the whole OIDC provider",
    resources: [{ type: "aws:iam/role:Role", name: "any-pod", props: { name: "any-pod", assumeRolePolicy: trust() } }],
    expect: ["trust/own-service-account", "trust/string-equals"],
  },
  {
    name: "a role trusting every ServiceAccount with StringLike",
    resources: [
      {
        type: "aws:iam/role:Role",
        name: "wild",
        props: {
          name: "wild",
          assumeRolePolicy: trust({ StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:agents:*", [`${ISSUER}:aud`]: "sts.amazonaws.com" } }),
        },
      },
    ],
    // agents:* is every ServiceAccount of an agent namespace, not only its identities' own.
    expect: ["kubernetes/agent-namespace-objects", "trust/no-wildcards", "trust/own-service-account", "trust/string-equals"],
  },
  {
    name: "a role trusting Principal * and an account root",
    resources: [
      { type: "aws:iam/role:Role", name: "open", props: { assumeRolePolicy: trust(undefined, "*") } },
      { type: "aws:iam/role:Role", name: "root", props: { assumeRolePolicy: trust(undefined, { AWS: "arn:aws:iam::111122223333:root" }) } },
    ],
    expect: ["trust/account-principal", "trust/own-service-account", "trust/principal-wildcard", "trust/single-provider", "trust/string-equals"],
  },
  {
    name: "a second role trusting an agent's ServiceAccount",
    resources: [
      {
        type: "aws:iam/role:Role",
        name: "extra",
        props: {
          name: "extra",
          assumeRolePolicy: trust({
            StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:agents:billing-execution", [`${ISSUER}:aud`]: "sts.amazonaws.com" },
          }),
        },
      },
    ],
    expect: ["stack/no-shared-identity"],
  },
  {
    name: "an agent-tagged role trusting a ServiceAccount that is not its own agent ServiceAccount",
    resources: [
      {
        type: "aws:iam/role:Role",
        name: "billing-exec-2",
        props: {
          name: "billing-exec-2",
          tags: { agent: "billing", identity: "execution", ...OWNERSHIP },
          assumeRolePolicy: trust({ StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:tools:worker", [`${ISSUER}:aud`]: "sts.amazonaws.com" } }),
        },
      },
    ],
    // And it is a second role tagged as billing's execution identity, without the platform's boundary every agent role carries.
    expect: ["iam/permissions-boundary-policy", "stack/no-shared-identity", "stack/one-role-per-identity", "trust/own-service-account"],
  },
  {
    name: "a role trusting the default ServiceAccount",
    resources: [
      {
        type: "aws:iam/role:Role",
        name: "dflt",
        props: {
          assumeRolePolicy: trust({ StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:agents:default", [`${ISSUER}:aud`]: "sts.amazonaws.com" } }),
        },
      },
    ],
    expect: ["kubernetes/default-service-account"],
  },
  {
    name: "an inline policy with s3:* attached to an agent role",
    resources: [
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "extra-s3",
        props: { role: "acme-test-billing-execution", policy: policy({ Action: "s3:*", Resource: "arn:aws:s3:::acme-data/billing/*" }) },
      },
    ],
    // s3:* expands like any pattern: each of its actions is judged too, and on the prefix the agent owns
    // (read back from its ServiceAccount) only what an owned S3 object allows (iam/owned-action).
    expect: ["iam/agent-role-as-planned", "iam/owned-action", "iam/permissions-management", "iam/resource-exposure", "iam/service-wildcard"],
  },
  {
    name: "an audit role given read access by hand",
    resources: [
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "audit-read",
        props: { role: "acme-test-billing-audit", policy: policy({ Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/billing/*" }) },
      },
    ],
    expect: ["iam/agent-role-as-planned", "separation/audit-write-only"],
  },
  {
    name: "one agent allowed to assume another agent's role",
    resources: [
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "hop",
        props: {
          role: "acme-test-billing-execution",
          policy: policy({ Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/acme-test-search-execution" }),
        },
      },
    ],
    expect: ["iam/agent-role-as-planned", "iam/assume-agent-role", "iam/privilege-escalation", "separation/cross-agent-grant"],
  },
  {
    name: "AdministratorAccess attached",
    resources: [
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "admin",
        props: { role: "acme-test-billing-execution", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      },
    ],
    expect: ["iam/attached-policy", "iam/managed-admin-policy"],
  },
  {
    name: "a policy document unknown at preview",
    resources: [{ type: "aws:iam/rolePolicy:RolePolicy", name: "later", props: { role: "acme-test-billing-execution", policy: UNKNOWN } }],
    expect: ["stack/unknown-input"],
  },
  {
    name: "a trust policy and an inline policy unknown at preview",
    resources: [
      { type: "aws:iam/role:Role", name: "pending", props: { name: "pending", assumeRolePolicy: UNKNOWN, inlinePolicies: [{ name: "p", policy: UNKNOWN }] } },
    ],
    // Unknown inputs have no digest to declare: iam/platform-role-declared too.
    expect: ["iam/platform-role-declared", "stack/unknown-input"],
  },
  {
    name: "a ClusterRoleBinding to an agent ServiceAccount",
    resources: [
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        name: "crb",
        props: {
          metadata: { name: "crb" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
          subjects: [{ kind: "ServiceAccount", name: "billing-execution", namespace: "agents" }],
        },
      },
    ],
    expect: ["kubernetes/cluster-role-binding"],
  },
  {
    name: "a RoleBinding to a Role with exec, secrets, escalate and token requests",
    resources: [
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
        name: "power",
        props: {
          metadata: { name: "power", namespace: "agents" },
          rules: [
            { apiGroups: [""], resources: ["pods/exec", "secrets", "serviceaccounts/token"], verbs: ["get", "create"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate", "bind"] },
          ],
        },
      },
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        name: "power",
        props: {
          metadata: { name: "power", namespace: "agents" },
          roleRef: { kind: "Role", name: "power" },
          subjects: [{ kind: "ServiceAccount", name: "search-orchestration" }],
        },
      },
    ],
    // escalate/bind on roles and create on serviceaccounts/token change what fences the agent in.
    expect: [
      "kubernetes/rbac-escalation",
      "kubernetes/rbac-guard-edit",
      "kubernetes/rbac-pod-exec",
      "kubernetes/rbac-secrets",
      "kubernetes/rbac-token-request",
    ],
  },
  {
    name: "pod creation in a namespace shared by two agents",
    resources: [
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
        name: "deployer",
        props: { metadata: { name: "deployer", namespace: "agents" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }] },
      },
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        name: "deployer",
        props: {
          metadata: { name: "deployer", namespace: "agents" },
          roleRef: { kind: "Role", name: "deployer" },
          subjects: [
            { kind: "ServiceAccount", name: "ci-runner", namespace: "agents" },
            { kind: "ServiceAccount", name: "search-execution", namespace: "agents" },
          ],
        },
      },
    ],
    // ci-runner is no agent: binding it in the agents' namespace is refused on its own.
    expect: ["kubernetes/agent-namespace-rbac", "kubernetes/rbac-pod-create", "kubernetes/shared-namespace-pod-create"],
  },
  {
    name: "a binding to a ClusterRole defined outside the stack",
    resources: [
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        name: "ext",
        props: {
          metadata: { name: "ext", namespace: "agents" },
          roleRef: { kind: "ClusterRole", name: "vendor-operator" },
          subjects: [{ kind: "ServiceAccount", name: "billing-audit" }],
        },
      },
    ],
    expect: ["stack/unknown-input"],
  },
  {
    name: "a ServiceAccount labelled as an agent that automounts its token",
    resources: [
      {
        type: "kubernetes:core/v1:ServiceAccount",
        name: "auto",
        props: {
          metadata: {
            name: "auto",
            namespace: "agents",
            labels: {
              "agent-identity.io/agent": "billing",
              "agent-identity.io/identity": "execution",
              "agent-identity.io/owner": "team-test",
              "agent-identity.io/tier": "batch",
            },
            annotations: { "agent-identity.io/sponsor": "owner@example.com", "agent-identity.io/expires": "2099-12-31" },
          },
        },
      },
    ],
    // In a stack the components build, an agent identity without its plan record is refused too.
    expect: ["iam/agent-role-as-planned", "kubernetes/automount-token", "stack/no-shared-identity"],
  },
  {
    name: "a Vault role bound to every ServiceAccount",
    resources: [
      {
        type: "vault:kubernetes/authBackendRole:AuthBackendRole",
        name: "all",
        props: {
          backend: "kubernetes",
          roleName: "all",
          boundServiceAccountNames: ["*"],
          boundServiceAccountNamespaces: ["*"],
          audience: "vault",
          tokenTtl: 600,
          tokenMaxTtl: 1800,
          tokenPolicies: ["agents"],
          tokenNoDefaultPolicy: true,
        },
      },
    ],
    expect: ["vault/bound-exact", "vault/policy-in-stack"],
  },
  {
    name: "a Vault role with periodic tokens, the default policy and no max TTL",
    resources: [
      {
        type: "vault:kubernetes/authBackendRole:AuthBackendRole",
        name: "long",
        props: {
          roleName: "long",
          boundServiceAccountNames: ["batch"],
          boundServiceAccountNamespaces: ["jobs"],
          audience: "vault",
          tokenPeriod: 86400,
          tokenTtl: 600,
          tokenPolicies: ["jobs"],
        },
      },
    ],
    expect: ["vault/default-policy", "vault/policy-in-stack", "vault/token-max-ttl", "vault/token-period"],
  },
  {
    name: "a Vault policy with sudo on sys/ and a glob",
    resources: [
      // Named as an agent identity's policy: globs are the shape of an agent's own policy (a platform policy is judged by what it reaches).
      {
        type: "vault:index/policy:Policy",
        name: "ops",
        props: { name: "acme-dev-ops-execution", policy: 'path "sys/mounts/*" {\n  capabilities = ["create", "sudo"]\n}\n' },
      },
    ],
    expect: ["vault/agent-resources-as-planned", "vault/policy-glob", "vault/policy-sudo", "vault/policy-system-path"],
  },
  {
    name: "a Vault policy the pack cannot read",
    resources: [
      { type: "vault:index/policy:Policy", name: "odd", props: { name: "odd", policy: 'path "kv/data/x" { capabilities = ["read"] }\nunknown_block { }' } },
    ],
    expect: ["vault/policy-unreadable"],
  },
  {
    name: "a Vault AWS role issuing IAM users for 12h",
    resources: [
      {
        type: "vault:aws/secretBackendRole:SecretBackendRole",
        name: "users",
        props: {
          backend: "aws",
          name: "users",
          credentialType: "iam_user",
          roleArns: ["arn:aws:iam::444455556666:role/*"],
          defaultStsTtl: 3600,
          maxStsTtl: 43200,
        },
      },
    ],
    expect: ["limits/secret-ttl", "vault/secret-credential-type", "vault/secret-role-arns", "vault/sts-ttl"],
  },
];

describe("policy pack on hand-written resources", () => {
  it("has one uniquely named policy per rule and place, as CrossGuard allows", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9-]+$/);
  });

  it("passes the components' own resources", async () => {
    expect(await runPack(base)).toEqual([]);
  });

  for (const testCase of cases) {
    it(`flags ${testCase.name}`, async () => {
      expect(await rulesFor(...testCase.resources)).toEqual(testCase.expect);
    });
  }

  it("names the agent, identity, rule and fix in each message", async () => {
    const reported = await runPack([...base, cases.find((c) => c.name.startsWith("an inline policy"))!.resources[0]]);
    const [owned, planned, statements] = [
      reported.filter((r) => r.message.includes("iam/owned-action")),
      reported.filter((r) => r.message.includes("iam/agent-role-as-planned")),
      reported.filter((r) => !r.message.includes("iam/owned-action") && !r.message.includes("iam/agent-role-as-planned")),
    ];
    expect(planned.map((r) => r.message)).toEqual([
      expect.stringMatching(
        /^billing\/execution: iam\/agent-role-as-planned: agent billing's execution role acme-test-billing-execution allows what its declared tools do not need: s3:\* on .+ — declare a tool .+/,
      ),
    ]);
    expect(statements.map((r) => r.message)).toHaveLength(3);
    for (const message of statements.map((r) => r.message)) expect(message).toMatch(/^acme-test-billing-execution\/\*: iam\/[a-z-]+: statement #1 .+ — .+/);
    for (const message of owned.map((r) => r.message))
      expect(message).toMatch(/^billing\/execution: iam\/owned-action: .+ on owned "arn:aws:s3:::acme-data\/billing\/\*": .+ — keep to the List, Read .+/);
    expect(reported.map((r) => r.message)).toContainEqual(
      expect.stringMatching(/^acme-test-billing-execution\/\*: iam\/service-wildcard: statement #1 allows every s3 action .+ — name each action .+/),
    );
  });

  it("accepts a hand-written Pod Identity role pinned as the compiler pins it", async () => {
    const pinned = {
      type: "aws:iam/role:Role",
      name: "pinned-pod-identity",
      props: { name: "pinned-pod-identity", assumeRolePolicy: podTrust({ StringEquals: POD_PINNED }) },
    };
    expect(await rulesFor(pinned)).toEqual([]);
  });

  it("does not apply IRSA trust rules to an AWS service role", async () => {
    const lambda = {
      type: "aws:iam/role:Role",
      name: "fn",
      props: { name: "fn", assumeRolePolicy: trust(undefined, { Service: "lambda.amazonaws.com" }).replace("sts:AssumeRoleWithWebIdentity", "sts:AssumeRole") },
    };
    expect(await rulesFor(lambda)).toEqual([]);
  });
});
