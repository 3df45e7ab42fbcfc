/**
 * CSI drivers: a CSIDriver's `spec.tokenRequests` has the kubelet hand the driver a token of the
 * ServiceAccount of every pod that mounts one of its volumes, for each audience it lists. In a stack
 * with agents, an audience an agent identity's credentials accept is refused: the agents' Vault
 * audience (the `audience` of their Kubernetes-auth roles, platform.vault.audience in the plan),
 * IRSA's `sts.amazonaws.com`, EKS Pod Identity's `pods.eks.amazonaws.com`, and the API server's own:
 * an empty or missing audience, or the in-cluster service names API servers take as theirs
 * (`https://kubernetes.default.svc` on EKS and kubeadm; `--api-audiences` may add others the pack
 * cannot see). A driver the platform runs for that reason (a Vault CSI provider)
 * is declared by the security team (kubernetesPlatformResources); a Patch or List is never declarable.
 */
import { IRSA_AUDIENCE } from "../../components/core/compile";
import { POD_IDENTITY_PRINCIPAL } from "../../components/core/clusters";
import { asString } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { readOfType } from "./shared";

const RULE = "kubernetes/projected-token";

/** The API server's own audiences: none, or its in-cluster names (EKS and kubeadm's default `--api-audiences` is the first). */
const API_SERVER_AUDIENCES = [
  "",
  "https://kubernetes.default.svc",
  "https://kubernetes.default.svc.cluster.local",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
];
const CSI_DRIVER_TYPES: readonly string[] = ["v1", "v1beta1"].flatMap((version) => [
  `kubernetes:storage.k8s.io/${version}:CSIDriver`,
  `kubernetes:storage.k8s.io/${version}:CSIDriverPatch`,
]);
const CSI_DRIVER_LISTS: readonly string[] = ["v1", "v1beta1"].map((version) => `kubernetes:storage.k8s.io/${version}:CSIDriverList`);

/** The audiences of a CSIDriver's tokenRequests (`""` for one without an audience: the API server's). */
function requestedAudiences(spec: unknown): string[] {
  const requests = (spec as { tokenRequests?: unknown } | undefined)?.tokenRequests;
  if (!Array.isArray(requests)) return [];
  return requests.map((request) => asString((request as { audience?: unknown } | null)?.audience) ?? "");
}

export const csiDrivers: Adapter = {
  family: "csi-drivers",
  holdings: "none: a driver given agents' tokens is refused, not counted as an agent's",
  types: [
    ...CSI_DRIVER_TYPES.map((type) => ({
      type,
      route: "the kubelet gives the driver a token of every pod's ServiceAccount for each audience in spec.tokenRequests",
      readIfSet: ["spec.tokenRequests"],
      checkedBy: [RULE],
    })),
    ...CSI_DRIVER_LISTS.map((type) => ({ type, route: "creates CSIDrivers the pack would have to read one by one", checkedBy: [RULE] })),
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    const agentAudiences = new Set([IRSA_AUDIENCE, POD_IDENTITY_PRINCIPAL, ...API_SERVER_AUDIENCES]);
    for (const role of ix.authRoles) {
      const audience = asString(role.v.audience);
      if (role.meta.agent && audience !== undefined) agentAudiences.add(audience);
    }
    for (const r of readOfType(ix, ...CSI_DRIVER_LISTS))
      pass.findings.push({
        rule: RULE,
        agent: "platform",
        identity: null,
        urn: r.resource.urn,
        message: `${r.resource.type} ${r.resource.name}: the pack reads CSIDrivers one by one, so the tokens they request cannot be checked`,
        fix: "declare each CSIDriver as its own kubernetes:storage.k8s.io/v1:CSIDriver",
      });
    for (const r of readOfType(ix, ...CSI_DRIVER_TYPES)) {
      const hits = [...new Set(requestedAudiences(r.v.spec).filter((audience) => agentAudiences.has(audience)))];
      if (hits.length === 0) continue;
      const declarable = r.resource.type.endsWith(":CSIDriver");
      const key = platformResourceKey(r.resource.type, r.resource.name);
      pass.findings.push({
        rule: RULE,
        agent: "platform",
        identity: null,
        urn: r.resource.urn,
        ...(declarable ? { platformResource: key } : {}),
        message: `${r.resource.type.split(":").pop()} ${r.resource.name} requests ServiceAccount tokens for ${hits.map((a) => (a === "" ? "the API server's audience" : API_SERVER_AUDIENCES.includes(a) ? `audience ${a} (the API server's)` : `audience ${a}`)).join(", ")}, which agents' identities accept: the driver receives a usable token of every agent pod that mounts its volumes`,
        fix: declarable
          ? `request no token for an audience agents' credentials accept, or have the security team declare the driver (kubernetesPlatformResources)`
          : "request no token for an audience agents' credentials accept; declare the driver as a CSIDriver the security team can review",
      });
    }
  },
};
