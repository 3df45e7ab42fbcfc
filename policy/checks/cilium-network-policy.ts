/**
 * CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (custom resources, `spec` or `specs`),
 * judged like a NetworkPolicy: egress only to in-cluster endpoints and private /16-or-narrower
 * blocks, ingress only from the same. Closed world: a rule's peer fields are read from a list, and
 * any other (toFQDNs, toServices, toGroups ...) is refused as unread; a rule without a peer field
 * allows every peer on its ports. Entities: `world`, `all` and `cluster` (every endpoint, any of
 * which can proxy out) are refused; the node, the API server and health checks are in-cluster.
 */
import { egressCidrProblem } from "../../components/core/bootstrap-schema";
import type { Problem } from "../../components/rules/define";

const EGRESS = "kubernetes/egress-private";
const INGRESS = "kubernetes/network-exposure";

const SAFE_ENTITIES = new Set(["host", "remote-node", "kube-apiserver", "health"]);
/** Fields of a rule that name no peer (ports, ICMP, authentication). */
const NOT_PEERS = new Set(["toPorts", "icmps", "authentication"]);

const DIRECTIONS = {
  egress: { rule: EGRESS, endpoints: "toEndpoints", cidr: "toCIDR", cidrSet: "toCIDRSet", entities: "toEntities" },
  ingress: { rule: INGRESS, endpoints: "fromEndpoints", cidr: "fromCIDR", cidrSet: "fromCIDRSet", entities: "fromEntities" },
} as const;

function checkRule(label: string, direction: "egress" | "ingress", entry: unknown, at: string, clusterwide: boolean): Problem[] {
  const d = DIRECTIONS[direction];
  const fix =
    direction === "egress"
      ? "allow egress only to in-cluster endpoints and private /16-or-narrower blocks (toEndpoints, toCIDR, toCIDRSet; entities host, remote-node, kube-apiserver, health)"
      : "admit ingress to agent pods only from in-cluster endpoints and private /16-or-narrower blocks";
  const problem = (what: string): Problem => ({ rule: d.rule, message: `${label}: ${at} ${what}`, fix });
  if (!entry || typeof entry !== "object") return [problem("is not a rule object")];
  const r = entry as Record<string, unknown>;
  const peers = Object.keys(r).filter((key) => !NOT_PEERS.has(key));
  if (peers.length === 0)
    return [problem(`names no peer, so it allows ${direction === "egress" ? "every destination" : "every source"}, the internet included`)];
  const out: Problem[] = [];
  for (const key of peers) {
    const value = r[key];
    const list = Array.isArray(value) ? value : undefined;
    if (key === d.endpoints) {
      // In a clusterwide policy an empty selector is every endpoint of every namespace.
      if (!list || (clusterwide && list.some((sel) => !sel || (typeof sel === "object" && Object.keys(sel).length === 0))))
        out.push(problem(`${key} selects every endpoint of the cluster`));
    } else if (key === d.cidr) {
      for (const cidr of list ?? [undefined]) {
        const why = typeof cidr === "string" ? egressCidrProblem(cidr) : "not a CIDR";
        if (why) out.push(problem(`${key} ${String(cidr)}: ${why}`));
      }
    } else if (key === d.cidrSet) {
      for (const set of list ?? [undefined]) {
        const cidr = (set as { cidr?: unknown } | null)?.cidr;
        const why = typeof cidr === "string" ? egressCidrProblem(cidr) : "no cidr (a cidrGroupRef or selector the pack cannot read)";
        if (why) out.push(problem(`${key} ${String(cidr ?? "?")}: ${why}`));
      }
    } else if (key === d.entities) {
      const bad = (list ?? ["?"]).filter((entity) => typeof entity !== "string" || !SAFE_ENTITIES.has(entity));
      if (bad.length)
        out.push(
          problem(
            `${key} [${bad.map(String).join(", ")}] reaches ${bad.some((e) => String(e).startsWith("world") || e === "all") ? "the internet" : "every endpoint of the cluster, any of which can proxy out"}`,
          ),
        );
    } else out.push(problem(`uses ${key}, which the pack does not read (closed world)`));
  }
  return out;
}

/** Problems of a Cilium policy's egress (kubernetes/egress-private) and ingress (kubernetes/network-exposure). */
export function checkCiliumPolicy(label: string, value: Record<string, unknown>, clusterwide: boolean): Problem[] {
  const specs = [
    ...(value.spec !== undefined ? [["spec", value.spec] as const] : []),
    ...(Array.isArray(value.specs) ? value.specs.map((spec, i) => [`specs[${i}]`, spec] as const) : []),
  ];
  const out: Problem[] = [];
  for (const [where, spec] of specs) {
    if (!spec || typeof spec !== "object") continue;
    for (const direction of ["egress", "ingress"] as const) {
      const rules = (spec as Record<string, unknown>)[direction];
      if (rules === undefined) continue;
      if (!Array.isArray(rules)) {
        out.push({ rule: DIRECTIONS[direction].rule, message: `${label}: ${where}.${direction} is not a list`, fix: `write ${direction} as a list of rules` });
        continue;
      }
      rules.forEach((entry, i) => out.push(...checkRule(label, direction, entry, `${where}.${direction}[${i}]`, clusterwide)));
    }
  }
  return out;
}
