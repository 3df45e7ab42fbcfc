/**
 * The closed world over agents' namespaces (issue #19 parts 5 and 6, Kubernetes): hand-written
 * resources beside the dev stack's own. Each refused case has a passing twin that differs in one
 * property (the namespace, the subject, the selector, the type ...), so every test can fail both ways.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { selectorExcludes } from "../../policy/checks/label-selector";
import { reachOf } from "../../policy/checks/rbac-reach";
import { declaredOperators } from "../../policy/operators-config";
import { declaredPlatformResources } from "../../policy/platform-resources-config";
import { componentResources } from "../helpers/component-resources";
import { TODAY, stackDeclaration } from "../helpers/fixtures";
import { declaring, ruleIds, runPack, urnOf, type Resource } from "../helpers/policy-args";

const NS = "acme-dev-support-assistant";
const SA = "support-assistant-execution";
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);

/**
 * `web` and `ci` are namespaces of the stack's own, declared by the security team (kubernetes/object-placement
 * judges objects in existing ones, and relies on a Namespace the stack creates only once declared).
 */
const OWN_NAMESPACES: Resource[] = ["web", "ci"].map((name) => ({ type: "kubernetes:core/v1:Namespace", name: `ns-${name}`, props: { metadata: { name } } }));
const OWN_DECLARED = declaring(...OWN_NAMESPACES).kubernetesPlatformResources;
const rules = async (extra: Resource[], config: object = {}) =>
  ruleIds(
    await runPack([...base, ...OWN_NAMESPACES, ...extra], TODAY, {
      ...config,
      kubernetesPlatformResources: [...OWN_DECLARED, ...((config as { kubernetesPlatformResources?: object[] }).kubernetesPlatformResources ?? [])],
    }),
  );

const roleBinding = (namespace: string, roleRef: object, subjects: object[]): Resource => ({
  type: `${RBAC}:RoleBinding`,
  name: `rb-${namespace}`,
  props: { metadata: { name: "rb", namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects },
});
const CI = { kind: "ServiceAccount", name: "runner", namespace: "ci" };
const EDIT = { kind: "ClusterRole", name: "edit" };
const VIEW = { kind: "ClusterRole", name: "view" };
const clusterBinding = (role: string, subjects: object[]): Resource => ({
  type: `${RBAC}:ClusterRoleBinding`,
  name: "crb",
  props: { metadata: { name: "crb" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role }, subjects },
});
const operators = (subject: string) => ({ kubernetesOperators: [{ subject, reason: "on-call reads pod status", approvedBy: "security@acme.example" }] });

const deployment = (namespace: string, labels: Record<string, string>, spec: Record<string, unknown>): Resource => ({
  type: "kubernetes:apps/v1:Deployment",
  name: `dep-${namespace}`,
  props: {
    metadata: { name: "dep", namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "app" }], ...spec } } },
  },
});
const AGENT_LABELS = { "agent-identity.io/agent": "support-assistant", "agent-identity.io/identity": "execution" };
const networkPolicy = (namespace: string, spec: object): Resource => ({
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  name: `np-${namespace}`,
  props: { metadata: { name: "np", namespace }, spec: { podSelector: {}, ...spec } },
});

