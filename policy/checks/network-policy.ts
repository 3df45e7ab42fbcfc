/**
 * NetworkPolicy and NetworkPolicyPatch: policies add up, so any one that selects an agent's pods
 * and allows egress to the internet undoes the default deny. Egress may go to in-cluster selectors
 * that name their namespaces and to private blocks the declaration would accept (bootstrap egress
 * CIDRs); `to` missing or empty allows every destination, an ipBlock wider than /16 or outside
 * private space reaches the internet, and a namespaceSelector that pins no label (`{}`) reaches
 * every pod of every namespace, any of which can proxy out. Ingress into an agent namespace is read
 * the same way (stack pass: only there does it expose an agent).
 */
import { egressCidrProblem } from "../../components/core/bootstrap-schema";
import type { Problem } from "../../components/rules/define";

const EGRESS = "kubernetes/egress-private";
const INGRESS = "kubernetes/network-exposure";

/** A namespaceSelector that names at least one label value (matchLabels, or an `In` expression); `{}` selects every namespace. */
export function pinsNamespace(selector: unknown): boolean {
  if (!selector || typeof selector !== "object") return false;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  if (matchLabels && typeof matchLabels === "object" && Object.keys(matchLabels).length > 0) return true;
  return (Array.isArray(matchExpressions) ? matchExpressions : []).some(
    (e) =>
      (e as { operator?: unknown } | null)?.operator === "In" &&
      Array.isArray((e as { values?: unknown }).values) &&
      (e as { values: unknown[] }).values.length > 0,
  );
}

/** Why one peer (`to[j]` or `from[j]`) reaches outside private ranges or every namespace, or undefined. */
function peerProblem(peer: unknown): string | undefined {
  if (!peer || typeof peer !== "object") return "not a peer object";
  const { ipBlock, namespaceSelector, podSelector } = peer as { ipBlock?: { cidr?: unknown }; namespaceSelector?: unknown; podSelector?: unknown };
  if (ipBlock !== undefined) {
    const cidr = typeof ipBlock?.cidr === "string" ? ipBlock.cidr : undefined;
    const why = cidr === undefined ? "no cidr" : egressCidrProblem(cidr);
    return why ? `ipBlock ${cidr ?? "?"}: ${why}` : undefined;
  }
  if (namespaceSelector !== undefined && !pinsNamespace(namespaceSelector))
    return "namespaceSelector pins no namespace, so it selects pods in every namespace (any of which can proxy to the internet)";
  if (namespaceSelector === undefined && podSelector === undefined) return "names no ipBlock, namespaceSelector or podSelector";
  return undefined;
}

function checkPeers(label: string, spec: unknown, direction: "egress" | "ingress"): Problem[] {
  if (!spec || typeof spec !== "object") return [];
  const rules = (spec as Record<string, unknown>)[direction];
  const rule = direction === "egress" ? EGRESS : INGRESS;
  const field = direction === "egress" ? "to" : "from";
  const fix =
    direction === "egress"
      ? "allow egress only to in-cluster selectors naming their namespace and to private /16-or-narrower blocks (platform.bootstrap.network)"
      : "admit ingress to agent pods only from in-cluster selectors naming their namespace, or private /16-or-narrower blocks";
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) return [{ rule, message: `${label}: spec.${direction} is not a list`, fix: `write ${direction} as a list of rules` }];
  const problems: Problem[] = [];
  rules.forEach((entry, i) => {
    const peers = (entry as Record<string, unknown> | null)?.[field];
    if (!Array.isArray(peers) || peers.length === 0) {
      problems.push({
        rule,
        message: `${label}: ${direction}[${i}] has no \`${field}\`, so it allows ${direction === "egress" ? "every destination, the internet included" : "every source, the internet included"}`,
        fix,
      });
      return;
    }
    peers.forEach((peer, j) => {
      const why = peerProblem(peer);
      if (why) problems.push({ rule, message: `${label}: ${direction}[${i}].${field}[${j}] ${why}`, fix });
    });
  });
  return problems;
}

export function checkNetworkPolicyEgress(label: string, spec: unknown): Problem[] {
  return checkPeers(label, spec, "egress");
}

/** Ingress of a policy selecting pods in an agent namespace (stack pass). */
export function checkNetworkPolicyIngress(label: string, spec: unknown): Problem[] {
  return checkPeers(label, spec, "ingress");
}
