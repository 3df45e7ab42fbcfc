/**
 * Every route to an agent identity the pack reads (issue #9 part 6): each hand-written resource
 * below reaches an agent's role or ServiceAccount another way than the components' own resources,
 * and the pack reports it under the rule named. Each case runs the whole generated pack.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { UNKNOWN, runPack, ruleIds, type Resource, withExclusivePolicies, declaringPlatformIam } from "../helpers/policy-args";
import { replanned } from "../helpers/replan";

const ROLE = "acme-test-billing-execution";
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE}`;
const SA = { namespace: "agents", name: "billing-execution" };
const doc = (...statements: Array<Record<string, unknown>>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({ Effect: "Allow", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } }, ...s })),
  });
const readOwn = doc({ Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/billing/extra/*" });
const passAny = doc({ Action: "iam:PassRole", Resource: "*" });
const denyDelete = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }] });
const secretsRole = (name: string, rules: unknown[], extra: Record<string, unknown> = {}) => ({
  type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  name,
  props: { metadata: { name, namespace: "agents" }, rules, ...extra },
});
const binding = (name: string, roleRef: Record<string, string>, subjects: unknown[], type = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") => ({
  type,
  name,
  props: { metadata: { name, namespace: "agents" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects },
});
const READ_SECRETS = [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }];

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({
    platform: { ...PLATFORM, kubernetes: { namespacePerAgent: false, namespace: "agents" } },
    agents: [agent("billing"), agent("search")],
  });
});

const cases: Array<{ name: string; resources: Resource[]; expect: string[] }> = [
  // ---------------------------------------------------------------- IAM attachments
  {
    name: "a customer-managed policy attached by a RolePolicyAttachment (ARN unknown at preview, traced to the Policy)",
    resources: [
      { type: "aws:iam/policy:Policy", name: "extra", props: { name: "extra", policy: passAny } },
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "attach",
        props: { role: ROLE, policyArn: UNKNOWN },
        dependsOn: { policyArn: ["extra"] },
      },
    ],
    // PassRole on "*" reaches every agent role too.
    expect: ["iam/agent-role-as-planned", "iam/passrole-wildcard", "iam/privilege-escalation", "iam/resource-wildcard", "separation/undeclared-share"],
  },
  {
    name: "a customer-managed policy attached by its known ARN through a PolicyAttachment",
    resources: [
      { type: "aws:iam/policy:Policy", name: "extra", props: { name: "extra", policy: passAny } },
      { type: "aws:iam/policyAttachment:PolicyAttachment", name: "attach", props: { roles: [ROLE], policyArn: "arn:aws:iam::111122223333:policy/extra" } },
    ],
    // PassRole on "*" reaches every agent role too.
    expect: ["iam/agent-role-as-planned", "iam/passrole-wildcard", "iam/privilege-escalation", "iam/resource-wildcard", "separation/undeclared-share"],
  },
  {
    name: "a harmless customer-managed policy attached to an agent role still counts toward its holdings (cross-agent)",
    resources: [
      {
        type: "aws:iam/policy:Policy",
        name: "peek",
        props: { name: "peek", policy: doc({ Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/search/*" }) },
      },
      { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "attach", props: { role: ROLE, policyArn: "arn:aws:iam::111122223333:policy/peek" } },
    ],
    expect: ["iam/agent-role-as-planned", "separation/cross-agent-grant", "separation/undeclared-share"],
  },
  {
    name: "a known AWS managed ARN computed from a stack Policy's output (judged as written, not by its dependency)",
    resources: [
      { type: "aws:iam/policy:Policy", name: "decoy", props: { name: "decoy", policy: readOwn } },
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "attach",
        props: { role: ROLE, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        dependsOn: { policyArn: ["decoy"] },
      },
    ],
    expect: ["iam/attached-policy", "separation/undeclared-share"],
  },
  {
    name: "an attachment whose policy ARN is unknown and not from this stack",
    resources: [{ type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "attach", props: { role: ROLE, policyArn: UNKNOWN } }],
    expect: ["iam/attached-policy"],
  },
  {
    name: "an attachment to a role that is not an agent's, whose policy ARN is unknown and not from this stack",
    resources: [{ type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "ops", props: { role: "ops-admin", policyArn: UNKNOWN } }],
    expect: ["stack/unknown-input"],
  },
  {
    name: "a policy from outside the stack attached by ARN",
    resources: [
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "attach",
        props: { role: ROLE, policyArn: "arn:aws:iam::111122223333:policy/elsewhere" },
      },
    ],
    expect: ["iam/attached-policy"],
  },
  {
    name: "an AWS managed policy other than the three admin ones (ReadOnlyAccess) via RolePolicyAttachmentsExclusive",
    resources: [
      {
        type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        name: "only",
        props: { roleName: ROLE, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      },
    ],
    expect: ["iam/attached-policy"],
  },
  {
    name: "a second RolePoliciesExclusive on an agent role keeping none of its inline policies (would strip the audit Deny)",
    resources: [{ type: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", name: "only-inline", props: { roleName: ROLE, policyNames: [] } }],
    expect: ["iam/principal-exclusive-policies"],
  },
  {
    name: "a customer-managed policy whose document is unknown at preview",
    resources: [
      { type: "aws:iam/policy:Policy", name: "later", props: { name: "later", policy: UNKNOWN } },
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "attach",
        props: { role: ROLE, policyArn: UNKNOWN },
        dependsOn: { policyArn: ["later"] },
      },
    ],
    // Unknown inputs have no digest to declare: iam/platform-object-declared too.
    expect: ["iam/attached-policy", "iam/platform-object-declared"],
  },
  // ---------------------------------------------------------------- resource policies
  {
    name: "a bucket policy allowing everyone",
    resources: [
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "open",
        props: {
          bucket: "acme-data",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/*" }],
          }),
        },
      },
    ],
    // On a bucket the stack does not create, which may hold a CloudTrail record: stack/audit-trail too.
    expect: ["iam/resource-policy", "stack/audit-trail"],
  },
  {
    name: "a bucket policy granting an agent role s3:* on another agent's prefix",
    resources: [
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "grant",
        props: {
          bucket: "acme-data",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: ROLE_ARN },
                Action: "s3:*",
                Resource: "arn:aws:s3:::acme-data/search/*",
                Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
              },
            ],
          }),
        },
      },
    ],
    expect: [
      "iam/permissions-management",
      "iam/resource-exposure",
      "iam/service-wildcard",
      "separation/cross-agent-grant",
      "separation/undeclared-share",
      "stack/audit-trail",
    ],
  },
  {
    name: "a Secrets Manager resource policy naming an agent role, on every secret",
    resources: [
      {
        type: "aws:secretsmanager/secretPolicy:SecretPolicy",
        name: "sp",
        props: {
          secretArn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: [ROLE_ARN] }, Action: "secretsmanager:GetSecretValue", Resource: "*" }],
          }),
        },
      },
    ],
    expect: ["iam/data-exfiltration", "iam/resource-policy", "iam/resource-wildcard", "separation/undeclared-share"],
  },
  {
    name: "a resource policy unknown at preview",
    resources: [
      { type: "aws:sqs/queuePolicy:QueuePolicy", name: "q", props: { queueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/q", policy: UNKNOWN } },
    ],
    expect: ["iam/resource-policy"],
  },
  {
    name: "a Lambda permission for an agent role",
    resources: [
      { type: "aws:lambda/permission:Permission", name: "invoke", props: { action: "lambda:InvokeFunction", function: "reporter", principal: ROLE_ARN } },
    ],
    // The function `reporter` is not the stack's, so the permission also reaches unread code (deploy-roles.ts).
    expect: ["iam/resource-policy", "stack/deploy-time-executor"],
  },
  // ---------------------------------------------------------------- EKS
  {
    name: "an EKS access entry for an agent role",
    resources: [{ type: "aws:eks/accessEntry:AccessEntry", name: "entry", props: { clusterName: "main", principalArn: ROLE_ARN } }],
    expect: ["kubernetes/eks-access"],
  },
  {
    name: "an EKS access policy association whose principal is unknown at preview",
    resources: [
      {
        type: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        name: "assoc",
        props: {
          clusterName: "main",
          principalArn: UNKNOWN,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        },
      },
    ],
    expect: ["kubernetes/eks-access"],
  },
  {
    name: "a Pod Identity association binding an agent role to another ServiceAccount",
    resources: [
      {
        type: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        name: "pia",
        props: { clusterName: "main", namespace: "agents", serviceAccount: "search-execution", roleArn: ROLE_ARN },
      },
    ],
    expect: ["kubernetes/eks-access"],
  },
  {
    name: "the aws-auth ConfigMap mapping an agent role",
    resources: [
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "aws-auth",
        props: {
          metadata: { name: "aws-auth", namespace: "kube-system" },
          data: { mapRoles: `- rolearn: ${ROLE_ARN}\n  username: billing\n  groups: [system:masters]\n` },
        },
      },
    ],
    expect: ["kubernetes/eks-access"],
  },
  {
    name: "an aws-auth ConfigMapPatch with data unknown at preview",
    resources: [
      {
        type: "kubernetes:core/v1:ConfigMapPatch",
        name: "aws-auth-patch",
        props: { metadata: { name: "aws-auth", namespace: "kube-system" }, data: { mapRoles: UNKNOWN } },
      },
    ],
    expect: ["kubernetes/eks-access"],
  },
  // ---------------------------------------------------------------- Kubernetes RBAC and ServiceAccounts
  {
    name: "a RoleBinding to the Group of every ServiceAccount in the agents' namespace",
    resources: [
      secretsRole("reader", READ_SECRETS),
      binding("group", { kind: "Role", name: "reader" }, [{ kind: "Group", name: "system:serviceaccounts:agents", apiGroup: "rbac.authorization.k8s.io" }]),
    ],
    // The group holds every ServiceAccount of the namespace, not only the agents': a subject no agent is.
    expect: ["kubernetes/agent-namespace-rbac", "kubernetes/rbac-secrets"],
  },
  {
    name: "a ClusterRoleBinding to the User name of an agent ServiceAccount",
    resources: [
      binding(
        "user",
        { kind: "ClusterRole", name: "view" },
        [{ kind: "User", name: `system:serviceaccount:${SA.namespace}:${SA.name}`, apiGroup: "rbac.authorization.k8s.io" }],
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      ),
    ],
    expect: ["kubernetes/cluster-role-binding"],
  },
  {
    name: "a RoleBindingPatch binding an agent to a Role with pods/ephemeralcontainers",
    resources: [
      secretsRole("debugger", [{ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] }]),
      binding(
        "patched",
        { kind: "Role", name: "debugger" },
        [{ kind: "ServiceAccount", name: SA.name, namespace: SA.namespace }],
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBindingPatch",
      ),
    ],
    expect: ["kubernetes/rbac-pod-exec"],
  },
  {
    name: "an aggregated ClusterRole bound to an agent",
    resources: [
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        name: "agg",
        props: { metadata: { name: "agg" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: "x" } }] } },
      },
      binding("agg", { kind: "ClusterRole", name: "agg" }, [{ kind: "ServiceAccount", name: SA.name, namespace: SA.namespace }]),
    ],
    expect: [
      // Read as everything, it writes Nodes and PersistentVolumes too: refused unless declared.
      "kubernetes/agent-namespace-rbac",
      "kubernetes/rbac-escalation",
      // Read as everything: it may change NetworkPolicies, RBAC and ServiceAccounts too.
      "kubernetes/rbac-guard-edit",
      "kubernetes/rbac-pod-create",
      "kubernetes/rbac-pod-exec",
      "kubernetes/rbac-secrets",
      "kubernetes/rbac-token-request",
      "kubernetes/rbac-wildcard",
      "kubernetes/shared-namespace-pod-create",
    ],
  },
  {
    name: "a ClusterRole aggregated into view that reads Secrets, with an agent bound to view",
    resources: [
      {
        type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        name: "more-view",
        props: { metadata: { name: "more-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }, rules: READ_SECRETS },
      },
      binding("view", { kind: "ClusterRole", name: "view" }, [{ kind: "ServiceAccount", name: SA.name, namespace: SA.namespace }]),
    ],
    // view is bound outside the stack too: aggregating Secrets into it is refused on its own.
    expect: ["kubernetes/agent-namespace-rbac", "kubernetes/rbac-secrets"],
  },
  {
    name: "a long-lived token Secret for an agent ServiceAccount",
    resources: [
      {
        type: "kubernetes:core/v1:Secret",
        name: "token",
        props: {
          metadata: { name: "token", namespace: SA.namespace, annotations: { "kubernetes.io/service-account.name": SA.name } },
          type: "kubernetes.io/service-account-token",
        },
      },
    ],
    expect: ["kubernetes/service-account-use"],
  },
  {
    name: "a Deployment running as an agent ServiceAccount without the agent's labels",
    resources: [
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "borrow",
        props: {
          metadata: { namespace: SA.namespace },
          spec: { template: { metadata: { labels: { app: "x" } }, spec: { serviceAccountName: SA.name, containers: [] } } },
        },
      },
    ],
    expect: ["kubernetes/service-account-use"],
  },
  {
    name: "a DeploymentPatch setting an agent ServiceAccount on a workload outside the stack",
    resources: [
      {
        type: "kubernetes:apps/v1:DeploymentPatch",
        name: "repoint",
        props: { metadata: { name: "legacy", namespace: SA.namespace }, spec: { template: { spec: { serviceAccountName: SA.name } } } },
      },
    ],
    expect: ["kubernetes/service-account-use"],
  },
  {
    name: "a ServiceAccountPatch of an agent ServiceAccount",
    resources: [
      {
        type: "kubernetes:core/v1:ServiceAccountPatch",
        name: "mount",
        props: { metadata: { name: SA.name, namespace: SA.namespace }, automountServiceAccountToken: true },
      },
    ],
    expect: ["kubernetes/service-account-use"],
  },
  // ---------------------------------------------------------------- Vault
  {
    name: "a generic Vault endpoint writing a policy",
    resources: [
      {
        type: "vault:generic/endpoint:Endpoint",
        name: "pol",
        props: { path: "sys/policies/acl/billing-extra", dataJson: JSON.stringify({ policy: 'path "sys/*" { capabilities = ["sudo"] }' }) },
      },
    ],
    expect: ["vault/generic-write"],
  },
  {
    name: "a generic Vault secret writing a Kubernetes auth role",
    resources: [
      {
        type: "vault:generic/secret:Secret",
        name: "role",
        props: { path: "auth/kubernetes/role/billing-wide", dataJson: JSON.stringify({ bound_service_account_names: "*" }) },
      },
    ],
    expect: ["vault/generic-write"],
  },
  {
    name: "a generic Vault endpoint whose path is unknown at preview",
    resources: [{ type: "vault:generic/endpoint:Endpoint", name: "later", props: { path: UNKNOWN, dataJson: "{}" } }],
    expect: ["stack/unknown-input"],
  },
  {
    name: "a Vault token carrying an agent's policy",
    resources: [{ type: "vault:index/token:Token", name: "borrowed", props: { policies: ["acme-test-billing-execution"], ttl: "24h" } }],
    expect: ["vault/agent-policy-use", "vault/deploy-time-token"],
  },
  {
    name: "an AppRole whose token policies name an agent's policy",
    resources: [
      {
        type: "vault:appRole/authBackendRole:AuthBackendRole",
        name: "ci",
        props: { backend: "approle", roleName: "ci", tokenPolicies: ["acme-test-billing-execution"] },
      },
    ],
    expect: ["vault/agent-policy-use"],
  },
  {
    name: "a token role allowing every policy by glob",
    resources: [{ type: "vault:tokenauth/authBackendRole:AuthBackendRole", name: "any", props: { roleName: "any", allowedPoliciesGlobs: ["acme-test-*"] } }],
    expect: ["vault/agent-policy-use", "vault/deploy-time-token", "vault/policy-in-stack"],
  },
  {
    name: "a Vault identity group carrying an agent's policy",
    resources: [{ type: "vault:identity/group:Group", name: "ops", props: { name: "ops", type: "internal", policies: ["acme-test-billing-execution"] } }],
    expect: ["vault/agent-policy-use"],
  },
  {
    name: "a KMS grant to an agent role",
    resources: [
      {
        type: "aws:kms/grant:Grant",
        name: "decrypt",
        props: { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", granteePrincipal: ROLE_ARN, operations: ["Decrypt"] },
      },
    ],
    // Judged as the key-policy statement it is equivalent to: beyond the role's plan, and on an ownable key no agent owns.
    expect: ["iam/agent-grant-owned", "separation/undeclared-share"],
  },
  {
    name: "a Kubernetes auth role binding namespaces by selector",
    resources: [
      {
        type: "vault:kubernetes/authBackendRole:AuthBackendRole",
        name: "sel",
        props: {
          backend: "kubernetes",
          roleName: "sel",
          boundServiceAccountNames: ["x"],
          boundServiceAccountNamespaces: ["x"],
          boundServiceAccountNamespaceSelector: '{"matchLabels":{"team":"x"}}',
          audience: "vault",
          tokenNoDefaultPolicy: true,
          tokenPolicies: [],
          tokenMaxTtl: 900,
          tokenTtl: 600,
        },
      },
    ],
    expect: ["vault/bound-exact"],
  },
  {
    name: 'a Vault policy in the legacy `policy = "sudo"` form',
    resources: [{ type: "vault:index/policy:Policy", name: "legacy", props: { name: "legacy", policy: 'path "secret/*" {\n  policy = "sudo"\n}\n' } }],
    expect: ["vault/policy-unreadable"],
  },
  {
    name: "a Vault policy whose `/*` in a path would hide the next block from a regex",
    resources: [
      {
        type: "vault:index/policy:Policy",
        name: "hidden",
        props: {
          name: "acme-dev-hidden-execution",
          policy:
            'path "kv/data/a/*" {\n  capabilities = ["read"]\n}\npath "sys/*" {\n  capabilities = ["sudo"]\n}\npath "kv/*/b" {\n  capabilities = ["read"]\n}\n',
        },
      },
    ],
    expect: ["vault/agent-resources-as-planned", "vault/policy-glob", "vault/policy-sudo", "vault/policy-system-path"],
  },
];