describe("RBAC over agents' namespaces (kubernetes/agent-namespace-rbac)", () => {
  it("refuses a RoleBinding of a CI ServiceAccount to edit in an agent namespace, not in CI's own", async () => {
    expect(await rules([roleBinding(NS, EDIT, [CI])])).toEqual(["kubernetes/agent-namespace-rbac"]);
    expect(await rules([roleBinding("ci", EDIT, [CI])])).toEqual([]);
  });

  it("refuses a human Group bound to view there unless declared as an operator, and edit even when declared", async () => {
    const devs = { kind: "Group", name: "devs", apiGroup: "rbac.authorization.k8s.io" };
    expect(await rules([roleBinding(NS, VIEW, [devs])])).toEqual(["kubernetes/agent-namespace-rbac"]);
    expect(await rules([roleBinding(NS, VIEW, [devs])], operators("Group:devs"))).toEqual([]);
    expect(await rules([roleBinding(NS, VIEW, [devs])], operators("Group:others"))).toEqual(["kubernetes/agent-namespace-rbac"]);
    expect(await rules([roleBinding(NS, EDIT, [devs])], operators("Group:devs"))).toEqual(["kubernetes/agent-namespace-rbac"]);
  });

  it("refuses a Role minting the agent's tokens bound to CI, and binds the agent's own ServiceAccount to a read-only Role", async () => {
    const role = (verbs: string[], resources: string[]): Resource => ({
      type: `${RBAC}:Role`,
      name: "tok",
      props: { metadata: { name: "tok", namespace: NS }, rules: [{ apiGroups: [""], resources, verbs }] },
    });
    expect(await rules([role(["create"], ["serviceaccounts/token"]), roleBinding(NS, { kind: "Role", name: "tok" }, [CI])])).toEqual([
      "kubernetes/agent-namespace-rbac",
    ]);
    expect(
      await rules([role(["get"], ["configmaps"]), roleBinding(NS, { kind: "Role", name: "tok" }, [{ kind: "ServiceAccount", name: SA, namespace: NS }])]),
    ).toEqual([]);
  });

  it("refuses another agent's ServiceAccount bound in this agent's namespace", async () => {
    const other = { kind: "ServiceAccount", name: "payout-approver-execution", namespace: "acme-dev-payout-approver" };
    const found = await runPack([...base, roleBinding(NS, VIEW, [other])], TODAY);
    expect(ruleIds(found)).toEqual(["kubernetes/agent-namespace-rbac"]);
    expect(found[0].message).toMatch(/^support-assistant\/\*: .*agent payout-approver's execution identity, from another namespace/);
  });

  it("refuses a ClusterRole aggregated into edit with token requests; a read-only one aggregated into view passes", async () => {
    const aggregated = (label: string, rule: object): Resource => ({
      type: `${RBAC}:ClusterRole`,
      name: "agg",
      props: { metadata: { name: "agg", labels: { [`rbac.authorization.k8s.io/aggregate-to-${label}`]: "true" } }, rules: [rule] },
    });
    expect(await rules([aggregated("edit", { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] })])).toEqual([
      "kubernetes/agent-namespace-rbac",
    ]);
    expect(await rules([aggregated("admin", { apiGroups: [""], resources: ["secrets"], verbs: ["get"] })])).toEqual(["kubernetes/agent-namespace-rbac"]);
    expect(await rules([aggregated("view", { apiGroups: ["example.io"], resources: ["widgets"], verbs: ["get", "list"] })])).toEqual([]);
  });

  it("refuses a ClusterRoleBinding of CI to cluster-admin; Vault's token reviewer on system:auth-delegator passes", async () => {
    const found = await runPack([...base, clusterBinding("cluster-admin", [CI])], TODAY);
    expect(ruleIds(found)).toEqual(["kubernetes/agent-namespace-rbac"]);
    expect(found[0].message).toMatch(/^platform\/\*: .*ServiceAccount:ci\/runner ClusterRole cluster-admin over every agent namespace/);
    expect(await rules([clusterBinding("system:auth-delegator", [{ kind: "ServiceAccount", name: "vault", namespace: "vault" }])])).toEqual([]);
    // A ClusterRole the stack does not define is read as everything, declared or not.
    expect(await rules([clusterBinding("some-operator", [CI])], operators("ServiceAccount:ci/runner"))).toEqual(["kubernetes/agent-namespace-rbac"]);
  });

  it("reads rules as reaching agent namespaces unless they name only cluster-scoped objects", () => {
    expect(reachOf([{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "delete"] }]).reaching).toHaveLength(0);
    expect(reachOf([{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }]).beyond).toHaveLength(1);
    expect(reachOf([{ apiGroups: ["example.io"], resources: ["widgets"], verbs: ["get"] }]).beyond).toEqual([]);
    expect(reachOf([{ apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] }]).beyond).toHaveLength(1);
  });

  it("parses the operator declaration strictly (one that does not parse declares nothing)", () => {
    expect([...declaredOperators(operators("ServiceAccount:ci/runner"))]).toEqual(["ServiceAccount:ci/runner"]);
    expect(declaredOperators({ kubernetesOperators: [{ subject: "Group:devs" }] }).size).toBe(0);
    expect(declaredOperators({ kubernetesOperators: [{ subject: "Robot:x", reason: "long enough reason", approvedBy: "a" }] }).size).toBe(0);
  });
});

