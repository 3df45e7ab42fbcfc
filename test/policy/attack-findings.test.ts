/**
 * Hand-written resources an independent attacker ran through the pack and the pack accepted (one
 * case per finding): each is now refused under the rule named. Each case runs the whole generated
 * pack next to the components' own resources for two agents sharing the namespace `agents`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";
import { UNKNOWN, declaring, runPack, ruleIds, type Resource } from "../helpers/policy-args";

const ACCOUNT = "111122223333";
const EXE = "acme-test-billing-execution";
const ORCH = "acme-test-billing-orchestration";
const OTHER = "acme-test-search-execution";
const SA = "billing-execution";
const NS = "agents";
const doc = (...statements: Array<Record<string, unknown>>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements.map((s) => ({ Effect: "Allow", ...s })) });
const regional = { StringEquals: { "aws:RequestedRegion": "us-east-1" } };
const rbac = (type: string, name: string, props: Record<string, unknown>): Resource => ({
  type: `kubernetes:rbac.authorization.k8s.io/v1:${type}`,
  name,
  props,
});
const bindTo = (
  name: string,
  namespace: string | undefined,
  roleRef: Record<string, string>,
  subjects: unknown = [{ kind: "ServiceAccount", name: SA, namespace: NS }],
) =>
  rbac("RoleBinding", name, {
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects,
  });
const endpoint = (name: string, path: string, data: unknown): Resource => ({
  type: "vault:generic/endpoint:Endpoint",
  name,
  props: { path, dataJson: typeof data === "string" ? data : JSON.stringify(data) },
});
const podTemplate = { spec: { serviceAccountName: SA, containers: [{ name: "c", image: "evil" }] } };

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({
    platform: { ...PLATFORM, kubernetes: { namespacePerAgent: false, namespace: NS } },
    agents: [agent("billing"), agent("search")],
  });
});

/** The base with one resource's props changed. */
const editBase = (match: (r: Resource) => boolean, change: (props: Record<string, unknown>) => Record<string, unknown>): Resource[] =>
  base.map((r) => (match(r) ? { ...r, props: change(JSON.parse(JSON.stringify(r.props))) } : r));
const agentPolicy = (props: Record<string, unknown>) => props.name === EXE;
const isAgentPolicy = (r: Resource) => r.type === "vault:index/policy:Policy" && agentPolicy(r.props);

