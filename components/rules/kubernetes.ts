/**
 * Kubernetes rules: the ServiceAccounts agents run as, and the RBAC anyone grants them. The
 * components create no RBAC, so the RBAC checks run in the policy pack on hand-written resources.
 */
import { LABEL_PREFIX } from "../core/compile";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const WORKLOAD = standards(["NHI2", "NHI6"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const RBAC = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7", "GOVERN 1.4"]);
const PLATFORM_NET = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7"]);
const EXEC = standards(["NHI5", "NHI9"], ["ASI03", "ASI05"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);

/** Rules with a plan check (and a pack check). */
export const KUBERNETES_RULES: readonly RuleMeta[] = [
  meta("kubernetes/automount-token", "kubernetes", "error", "Agent ServiceAccounts set `automountServiceAccountToken: false`.", WORKLOAD, PACK.resource),
  meta(
    "kubernetes/default-service-account",
    "kubernetes",
    "error",
    "No agent identity is, trusts or binds the `default` ServiceAccount, and in an agent namespace no IAM role is bound to it (Pod Identity association, IRSA annotation or trust).",
    standards(["NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]),
    PACK.both,
  ),
  meta(
    "kubernetes/system-namespace",
    "kubernetes",
    "error",
    "No agent runs in `default`, `kube-system`, `kube-public` or `kube-node-lease`.",
    standards(["NHI8"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]),
    PACK.resource,
  ),
];

/** Rules about RBAC objects, which only exist as stack resources (policy pack). */
export const KUBERNETES_RESOURCE_RULES: readonly RuleMeta[] = [
  meta("kubernetes/cluster-role-binding", "kubernetes", "error", "No ClusterRoleBinding names an agent ServiceAccount.", RBAC, PACK.stack),
  meta(
    "kubernetes/rbac-wildcard",
    "kubernetes",
    "error",
    "No role bound to an agent ServiceAccount grants `*` verbs, resources or API groups.",
    RBAC,
    PACK.stack,
  ),
  meta(
    "kubernetes/rbac-escalation",
    "kubernetes",
    "error",
    "No `escalate`, `bind` or `impersonate` for an agent ServiceAccount, and no RoleBinding giving it anything in `kube-system` (home of `aws-auth`).",
    RBAC,
    PACK.stack,
  ),
  meta(
    "kubernetes/rbac-pod-exec",
    "kubernetes",
    "error",
    "No `pods/exec`, `pods/attach`, `pods/portforward` or `pods/ephemeralcontainers` for an agent ServiceAccount.",
    EXEC,
    PACK.stack,
  ),
  meta(
    "kubernetes/rbac-pod-create",
    "kubernetes",
    "error",
    "No pod (or workload) creation for an agent ServiceAccount: a new pod can run as any ServiceAccount of the namespace.",
    EXEC,
    PACK.stack,
  ),
  meta(
    "kubernetes/rbac-token-request",
    "kubernetes",
    "error",
    "No `serviceaccounts/token` create for an agent ServiceAccount (it mints tokens for other identities).",
    EXEC,
    PACK.stack,
  ),
  meta(
    "kubernetes/rbac-secrets",
    "kubernetes",
    "error",
    "No reading Secrets for an agent ServiceAccount.",
    standards(["NHI2", "NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]),
    PACK.stack,
  ),
  meta(
    "kubernetes/eks-access",
    "kubernetes",
    "error",
    "An agent role gets no Kubernetes access through EKS (`AccessEntry`, `AccessPolicyAssociation`, the `aws-auth` ConfigMap) and no Pod Identity association except to its own ServiceAccount; unknown principals fail closed. In a stack with agents, no principal at all is mapped to system:masters (it bypasses RBAC). An EKS cluster resource sets `accessConfig.authenticationMode` to `API` (`CONFIG_MAP`, the EKS API's default, and `API_AND_CONFIG_MAP` let the aws-auth ConfigMap map IAM roles beside access entries).",
    RBAC,
    PACK.both,
  ),
  meta(
    "kubernetes/service-account-use",
    "kubernetes",
    "error",
    "No hand-written resource acts as an agent's ServiceAccount: no token Secret for it, no workload running as it unless its pod template carries that agent's and identity's labels; workloads are tied to identities by namespace: in an agent namespace every workload runs as one of that namespace's agent identities, and outside it no workload carries an agent's labels; a Helm release in an agent namespace (or naming an agent ServiceAccount in its values), a custom resource naming one, or such a reference without a known namespace fails closed.",
    EXEC,
    PACK.stack,
  ),
  meta(
    "kubernetes/agent-namespace-rbac",
    "kubernetes",
    "error",
    "Closed world over agents' namespaces: a RoleBinding there binds only that namespace's own agent ServiceAccounts; no RoleBinding, ClusterRoleBinding, ClusterRole aggregated into another (`aggregate-to-edit`, `-admin`, `-view` ...) or Patch of a built-in role gives anyone else rights over agent namespaces, unless the subject is a platform operator declared in the pack's `kubernetesOperators` configuration and its rights are read-only (get, list, watch) on nothing but non-secret objects. A role the pack cannot read counts as everything. In a stack with agents, a ClusterRole granting create, update or patch on PersistentVolumes, StorageClasses, CSIDrivers, VolumeAttachments or Nodes (or anything on `nodes/proxy`), and a ClusterRoleBinding giving such rules to a subject that is not an agent, are refused unless declared (`kubernetesPlatformResources`).",
    RBAC,
    PACK.stack,
  ),
  meta(
    "kubernetes/admission-webhook",
    "kubernetes",
    "error",
    "No mutating or validating webhook (v1 or v1beta1) calls a URL outside the cluster, and none can see agent namespaces: its `namespaceSelector` must exclude every agent namespace by a label the pack knows it has (`kubernetes.io/metadata.name`, or the agent label of a namespace the stack creates); a webhook sees, and a mutating one rewrites, every pod and Secret it matches. The same holds for mutating admission policies (v1, v1beta1, v1alpha1): a binding is refused unless its or its policy's namespaceSelector excludes every agent namespace.",
    RBAC,
    PACK.both,
  ),
  meta(
    "kubernetes/network-exposure",
    "kubernetes",
    "error",
    "Nothing exposes an agent namespace: no Service of type LoadBalancer or NodePort, or with `externalIPs`, no Ingress or Gateway API route there or pointing there, and no NetworkPolicy (or Cilium policy) admitting ingress from outside private ranges, from every namespace, or from anywhere (an ingress rule without `from`).",
    PLATFORM_NET,
    PACK.stack,
  ),
  meta(
    "kubernetes/agent-namespace-label",
    "kubernetes",
    "error",
    "A Namespace or NamespacePatch carries the `agent-identity.io/agent: <agent>` label only where that agent's own ServiceAccounts live (the namespace the Agent component creates and labels for it): selectors keyed on the label (NetworkPolicies, webhooks' namespaceSelectors) treat a namespace carrying it as that agent's, so an agent's namespace relabelled to another agent, or a platform namespace labelled as an agent's, is refused; a name or label unknown at preview fails closed.",
    PLATFORM_NET,
    PACK.stack,
  ),
  meta(
    "kubernetes/service-interception",
    "kubernetes",
    "error",
    "In a stack with agents, no Service or ServicePatch outside the agents' namespaces has `externalIPs` (kube-proxy on every node sends every pod's traffic for those IPs to the Service, CVE-2020-8554: one naming the Vault or an AWS endpoint's IP takes the agents' logins) or is of type ExternalName (cluster DNS answers its in-cluster name, `vault.vault.svc` say, with another host) unless the security team declares it in kubernetesPlatformResources; a type or `externalIPs` unknown at preview fails closed. Inside an agent namespace both are refused outright (kubernetes/network-exposure, kubernetes/agent-namespace-objects).",
    PLATFORM_NET,
    PACK.stack,
  ),
  meta(
    "kubernetes/agent-namespace-objects",
    "kubernetes",
    "error",
    "Closed world over agents' namespaces: no ExternalName Service and no hand-written EndpointSlice or Endpoints is created there (a DNS alias agents resolve first: `vault` there would shadow the platform's Vault, and hand-written endpoints send a selectorless Service's traffic anywhere), no PersistentVolume is bound to a claim there by hand (a `claimRef` into the namespace, or a claim's `volumeName`: the agent's data would go to a volume the stack picked, an NFS export anywhere), no ServiceAccount there but an agent identity's own is bound to an IAM role (Pod Identity association, `eks.amazonaws.com/role-arn` annotation, IRSA or Pod Identity trust), and an identity's own only to its planned role, no custom resource of a kind the pack does not read is created there (it may run pods, open traffic or change policy through its operator), and no cluster-wide network policy kind the pack does not read (Calico, Antrea, AdminNetworkPolicy) is created at all; a namespace unknown at preview counts as an agent's. Anywhere, a custom resource whose fields name an agent namespace, agent ServiceAccount or agent (a host `x.<agent-ns>.svc`, a Vault path `agents/<env>/<agent>/…` or `creds/<env>.<agent>.<tool>`: e.g. an External Secrets ClusterSecretStore authenticating as the agent, a Vault Secrets Operator secret copying its credentials) is refused, and so is an Istio object in Istio's root namespace (`istio-system`, `istio-config`: it applies mesh-wide) unless declared in kubernetesPlatformResources; and in a stack with agents a cluster-scoped custom resource the pack does not read is refused unless declared in the pack's kubernetesPlatformResources configuration, and so is a Helm v3 Release (its chart renders unread inside the provider; use a v4 Chart) and a CertificateSigningRequest (a signed client certificate authenticates as whoever it names).",
    PLATFORM_NET,
    PACK.stack,
  ),
  meta(
    "kubernetes/shared-namespace-pod-create",
    "kubernetes",
    "error",
    "In a namespace shared by several agents, no ServiceAccount of that namespace may create pods.",
    EXEC,
    PACK.stack,
  ),
];

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;
export const AGENT_LABEL = `${LABEL_PREFIX}/agent`;
export const IDENTITY_LABEL = `${LABEL_PREFIX}/identity`;

export interface ServiceAccountShape {
  readonly namespace: string;
  readonly name: string;
  readonly automountServiceAccountToken?: boolean;
}

export function checkServiceAccount(sa: ServiceAccountShape): Problem[] {
  const problems: Problem[] = [];
  if (sa.automountServiceAccountToken !== false) {
    problems.push({
      rule: "kubernetes/automount-token",
      message: `ServiceAccount ${sa.namespace}/${sa.name} does not set automountServiceAccountToken: false`,
      fix: "set automountServiceAccountToken: false; workloads mount a projected, audience-bound token instead",
    });
  }
  problems.push(...checkServiceAccountReference(sa.namespace, sa.name));
  return problems;
}

/** A reference to a ServiceAccount (by a trust policy, a Vault role or a binding). */
export function checkServiceAccountReference(namespace: string, name: string): Problem[] {
  const problems: Problem[] = [];
  if (name === "default") {
    problems.push({
      rule: "kubernetes/default-service-account",
      message: `uses the default ServiceAccount of ${namespace}`,
      fix: "run each identity as its own ServiceAccount <agent>-<identity>",
    });
  }
  if ((SYSTEM_NAMESPACES as readonly string[]).includes(namespace)) {
    problems.push({
      rule: "kubernetes/system-namespace",
      message: `runs in the ${namespace} namespace`,
      fix: "use namespacePerAgent: true, or a dedicated shared namespace such as agents",
    });
  }
  return problems;
}

/** An RBAC rule (`rules[]` of a Role or ClusterRole). */
export interface RbacRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

const WORKLOAD_RESOURCES = ["pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "replicationcontrollers"];
const CREATE_VERBS = ["create", "update", "patch"];
/**
 * Built-in API groups whose objects cannot start pods other than the workloads above. Any other group
 * (custom resources: Argo Workflows and Rollouts, operators' CRs; admission webhooks that mutate
 * pods) may run pods as any ServiceAccount of the namespace: creating or changing them fails closed.
 */
const NO_POD_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "rbac.authorization.k8s.io",
  "networking.k8s.io",
  "policy",
  "autoscaling",
  "coordination.k8s.io",
  "events.k8s.io",
  "discovery.k8s.io",
  "metrics.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
]);

/** Problems of RBAC rules granted to an agent ServiceAccount. */
export function checkRbacRules(rules: readonly RbacRule[]): Problem[] {
  const problems: Problem[] = [];
  const add = (rule: string, message: string, fix: string) => {
    if (!problems.some((p) => p.rule === rule && p.message === message)) problems.push({ rule, message, fix });
  };
  for (const rbac of rules) {
    const verbs = rbac.verbs ?? [];
    const resources = rbac.resources ?? [];
    const can = (verb: string) => verbs.includes(verb) || verbs.includes("*");
    const on = (resource: string) => resources.includes(resource) || resources.includes("*");
    if (verbs.includes("*") || resources.includes("*") || (rbac.apiGroups ?? []).includes("*") || (rbac.nonResourceURLs ?? []).includes("*")) {
      add(
        "kubernetes/rbac-wildcard",
        `grants verbs [${verbs.join(", ")}] on [${resources.join(", ")}] in API groups [${(rbac.apiGroups ?? []).join(", ")}]`,
        "list the exact verbs, resources and API groups",
      );
    }
    for (const verb of ["escalate", "bind", "impersonate"]) {
      if (can(verb)) add("kubernetes/rbac-escalation", `grants ${verb} on [${resources.join(", ")}]`, `remove ${verb}; an agent never changes or borrows RBAC`);
    }
    for (const sub of ["pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers"]) {
      if (on(sub) && ["create", "get", "update", "patch"].some(can))
        add("kubernetes/rbac-pod-exec", `grants ${sub}`, "remove exec/attach/port-forward; agents do not enter other pods");
    }
    const workloads = WORKLOAD_RESOURCES.filter(on);
    if (workloads.length && CREATE_VERBS.some(can))
      add(
        "kubernetes/rbac-pod-create",
        `can create or change ${workloads.join(", ")}`,
        "agents do not create pods; a new pod can run as a sibling's ServiceAccount",
      );
    const otherGroups = (rbac.apiGroups ?? []).filter((group) => !NO_POD_GROUPS.has(group));
    if (otherGroups.length && resources.length && CREATE_VERBS.some(can)) {
      add(
        "kubernetes/rbac-pod-create",
        `can create or change [${resources.join(", ")}] in API groups [${otherGroups.join(", ")}], which may run pods (Argo Workflows, Rollouts, operators' custom resources)`,
        "agents do not create workloads of any kind; grant only read access to custom resources",
      );
    }
    if (on("serviceaccounts/token") && can("create"))
      add("kubernetes/rbac-token-request", "can create ServiceAccount tokens", "remove serviceaccounts/token; each identity gets only its own projected token");
    if (on("secrets") && ["get", "list", "watch"].some(can))
      add("kubernetes/rbac-secrets", "can read Secrets", "read secrets from Vault through the identity's own policy, not Kubernetes Secrets");
  }
  return problems;
}

/** Can these rules create pods (for the shared-namespace rule)? */
export function rbacCreatesPods(rules: readonly RbacRule[]): boolean {
  return checkRbacRules(rules).some((problem) => problem.rule === "kubernetes/rbac-pod-create");
}

export const kubernetesRules = familyRules(KUBERNETES_RULES, ({ plan }) => {
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      findings.push(...attribute(agent.name, identity.kind, checkServiceAccount(identity.serviceAccount)));
    }
  }
  return findings;
});