describe("admission webhooks (kubernetes/admission-webhook)", () => {
  const webhook = (hook: object): Resource => ({
    type: "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
    name: "mwh",
    props: { metadata: { name: "inject" }, webhooks: [{ name: "inject.example.io", sideEffects: "None", admissionReviewVersions: ["v1"], ...hook }] },
  });
  const inCluster = { clientConfig: { service: { name: "injector", namespace: "platform" } } };

  it("refuses a webhook calling a URL, and one whose selector matches agent namespaces", async () => {
    const excludeAgents = {
      namespaceSelector: { matchExpressions: [{ key: "agent-identity.io/agent", operator: "DoesNotExist" }] },
    };
    expect(await rules([webhook({ clientConfig: { url: "https://hooks.example.com/mutate" }, ...excludeAgents })])).toEqual(["kubernetes/admission-webhook"]);
    expect(await rules([webhook({ ...inCluster, namespaceSelector: {} })])).toEqual(["kubernetes/admission-webhook"]);
    expect(await rules([webhook({ ...inCluster, namespaceSelector: { matchLabels: { team: "payments" } } })])).toEqual([]);
    expect(await rules([webhook({ ...inCluster, ...excludeAgents })])).toEqual([]);
  });

  it("evaluates selectors three-valued: a label the pack cannot see may match", () => {
    const known = { labels: { "kubernetes.io/metadata.name": "agents", team: "ai" }, all: true };
    const partly = { labels: { "kubernetes.io/metadata.name": "agents" }, all: false };
    expect(selectorExcludes({ matchLabels: { team: "payments" } }, known)).toBe(true);
    expect(selectorExcludes({ matchLabels: { team: "payments" } }, partly)).toBe(false);
    expect(selectorExcludes({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["agents"] }] }, partly)).toBe(true);
    expect(selectorExcludes({ matchExpressions: [{ key: "x", operator: "Gt", values: ["1"] }] }, known)).toBe(false);
    expect(selectorExcludes(undefined, known)).toBe(false);
  });
});

