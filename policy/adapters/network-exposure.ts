/**
 * What opens an agent namespace to traffic from outside it: Services of type LoadBalancer or
 * NodePort (or with externalIPs), Ingresses, Gateway API routes in it or pointing at it, and
 * NetworkPolicies or Cilium policies admitting ingress from beyond private ranges, and hand-written
 * EndpointSlices or Endpoints elsewhere whose targetRef names a pod of an agent namespace (a Service
 * of another namespace then routes to it). Cilium policies'
 * egress is judged like a NetworkPolicy's (kubernetes/egress-private). Only the stack can tell a
 * namespace is an agent's, so this runs across the stack.
 */
import { asString } from "../inputs";
import { checkCiliumPolicy } from "../checks/cilium-network-policy";
import { checkNetworkPolicyIngress } from "../checks/network-policy";
import type { Adapter, PackFinding } from "../types";
import { agentNamespaceOf, agentNamespaces, findingsFor, type AgentNamespace } from "./agent-namespaces";
import { readOfType, type Read } from "./shared";

const RULE = "kubernetes/network-exposure";

export const EXPOSURE_TYPES = {
  service: "kubernetes:core/v1:Service",
  servicePatch: "kubernetes:core/v1:ServicePatch",
} as const;
export const INGRESS_TYPES: readonly string[] = ["networking.k8s.io/v1", "networking.k8s.io/v1beta1", "extensions/v1beta1"].flatMap((version) => [
  `kubernetes:${version}:Ingress`,
  `kubernetes:${version}:IngressPatch`,
]);
const NETWORK_POLICY_TYPES = ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch"];
export const CILIUM_POLICY = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
export const CILIUM_CLUSTERWIDE_POLICY = "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy";
export const GATEWAY_GROUP = "kubernetes:gateway.networking.k8s.io/";

/** Hand-written endpoints: the Service of their namespace routes to whatever they list. */
const ENDPOINT_TYPES = [
  "kubernetes:discovery.k8s.io/v1:EndpointSlice",
  "kubernetes:discovery.k8s.io/v1:EndpointSlicePatch",
  "kubernetes:core/v1:Endpoints",
  "kubernetes:core/v1:EndpointsPatch",
];

/** The namespaces of the targetRefs of an EndpointSlice's endpoints or an Endpoints' subsets (a missing one is the object's own). */
function targetNamespaces(v: Record<string, unknown>, own: string | undefined): string[] {
  const list = (x: unknown): Record<string, unknown>[] => (Array.isArray(x) ? x.filter((e): e is Record<string, unknown> => !!e && typeof e === "object") : []);
  const addresses = [...list(v.endpoints), ...list(v.subsets).flatMap((subset) => [...list(subset.addresses), ...list(subset.notReadyAddresses)])];
  return addresses.flatMap((a) => {
    const ref = a.targetRef;
    if (!ref || typeof ref !== "object") return [];
    const namespace = asString((ref as Record<string, unknown>).namespace) ?? own;
    return namespace === undefined ? [] : [namespace];
  });
}

const kindOf = (r: Read) => r.resource.type.split(":").pop();

/** Namespaces a Gateway API object points at (backendRefs, parentRefs, ReferenceGrant `to`), at any depth (bounded). */
function referencedNamespaces(value: unknown, depth = 0): string[] {
  if (!value || typeof value !== "object" || depth > 12) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(key === "namespace" && typeof child === "string" && depth > 1 ? [child] : []),
    ...referencedNamespaces(child, depth + 1),
  ]);
}

