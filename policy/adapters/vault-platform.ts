/**
 * Vault platform resources besides the ones AgentPlatform creates (platform.ts): auth mounts' tuned
 * TTLs, database mounts with embedded connections, audited request headers, and entity aliases.
 * Per resource what one resource's inputs decide (policy/checks/vault-mounts.ts); across the stack a
 * SecretsMount connection's allowedRoles against the stack's database roles, and which entity an
 * alias joins.
 */
import { asString } from "../inputs";
import { checkConnectionRoles } from "../checks/database-connection";
import { PLATFORM_TYPES } from "../checks/platform-types";
import {
  CLEAR_LIST_KEYS,
  VAULT_MOUNT_TYPES,
  checkAuditRequestHeader,
  checkAuthBackendTune,
  checkMountClearLists,
  checkSecretsMountConnections,
  secretsMountConnections,
} from "../checks/vault-mounts";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";

export const VAULT_PLATFORM_TYPES = {
  ...VAULT_MOUNT_TYPES,
  vaultEntityAlias: "vault:identity/entityAlias:EntityAlias",
  vaultEntity: "vault:identity/entity:Entity",
} as const;

/**
 * An entity alias joins a login of some auth mount to an entity. An agent's entity is created by
 * Vault at its first login, so no stack resource can name it: an alias is accepted only when its
 * canonicalId comes from a `vault.identity.Entity` of this stack (whose policies are read).
 */
function checkEntityAliases(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  for (const entry of ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultEntityAlias)) {
    const from = entry.resource.propertyDependencies?.canonicalId ?? [];
    if (from.some((resource) => resource.type === VAULT_PLATFORM_TYPES.vaultEntity)) continue;
    const id = asString(entry.value.canonicalId) ?? "(unknown at preview)";
    findings.push({
      rule: "vault/entity-alias",
      agent: "platform",
      identity: null,
      urn: entry.resource.urn,
      message: `entity alias ${asString(entry.value.name) ?? entry.resource.name} (mount accessor ${asString(entry.value.mountAccessor) ?? "?"}) joins entity ${id}, which is no vault.identity.Entity of this stack: an agent's entity is created at its first login, so this may give another login the agent's entity, its groups and whatever templated policies select by it`,
      fix: "attach aliases only to an entity of this stack (canonicalId: entity.id), whose policies the pack reads",
    });
  }
  return findings;
}

export const vaultPlatform: Adapter = {
  family: "vault-platform",
  holdings:
    "none: mount settings, connections, audit headers and aliases decide how long tokens live, where credentials travel, what the trail records and who logs in as an entity",
  types: [
    {
      type: VAULT_MOUNT_TYPES.vaultAuthBackend,
      key: "vaultAuthBackend",
      route: "an auth mount: its tuned lease TTLs cap (or lift) every token it issues; its tune lists no audit non-HMAC keys or passed headers",
      readIfSet: ["tune"],
      checkedBy: ["vault/token-max-ttl", "vault/audit-device", "stack/unknown-input"],
    },
    {
      type: VAULT_MOUNT_TYPES.vaultJwtAuthBackend,
      key: "vaultJwtAuthBackend",
      route: "a JWT/OIDC auth mount: its tuned lease TTLs cap (or lift) every token it issues; its tune lists no audit non-HMAC keys or passed headers",
      readIfSet: ["tune"],
      checkedBy: ["vault/token-max-ttl", "vault/audit-device", "stack/unknown-input"],
    },
    {
      type: VAULT_MOUNT_TYPES.vaultMount,
      key: "vaultMount",
      route: "a secrets engine mount: it lists no audit non-HMAC keys (the trail would hold agents' secrets in clear) and passes no headers",
      readIfSet: [...CLEAR_LIST_KEYS],
      checkedBy: ["vault/audit-device", "stack/unknown-input"],
    },
    {
      type: VAULT_MOUNT_TYPES.vaultDatabaseSecretsMount,
      key: "vaultDatabaseSecretsMount",
      route: "a database mount with its connections embedded: Vault's root logins and which roles may mint users",
      required: ["path"],
      readIfSet: ["postgresqls", ...CLEAR_LIST_KEYS],
      checkedBy: ["database/connection-tls", "database/connection-allowed-roles", "vault/audit-device", "stack/unknown-input"],
    },
    {
      type: VAULT_MOUNT_TYPES.vaultAuditRequestHeader,
      key: "vaultAuditRequestHeader",
      route: "which request headers the audit trail records, and whether in clear",
      checkedBy: ["vault/audit-device", "stack/unknown-input"],
    },
    {
      type: VAULT_PLATFORM_TYPES.vaultEntityAlias,
      key: "vaultEntityAlias",
      route: "joins a login of some auth mount to an entity (an agent's, if it names one)",
      required: ["canonicalId"],
      checkedBy: ["vault/entity-alias"],
    },
  ],
  check: (resource, inputs) => {
    switch (resource.type) {
      case VAULT_MOUNT_TYPES.vaultAuthBackend:
      case VAULT_MOUNT_TYPES.vaultJwtAuthBackend: {
        const path = asString(inputs.value.path) ?? resource.name;
        return [...checkAuthBackendTune(path, inputs), ...checkMountClearLists("auth mount", path, inputs, "tune")];
      }
      case VAULT_MOUNT_TYPES.vaultMount:
        return checkMountClearLists("secrets mount", asString(inputs.value.path) ?? resource.name, inputs);
      case VAULT_MOUNT_TYPES.vaultDatabaseSecretsMount:
        return [
          ...checkSecretsMountConnections(resource.name, inputs),
          ...checkMountClearLists("database mount", asString(inputs.value.path) ?? resource.name, inputs),
        ];
      case VAULT_MOUNT_TYPES.vaultAuditRequestHeader:
        return checkAuditRequestHeader(resource.name, inputs);
      default:
        return [];
    }
  },
  stack: (ix, pass) => {
    const mount = (path: string | undefined) => (path ?? "").replace(/^\/+|\/+$/g, "");
    const connections = ix
      .inputsOfType(VAULT_MOUNT_TYPES.vaultDatabaseSecretsMount)
      .flatMap((entry) => secretsMountConnections(entry.value).map((c) => ({ ...c, urn: entry.resource.urn })));
    const roles = ix.secretRoles
      .filter((s) => s.resource.type === PLATFORM_TYPES.vaultDatabaseRole)
      .map((s) => ({ mount: mount(asString(s.v.backend)), name: asString(s.v.name) ?? s.resource.name, dbName: asString(s.v.dbName) ?? "" }));
    for (const f of checkConnectionRoles(connections, roles)) pass.findings.push({ ...f, agent: "platform", identity: null });
    pass.findings.push(...checkEntityAliases(ix));
  },
};
