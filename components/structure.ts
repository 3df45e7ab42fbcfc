/**
 * The resources an agent plan creates, by name: a plan compiled with placeholders for pending outputs
 * names the children, and the plan compiled from the resolved values fills them in. If the two name
 * different resources (an output changed how many policies or roles there are), the children already
 * created would not match: say what differs instead.
 */
import type { AgentPlan } from "./core/plan-types";

function resourceNames(agent: AgentPlan): string[] {
  const names = [`namespace ${agent.namespace.create ? agent.namespace.name : "(shared)"}`, `log group ${agent.auditLogGroup.name}`];
  for (const identity of agent.identities) {
    const of = `${identity.kind}:`;
    names.push(`${of} role ${identity.iamRole.name}`, ...identity.iamRole.policies.map((p) => `${of} policy ${p.name}`));
    if (identity.toolRole)
      names.push(`${of} tool role ${identity.toolRole.name}`, ...identity.toolRole.policies.map((p) => `${of} tool-role policy ${p.name}`));
    names.push(...identity.bindings.map((b) => `${of} cluster ${b.cluster}`));
    if (identity.vault.policy) names.push(`${of} Vault policy ${identity.vault.policy.name}`);
    if (identity.vault.role) names.push(`${of} Vault role ${identity.vault.role.name}`);
    names.push(...identity.vault.secretRoles.map((r) => `${of} secret role ${r.name}`));
  }
  return names;
}

/** undefined when both plans create the same resources; else what the resolved plan adds or drops. */
export function sameStructure(first: AgentPlan, resolved: AgentPlan): string | undefined {
  const before = resourceNames(first);
  const after = resourceNames(resolved);
  const added = after.filter((n) => !before.includes(n));
  const dropped = before.filter((n) => !after.includes(n));
  if (added.length === 0 && dropped.length === 0) return undefined;
  return [added.length ? `adds ${added.join(", ")}` : "", dropped.length ? `drops ${dropped.join(", ")}` : ""].filter(Boolean).join(" and ");
}
