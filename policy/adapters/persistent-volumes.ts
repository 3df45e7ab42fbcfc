/**
 * Volumes bound by hand into agents' namespaces. A PersistentVolume whose `claimRef` names a claim in
 * an agent namespace, or a claim there that names its `volumeName`, binds the agent's storage to a
 * volume the stack picked (an NFS export on any server, a hostPath, another team's disk) instead of
 * one the cluster provisions from a StorageClass: whatever the agent writes there goes to that
 * volume's owner, and whatever it reads comes from them (Kubernetes "Persistent Volumes", binding:
 * a PV with claimRef is reserved for that claim; a PVC with volumeName binds only that PV). Agents'
 * claims are provisioned dynamically; a namespace unknown at preview counts as an agent's.
 *
 * Node paths through storage (kubernetes/node-access), as an allowlist: a PersistentVolume's source
 * must be network or cloud storage that exposes no node path (VOLUME_SOURCES; a CSI source only of
 * a driver in CSI_DRIVERS), and a StorageClass's provisioner one of PROVISIONERS. Anything else
 * (`hostPath`, `local`, `flexVolume`, `rancher.io/local-path`, `hostpath.csi.k8s.io`, OpenEBS
 * local PV, a source or provisioner the pack does not know) is refused unless the security team
 * declares the resource (kubernetesPlatformResources, by URN and inputs digest).
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
const STORAGE_CLASSES = ["v1", "v1beta1"].flatMap((version) => [
  `kubernetes:storage.k8s.io/${version}:StorageClass`,
  `kubernetes:storage.k8s.io/${version}:StorageClassPatch`,
]);

/**
 * PersistentVolumeSpec volume sources (Kubernetes API reference, PersistentVolumeSpec) that are
 * network or cloud storage, exposing no path of the node: `hostPath`, `local` and `flexVolume` (a
 * binary on the node mounts whatever its options say) are not here, nor any source the pack does not know.
 */
const VOLUME_SOURCES: ReadonlySet<string> = new Set([
  "awsElasticBlockStore",
  "azureDisk",
  "azureFile",
  "cephfs",
  "cinder",
  "fc",
  "gcePersistentDisk",
  "glusterfs",
  "iscsi",
  "nfs",
  "portworxVolume",
  "rbd",
  "vsphereVolume",
  "csi",
]);
/** PersistentVolumeSpec fields that are not a volume source. */
const SPEC_FIELDS: ReadonlySet<string> = new Set([
  "accessModes",
  "capacity",
  "claimRef",
  "mountOptions",
  "nodeAffinity",
  "persistentVolumeReclaimPolicy",
  "storageClassName",
  "volumeAttributesClassName",
  "volumeMode",
]);
/**
 * CSI drivers and provisioners of AWS storage that expose no node path: the EBS, EFS, FSx and
 * Mountpoint for S3 CSI drivers' registered names (kubernetes-sigs/aws-ebs-csi-driver,
 * aws-efs-csi-driver, aws-fsx-csi-driver, awslabs/mountpoint-s3-csi-driver) and the in-tree EBS
 * provisioner (migrated to the EBS driver). `kubernetes.io/no-provisioner` provisions nothing: its
 * volumes are PersistentVolumes, judged above.
 */
export const CSI_DRIVERS: ReadonlySet<string> = new Set(["ebs.csi.aws.com", "efs.csi.aws.com", "fsx.csi.aws.com", "s3.csi.aws.com"]);
const PROVISIONERS: ReadonlySet<string> = new Set([...CSI_DRIVERS, "kubernetes.io/aws-ebs", "kubernetes.io/no-provisioner"]);

/** Why a PersistentVolume's source may expose a node path, one line per source; none when it is on the allowlist. */
function volumeSourceProblems(spec: Record<string, unknown>, unknown: readonly string[]): string[] {
  if (unknown.some((path) => path === "spec")) return ["spec is unknown at preview"];
  const out: string[] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (SPEC_FIELDS.has(key)) continue;
    if (!VOLUME_SOURCES.has(key)) out.push(`spec.${key} is ${JSON.stringify(value).slice(0, 200)}, not network or cloud storage the pack knows`);
    else if (key === "csi") {
      const driver = asString(field(value).driver);
      if (driver === undefined || !CSI_DRIVERS.has(driver)) out.push(`spec.csi.driver ${driver ?? "(none)"} is not a CSI driver known to expose no node path`);
    }
  }
  for (const path of unknown) if (path.startsWith("spec.") && !SPEC_FIELDS.has(path.split(".")[1]!)) out.push(`${path} is unknown at preview`);
  return out;
}
const CLAIMS = ["kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:PersistentVolumeClaimPatch"];

export const persistentVolumes: Adapter = {
  family: "persistent-volumes",
  holdings: "none: a volume bound by hand into an agent namespace is refused, not counted as the agent's",
  types: [
    ...VOLUMES.map((type) => ({
      type,
      route:
        "a volume whose claimRef reserves it for a claim in an agent namespace receives what the agent writes there; a hostPath or local volume hands any pod that claims it a node's files (every pod's tokens under /var/lib/kubelet/pods)",
      readIfSet: ["spec.claimRef.namespace"],
      checkedBy: [RULE, NODE_RULE],
    })),
    ...STORAGE_CLASSES.map((type) => ({
      type,
      route: "every claim of the class gets a volume from its provisioner; a local-path or hostpath provisioner hands it a node's files",
      readIfSet: ["provisioner"],
      checkedBy: [NODE_RULE],
    })),
    ...CLAIMS.map((type) => ({
      type,
      route: "a claim in an agent namespace naming its volumeName binds the agent's storage to that volume, not a provisioned one",
      readIfSet: ["spec.volumeName", "metadata.namespace"],
      checkedBy: [RULE],
    })),
  ],
  // A node's files through a volume or a provisioner rather than a pod template: the pod mounting the claim never names hostPath.
  check: (resource, inputs) => {
    const key = platformResourceKey(resource.type, resource.name);
    if (STORAGE_CLASSES.includes(resource.type)) {
      const unknown = inputs.unknown.some((path) => path === "provisioner");
      const provisioner = asString(inputs.value.provisioner);
      if (!unknown && (provisioner === undefined || PROVISIONERS.has(provisioner))) return [];
      return [
        {
          rule: NODE_RULE,
          message: `StorageClass ${resource.name}: provisioner ${unknown ? "is unknown at preview" : provisioner} is not one known to expose no node path (${[...PROVISIONERS].join(", ")}); a local-path or hostpath provisioner hands every claim of the class a node's files, every pod's ServiceAccount and Vault tokens under /var/lib/kubelet/pods included`,
          fix: "provision from network storage (EBS, EFS, FSx, S3 CSI drivers), or have the security team declare the StorageClass (kubernetesPlatformResources)",
          ...(unknown ? {} : { platformResource: key }),
        },
      ];
    }
    if (!VOLUMES.includes(resource.type)) return [];
    return volumeSourceProblems(field(inputs.value.spec), inputs.unknown).map((problem): ResourceProblem => ({
      rule: NODE_RULE,
      message: `PersistentVolume ${resource.name}: ${problem}; a volume that is a node's path hands any pod bound to it the node's files, every pod's ServiceAccount and Vault tokens under /var/lib/kubelet/pods included`,
      fix: "provision volumes from a StorageClass of network storage, or have the security team declare it (kubernetesPlatformResources)",
      ...(problem.includes("unknown at preview") ? {} : { platformResource: key }),
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
