/**
 * The plan records pinned by the review gate. The policy pack compares each agent role and Vault
 * resource with the records the components write on the identity's ServiceAccount (role-plan.ts,
 * vault-plan.ts); a program that rewrites a resource and its record together passes that comparison.
 * So the gate computes the records from the stack's declaration alone (this file, run by the base
 * branch's CLI before the program starts) and hands their SHA-256 digests to the pack as CrossGuard
 * policy configuration, which the program under review cannot change.
 *
 * Digests, not the records: a role record is up to ~10 KiB and a Vault record a few KiB, so 1,000
 * agents' records would be tens of MB of configuration; their digests are ~200 bytes per identity
 * (~600 KB for 3,000 identities), and any change to a record's text changes its digest.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { IDENTITY_KINDS, type IdentityKind } from "./names";
import type { FleetPlan } from "./plan-types";
import { rolePlanRecordText } from "./role-plan";
import { vaultPlanRecordText } from "./vault-plan";

/** What is pinned for one identity's ServiceAccount. */
export interface RecordPin {
  readonly agent: string;
  readonly identity: IdentityKind;
  /** SHA-256 (hex) of the `agent-identity.io/role-plan` annotation's text. */
  readonly rolePlan: string;
  /** SHA-256 (hex) of the `agent-identity.io/vault-plan` annotation's text. */
  readonly vaultPlan: string;
}

/** Pins by the ServiceAccount's `<namespace>/<name>` (the same in every cluster the agent runs in). */
export type RecordPins = Readonly<Record<string, RecordPin>>;

/** SHA-256 of a record's text as UTF-8, in hex. */
export const recordDigest = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export const serviceAccountKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * The records of every identity of a compiled plan, digested: the same functions the AgentIdentity
 * component writes the annotations with, on the same plan (a declaration read from a stack file
 * holds no outputs, so the plan is the one the component records).
 */
export function recordPinsOf(plan: FleetPlan): RecordPins {
  const pins: Record<string, RecordPin> = {};
  for (const agent of plan.agents)
    for (const identity of agent.identities) {
      pins[serviceAccountKey(identity.serviceAccount.namespace, identity.serviceAccount.name)] = {
        agent: agent.name,
        identity: identity.kind,
        rolePlan: recordDigest(rolePlanRecordText(identity.iamRole)),
        vaultPlan: recordDigest(vaultPlanRecordText(identity.vault)),
      };
    }
  return pins;
}

/** Ten thousand agents' identities; Kubernetes names bound each key. */
export const MAX_PINNED_IDENTITIES = 30_000;
const digest = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 digest in lower-case hex");
export const recordPinSchema = z.strictObject({
  agent: z.string().min(1).max(253),
  identity: z.enum(IDENTITY_KINDS),
  rolePlan: digest,
  vaultPlan: digest,
});
export const recordPinsSchema = z
  .record(z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}\/[a-z0-9][-a-z0-9.]{0,252}$/, "<namespace>/<name> of a ServiceAccount"), recordPinSchema)
  .refine((pins) => Object.keys(pins).length <= MAX_PINNED_IDENTITIES, `at most ${MAX_PINNED_IDENTITIES} identities`);
