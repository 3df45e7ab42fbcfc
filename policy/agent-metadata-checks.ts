/**
 * Lifecycle and tier checks on one resource that carries an agent's metadata (an IAM role, a
 * ServiceAccount, a Vault role), with the shared check functions. The tier's requirements are its
 * defaults: organisation limits live in the declaration, not on resources, and only tighten.
 */
import type { PolicyDocument } from "../components/core/iam-document";
import { IDENTITY_KINDS, type IdentityKind } from "../components/core/names";
import { DATA_CLASSES, effectiveTierPolicy, type DataClass, type TierPolicy } from "../components/core/tiers";
import { TIERS, type Tier } from "../components/core/schema";
import {
  UNKNOWN_BOUNDARY,
  checkDataClassTier,
  checkPermissionsBoundary,
  checkSessionNameRoom,
  checkTraceableSessions,
  sessionNamePrefixes,
} from "../components/rules/context";
import type { Problem } from "../components/rules/define";
import { checkExpiry, checkOwnershipRecord } from "../components/rules/lifecycle";
import { roleMetadata, serviceAccountMetadata, vaultRoleMetadata, type AgentMetadata } from "./ownership";

const isTier = (value: string | undefined): value is Tier => (TIERS as readonly string[]).includes(value ?? "");
const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");
const isDataClass = (value: string | undefined): value is DataClass => (DATA_CLASSES as readonly string[]).includes(value ?? "");

/** The tier's requirements, or undefined when the tier is missing or unknown (reported as ownership). */
export function tierOf(tier: string | undefined): TierPolicy | undefined {
  return isTier(tier) ? effectiveTierPolicy(tier) : undefined;
}

/**
 * The longest `maxSessionDuration` compile gives a role of this tier (organisation limits only lower
 * it); for a tier that is missing or unknown, the longest of any tier.
 */
export function agentSessionCeiling(tier: string | undefined): number {
  return tierOf(tier)?.maxSessionDuration ?? Math.max(...TIERS.map((t) => effectiveTierPolicy(t).maxSessionDuration));
}

function lifecycle(meta: AgentMetadata, now: Date): Problem[] {
  return [...checkOwnershipRecord(meta.record), ...checkExpiry(meta.expiry, now)];
}

export interface RoleInputs {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly trust: PolicyDocument | undefined;
  /** A boundary set from another resource's output is unknown at preview, but it is set. */
  readonly boundarySet: boolean;
  readonly permissionsBoundary: string | undefined;
  /** Anything but AWS services may assume the role (see `isAgentOrFederatedRole`). */
  readonly federated: boolean;
}

/**
 * A role tagged as an agent identity gets every check; an untagged federated role is not an agent
 * identity, but an `expires` tag on it still means what it says.
 */
export function checkAgentRole(role: RoleInputs, now: Date): Problem[] {
  const { tags, trust } = role;
  const meta = roleMetadata(tags);
  const sessionRoom = role.federated && trust ? sessionNamePrefixes(trust).flatMap(checkSessionNameRoom) : [];
  if (!tags.agent) return [...(role.federated ? checkExpiry(meta.expiry, now) : []), ...sessionRoom];
  const tier = tierOf(tags.tier);
  const problems = [...lifecycle(meta, now), ...sessionRoom];
  if (!tier) return problems;
  if (isKind(tags.identity)) {
    const shape = {
      name: role.name,
      agent: tags.agent,
      kind: tags.identity,
      tier: tags.tier,
      permissionsBoundary: role.boundarySet ? (role.permissionsBoundary ?? UNKNOWN_BOUNDARY) : undefined,
    };
    problems.push(...checkPermissionsBoundary(shape, tier));
    if (trust) problems.push(...checkTraceableSessions(shape, trust, tier));
  }
  const dataClass = tags["data-class"];
  if (isDataClass(dataClass)) problems.push(...checkDataClassTier({ tier: tags.tier, maxDataClass: dataClass }, tier));
  return problems;
}

export function checkAgentServiceAccount(labels: Record<string, string>, annotations: Record<string, string>, now: Date): Problem[] {
  return lifecycle(serviceAccountMetadata(labels, annotations), now);
}

export function checkAgentVaultRole(aliasMetadata: Record<string, string>, now: Date): Problem[] {
  return lifecycle(vaultRoleMetadata(aliasMetadata), now);
}