const cases: Array<{ finding: number; name: string; resources?: Resource[]; edit?: () => Resource[]; expect: string[] }> = [
  // 13: more resource-policy types
  {
    finding: 13,
    name: "a KMS replica key open to everyone",
    resources: [
      {
        type: "aws:kms/replicaKey:ReplicaKey",
        name: "rk",
        props: { primaryKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1`, policy: doc({ Principal: "*", Action: "kms:*", Resource: "*" }) },
      },
    ],
    expect: ["iam/resource-policy"],
  },
  {
    finding: 13,
    name: "an OpenSearch domain open to everyone",
    resources: [
      {
        type: "aws:opensearch/domain:Domain",
        name: "kb",
        props: { domainName: "kb", accessPolicies: doc({ Principal: { AWS: "*" }, Action: "es:*", Resource: `arn:aws:es:us-east-1:${ACCOUNT}:domain/kb/*` }) },
      },
    ],
    expect: ["iam/resource-policy"],
  },
  {
    finding: 13,
    name: "a REST API policy open to everyone",
    resources: [
      {
        type: "aws:apigateway/restApi:RestApi",
        name: "api",
        props: { name: "api", policy: doc({ Principal: "*", Action: "execute-api:Invoke", Resource: "*" }) },
      },
    ],
    expect: ["iam/resource-policy"],
  },
  {
    finding: 13,
    name: "an Elasticsearch domain policy granting an agent role es:*",
    resources: [
      {
        type: "aws:elasticsearch/domainPolicy:DomainPolicy",
        name: "kb",
        props: {
          domainName: "kb",
          accessPolicies: doc({
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${ORCH}` },
            Action: "es:*",
            Resource: `arn:aws:es:us-east-1:${ACCOUNT}:domain/kb/*`,
          }),
        },
      },
    ],
    expect: ["iam/service-wildcard", "separation/orchestration-models-only", "separation/undeclared-share"],
  },
  {
    finding: 13,
    name: "a KMS external key granting an agent role decrypt on *",
    resources: [
      {
        type: "aws:kms/externalKey:ExternalKey",
        name: "ek",
        props: { policy: doc({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${EXE}` }, Action: ["kms:Decrypt"], Resource: "*", Condition: regional }) },
      },
    ],
    expect: ["iam/data-exfiltration", "iam/resource-wildcard", "separation/undeclared-share"],
  },
  // 14: assumed-role session principals
  {
    finding: 14,
    name: "a bucket policy naming another agent role's STS session",
    resources: [
      {
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "bp",
        props: {
          bucket: "acme-data",
          policy: doc({
            Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/${OTHER.toUpperCase()}/session` },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::acme-data/billing/*",
            Condition: regional,
          }),
        },
      },
    ],
    // The bucket is not the stack's, so it may hold a CloudTrail record too.
    expect: ["separation/cross-agent-grant", "separation/undeclared-share", "stack/audit-trail"],
  },
  // 1: Vault policy names are trimmed and lower-cased by Vault
  {
    finding: 1,
    name: "a Vault policy whose upper-cased name overwrites an agent's policy",
    resources: [
      {
        type: "vault:index/policy:Policy",
        name: "shadow",
        props: { name: EXE.toUpperCase(), policy: 'path "kv/data/shared/x" {\n  capabilities = ["read"]\n}\n' },
      },
    ],
    expect: ["vault/agent-path-derivable", "vault/agent-resources-as-planned", "vault/unique-path"],
  },
  {
    finding: 1,
    name: "an AppRole carrying an agent's policy in upper case",
    resources: [
      { type: "vault:appRole/authBackendRole:AuthBackendRole", name: "ci", props: { backend: "approle", roleName: "ci", tokenPolicies: [EXE.toUpperCase()] } },
    ],
    expect: ["vault/agent-policy-use"],
  },
  {
    finding: 1,
    name: "a token carrying an agent's policy with a leading space",
    resources: [{ type: "vault:index/token:Token", name: "tok", props: { policies: [` ${EXE}`], noParent: true } }],
    // Any token minted at deployment beside agents is declared too (attack round 13 B).
    expect: ["vault/agent-policy-use", "vault/deploy-time-token"],
  },
  {
    finding: 1,
    name: "a token role allowing an agent's policy in upper case",
    resources: [
      {
        type: "vault:index/tokenAuthBackendRole:TokenAuthBackendRole",
        name: "tr",
        props: { roleName: "ci", allowedPolicies: [EXE.toUpperCase()], orphan: true },
      },
    ],
    expect: ["vault/agent-policy-use"],
  },
  // 9: IAM role names are not distinguished by case
  {
    finding: 9,
    name: "an inline policy on an agent role named in upper case",
    resources: [
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "extra",
        props: {
          name: "extra",
          role: ORCH.toUpperCase(),
          policy: doc({ Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-data/billing/*", Condition: regional }),
        },
      },
    ],
    // The components' RolePoliciesExclusive would also remove it, the role matched case-insensitively.
    expect: ["iam/agent-role-as-planned", "iam/principal-exclusive-policies", "separation/orchestration-models-only"],
  },
  // 2: JSON policies with repeated keys (JSON.parse keeps the last, Vault every one)
  {
    finding: 2,
    name: "an agent policy in JSON with two path objects",
    edit: () =>
      editBase(isAgentPolicy, (p) => ({
        ...p,
        policy: '{"path": {"sys/policies/acl/*": {"capabilities": ["update", "sudo"]}}, "path": {"auth/token/lookup-self": {"capabilities": ["read"]}}}',
      })),
    expect: ["vault/agent-resources-as-planned", "vault/policy-unreadable"],
  },
  {
    finding: 2,
    name: "an agent policy in JSON naming one path twice",
    edit: () =>
      editBase(isAgentPolicy, (p) => ({
        ...p,
        policy: '{"path": {"auth/token/lookup-self": {"capabilities": ["sudo", "update"]}, "auth/token/lookup-self": {"capabilities": ["read"]}}}',
      })),
    expect: ["vault/agent-resources-as-planned", "vault/policy-unreadable"],
  },
  // 3: a leading `/` in a policy path is dropped by Vault
  {
    finding: 3,
    name: "an agent policy reaching another agent's KV path written with a leading /",
    edit: () =>
      editBase(isAgentPolicy, (p) => ({
        ...p,
        policy: `${p.policy}\npath "kv/data/agents/test/billing/token" {\n  capabilities = ["read"]\n}\npath "/kv/data/agents/test/search/token" {\n  capabilities = ["read"]\n}\n`,
      })),
    expect: ["separation/cross-agent-grant", "vault/agent-resources-as-planned"],
  },
  // 4: generic writes: everything under sys/, auth/, identity/ at any namespace depth
  {
    finding: 4,
    name: "a generic write creating a token with an agent's policy",
    resources: [endpoint("tok", "auth/token/create", { policies: [EXE], no_parent: true, period: "768h" })],
    expect: ["vault/agent-policy-use", "vault/generic-write"],
  },
  {
    finding: 4,
    name: "a generic write creating an orphan token from data unknown at preview",
    resources: [endpoint("tok", "auth/token/create-orphan", UNKNOWN)],
    expect: ["vault/generic-write"],
  },
  {
    finding: 4,
    name: "a generic write of a cert-auth certificate role",
    resources: [endpoint("cert", "auth/cert/certs/ops", { certificate: "-----BEGIN...", token_policies: ["ops"] })],
    expect: ["vault/generic-write"],
  },
  {
    finding: 4,
    name: "a generic write of a GitHub team map",
    resources: [endpoint("gh", "auth/github/map/teams/dev", { value: "ops" })],
    expect: ["vault/generic-write"],
  },
  {
    finding: 4,
    name: "a generic write of a policy under an Enterprise namespace",
    resources: [endpoint("ns", `acme/sys/policies/acl/${EXE}`, { policy: 'path "sys/*" { capabilities = ["sudo"] }' })],
    expect: ["vault/generic-write"],
  },
  {
    finding: 4,
    name: "a generic KV write whose data names an agent's policy",
    resources: [endpoint("kv", "kv/data/apps/ci", { data: { policies: `default,${EXE.toUpperCase()}` } })],
    expect: ["vault/agent-policy-use"],
  },
  // 6: policies nested in Vault resources
  {
    finding: 6,
    name: "an Okta auth backend whose groups and users carry an agent's policy",
    resources: [
      {
        type: "vault:okta/authBackend:AuthBackend",
        name: "okta",
        props: {
          path: "okta",
          // Never moved by a path change (vault/mount-path judges a mount that may be).
          disableRemount: true,
          organization: "acme",
          groups: [{ groupName: "everyone", policies: [EXE] }],
          users: [{ username: "bob", policies: [EXE.toUpperCase()] }],
        },
      },
    ],
    expect: ["vault/agent-policy-use", "vault/auth-trust-root"],
  },
  {
    finding: 6,
    name: "an Okta auth backend whose groups are unknown at preview",
    resources: [
      { type: "vault:okta/authBackend:AuthBackend", name: "okta", props: { path: "okta", disableRemount: true, organization: "acme", groups: UNKNOWN } },
    ],
    expect: ["vault/agent-policy-use", "vault/auth-trust-root"],
  },
  // 5: one Kubernetes-auth role per identity, carrying policies of this stack only
  {
    finding: 5,
    name: "a copy of an agent's Vault role on another cluster's auth mount",
    resources: [],
    edit: () => {
      const own = base.find((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && (r.props.boundServiceAccountNames as string[])[0] === SA)!;
      return [...base, { ...own, name: "copy", props: { ...JSON.parse(JSON.stringify(own.props)), backend: "kubernetes-sandbox" } }];
    },
    expect: ["stack/no-shared-identity"],
  },
  {
    finding: 5,
    name: "a second Vault role named after the identity, bound to its ServiceAccount, with a policy from outside the stack",
    resources: [
      {
        type: "vault:kubernetes/authBackendRole:AuthBackendRole",
        name: "ops",
        props: {
          backend: "kubernetes",
          roleName: "ops-billing-execution",
          boundServiceAccountNames: [SA],
          boundServiceAccountNamespaces: [NS],
          audience: "vault",
          tokenTtl: 900,
          tokenMaxTtl: 3600,
          tokenPolicies: ["ops-admin"],
          tokenNoDefaultPolicy: true,
        },
      },
    ],
    // Owned by its name, it is the identity's role: an unset alias source is refused too.
    expect: ["stack/no-shared-identity", "stack/unknown-input", "vault/alias-by-uid", "vault/policy-in-stack"],
  },
  // 8: aws-auth keys are matched regardless of case
  {
    finding: 8,
    name: "aws-auth mapping an agent role under the key RoleARN",
    resources: [
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "aws-auth",
        props: {
          metadata: { name: "aws-auth", namespace: "kube-system" },
          data: { mapRoles: `- RoleARN: arn:aws:iam::${ACCOUNT}:role/${EXE}\n  username: agent\n  groups: [system:masters]\n` },
        },
      },
    ],
    expect: ["kubernetes/eks-access"],
  },
  // 12: RBAC rules and subjects unknown at preview
  {
    finding: 12,
    name: "a ClusterRole whose rules are unknown at preview, bound to an agent",
    resources: [
      rbac("ClusterRole", "tooling", { metadata: { name: "tooling" }, rules: UNKNOWN }),
      bindTo("tooling", NS, { kind: "ClusterRole", name: "tooling" }),
    ],
    expect: ["stack/unknown-input"],
  },
  {
    finding: 12,
    name: "a RolePatch whose rules are unknown at preview",
    resources: [rbac("RolePatch", "tool-role", { metadata: { name: "tool-role", namespace: NS }, rules: UNKNOWN })],
    expect: ["stack/unknown-input"],
  },
  {
    finding: 12,
    name: "a RoleBindingPatch whose subjects are unknown at preview",
    resources: [
      rbac("RoleBindingPatch", "admin-binding", {
        metadata: { name: "admin-binding", namespace: NS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: UNKNOWN,
      }),
    ],
    expect: ["stack/unknown-input"],
  },
  // 7: RBAC in kube-system
  {
    finding: 7,
    name: "a RoleBinding letting an agent update aws-auth in kube-system",
    resources: [
      rbac("Role", "aws-auth-editor", {
        metadata: { name: "aws-auth-editor", namespace: "kube-system" },
        rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["aws-auth"], verbs: ["get", "update", "patch"] }],
      }),
      bindTo("aws-auth-editor", "kube-system", { kind: "Role", name: "aws-auth-editor" }),
    ],
    expect: ["kubernetes/object-placement", "kubernetes/rbac-escalation"],
  },
  // 11: bindings whose namespace is missing or unknown
  {
    finding: 11,
    name: "a RoleBinding with no namespace naming an agent ServiceAccount",
    resources: [bindTo("nons", undefined, { kind: "ClusterRole", name: "view" }, [{ kind: "ServiceAccount", name: SA }])],
    // Also a grant to a subject no agent is (the provider's namespace's SA) in what may be an agent namespace.
    expect: ["kubernetes/agent-namespace-rbac", "kubernetes/object-placement", "stack/unknown-input"],
  },
  {
    finding: 11,
    name: "a RoleBinding whose namespace is unknown at preview",
    resources: [
      rbac("RoleBinding", "later", {
        metadata: { name: "later", namespace: UNKNOWN },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: [{ kind: "ServiceAccount", name: SA }],
      }),
    ],
    expect: ["kubernetes/agent-namespace-rbac", "kubernetes/object-placement", "stack/unknown-input"],
  },
  // 11: workloads and token Secrets naming an agent ServiceAccount without a known namespace
  {
    finding: 11,
    name: "a Deployment with no namespace running as an agent ServiceAccount's name",
    resources: [
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "tool",
        props: { metadata: { name: "tool" }, spec: { selector: { matchLabels: { a: "b" } }, template: podTemplate } },
      },
    ],
    expect: ["kubernetes/object-placement", "kubernetes/service-account-use"],
  },
  {
    finding: 11,
    name: "a Deployment whose namespace is unknown at preview",
    resources: [
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "tool",
        props: { metadata: { name: "tool", namespace: UNKNOWN }, spec: { selector: { matchLabels: { a: "b" } }, template: podTemplate } },
      },
    ],
    expect: ["kubernetes/service-account-use"],
  },
  {
    finding: 11,
    name: "a token Secret with no namespace for an agent ServiceAccount's name",
    resources: [
      {
        type: "kubernetes:core/v1:Secret",
        name: "tok",
        props: { metadata: { name: "tok", annotations: { "kubernetes.io/service-account.name": SA } }, type: "kubernetes.io/service-account-token" },
      },
    ],
    expect: ["kubernetes/object-placement", "kubernetes/service-account-use"],
  },
  // 10: workloads whose pods the pack cannot see
  {
    finding: 10,
    name: "an Argo Rollout running as an agent ServiceAccount",
    resources: [
      { type: "kubernetes:argoproj.io/v1alpha1:Rollout", name: "tool", props: { metadata: { name: "tool", namespace: NS }, spec: { template: podTemplate } } },
    ],
    expect: ["kubernetes/agent-namespace-objects", "kubernetes/service-account-use"],
  },
  {
    finding: 10,
    name: "a Helm release into an agent namespace",
    resources: [{ type: "kubernetes:helm.sh/v3:Release", name: "rel", props: { chart: "some-chart", namespace: NS, values: { replicas: 1 } } }],
    expect: ["kubernetes/service-account-use"],
  },
  {
    finding: 10,
    name: "a Helm chart elsewhere whose values name an agent ServiceAccount",
    resources: [
      {
        type: "kubernetes:helm.sh/v4:Chart",
        name: "chart",
        props: { chart: "some-chart", namespace: "tools", values: { serviceAccount: { create: false, name: SA } } },
      },
    ],
    expect: ["kubernetes/service-account-use"],
  },
  {
    finding: 10,
    name: "RBAC letting an agent create Argo workflows",
    resources: [
      rbac("Role", "wf", { metadata: { name: "wf", namespace: NS }, rules: [{ apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create"] }] }),
      bindTo("wf", NS, { kind: "Role", name: "wf" }),
    ],
    expect: ["kubernetes/rbac-pod-create", "kubernetes/shared-namespace-pod-create"],
  },
  {
    finding: 8,
    name: "aws-auth mapping whole accounts (agent roles included)",
    resources: [
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "aws-auth",
        props: { metadata: { name: "aws-auth", namespace: "kube-system" }, data: { mapAccounts: `- "${ACCOUNT}"\n` } },
      },
    ],
    expect: ["kubernetes/eks-access"],
  },
  {
    finding: 5,
    name: "an agent's own Vault role given a second policy",
    edit: () =>
      editBase(
        (r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && (r.props.boundServiceAccountNames as string[])[0] === SA,
        (p) => ({ ...p, tokenPolicies: [EXE, "ops-admin"] }),
      ),
    expect: ["stack/unknown-input", "vault/agent-resources-as-planned", "vault/bound-own-service-account", "vault/policy-in-stack"],
  },
];

describe("policy pack on the attacker's findings", () => {
  it("passes the components' own resources", async () => {
    expect(await runPack(base)).toEqual([]);
  });
  it("still passes a generic write of plain KV secret data (even under a key named config)", async () => {
    expect(await runPack([...base, endpoint("kv", "kv/data/apps/config", { data: { password: "x" } })])).toEqual([]);
  });
  it("still passes a declared Helm v3 release outside agents' namespaces and a custom resource outside them", async () => {
    const release = {
      type: "kubernetes:helm.sh/v3:Release",
      name: "rel",
      props: { chart: "ingress", namespace: "ingress", values: { serviceAccount: { name: "ingress" } } },
    };
    const monitor = {
      type: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
      name: "mon",
      props: { metadata: { name: "mon", namespace: "monitoring" }, spec: { selector: { matchLabels: { a: "b" } } } },
    };
    // A v3 Release renders unread inside the provider: in a stack with agents it needs the security team's declaration.
    // The stack creates the monitoring namespace: in an existing one a ServiceMonitor is declared or refused, and in
    // one the stack creates it relies on the Namespace being the stack's own, so the Namespace is declared (object-placement).
    const namespace = { type: "kubernetes:core/v1:Namespace", name: "monitoring", props: { metadata: { name: "monitoring" } } };
    expect(ruleIds(await runPack([...base, namespace, release, monitor]))).toEqual(["kubernetes/agent-namespace-objects", "kubernetes/object-placement"]);
    const declared = declaring(release, namespace);
    expect(await runPack([...base, namespace, release, monitor], TODAY, declared)).toEqual([]);
    // In an agent namespace the same custom resource is refused (closed world: its operator acts there).
    const inAgents = { ...monitor, props: { ...monitor.props, metadata: { name: "mon", namespace: NS } } };
    expect(ruleIds(await runPack([...base, inAgents]))).toEqual(["kubernetes/agent-namespace-objects"]);
  });
  for (const c of cases) {
    it(`finding ${c.finding}: refuses ${c.name}`, async () => {
      const resources = c.edit ? c.edit() : [...base, ...(c.resources ?? [])];
      expect(ruleIds(await runPack(resources))).toEqual(c.expect);
    });
  }
});
