/**
 * Volumes bound by hand into agents' namespaces. A PersistentVolume whose `claimRef` names a claim in
 * an agent namespace, or a claim there that names its `volumeName`, binds the agent's storage to a
 * volume the stack picked (an NFS export on any server, a hostPath, another team's disk) instead of
 * one the cluster provisions from a StorageClass: whatever the agent writes there goes to that
 * volume's owner, and whatever it reads comes from them (Kubernetes "Persistent Volumes", binding:
 * a PV with claimRef is reserved for that claim; a PVC with volumeName binds only that PV). Agents'
 * claims are provisioned dynamically; a namespace unknown at preview counts as an agent's.
 */
import { asString } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, ResourceProblem } from "../types";
import { agentNamespaceOf, agentNamespaces, findingsFor } from "./agent-namespaces";
import { isUnknown, readOfType } from "./shared";

const RULE = "kubernetes/agent-namespace-objects";
/** An object input as read, or an empty one. */
const field = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const NODE_RULE = "kubernetes/node-access";
const VOLUMES = ["kubernetes:core/v1:PersistentVolume", "kubernetes:core/v1:PersistentVolumePatch"];
const CLAIMS = ["kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:PersistentVolumeClaimPatch"];

export const persistentVolumes: Adapter = {
  family: "persistent-volumes",
  holdings: "none: a volume bound by hand into an agent namespace is refused, not counted as the agent's",
  types: [
    ...VOLUMES.map((type) => ({
      type,
      route:
        "a volume whose claimRef reserves it for a claim in an agent namespace receives what the agent writes there; a hostPath or local volume hands any pod that claims it a node's files (every pod's tokens under /var/lib/kubelet/pods)",
      readIfSet: ["spec.claimRef.namespace", "spec.hostPath", "spec.local"],
      checkedBy: [RULE, NODE_RULE],
    })),
    ...CLAIMS.map((type) => ({
      type,
      route: "a claim in an agent namespace naming its volumeName binds the agent's storage to that volume, not a provisioned one",
      readIfSet: ["spec.volumeName", "metadata.namespace"],
      checkedBy: [RULE],
    })),
  ],
  // A node's files through a volume rather than a pod template: the pod mounting the claim never names hostPath.
  check: (resource, inputs) => {
    if (!VOLUMES.includes(resource.type)) return [];
    const spec = field(inputs.value.spec);
    const sources = (["hostPath", "local"] as const).filter(
      (source) => spec[source] !== undefined || inputs.unknown.some((path) => path === "spec" || path === `spec.${source}`),
    );
    const key = platformResourceKey(resource.type, resource.name);
    return sources.map((source): ResourceProblem => ({
      rule: NODE_RULE,
      message: `PersistentVolume ${resource.name}: spec.${source} ${spec[source] === undefined ? "may be set (unknown at preview)" : `is ${JSON.stringify(spec[source]).slice(0, 200)}`}; any pod bound to it reads and writes a node's files, every pod's ServiceAccount and Vault tokens under /var/lib/kubelet/pods included`,
      fix: `provision volumes from a StorageClass of network storage, or have the security team declare it (kubernetesPlatformResources: [{resource: "${key}", reason, approvedBy}])`,
      ...(spec[source] === undefined ? {} : { platformResource: key }),
    }));
  },
  stack: (ix, pass) => {
    const namespaces = agentNamespaces(ix);
    if (namespaces.size === 0) return;
    const fix =
      "let the cluster provision agents' volumes from a StorageClass; bind no PersistentVolume by hand to a claim in an agent namespace (no claimRef there, no volumeName on its claims)";
    for (const r of readOfType(ix, ...VOLUMES)) {
      const claimRef = field(field(r.v.spec).claimRef);
      const unknown = isUnknown(r, "spec.claimRef");
      const namespace = unknown || isUnknown(r, "spec.claimRef.namespace") ? "unknown" : asString(claimRef.namespace);
      if (namespace === undefined && Object.keys(claimRef).length === 0) continue;
      const agentNs = namespace === undefined || namespace === "unknown" ? "unknown" : namespaces.get(namespace);
      if (!agentNs) continue;
      const target =
        agentNs === "unknown"
          ? "a claim whose namespace is missing or unknown at preview (maybe an agent's)"
          : `claim ${asString(claimRef.name) ?? "?"} in agent namespace ${agentNs.name}`;
      pass.findings.push(
        ...findingsFor(agentNs, r.resource.urn, {
          rule: RULE,
          message: `PersistentVolume ${r.resource.name} is reserved by its claimRef for ${target}: the agent's storage would be this hand-picked volume, and what it writes would go to the volume's owner`,
          fix,
        }),
      );
    }
    for (const r of readOfType(ix, ...CLAIMS)) {
      const ns = agentNamespaceOf(ix, r);
      if (!ns) continue;
      const volume = isUnknown(r, "spec.volumeName") ? "a volume unknown at preview" : asString(field(r.v.spec).volumeName);
      if (volume === undefined || volume === "") continue;
      const where = ns === "unknown" ? "a namespace missing or unknown at preview (maybe an agent's)" : `agent namespace ${ns.name}`;
      pass.findings.push(
        ...findingsFor(ns, r.resource.urn, {
          rule: RULE,
          message: `PersistentVolumeClaim ${r.resource.name} in ${where} names volumeName ${volume}: it binds that volume, not one the cluster provisions, so the agent's data goes to whoever controls it`,
          fix,
        }),
      );
    }
  },
};
