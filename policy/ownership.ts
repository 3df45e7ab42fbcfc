/**
 * Where the components write an agent's owner, sponsor, expiry and tier on its resources (see
 * `compileIdentity`): IAM role tags, ServiceAccount labels and annotations, Vault role alias
 * metadata. The pack reads them back from any resource, so a hand-written one is judged the same.
 */
import { LABEL_PREFIX } from "../components/core/compile";
import type { ExpiryRecord, OwnershipRecord } from "../components/rules/lifecycle";

export interface AgentMetadata {
  readonly record: OwnershipRecord;
  readonly expiry: ExpiryRecord;
}

function metadata(where: string, keys: OwnershipRecord["keys"], source: Record<string, string>, revoked: boolean): AgentMetadata {
  const values = Object.fromEntries(Object.entries(keys).map(([field, key]) => [field, source[key]]));
  return {
    record: { where, keys, values },
    // A missing or malformed expiry is reported by lifecycle/ownership-tags; checkExpiry skips it.
    expiry: { expires: values.expires ?? "", sponsor: values.sponsor || "(no sponsor tag)", revoked },
  };
}

/** IAM role tags; a revoked agent's roles carry `revoked-at`. */
export function roleMetadata(tags: Record<string, string>): AgentMetadata {
  const keys = { identity: "identity", owner: "owner", sponsor: "sponsor", expires: "expires", tier: "tier", dataClass: "data-class" };
  return metadata("IAM tags", keys, tags, Boolean(tags["revoked-at"]));
}

/** Owner, identity and tier are labels (selectable); sponsor, expiry and revocation are annotations. */
export function serviceAccountMetadata(labels: Record<string, string>, annotations: Record<string, string>): AgentMetadata {
  const keys = {
    identity: `${LABEL_PREFIX}/identity`,
    owner: `${LABEL_PREFIX}/owner`,
    tier: `${LABEL_PREFIX}/tier`,
    sponsor: `${LABEL_PREFIX}/sponsor`,
    expires: `${LABEL_PREFIX}/expires`,
  };
  return metadata("ServiceAccount labels and annotations", keys, { ...annotations, ...labels }, Boolean(annotations[`${LABEL_PREFIX}/revoked-at`]));
}

/** A revoked agent has no Vault roles at all, so a Vault role is never exempt from expiry. */
export function vaultRoleMetadata(aliasMetadata: Record<string, string>): AgentMetadata {
  const keys = { identity: "identity", owner: "owner", sponsor: "sponsor", expires: "expires", tier: "tier" };
  return metadata("Vault alias metadata", keys, aliasMetadata, false);
}
