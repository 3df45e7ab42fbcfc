/**
 * Services that take over traffic or names meant for something else (kubernetes/service-interception),
 * outside the agents' namespaces, in a stack with agents. Inside an agent namespace
 * kubernetes/network-exposure and kubernetes/agent-namespace-objects refuse the same shapes outright.
 *
 * - `spec.externalIPs`: kube-proxy on every node routes traffic to those IPs, from every pod of the
 *   cluster, to the Service's endpoints, whatever the IP really is (CVE-2020-8554, "Man in the middle
 *   using LoadBalancer or ExternalIPs", kubernetes/kubernetes#97076: no fix, only admission control).
 *   A Service in a platform namespace with `externalIPs: [<Vault's IP>]` and port 8200 receives the
 *   agents' Vault logins; TLS makes that a denial of service unless the holder also gets a
 *   certificate for the Vault host. (The same CVE's `status.loadBalancer.ingress` shape needs a write
 *   to the status subresource, which the Pulumi Kubernetes provider does not make: `status` is an output.)
 * - `type: ExternalName`: cluster DNS answers `<name>.<namespace>.svc…` with a CNAME to `externalName`
 *   (Kubernetes "Service", type ExternalName), so a Service `vault` in namespace `vault` sends agents
 *   configured with `vault.vault.svc` to another host. stack/vault-host-identity compares Service names
 *   with the Vault provider's address only; the in-cluster name agents use may be another.
 *
 * Closed world: beside agents, a Service or ServicePatch with any `externalIPs` or of type ExternalName
 * is refused unless the security team declares it (kubernetesPlatformResources, by URN and inputs
 * digest); a type or externalIPs unknown at preview fails closed.
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaceOf, agentNamespaces } from "./agent-namespaces";
import { EXPOSURE_TYPES } from "./network-exposure";
import { declarablePlatformFinding, isUnknown, readOfType } from "./shared";

const RULE = "kubernetes/service-interception";

export const serviceInterception: Adapter = {
  family: "service-interception",
  holdings: "none: a Service's externalIPs or ExternalName decides who answers for an address or name, not what an identity holds",
  types: [EXPOSURE_TYPES.service, EXPOSURE_TYPES.servicePatch].map((type) => ({
    type,
    route:
      "outside agent namespaces, externalIPs make kube-proxy send every pod's traffic for those IPs to it (CVE-2020-8554) and ExternalName answers its in-cluster name with another host: declared in a stack with agents",
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, EXPOSURE_TYPES.service, EXPOSURE_TYPES.servicePatch)) {
      // In (or maybe in) an agent namespace, network-exposure refuses these shapes without a declaration.
      if (agentNamespaceOf(ix, r) !== undefined) continue;
      const spec = (r.v.spec ?? {}) as Record<string, unknown>;
      const metadata = (r.v.metadata ?? {}) as Record<string, unknown>;
      const label = `${r.resource.type.split(":").pop()} ${asString(metadata.namespace) ?? "(provider's namespace)"}/${asString(metadata.name) ?? r.resource.name}`;
      const ips = isUnknown(r, "spec.externalIPs")
        ? "externalIPs unknown at preview"
        : Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0
          ? `externalIPs ${spec.externalIPs.map(String).join(", ")}`
          : undefined;
      const type = isUnknown(r, "spec.type") ? "unknown" : asString(spec.type);
      const whys = [
        ips &&
          `has ${ips}: kube-proxy on every node sends every pod's traffic for those IPs to this Service's endpoints (CVE-2020-8554), so a Vault or AWS endpoint IP among them takes the agents' logins`,
        type === "ExternalName" &&
          `is of type ExternalName (to ${isUnknown(r, "spec.externalName") ? "a name unknown at preview" : (asString(spec.externalName) ?? "?")}): cluster DNS answers its in-cluster name with that host, so agents configured with that name (vault.vault.svc) reach another host`,
        type === "unknown" && "has a type unknown at preview (maybe ExternalName: its in-cluster name would answer with another host)",
      ].filter((why): why is string => typeof why === "string");
      for (const why of whys)
        pass.findings.push(
          declarablePlatformFinding(
            r.resource,
            RULE,
            `${label} ${why}`,
            "use a ClusterIP or LoadBalancer Service without externalIPs, and reach outside hosts by their own names",
          ),
        );
    }
  },
};