describe("pack: every route to an agent identity", () => {
  it("passes the components' own resources", async () => {
    expect(await runPack(base)).toEqual([]);
  });

  for (const testCase of cases) {
    it(`flags ${testCase.name}`, async () => {
      expect(ruleIds(await runPack(withExclusivePolicies([...base, ...testCase.resources]), undefined, declaringPlatformIam(testCase.resources)))).toEqual(
        testCase.expect,
      );
    });
  }

  it("reads managedPolicyArns and inlinePolicies on an agent role, failing closed when unknown at preview", async () => {
    const withRole = (edit: (props: Record<string, unknown>) => Record<string, unknown>) =>
      base.map((r) => (r.type === "aws:iam/role:Role" && r.props.name === ROLE ? { ...r, props: edit(r.props) } : r));
    expect(ruleIds(await runPack(withRole((p) => ({ ...p, managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] }))))).toEqual([
      "iam/attached-policy",
    ]);
    expect(ruleIds(await runPack(withRole((p) => ({ ...p, managedPolicyArns: UNKNOWN }))))).toEqual(["iam/attached-policy"]);
    expect(ruleIds(await runPack(withRole((p) => ({ ...p, inlinePolicies: UNKNOWN }))))).toEqual(["stack/unknown-input"]);
  });

  it("judges a Vault grant on another agent's KV subtree as cross-agent, though that agent reads no KV", async () => {
    const edited = base.map((r) => {
      if (r.type !== "vault:index/policy:Policy" || r.props.name !== ROLE) return r;
      return {
        ...r,
        props: {
          ...r.props,
          policy: `${String(r.props.policy)}\npath "kv/data/agents/test/billing/notes" {\n  capabilities = ["read"]\n}\n\npath "kv/data/agents/test/search/keys" {\n  capabilities = ["read"]\n}\n`,
        },
      };
    });
    // The Vault plan record forged along with the policy, so this rule is seen refusing it on its own.
    const reported = await runPack(replanned(edited));
    expect(ruleIds(reported)).toEqual(["separation/cross-agent-grant"]);
    expect(reported[0].message).toContain("kv/data/agents/test/search/keys");
  });

  it("passes a workload the workload helper labelled, and a Pod Identity association to the role's own ServiceAccount", async () => {
    const labels = { "agent-identity.io/agent": "billing", "agent-identity.io/identity": "execution" };
    const ok: Resource[] = [
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "own",
        props: { metadata: { namespace: SA.namespace }, spec: { template: { metadata: { labels }, spec: { serviceAccountName: SA.name, containers: [] } } } },
      },
      {
        type: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        name: "own",
        props: { clusterName: "main", namespace: SA.namespace, serviceAccount: SA.name, roleArn: ROLE_ARN },
      },
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "tls",
        props: {
          bucket: "acme-data",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::acme-data/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
            ],
          }),
        },
      },
      // Traced to the stack's Policy; a Deny grants nothing the plan does not (an Allow would be iam/agent-role-as-planned's).
      { type: "aws:iam/policy:Policy", name: "extra", props: { name: "extra", policy: denyDelete } },
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "attach",
        props: { role: ROLE, policyArn: UNKNOWN },
        dependsOn: { policyArn: ["extra"] },
      },
      { type: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", name: "ci-inline", props: { roleName: "ci-runner", policyNames: [] } },
    ];
    expect(await runPack(withExclusivePolicies([...base, ...ok]), undefined, declaringPlatformIam(ok))).toEqual([]);
  });

  it("refuses a second IAM role tagged as an agent identity's, and an old API version or List of a kind it reads", async () => {
    const own = base.find((r) => r.type === "aws:iam/role:Role" && r.props.name === ROLE)!;
    const second = { ...own, name: "second", props: { ...own.props, name: `${ROLE}-2` } };
    expect(ruleIds(await runPack([...base, second]))).toContain("stack/no-shared-identity");
    const old: Resource = {
      type: "kubernetes:apps/v1beta1:Deployment",
      name: "old",
      props: { metadata: { namespace: SA.namespace }, spec: { template: { spec: { serviceAccountName: SA.name, containers: [] } } } },
    };
    const list: Resource = { type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBindingList", name: "many", props: { items: [] } };
    expect(ruleIds(await runPack([...base, old]))).toContain("stack/unknown-input");
    expect(ruleIds(await runPack([...base, list]))).toEqual(["stack/unknown-input"]);
    // Any List kind, also of kinds no adapter lists (a SecretList holding a ServiceAccount token Secret).
    const secrets: Resource = { type: "kubernetes:core/v1:SecretList", name: "secrets", props: { items: [] } };
    expect(ruleIds(await runPack([...base, secrets]))).toEqual(["stack/unknown-input"]);
  });
});