describe("network exposure and egress (kubernetes/network-exposure, kubernetes/egress-private)", () => {
  it("refuses NetworkPolicy ingress from anywhere into an agent namespace, not into another", async () => {
    const open = { policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] };
    expect(await rules([networkPolicy(NS, open)])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([networkPolicy("web", open)])).toEqual([]);
    expect(await rules([networkPolicy(NS, { policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 8080 }] }] })])).toEqual(["kubernetes/network-exposure"]);
  });

  it("refuses egress to every pod of every namespace; a selector naming the namespace passes", async () => {
    const to = (namespaceSelector: object) => ({ policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector }] }] });
    expect(await rules([networkPolicy(NS, to({}))])).toEqual(["kubernetes/egress-private"]);
    expect(await rules([networkPolicy(NS, to({ matchLabels: { "kubernetes.io/metadata.name": "vault" } }))])).toEqual([]);
  });

  it("judges Cilium policies like NetworkPolicies", async () => {
    const cilium = (kind: string, egress: object[], namespace?: string): Resource => ({
      type: `kubernetes:cilium.io/v2:${kind}`,
      name: `cnp-${kind}`,
      props: { apiVersion: "cilium.io/v2", kind, metadata: { name: "x", ...(namespace ? { namespace } : {}) }, spec: { endpointSelector: {}, egress } },
    });
    expect(await rules([cilium("CiliumNetworkPolicy", [{ toEntities: ["world"] }], NS)])).toEqual(["kubernetes/egress-private"]);
    expect(await rules([cilium("CiliumNetworkPolicy", [{ toCIDR: ["8.8.8.8/32"] }], NS)])).toEqual(["kubernetes/egress-private"]);
    expect(await rules([cilium("CiliumNetworkPolicy", [{ toFQDNs: [{ matchName: "example.com" }] }], NS)])).toEqual(["kubernetes/egress-private"]);
    expect(await rules([cilium("CiliumNetworkPolicy", [{ toCIDR: ["10.0.12.0/24"] }], NS)])).toEqual([]);
    expect(await rules([cilium("CiliumClusterwideNetworkPolicy", [{ toEntities: ["world"] }])])).toEqual(["kubernetes/egress-private"]);
    expect(await rules([cilium("CiliumClusterwideNetworkPolicy", [{ toEntities: ["kube-apiserver"] }])])).toEqual([]);
  });

  it("refuses a LoadBalancer or NodePort Service, or externalIPs, in an agent namespace; ClusterIP passes", async () => {
    const service = (spec: object, namespace = NS): Resource => ({
      type: "kubernetes:core/v1:Service",
      name: "svc",
      props: { metadata: { name: "svc", namespace }, spec: { selector: AGENT_LABELS, ports: [{ port: 80 }], ...spec } },
    });
    expect(await rules([service({ type: "LoadBalancer" })])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([service({ type: "NodePort" })])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([service({ externalIPs: ["203.0.113.7"] })])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([service({ type: "ClusterIP" })])).toEqual([]);
    expect(await rules([service({ type: "LoadBalancer" }, "web")])).toEqual([]);
  });

  it("refuses a hand-written EndpointSlice or Endpoints elsewhere whose targetRef is an agent pod; one naming its own namespace's pod passes", async () => {
    const slice = (targetNamespace: string): Resource => ({
      type: "kubernetes:discovery.k8s.io/v1:EndpointSlice",
      name: "slice",
      props: {
        metadata: { name: "p-1", namespace: "web", labels: { "kubernetes.io/service-name": "p" } },
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.0.5.17"], targetRef: { kind: "Pod", namespace: targetNamespace, name: "agent" } }],
        ports: [{ port: 8080 }],
      },
    });
    expect(await rules([slice(NS)])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([slice("web")])).toEqual([]);
    const endpoints: Resource = {
      type: "kubernetes:core/v1:Endpoints",
      name: "ep",
      props: {
        metadata: { name: "p", namespace: "web" },
        subsets: [{ addresses: [{ ip: "10.0.5.17", targetRef: { kind: "Pod", namespace: NS, name: "agent" } }] }],
      },
    };
    expect(await rules([endpoints])).toEqual(["kubernetes/network-exposure"]);
  });

  it("refuses an Ingress or a Gateway API route in or pointing into an agent namespace", async () => {
    const ingress = (namespace: string): Resource => ({
      type: "kubernetes:networking.k8s.io/v1:Ingress",
      name: `ing-${namespace}`,
      props: {
        metadata: { name: "pub", namespace },
        spec: { rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "a", port: { number: 80 } } } }] } }] },
      },
    });
    expect(await rules([ingress(NS)])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([ingress("web")])).toEqual([]);
    const route = (namespace: string, backendNamespace: string): Resource => ({
      type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
      name: `route-${namespace}-${backendNamespace}`,
      props: { metadata: { name: "r", namespace }, spec: { rules: [{ backendRefs: [{ name: "svc", namespace: backendNamespace, port: 80 }] }] } },
    });
    expect(await rules([route("web", NS)])).toEqual(["kubernetes/network-exposure"]);
    expect(await rules([route("web", "web")])).toEqual([]);
  });
});

