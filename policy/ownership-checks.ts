/**
 * What an agent owns, judged on the stack's resources with the plan's own rule code: each `owns`
 * entry (read back from the ServiceAccount annotation the components write) is of an ownable type
 * (separation/ownable-type), and on what it owns each identity uses only what the type allows
 * (iam/owned-action). Whether `owns` lies inside the platform's roots (separation/owned-root) stays
 * plan-only: the roots are the platform's declaration and no resource carries them.
 */
import type { FleetHoldings } from "../components/core/holdings";
import { checkOwnedActions } from "../components/rules/iam";
import { indexOf } from "../components/rules/holdings-cache";
import { ownableTypeFinding } from "../components/rules/separation";
import { parseArn } from "../components/core/iam-catalog";
import type { IdentityKind } from "../components/core/names";
import type { PackFinding } from "./types";

export function checkOwnedResources(fleet: FleetHoldings, urnOf: (agent: string, identity: IdentityKind | null) => string | undefined): PackFinding[] {
  const findings: PackFinding[] = [];
  const push = (agent: string, identity: IdentityKind | null, problem: { rule: string; message: string; fix: string }) => {
    const urn = urnOf(agent, identity);
    if (urn) findings.push({ ...problem, agent, identity, urn });
  };
  for (const owner of fleet.agents)
    for (const owned of owner.declared) {
      // A malformed entry is the plan's (separation/owns-declaration); the pack judges only ARNs.
      if (!parseArn(owned)) continue;
      const finding = ownableTypeFinding(owner.agent, owned);
      if (finding) push(owner.agent, null, finding);
    }
  const index = indexOf(fleet);
  for (const holdings of fleet.identities) {
    if (holdings.identity === "orchestration") continue;
    for (const problem of checkOwnedActions(holdings, index)) push(holdings.agent, holdings.identity, problem);
  }
  return findings;
}
