/**
 * `agent-identity:kubeContexts`: the kubeconfig context each declared cluster deploys through
 * (stacks/index.ts builds one Kubernetes provider per cluster on it; default: the cluster's name).
 * A key that names no cluster used to be ignored, so a typo sent that cluster's namespaces and
 * ServiceAccounts to the context named like the cluster, possibly another cluster. Refused here:
 * unknown keys, blank or oversized names, two clusters on one context, and the setting on a stack
 * that has no per-cluster providers to apply it to.
 */
import { characterProblem } from "./grammar/strings";
import { MAX_CLUSTERS } from "./clusters";

export const KUBE_CONTEXTS_KEY = "agent-identity:kubeContexts";
/** Longest context name accepted (an EKS cluster ARN, the usual context name, is at most ~160). */
export const MAX_KUBE_CONTEXT = 253;

/** One problem; `key` when it is about one entry (only keys safe to print as a config path). */
export interface KubeContextsProblem {
  readonly key?: string;
  readonly message: string;
}

/** `agent-identity:kubeContexts.blue`: where a problem is, as a config path. */
export const kubeContextsPath = (problem: KubeContextsProblem) => (problem.key === undefined ? KUBE_CONTEXTS_KEY : `${KUBE_CONTEXTS_KEY}.${problem.key}`);

export class KubeContextsError extends Error {
  constructor(readonly problems: readonly KubeContextsProblem[]) {
    super(`${KUBE_CONTEXTS_KEY} is refused:\n${problems.map((p) => `  - ${kubeContextsPath(p)}: ${p.message}`).join("\n")}`);
    this.name = "KubeContextsError";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** A key as shown in a message: quoted, cut short, control characters escaped by JSON. */
const shown = (key: string) => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
/** A key printed in a config path only when it cannot forge one (a cluster name is a DNS label). */
const at = (key: string) => (/^[A-Za-z0-9_-]{1,64}$/.test(key) ? key : undefined);

/**
 * The names in `platform.clusters` as written: undefined when it is not declared, null when it is
 * malformed (the declaration's own validation refuses it, so its names mean nothing yet).
 */
export function writtenClusterNames(platform: unknown): string[] | undefined | null {
  const clusters = isRecord(platform) ? platform.clusters : undefined;
  if (clusters === undefined) return undefined;
  if (!Array.isArray(clusters) || !clusters.every((c) => isRecord(c) && typeof c.name === "string")) return null;
  return clusters.map((c: { name: string }) => c.name);
}

/**
 * The kubeconfig context of every declared cluster, or undefined when the stack uses the default
 * provider (fewer than two clusters). `value` is the config value as read (undefined when unset);
 * `clusters` the names in platform.clusters (undefined when it is not declared). Throws
 * KubeContextsError listing every problem.
 */
export function resolveKubeContexts(value: unknown, clusters: readonly string[] | undefined): Record<string, string> | undefined {
  const names = clusters ?? [];
  if (value === undefined) return names.length < 2 ? undefined : Object.fromEntries(names.map((name) => [name, name]));
  if (!isRecord(value))
    throw new KubeContextsError([
      {
        message: `an object of cluster name → kubeconfig context, e.g. { blue: prod-blue, green: prod-green } (found ${Array.isArray(value) ? "a list" : value === null ? "null" : typeof value})`,
      },
    ]);
  const keys = Object.keys(value);
  if (names.length < 2) {
    const declared = names.length === 0 ? "declares no platform.clusters" : `declares one cluster (${names[0]})`;
    throw new KubeContextsError([
      {
        message: `set, but the platform ${declared}: the stack deploys through the default Kubernetes provider (the current kubeconfig context) and would ignore it; remove ${KUBE_CONTEXTS_KEY} and select the context with kubectl or KUBECONFIG`,
      },
    ]);
  }
  if (keys.length > MAX_CLUSTERS)
    throw new KubeContextsError([{ message: `${keys.length} entries: at most one per cluster (platform.clusters: ${names.join(", ")})` }]);
  const problems: KubeContextsProblem[] = [];
  for (const key of keys) {
    if (!names.includes(key)) {
      problems.push({
        key: at(key),
        message: `no cluster ${shown(key)} in platform.clusters (${names.join(", ")}): a misspelt key is refused, not ignored, since the cluster it meant would deploy through the context named like the cluster`,
      });
      continue;
    }
    const context = value[key];
    if (
      typeof context !== "string" ||
      context.trim() === "" ||
      context !== context.trim() ||
      context.length > MAX_KUBE_CONTEXT ||
      characterProblem(context) !== null
    ) {
      problems.push({
        key,
        message: `a kubeconfig context name (1 to ${MAX_KUBE_CONTEXT} characters, no control, bidirectional or invisible characters, no leading or trailing spaces)`,
      });
    }
  }
  if (problems.length) throw new KubeContextsError(problems);
  const contexts = Object.fromEntries(names.map((name) => [name, (value[name] as string | undefined) ?? name]));
  const byContext = new Map<string, string>();
  for (const name of names) {
    const other = byContext.get(contexts[name]);
    if (other !== undefined) {
      const how = (cluster: string) => (value[cluster] === undefined ? `${cluster} (by default, its name)` : cluster);
      problems.push({
        key: value[name] !== undefined ? name : other,
        message: `clusters ${how(other)} and ${how(name)} both deploy through kubeconfig context ${shown(contexts[name])}: each cluster's namespaces and ServiceAccounts go to that cluster only; name a distinct context for each`,
      });
    }
    byContext.set(contexts[name], name);
  }
  if (problems.length) throw new KubeContextsError(problems);
  return contexts;
}
