/**
 * Equality of normalised agents and identities, without building anything: lets the diff skip
 * the unchanged bulk of a large fleet cheaply. Entry lists are sorted by key when read.
 */
import type { Agent, Identity, SecretRole, VaultRole } from "./model";
import type { Entry } from "./statements";

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean = (x, y) => x === y): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

const sameEntry = (a: Entry, b: Entry) => a.key === b.key && a.action === b.action;

function sameVaultRole(a: VaultRole | null, b: VaultRole | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.name === b.name &&
    a.audience === b.audience &&
    a.tokenTtl === b.tokenTtl &&
    a.tokenMaxTtl === b.tokenMaxTtl &&
    sameList(a.boundServiceAccountNames, b.boundServiceAccountNames) &&
    sameList(a.boundServiceAccountNamespaces, b.boundServiceAccountNamespaces) &&
    sameList(a.tokenPolicies, b.tokenPolicies)
  );
}

function sameSecretRole(a: SecretRole, b: SecretRole): boolean {
  const ttls = Object.keys(a.ttls);
  return (
    a.type === b.type &&
    a.name === b.name &&
    a.dbName === b.dbName &&
    sameList(a.creationStatements, b.creationStatements) &&
    sameList(a.roleArns, b.roleArns) &&
    ttls.length === Object.keys(b.ttls).length &&
    ttls.every((field) => a.ttls[field] === b.ttls[field])
  );
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  if (a === b) return true;
  return (
    a.kind === b.kind &&
    a.serviceAccount === b.serviceAccount &&
    a.iamRole.name === b.iamRole.name &&
    a.iamRole.arn === b.iamRole.arn &&
    a.iamRole.maxSessionDuration === b.iamRole.maxSessionDuration &&
    a.iamRole.permissionsBoundary === b.iamRole.permissionsBoundary &&
    a.vaultPolicy === b.vaultPolicy &&
    sameList(a.permissions, b.permissions, sameEntry) &&
    sameList(a.trust, b.trust, sameEntry) &&
    sameList(a.vaultPaths, b.vaultPaths, sameEntry) &&
    sameVaultRole(a.vaultRole, b.vaultRole) &&
    sameList(a.secretRoles, b.secretRoles, sameSecretRole)
  );
}

export function sameAgent(a: Agent, b: Agent): boolean {
  if (a === b) return true;
  return (
    a.name === b.name &&
    a.owner === b.owner &&
    a.sponsor === b.sponsor &&
    a.tier === b.tier &&
    a.expires === b.expires &&
    a.maxDataClass === b.maxDataClass &&
    a.approval === b.approval &&
    a.namespace === b.namespace &&
    a.auditRetentionDays === b.auditRetentionDays &&
    sameList(a.tools, b.tools) &&
    JSON.stringify(a.revoked) === JSON.stringify(b.revoked) &&
    sameList(a.identities, b.identities, sameIdentity)
  );
}