export const networkExposure: Adapter = {
  family: "network-exposure",
  holdings: "none: these decide who can reach agent pods, not what an identity holds",
  types: [
    {
      type: EXPOSURE_TYPES.service,
      key: "service",
      route:
        "a LoadBalancer or NodePort Service (or externalIPs) in an agent namespace exposes its pods outside the cluster; an ExternalName one redirects the agents' lookups of its name",
      readIfSet: ["spec.type", "spec.externalIPs"],
      checkedBy: [RULE, "kubernetes/agent-namespace-objects"],
    },
    {
      type: EXPOSURE_TYPES.servicePatch,
      key: "servicePatch",
      route: "may turn a Service in an agent namespace into a LoadBalancer, NodePort or ExternalName",
      readIfSet: ["spec.type", "spec.externalIPs", "metadata.namespace"],
      checkedBy: [RULE, "kubernetes/agent-namespace-objects"],
    },
    ...INGRESS_TYPES.map((type) => ({ type, route: "routes outside traffic to Services of its namespace", checkedBy: [RULE] })),
    {
      type: "kubernetes:gateway.networking.k8s.io/* (Gateway, HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute, ReferenceGrant)",
      route: "routes outside traffic to Services of its namespace, or of a namespace it names",
      checkedBy: [RULE],
    },
    ...ENDPOINT_TYPES.map((type) => ({
      type,
      route:
        "a hand-written endpoint list outside an agent namespace naming an agent pod (targetRef) routes another namespace's Service to it; one in an agent namespace routes a selectorless Service there (`vault`) anywhere",
      checkedBy: [RULE, "kubernetes/agent-namespace-objects"],
    })),
    {
      type: "kubernetes:cilium.io/v2:CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy",
      route: "where agent pods may connect, and who may connect to them (Cilium adds these to NetworkPolicies)",
      checkedBy: ["kubernetes/egress-private", RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    const push = (ns: AgentNamespace | "unknown", r: Read, message: string, fix: string, rule = RULE) =>
      pass.findings.push(...findingsFor(ns, r.resource.urn, { rule, message, fix }));
    const where = (ns: AgentNamespace | "unknown") =>
      ns === "unknown" ? "a namespace missing or unknown at preview (maybe an agent's)" : `agent namespace ${ns.name}`;

    for (const r of readOfType(ix, EXPOSURE_TYPES.service, EXPOSURE_TYPES.servicePatch)) {
      const ns = agentNamespaceOf(ix, r);
      if (!ns) continue;
      const spec = (r.v.spec ?? {}) as Record<string, unknown>;
      const type = asString(spec.type);
      const external = Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
      // A DNS alias in the namespace agents resolve first: `vault` there shadows the platform's Vault, whatever it names.
      if (type === "ExternalName")
        push(
          ns,
          r,
          `${kindOf(r)} ${r.resource.name} in ${where(ns)} is of type ExternalName (to ${asString(spec.externalName) ?? "a name unknown at preview"}): the agents' lookups of its name, the Vault endpoint's included, resolve to that host instead`,
          "create no ExternalName Service in an agent namespace; agents reach Vault and other services by the platform's names",
          "kubernetes/agent-namespace-objects",
        );
      if (type === "LoadBalancer" || type === "NodePort" || external)
        push(
          ns,
          r,
          `${kindOf(r)} ${r.resource.name} in ${where(ns)} is ${external ? "given externalIPs" : `of type ${type}`}, so the agents' pods it selects are reachable from outside the cluster`,
          "use a ClusterIP Service; agents take no traffic from outside the cluster",
        );
    }
    const agentNs = agentNamespaces(ix);
    for (const r of readOfType(ix, ...ENDPOINT_TYPES)) {
      const own = agentNamespaceOf(ix, r);
      const ownName = own === undefined || own === "unknown" ? undefined : own.name;
      const namespaceOfObject = own === "unknown" ? undefined : asString((r.v.metadata as Record<string, unknown> | undefined)?.namespace);
      // In an agent namespace, hand-written endpoints give a selectorless Service (`vault`, say) any address: a DNS alias like ExternalName.
      if (own)
        push(
          own,
          r,
          `${kindOf(r)} ${r.resource.name} in ${where(own)} is a hand-written endpoint list: a Service there without a selector routes the agents' connections to its name, the Vault endpoint's included, to the addresses it lists`,
          "write no endpoints by hand in an agent namespace; its Services select the agents' pods, and agents reach Vault and other services by the platform's names",
          "kubernetes/agent-namespace-objects",
        );
      for (const target of new Set(targetNamespaces(r.v, namespaceOfObject))) {
        const ns = agentNs.get(target);
        if (ns && target !== ownName)
          push(
            ns,
            r,
            `${kindOf(r)} ${r.resource.name} in ${namespaceOfObject ?? "a namespace missing or unknown at preview"} lists a pod of agent namespace ${target} (targetRef), so a Service outside it routes traffic to the agent`,
            "write no endpoints by hand that name agents' pods; a Service in the agent namespace selects them",
          );
      }
    }
    for (const r of readOfType(ix, ...INGRESS_TYPES)) {
      const ns = agentNamespaceOf(ix, r);
      if (ns)
        push(
          ns,
          r,
          `${kindOf(r)} ${r.resource.name} in ${where(ns)} routes outside traffic to the agents' Services`,
          "expose no agent namespace through an Ingress",
        );
    }
    for (const r of readOfType(ix, ...NETWORK_POLICY_TYPES)) {
      const ns = agentNamespaceOf(ix, r);
      if (!ns) continue;
      for (const p of checkNetworkPolicyIngress(`${kindOf(r)} ${r.resource.name} in ${where(ns)}`, r.v.spec)) push(ns, r, p.message, p.fix);
    }
    const namespaces = agentNamespaces(ix);
    for (const x of ix.inputs) {
      const type = x.resource.type;
      const r: Read = { resource: x.resource, v: x.value, unknown: x.unknown };
      if (type === CILIUM_POLICY || type === CILIUM_CLUSTERWIDE_POLICY) {
        const clusterwide = type === CILIUM_CLUSTERWIDE_POLICY;
        const ns = clusterwide ? undefined : agentNamespaceOf(ix, r);
        if (!clusterwide && !ns) continue;
        const label = `${kindOf(r)} ${r.resource.name}${ns ? ` in ${where(ns)}` : " (every namespace)"}`;
        for (const p of checkCiliumPolicy(label, r.v, clusterwide))
          if (ns) push(ns, r, p.message, p.fix, p.rule);
          else pass.findings.push({ ...p, agent: "platform", identity: null, urn: r.resource.urn } satisfies PackFinding);
      } else if (type.startsWith(GATEWAY_GROUP) && !type.endsWith(":GatewayClass")) {
        const ns = agentNamespaceOf(ix, r);
        const named = [...new Set(referencedNamespaces(r.v.spec))].filter((name) => namespaces.has(name));
        if (ns) push(ns, r, `${kindOf(r)} ${r.resource.name} in ${where(ns)} routes traffic into it`, "expose no agent namespace through the Gateway API");
        for (const name of named)
          push(
            namespaces.get(name)!,
            r,
            `${kindOf(r)} ${r.resource.name} routes traffic to agent namespace ${name}`,
            "expose no agent namespace through the Gateway API",
          );
      }
    }
  },
};
