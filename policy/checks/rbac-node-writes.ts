/**
 * RBAC that reaches the nodes (kubernetes/agent-namespace-rbac): whoever may create, update or patch
 * PersistentVolumes, StorageClasses or CSIDrivers can make a hostPath (or node-local) volume the pack
 * refuses in the stack itself, outside it; whoever may write Nodes steers agents' pods onto a node of
 * its choosing (labels, taints); any verb on nodes/proxy reaches the kubelet API (exec in every pod
 * of the node). In a stack with agents such a rule, in a ClusterRole of the stack or bound
 * cluster-wide to a subject that is not an agent, is refused unless the security team declares the
 * role and the binding (kubernetesPlatformResources: both, so neither the rules nor the subjects can
 * change under the declaration).
 */
import type { RbacRule } from "../../components/rules/kubernetes";

const WRITE_VERBS = new Set(["*", "create", "update", "patch"]);

/** `group/resource` cluster objects whose write reaches the nodes; `/nodes/proxy` for any verb. */
const NODE_WRITES = new Set([
  "/persistentvolumes",
  "/nodes",
  "/nodes/status",
  "storage.k8s.io/storageclasses",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/volumeattachments",
]);
const NODE_ANY_VERB = new Set(["/nodes/proxy"]);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** What of `rules` reaches the nodes, in words (empty when nothing). */
export function nodeWrites(rules: readonly RbacRule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    const r = rule as unknown as Record<string, unknown>;
    const verbs = strings(r.verbs).map((v) => v.toLowerCase());
    const resources = strings(r.resources).map((v) => v.toLowerCase());
    const groups = strings(r.apiGroups);
    if (verbs.length === 0 || resources.length === 0) continue;
    const writes = verbs.some((v) => WRITE_VERBS.has(v));
    for (const group of groups.length ? groups : [""])
      for (const resource of resources) {
        const hit = (set: ReadonlySet<string>) =>
          [...set].some((key) => {
            const [g, ...rest] = key.split("/");
            const res = rest.join("/");
            return (group === "*" || group === g) && (resource === "*" || resource === res || (resource === "*/proxy" && res.endsWith("/proxy")));
          });
        if (hit(NODE_ANY_VERB) || (writes && hit(NODE_WRITES))) out.push(`[${verbs.join(", ")}] on ${group || "core"}/${resource}`);
      }
  }
  return [...new Set(out)];
}
