/**
 * The closed world over agents' namespaces, for objects (kubernetes/agent-namespace-objects): a
 * custom resource there is handled by an operator the pack cannot read (it may start pods, open
 * traffic or rewrite policy), so one of a kind no adapter reads is refused there, and so is one whose
 * namespace is unknown at preview. Cluster-wide network policy kinds the pack does not read (Calico
 * GlobalNetworkPolicy, Antrea ClusterNetworkPolicy, AdminNetworkPolicy ...) override or add to every
 * namespace's policies: refused wherever they are. Anywhere else, a custom resource whose fields name
 * an agent's namespace, ServiceAccount or Vault login role (an External Secrets ClusterSecretStore
 * authenticating to Vault as the agent, a Secrets Store CSI SecretProviderClass naming the agent's
 * role, a cert-manager issuer ...) lends that identity to its operator: refused. A
 * cluster-scoped one of a kind no adapter reads acts over every namespace: refused in a stack with
 * agents unless the security team declares it (kubernetesPlatformResources, platform-resources-config.ts).
 */
import { asRecord, asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces, findingsFor } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, type Read } from "./shared";
import { CILIUM_CLUSTERWIDE_POLICY, CILIUM_POLICY, GATEWAY_GROUP } from "./network-exposure";
import { platformResourceKey } from "../platform-resources-config";
import type { StackIndex } from "../stack-index";

const RULE = "kubernetes/agent-namespace-objects";

/** Kubernetes' own API groups (`core` for the legacy group) and Pulumi's non-object tokens: everything else is a custom resource. */
const BUILT_IN_GROUPS = new Set([
  "core",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "extensions",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "node.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "certificates.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "resource.k8s.io",
  "storagemigration.k8s.io",
  "settings.k8s.io",
  "auditregistration.k8s.io",
  "meta",
  // Pulumi components that render objects the engine registers one by one (each is read itself).
  "yaml",
  "kustomize",
  // Helm releases render inside the provider: the workloads adapter refuses them in agent namespaces.
  "helm.sh",
]);

/**
 * Istio's root namespace (meshConfig.rootNamespace, `istio-system` unless changed; `istio-config` in
 * some installs): a mesh object there applies to every namespace. A mesh with another root namespace
 * is not read here (README).
 */
const ISTIO_ROOT_NAMESPACES: ReadonlySet<string> = new Set(["istio-system", "istio-config"]);

/** The API group of a `kubernetes:<group>/<version>:<Kind>` token. */
const groupOf = (type: string) => type.slice("kubernetes:".length).split(/[/:]/)[0];

export const isCustomResource = (type: string) => type.startsWith("kubernetes:") && !BUILT_IN_GROUPS.has(groupOf(type));

/** Custom kinds other adapters read (Cilium policies, Gateway API). */
export const readElsewhere = (type: string) => type === CILIUM_POLICY || type === CILIUM_CLUSTERWIDE_POLICY || type.startsWith(GATEWAY_GROUP);

/** Bounds of the scan of a custom resource's fields: beyond them it counts as naming an agent (unread). */
const MAX_NODES = 20_000;
const MAX_DEPTH = 24;

/**
 * The agent namespace or ServiceAccount a custom resource's fields name (outside metadata), exactly or as
 * `system:serviceaccount:<ns>:<name>`; `too large` when the bounded scan could not read all of it.
 */
function agentNamed(ix: StackIndex, namespaces: ReadonlyMap<string, unknown>, v: Record<string, unknown>, vaultRoles: ReadonlySet<string>): string | undefined {
  const agents = ix.by.serviceAccountsOfAgent;
  const stack: Array<{ value: unknown; depth: number }> = Object.entries(v)
    .filter(([key]) => key !== "metadata" && key !== "apiVersion" && key !== "kind")
    .map(([, value]) => ({ value, depth: 0 }));
  let seen = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++seen > MAX_NODES || depth > MAX_DEPTH) return "too large to read";
    if (typeof value === "string") {
      if (namespaces.has(value)) return `agent namespace ${value}`;
      if (ix.by.serviceAccountNames.has(value)) return `agent ServiceAccount ${value}`;
      // A Secrets Store SecretProviderClass's `roleName`, an External Secrets store's `role`: the agent's Vault login role.
      if (vaultRoles.has(value)) return `agent Vault role ${value}`;
      if (value.startsWith("system:serviceaccount")) {
        const [, , ns] = value.split(":");
        if (ns !== undefined && namespaces.has(ns)) return `agent ServiceAccount user ${value}`;
      }
      // A host (`svc.<ns>.svc.cluster.local`), a reference (`<ns>/<name>`) or a Vault path naming an agent
      // (`agents/<env>/<agent>/…`, `creds/<env>.<agent>.<tool>`): a segment is an agent namespace or name.
      if (value.length <= 1024)
        for (const segment of value.split(/[/.:]/)) {
          if (namespaces.has(segment)) return `agent namespace ${segment} (in "${value}")`;
          if (agents.has(segment)) return `agent ${segment} (in "${value}")`;
        }
    } else if (Array.isArray(value)) for (const item of value) stack.push({ value: item, depth: depth + 1 });
    else if (value && typeof value === "object") for (const item of Object.values(value)) stack.push({ value: item, depth: depth + 1 });
  }
  return undefined;
}

