/**
 * The stack pass: the stack's resources are read once into an index (stack-index.ts), every
 * adapter's stack check runs in order (policy/adapters), and then what each agent identity holds
 * is judged with the plan's separation rules.
 */
import type { PolicyDocument } from "../components/core/iam-document";
import { globMatches } from "../components/core/patterns";
import type { Problem } from "../components/rules/define";
import { checkAgentRoleTargets } from "../components/rules/iam";
import { checkRoleLimits } from "../components/rules/limits";
import { checkCrossAgentHoldings, checkIdentitySeparation } from "../components/rules/separation";
import { indexOf } from "../components/rules/holdings-cache";
import { holdingsFromStackOnce } from "./holdings";
import { checkOwnedResources } from "./ownership-checks";
import { ADAPTERS } from "./adapters";
import { attributeTo, only } from "./adapters/shared";
import { indexStack, type StackIndex } from "./stack-index";
import type { PackFinding, PackResource, SeenRecords, StackPass } from "./types";

export function checkStack(resources: readonly PackResource[]): PackFinding[] {
  return checkStackPass(resources).findings;
}

/** The stack pass's findings, and each agent ServiceAccount's records for the pins of the pack's configuration. */
export function checkStackPass(resources: readonly PackResource[]): { findings: PackFinding[]; records: readonly SeenRecords[] } {
  const ix = indexStack(resources);
  const pass: StackPass = { findings: [], extraPolicies: new Map(), attachedPolicies: new Map(), records: [] };
  for (const adapter of ADAPTERS) adapter.stack?.(ix, pass);
  return { findings: [...pass.findings, ...checkHoldings(ix, pass.extraPolicies)], records: pass.records };
}

/** What each identity holds: separation of duties, assuming agent roles, per-role size, and no grant reaching another agent. */
function checkHoldings(ix: StackIndex, extraPolicies: ReadonlyMap<string, readonly PolicyDocument[]>): PackFinding[] {
  const findings: PackFinding[] = [];
  const { fleet, sources } = holdingsFromStackOnce(ix, extraPolicies);
  const agentRoles = ix.roles.filter((r) => r.tags.agent && r.name);
  // Also every role named under a fleet's `<prefix>-<env>-` (agents of other plans, in any path), as `plan` does.
  const fleetPrefixes = new Set(
    agentRoles.flatMap((r) =>
      r.name!.toLowerCase().endsWith(`-${r.tags.agent}-${r.tags.identity}`.toLowerCase())
        ? [r.name!.slice(0, -`-${r.tags.agent}-${r.tags.identity}`.length)]
        : [],
    ),
  );
  const agentRolePatterns = [
    ...agentRoles.map((r) => `arn:*:iam::*:role/${r.name}`),
    ...[...fleetPrefixes].flatMap((prefix) => [`arn:*:iam::*:role/${prefix}-*`, `arn:*:iam::*:role/*/${prefix}-*`]),
  ];
  const auditGroups = ix.logGroups.map((g) => g.pattern);
  // What each identity holds: separation of duties, assuming agent roles, per-role size.
  for (const holdings of fleet.identities) {
    const identity = { agent: holdings.agent, kind: holdings.identity };
    const held = sources.get(holdings)!;
    const urn = held.urn;
    const ownGroup = fleet.agents.find((a) => a.agent === holdings.agent)?.auditLogGroupArn ?? undefined;
    const separation = checkIdentitySeparation({
      kind: holdings.identity,
      policies: held.documents,
      vaultPaths: holdings.vault.map((grant) => grant.path),
      secretRoles: held.secretRoles,
      ownLogGroupArn: undefined,
      auditLogGroupArns: auditGroups,
      auditNamespace: fleet.auditNamespace ?? undefined,
    });
    const allows = holdings.aws.filter((grant) => grant.effect === "Allow");
    // The audit sink's exact ARN is an output; the pattern stands in for it.
    const auditScope: Problem[] =
      holdings.identity === "audit" && ownGroup
        ? allows
            .flatMap((grant) => grant.resources)
            .filter((r) => !globMatches(`${ownGroup}:log-stream:*`, r))
            .map((r) => ({
              rule: "separation/audit-write-only",
              message: `audit may write to ${r}, outside its own log group`,
              fix: "the audit identity only writes its own log group",
            }))
        : [];
    findings.push(...attributeTo(identity, urn, [...separation, ...auditScope]));
    for (const doc of held.documents) findings.push(...attributeTo(identity, urn, checkAgentRoleTargets(doc, agentRolePatterns)));
    for (const role of held.roles) {
      const attachedHere = (role.name === undefined ? [] : (ix.by.rolePoliciesOn.get(role.name.toLowerCase()) ?? [])).flatMap((p) =>
        p.document ? [p.document] : [],
      );
      const inlineHere: PolicyDocument[] = role.inlineDocuments().map((entry) => entry.document);
      findings.push(
        ...attributeTo(identity, role.resource.urn, only(["limits/inline-policy-size"], checkRoleLimits({ inlinePolicies: [...inlineHere, ...attachedHere] }))),
      );
    }
  }
  // What each agent owns: of an ownable type, and used only as the type allows (the plan's rule code).
  findings.push(
    ...checkOwnedResources(fleet, (agent, identity) =>
      identity
        ? sources.get(fleet.identities.find((h) => h.agent === agent && h.identity === identity)!)?.urn
        : ix.by.serviceAccountsOfAgent.get(agent)?.[0]?.resource.urn,
    ),
  );
  // No grant reaches another agent's grants or owned resources: the plan's query on the one holdings index.
  for (const finding of checkCrossAgentHoldings(fleet, indexOf(fleet))) {
    const urn = ix.by.serviceAccountsOf(finding.agent, finding.identity!)[0]!.resource.urn;
    findings.push({ ...finding, identity: finding.identity!, urn });
  }
  return findings;
}