describe("objects in agent namespaces (kubernetes/agent-namespace-objects)", () => {
  it("refuses a custom resource in an agent namespace and an unread cluster-wide network policy kind", async () => {
    const custom = (namespace: string): Resource => ({
      type: "kubernetes:example.io/v1:Widget",
      name: `w-${namespace}`,
      props: { metadata: { name: "w", namespace }, spec: {} },
    });
    expect(await rules([custom(NS)])).toEqual(["kubernetes/agent-namespace-objects"]);
    // Elsewhere its kind is on no allowlist of kubernetes/object-placement (closed world in every namespace).
    expect(await rules([custom("web")])).toEqual(["kubernetes/object-placement"]);
    const global: Resource = {
      type: "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy",
      name: "gnp",
      props: { metadata: { name: "allow-all" }, spec: { egress: [{ action: "Allow" }] } },
    };
    expect(await rules([global])).toEqual(["kubernetes/agent-namespace-objects"]);
  });

  const ESO = "kubernetes:external-secrets.io/v1beta1";
  const clusterStore = (serviceAccountRef: object): Resource => ({
    type: `${ESO}:ClusterSecretStore`,
    name: "store",
    props: {
      metadata: { name: "vault" },
      spec: { provider: { vault: { server: "https://vault", path: "kv", auth: { kubernetes: { mountPath: "kubernetes", role: "eso", serviceAccountRef } } } } },
    },
  });

  it("refuses a custom resource anywhere that names an agent's ServiceAccount or namespace, even when declared", async () => {
    const naming = clusterStore({ name: SA, namespace: NS });
    const inAgents = clusterStore({ name: "eso", namespace: NS });
    expect(await rules([naming], declaring(naming))).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(await rules([inAgents], declaring(inAgents))).toEqual(["kubernetes/agent-namespace-objects"]);
    const store = (serviceAccountRef: object): Resource => ({
      ...clusterStore(serviceAccountRef),
      type: `${ESO}:SecretStore`,
      props: { ...clusterStore(serviceAccountRef).props, metadata: { name: "s", namespace: "web" } },
    });
    // A SecretStore's kind is on no allowlist of kubernetes/object-placement either (it authenticates to Vault with the operator's help).
    expect(await rules([store({ name: SA })])).toEqual(["kubernetes/agent-namespace-objects", "kubernetes/object-placement"]);
    expect(await rules([store({ name: "eso" })])).toEqual(["kubernetes/object-placement"]);
  });

  it("refuses an unread cluster-scoped custom resource in a stack with agents unless the security team declares it", async () => {
    const store = clusterStore({ name: "eso", namespace: "external-secrets" });
    expect(await rules([store])).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(await rules([store], declaring(store))).toEqual([]);
    expect([...declaredPlatformResources(declaring(store)).keys()]).toEqual([urnOf(store)]);
    expect(declaredPlatformResources({ kubernetesPlatformResources: [{ urn: urnOf(store) }] }).size).toBe(0);
  });
});

describe("Helm releases in a stack with agents (kubernetes/agent-namespace-objects)", () => {
  const release = (type: string): Resource => ({ type, name: "tooling", props: { chart: "oci://charts.example/rbac", namespace: "web", values: {} } });
  const V3 = "kubernetes:helm.sh/v3:Release";

  it("refuses a v3 Release outside agents' namespaces unless declared; a v4 Chart (objects registered) passes", async () => {
    expect(await rules([release(V3)])).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(await rules([release("kubernetes:helm.sh/v4:Chart")])).toEqual([]);
    expect(await rules([release(V3)], declaring(release(V3)))).toEqual([]);
  });
});

