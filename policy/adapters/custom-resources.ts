/**
 * The closed world over agents' namespaces, for objects (kubernetes/agent-namespace-objects): a
 * custom resource there is handled by an operator the pack cannot read (it may start pods, open
 * traffic or rewrite policy), so one of a kind no adapter reads is refused there, and so is one whose
 * namespace is unknown at preview. Cluster-wide network policy kinds the pack does not read (Calico
 * GlobalNetworkPolicy, Antrea ClusterNetworkPolicy, AdminNetworkPolicy ...) override or add to every
 * namespace's policies: refused wherever they are.
 */
import { asRecord, asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces, findingsFor } from "./agent-namespaces";
import { isUnknown, type Read } from "./shared";
import { CILIUM_CLUSTERWIDE_POLICY, CILIUM_POLICY, GATEWAY_GROUP } from "./network-exposure";

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

/** The API group of a `kubernetes:<group>/<version>:<Kind>` token. */
const groupOf = (type: string) => type.slice("kubernetes:".length).split(/[/:]/)[0];

export const isCustomResource = (type: string) => type.startsWith("kubernetes:") && !BUILT_IN_GROUPS.has(groupOf(type));

/** Custom kinds other adapters read (Cilium policies, Gateway API). */
const readElsewhere = (type: string) => type === CILIUM_POLICY || type === CILIUM_CLUSTERWIDE_POLICY || type.startsWith(GATEWAY_GROUP);

export const customResources: Adapter = {
  family: "custom-resources",
  holdings: "none: refused where agents live",
  types: [
    {
      type: "kubernetes:<any group not Kubernetes' own>/* (custom resources: operators' kinds, Calico, Argo ...)",
      route: "handled by an operator the pack cannot read: it may start pods, open traffic or change policy in the namespace",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const namespaces = agentNamespaces(ix);
    if (namespaces.size === 0) return;
    for (const x of ix.inputs) {
      const type = x.resource.type;
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
      } else if (namespace === undefined && !unknown && /NetworkPolic(y|ies)$/.test(kind)) {
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          message: `${kind} ${r.resource.name} (${type.slice("kubernetes:".length).split(":")[0]}) is a cluster-wide network policy kind the pack does not read; it may open every agent namespace's egress or ingress`,
          fix: "write agents' network rules as NetworkPolicies (or Cilium policies) the pack reads",
        });
      }
    }
  },
};