/** CertificateSigningRequests: a signed kube-apiserver-client certificate authenticates as any user it names (an agent's ServiceAccount too). */
const CSR_TYPES = ["v1", "v1beta1"].flatMap((version) => [
  `kubernetes:certificates.k8s.io/${version}:CertificateSigningRequest`,
  `kubernetes:certificates.k8s.io/${version}:CertificateSigningRequestPatch`,
]);

export const customResources: Adapter = {
  family: "custom-resources",
  holdings: "none: refused where agents live",
  types: [
    {
      type: "kubernetes:<any group not Kubernetes' own>/* (custom resources: operators' kinds, Calico, Argo ...)",
      route: "handled by an operator the pack cannot read: it may start pods, open traffic or change policy in the namespace",
      checkedBy: [RULE],
    },
    ...CSR_TYPES.map((type) => ({
      type,
      route: "once approved and signed, a client certificate authenticates as the user and groups it asks for (an agent ServiceAccount's included)",
      checkedBy: [RULE],
    })),
  ],
  stack: (ix, pass) => {
    const namespaces = agentNamespaces(ix);
    if (namespaces.size === 0) return;
    const vaultRoles = new Set(ix.authRoles.flatMap((role) => (role.meta.agent ? [asString(role.v.roleName) ?? ""] : [])).filter((name) => name !== ""));
    for (const x of ix.inputs) {
      const type = x.resource.type;
      if (CSR_TYPES.includes(type))
        pass.findings.push(
          declarablePlatformFinding(
            x.resource,
            RULE,
            `CertificateSigningRequest ${x.resource.name} in a stack with agents asks for a certificate that, once signed, authenticates as whatever user and groups it names (an agent ServiceAccount's too); the pack cannot read who approves it`,
            "authenticate through the agents' own identities",
          ),
        );
      if (!isCustomResource(type) || readElsewhere(type)) continue;
      const r: Read = { resource: x.resource, v: x.value, unknown: x.unknown };
      const kind = type.split(":").pop() ?? "";
      const namespace = asString(asRecord(r.v.metadata).namespace);
      // A custom resource without a namespace may be cluster-scoped: only an unknown one counts as maybe an agent's.
      const unknown = isUnknown(r, "metadata") || isUnknown(r, "metadata.namespace");
      const ns = unknown ? "unknown" : namespace === undefined ? undefined : namespaces.get(namespace);
      if (ns) {
        pass.findings.push(
          ...findingsFor(ns, r.resource.urn, {
            rule: RULE,
            message: `${kind} ${r.resource.name} (${type.slice("kubernetes:".length).split(":")[0]}) is a custom resource in ${ns === "unknown" ? "a namespace unknown at preview (maybe an agent's)" : `agent namespace ${ns.name}`}; its operator acts there in ways the pack cannot read`,
            fix: "create only the components' objects and agent workloads in agents' namespaces; run other tools elsewhere",
          }),
        );
        continue;
      }
      const group = type.slice("kubernetes:".length).split(":")[0];
      if (namespace !== undefined && ISTIO_ROOT_NAMESPACES.has(namespace) && /\.istio\.io\//.test(group)) {
        pass.findings.push(
          declarablePlatformFinding(
            r.resource,
            RULE,
            `${kind} ${r.resource.name} (${group}) is in Istio's root namespace ${namespace}, so it applies to every namespace of the mesh, agents' included (authorization, mTLS, sidecar egress, Envoy filters, telemetry)`,
            "write mesh objects in the namespaces they are for",
          ),
        );
        continue;
      }
      const named = agentNamed(ix, namespaces, r.v, vaultRoles);
      if (named) {
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          message: `${kind} ${r.resource.name} (${group}) is a custom resource outside agents' namespaces whose fields name ${named}; its operator may act as that agent's identity (e.g. read its Vault secrets) for any namespace`,
          fix: "give the operator its own ServiceAccount and Vault role; never point a custom resource at an agent's namespace or ServiceAccount",
        });
      } else if (namespace === undefined && !unknown && /NetworkPolic(y|ies)$/.test(kind)) {
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          message: `${kind} ${r.resource.name} (${type.slice("kubernetes:".length).split(":")[0]}) is a cluster-wide network policy kind the pack does not read; it may open every agent namespace's egress or ingress`,
          fix: "write agents' network rules as NetworkPolicies (or Cilium policies) the pack reads",
        });
      } else if (namespace === undefined && !unknown) {
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          platformResource: platformResourceKey(type, r.resource.name),
          message: `${kind} ${r.resource.name} (${group}) is a cluster-scoped (or namespace-less) custom resource in a stack with agents; its operator acts over every namespace, agents' included, in ways the pack cannot read`,
          fix: `have the security team declare it in the pack's configuration (kubernetesPlatformResources), or deploy it from a stack without agents`,
        });
      }
    }
  },
};
