/**
 * What a pod in a namespace the stack does not own may mount (kubernetes/object-placement), closed
 * world: only volumes that reach nothing of that namespace. A PersistentVolumeClaim there (Vault's
 * audit log `audit-vault-0`, its raft data), a Secret, a ConfigMap, an inline CSI volume (a Secrets
 * Store SecretProviderClass of the namespace), a network or block volume (nfs, iscsi, rbd ...) or a
 * generic ephemeral volume cloning a claim of the namespace reaches the platform's data. hostPath is
 * kubernetes/node-access's (node-access.ts) and not judged again here. Kinds from the Volume type of
 * the Kubernetes API reference (core/v1 Volume); Secrets read through env are secretsRead's.
 */

const fields = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The ConfigMap the kube-root-ca.crt publisher (kube-controller-manager) writes into every namespace: the cluster's public CA. */
const ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";

/** Volume sources judged by another rule (kubernetes/node-access). */
const JUDGED_ELSEWHERE: ReadonlySet<string> = new Set(["hostPath"]);

/** Why one projected source reaches something of the namespace, or undefined. */
function projectedSourceRefusal(source: Record<string, unknown>): string | undefined {
  const kinds = Object.keys(source);
  for (const kind of kinds) {
    // The pod's own account token, and fields of the pod itself (Kubernetes: projected volumes).
    if (kind === "serviceAccountToken" || kind === "downwardAPI") continue;
    if (kind === "configMap" && fields(source.configMap).name === ROOT_CA_CONFIG_MAP) continue;
    return `a projected ${kind} ${String(fields(source[kind]).name ?? "")}`.trimEnd();
  }
  return undefined;
}

/** Why one volume reaches something of the namespace (its claims, Secrets, ConfigMaps, network storage), or undefined when it is on the allowlist. */
function volumeRefusal(volume: Record<string, unknown>): string | undefined {
  const name = typeof volume.name === "string" ? volume.name : "(unnamed)";
  const kinds = Object.keys(volume).filter((key) => key !== "name");
  for (const kind of kinds) {
    if (JUDGED_ELSEWHERE.has(kind)) continue;
    // Scratch space and the pod's own fields: nothing of the namespace.
    if (kind === "emptyDir" || kind === "downwardAPI") continue;
    if (kind === "configMap" && fields(volume.configMap).name === ROOT_CA_CONFIG_MAP) continue;
    if (kind === "projected") {
      const sources: unknown = fields(volume.projected).sources;
      for (const source of Array.isArray(sources) ? sources : []) {
        const why = projectedSourceRefusal(fields(source));
        if (why) return `volume ${name}: ${why}`;
      }
      continue;
    }
    // A new claim owned by the pod, unless it clones or restores one of the namespace (dataSource, dataSourceRef) or
    // binds an existing PersistentVolume (volumeName, selector: a released volume of the platform's, Kubernetes' PVC binding).
    if (kind === "ephemeral") {
      const spec = fields(fields(fields(volume.ephemeral).volumeClaimTemplate).spec);
      const reaching = ["dataSource", "dataSourceRef", "volumeName", "selector"].filter((field) => spec[field] !== undefined);
      if (reaching.length === 0) continue;
      return `volume ${name}: an ephemeral claim with ${reaching.join(", ")} (it clones or binds existing data)`;
    }
    const what = fields(volume[kind]);
    const target = what.claimName ?? what.secretName ?? what.name ?? what.driver ?? what.server ?? what.path;
    return `volume ${name}: ${kind}${typeof target === "string" ? ` ${target}` : ""}`;
  }
  return undefined;
}

/** The volumes of a pod spec that reach something of its namespace, described. */
export function foreignVolumes(spec: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const why = volumeRefusal(fields(volume));
    if (why) out.push(why);
  }
  return out;
}
