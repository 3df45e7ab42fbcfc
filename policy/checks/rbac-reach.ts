/**
 * What a set of RBAC rules lets a subject that is not an agent do over agents' namespaces: whether
 * any rule reaches namespaced objects at all (cluster-wide, that is every agent namespace), and
 * whether what it reaches is only what a declared platform operator may hold: get, list and watch
 * on objects that are not Secrets, tokens or a way into a pod. `*` anywhere reaches everything.
 */
import type { RbacRule } from "../../components/rules/kubernetes";

const READ_VERBS = new Set(["get", "list", "watch"]);

/**
 * Resources an operator may not read even read-only: Secrets, and subresources whose `get` opens a
 * connection into a pod or node (exec and attach over WebSockets, port-forward, the proxies).
 */
const NEVER_FOR_OPERATORS = new Set([
  "secrets",
  "serviceaccounts/token",
  "pods/exec",
  "pods/attach",
  "pods/portforward",
  "pods/proxy",
  "pods/ephemeralcontainers",
  "services/proxy",
  "nodes/proxy",
]);

/**
 * Cluster-scoped objects that hold nothing of an agent namespace (`group/resource`): a rule naming
 * only these does not reach agents, whatever its verbs. Everything else counts as namespaced,
 * custom resources included (closed world). Namespaces are not here: patching one changes its Pod
 * Security labels.
 */
const CLUSTER_ONLY = new Set([
  "/nodes",
  "/persistentvolumes",
  "/componentstatuses",
  "storage.k8s.io/storageclasses",
  "storage.k8s.io/csinodes",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/volumeattachments",
  "scheduling.k8s.io/priorityclasses",
  "node.k8s.io/runtimeclasses",
  "authentication.k8s.io/tokenreviews",
  "authentication.k8s.io/selfsubjectreviews",
  "authorization.k8s.io/subjectaccessreviews",
  "authorization.k8s.io/selfsubjectaccessreviews",
  "authorization.k8s.io/selfsubjectrulesreviews",
  "apiextensions.k8s.io/customresourcedefinitions",
]);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** One rule as plain lists (inputs may hold anything). */
function lists(rule: RbacRule) {
  const r = rule as unknown as Record<string, unknown>;
  return {
    groups: strings(r.apiGroups),
    resources: strings(r.resources).map((x) => x.toLowerCase()),
    verbs: strings(r.verbs).map((x) => x.toLowerCase()),
    urls: strings(r.nonResourceURLs),
  };
}

/** Whether a rule reaches objects of agent namespaces (anything namespaced, or `*`). */
export function ruleReachesNamespaces(rule: RbacRule): boolean {
  const { groups, resources, verbs, urls } = lists(rule);
  if (verbs.length === 0) return false;
  if (urls.includes("*")) return true;
  if (resources.length === 0) return false;
  if (groups.includes("*") || resources.includes("*")) return true;
  // No API group is read as the core group (closed world: never as "nothing").
  return (groups.length ? groups : [""]).some((group) => resources.some((resource) => !CLUSTER_ONLY.has(`${group}/${resource}`)));
}

/** Why a rule is more than a declared operator may hold, or undefined when it is read-only on ordinary objects. */
export function beyondOperator(rule: RbacRule): string | undefined {
  const { groups, resources, verbs } = lists(rule);
  if (verbs.some((verb) => !READ_VERBS.has(verb))) return `verbs [${verbs.join(", ")}] on [${resources.join(", ")}]`;
  if (groups.includes("*") || resources.includes("*")) return `[${verbs.join(", ")}] on [${resources.join(", ")}] in API groups [${groups.join(", ")}]`;
  const secret = resources.filter((resource) => NEVER_FOR_OPERATORS.has(resource));
  if (secret.length) return `[${verbs.join(", ")}] on ${secret.join(", ")}`;
  return undefined;
}

/** The rules reaching agent namespaces, and for each that an operator may not hold, why. */
export function reachOf(rules: readonly RbacRule[]): { readonly reaching: readonly RbacRule[]; readonly beyond: readonly string[] } {
  const reaching = rules.filter(ruleReachesNamespaces);
  return { reaching, beyond: reaching.flatMap((rule) => beyondOperator(rule) ?? []) };
}
