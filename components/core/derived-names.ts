/**
 * One registry of the names the components derive for every agent, read after truncation and
 * hashing (`boundedName`), as the cloud will see them. A long agent's cut name can equal another
 * agent's uncut one (`acme-dev-<40 characters>` cut to 63 with a hash is a valid shorter agent's
 * namespace), so uniqueness is judged here, on the derived names, never on the agent names.
 */
import { uncutIamRoleName, uncutNamespaceName, type IdentityKind } from "./names";
import type { AgentPlan, FleetPlan } from "./plan-types";
import { identityRoles } from "./identity-roles";

export type DerivedNameKind = "namespace" | "ServiceAccount" | "IAM role" | "Vault role" | "Vault policy" | "audit log group";

export interface DerivedName {
  readonly kind: DerivedNameKind;
  /** The name as created (`namespace/name` for a ServiceAccount, `mount/name` for a Vault role). */
  readonly name: string;
  /** What is compared: IAM role names are unique regardless of case. */
  readonly key: string;
  readonly agent: string;
  /** null for names of the agent as a whole (namespace, audit log group). */
  readonly identity: IdentityKind | null;
  /** The name before it was cut to its limit with a hash, when it was cut. */
  readonly cutFrom?: string;
}

/** Every derived name of one agent. A namespace the platform shares on purpose (namespacePerAgent: false) is not the agent's. */
export function agentDerivedNames(platform: FleetPlan["platform"], agent: AgentPlan): DerivedName[] {
  const out: DerivedName[] = [];
  const add = (kind: DerivedNameKind, name: string, identity: IdentityKind | null, key = name, uncut = name) =>
    out.push({ kind, name, key, agent: agent.name, identity, ...(uncut !== name ? { cutFrom: uncut } : {}) });
  if (agent.namespace.create) add("namespace", agent.namespace.name, null, agent.namespace.name, uncutNamespaceName(platform, agent.name));
  add("audit log group", agent.auditLogGroup.name, null);
  for (const identity of agent.identities) {
    add("ServiceAccount", `${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`, identity.kind);
    const uncutRole = uncutIamRoleName(platform, agent.name, identity.kind);
    for (const role of identityRoles(identity))
      add("IAM role", role.name, identity.kind, role.name.toLowerCase(), role.name === identity.iamRole.name ? uncutRole : role.name);
    for (const role of [...(identity.vault.role ? [identity.vault.role] : []), ...identity.vault.additionalRoles])
      add("Vault role", `${role.backend}/${role.name}`, identity.kind);
    if (identity.vault.policy) add("Vault policy", identity.vault.policy.name, identity.kind);
  }
  return out;
}

export function derivedNames(plan: Pick<FleetPlan, "agents" | "platform">): DerivedName[] {
  return plan.agents.flatMap((agent) => agentDerivedNames(plan.platform, agent));
}

export interface NameCollision {
  readonly kind: DerivedNameKind;
  readonly key: string;
  /** Two or more holders, each a different agent or identity. */
  readonly holders: readonly DerivedName[];
}

/** Names held by more than one agent or identity, by kind; linear in the number of names. */
export function nameCollisions(names: readonly DerivedName[]): NameCollision[] {
  const byKey = new Map<string, DerivedName[]>();
  for (const name of names) {
    const key = `${name.kind}\u0000${name.key}`;
    const group = byKey.get(key);
    if (group) group.push(name);
    else byKey.set(key, [name]);
  }
  const collisions: NameCollision[] = [];
  for (const group of byKey.values()) {
    if (group.length === 1) continue;
    const distinct = [...new Map(group.map((n) => [`${n.agent}/${n.identity ?? ""}`, n])).values()];
    if (distinct.length > 1) collisions.push({ kind: distinct[0]!.kind, key: distinct[0]!.key, holders: distinct });
  }
  return collisions;
}

const cache = new WeakMap<object, NameCollision[]>();

/** The stack's collisions, computed once per plan object (several rules read them). */
export function planNameCollisions(plan: Pick<FleetPlan, "agents" | "platform">): NameCollision[] {
  let collisions = cache.get(plan);
  if (!collisions) {
    collisions = nameCollisions(derivedNames(plan));
    cache.set(plan, collisions);
  }
  return collisions;
}

/** Agents whose own namespace another agent's derived namespace equals. */
export function agentsSharingNamespace(plan: Pick<FleetPlan, "agents" | "platform">): ReadonlySet<string> {
  return new Set(
    planNameCollisions(plan)
      .filter((c) => c.kind === "namespace")
      .flatMap((c) => c.holders.map((h) => h.agent)),
  );
}
