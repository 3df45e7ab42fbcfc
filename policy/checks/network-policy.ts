/**
 * NetworkPolicy and NetworkPolicyPatch: policies add up, so any one that selects an agent's pods
 * and allows egress to the internet undoes the default deny. Egress may go to in-cluster selectors
 * and to private blocks the declaration would accept (bootstrap egress CIDRs); `to` missing or empty
 * allows every destination, and so does an ipBlock wider than /16 or outside private space.
 */
import { egressCidrProblem } from "../../components/core/bootstrap-schema";
import type { Problem } from "../../components/rules/define";

const RULE = "kubernetes/egress-private";

export function checkNetworkPolicyEgress(label: string, spec: unknown): Problem[] {
  if (!spec || typeof spec !== "object") return [];
  const egress = (spec as { egress?: unknown }).egress;
  if (egress === undefined) return [];
  if (!Array.isArray(egress)) return [{ rule: RULE, message: `${label}: spec.egress is not a list`, fix: "write egress as a list of rules" }];
  const problems: Problem[] = [];
  egress.forEach((rule, i) => {
    const to = (rule as { to?: unknown } | null)?.to;
    if (!Array.isArray(to) || to.length === 0) {
      problems.push({
        rule: RULE,
        message: `${label}: egress[${i}] has no \`to\`, so it allows every destination, the internet included`,
        fix: "name the destinations: in-cluster selectors, or the private Vault and VPC endpoint CIDRs",
      });
      return;
    }
    to.forEach((peer, j) => {
      const block = (peer as { ipBlock?: { cidr?: unknown } } | null)?.ipBlock;
      if (!block) return;
      const cidr = typeof block.cidr === "string" ? block.cidr : undefined;
      const why = cidr === undefined ? "no cidr" : egressCidrProblem(cidr);
      if (why)
        problems.push({
          rule: RULE,
          message: `${label}: egress[${i}].to[${j}] ipBlock ${cidr ?? "?"}: ${why}`,
          fix: "allow egress only to private /16-or-narrower blocks (platform.bootstrap.network)",
        });
    });
  });
  return problems;
}