describe("certificate signing requests in a stack with agents (kubernetes/agent-namespace-objects)", () => {
  it("refuses a CertificateSigningRequest unless the security team declares it", async () => {
    const csr: Resource = {
      type: "kubernetes:certificates.k8s.io/v1:CertificateSigningRequest",
      name: "client",
      props: { metadata: { name: "client" }, spec: { request: "LS0t", signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"] } },
    };
    expect(await rules([csr])).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(await rules([csr], declaring(csr))).toEqual([]);
  });
});

describe("Pod Security of agent namespaces (kubernetes/pod-security)", () => {
  const patch = (labels: Record<string, string>, name = NS): Resource => ({
    type: "kubernetes:core/v1:NamespacePatch",
    name: `nsp-${Object.keys(labels).join("-")}-${name}`,
    props: { metadata: { name, labels } },
  });
  it("refuses a NamespacePatch pinning an old enforce-version or relaxing warn/audit on an agent namespace", async () => {
    expect(await rules([patch({ "pod-security.kubernetes.io/enforce-version": "v1.0" })])).toEqual(["kubernetes/pod-security"]);
    expect(await rules([patch({ "pod-security.kubernetes.io/warn": "baseline" })])).toEqual(["kubernetes/pod-security"]);
    expect(await rules([patch({ "pod-security.kubernetes.io/audit-version": "v1.22" })])).toEqual(["kubernetes/pod-security"]);
    expect(await rules([patch({ "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/warn": "restricted" })])).toEqual([]);
    expect(await rules([patch({ "pod-security.kubernetes.io/warn": "baseline" }, "web")])).toEqual([]);
  });
});

describe("workloads tied to identities by namespace (kubernetes/service-account-use, kubernetes/projected-token)", () => {
  const own = { serviceAccountName: SA, automountServiceAccountToken: false };
  it("passes the agent's own labelled workload, and refuses one running as another ServiceAccount or as default there", async () => {
    expect(await rules([deployment(NS, AGENT_LABELS, own)])).toEqual([]);
    expect(await rules([deployment(NS, { app: "other" }, { serviceAccountName: "other-team" })])).toEqual(["kubernetes/service-account-use"]);
    expect(await rules([deployment(NS, { app: "other" }, {})])).toEqual(["kubernetes/service-account-use"]);
    expect(await rules([deployment("web", { app: "other" }, {})])).toEqual([]);
  });

  it("refuses an agent's labels on a workload outside its namespace", async () => {
    expect(await rules([deployment("web", AGENT_LABELS, { serviceAccountName: SA })])).toEqual(["kubernetes/service-account-use"]);
  });

  it("refuses the default token on an unlabelled pod in an agent namespace, and an unbounded projected token on any pod", async () => {
    expect(await rules([deployment(NS, { app: "other" }, { serviceAccountName: "x", automountServiceAccountToken: true })])).toEqual([
      "kubernetes/projected-token",
      "kubernetes/service-account-use",
    ]);
    const projected = (expirationSeconds: number) => ({
      volumes: [{ name: "tok", projected: { sources: [{ serviceAccountToken: { audience: "x", path: "t", expirationSeconds } }] } }],
    });
    expect(await rules([deployment("web", { app: "other" }, projected(86400))])).toEqual(["kubernetes/projected-token"]);
    expect(await rules([deployment("web", { app: "other" }, projected(600))])).toEqual([]);
  });
});

describe("EKS access for principals that are not agents (kubernetes/eks-access, separation/undeclared-share)", () => {
  const CI_ROLE = "arn:aws:iam::111122223333:role/ci";
  const awsAuth = (mapRoles: string): Resource => ({
    type: "kubernetes:core/v1:ConfigMapPatch",
    name: "aws-auth",
    props: { metadata: { name: "aws-auth", namespace: "kube-system" }, data: { mapRoles } },
  });
  const entry = (groups: string) => `- rolearn: ${CI_ROLE}\n  username: ci\n  groups: ${groups}\n`;
  const shareCi = {
    shares: [{ name: "nodes", principal: "iam:role/ci", resources: ["k8s:namespace/*"], reason: "the node group's role, reviewed" }],
  };

  it("refuses aws-auth mapping a CI role to system:masters, even with a share declared", async () => {
    expect(await rules([awsAuth(entry("[system:masters]"))], shareCi)).toEqual(["kubernetes/eks-access"]);
    expect(await rules([awsAuth(`- rolearn: ${CI_ROLE}\n  username: ci\n`)])).toEqual([]);
  });

  it("judges any other group (node groups too) like a cluster-wide access policy: a declared share covers it", async () => {
    expect(await rules([awsAuth(entry("[system:bootstrappers, system:nodes]"))])).toEqual(["separation/undeclared-share"]);
    expect(await rules([awsAuth(entry("[developers]"))])).toEqual(["separation/undeclared-share"]);
    expect(await rules([awsAuth(entry("[system:bootstrappers, system:nodes]"))], shareCi)).toEqual([]);
  });

  const accessEntry = (props: object): Resource => ({
    type: "aws:eks/accessEntry:AccessEntry",
    name: "ci",
    props: { clusterName: "c", principalArn: CI_ROLE, ...props },
  });

  it("judges a non-agent access entry with a node type or groups like a cluster-wide access policy; STANDARD with none passes", async () => {
    expect(await rules([accessEntry({ type: "STANDARD" })])).toEqual([]);
    expect(await rules([accessEntry({ type: "EC2_LINUX" })])).toEqual(["separation/undeclared-share"]);
    expect(await rules([accessEntry({ type: "HYBRID_LINUX" })], shareCi)).toEqual([]);
    expect(await rules([accessEntry({ kubernetesGroups: ["developers"] })])).toEqual(["separation/undeclared-share"]);
    expect(await rules([accessEntry({ kubernetesGroups: ["system:masters"] })], shareCi)).toEqual(["kubernetes/eks-access"]);
  });
});
