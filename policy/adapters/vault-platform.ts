/**
 * Vault platform resources besides the ones AgentPlatform creates (platform.ts): auth mounts' tuned
 * TTLs, database mounts with embedded connections, audited request headers, and entity aliases.
 * Per resource what one resource's inputs decide (policy/checks/vault-mounts.ts); across the stack a
 * SecretsMount connection's allowedRoles against the stack's database roles, and which entity an
 * alias joins.
 */
import { asString, asStrings, readInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
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
  vaultGroup: "vault:identity/group:Group",
  vaultGroupPolicies: "vault:identity/groupPolicies:GroupPolicies",
  vaultGroupMemberEntityIds: "vault:identity/groupMemberEntityIds:GroupMemberEntityIds",
  vaultGroupMemberGroupIds: "vault:identity/groupMemberGroupIds:GroupMemberGroupIds",
} as const;

/**
 * Auth methods whose logins an agent's credentials cannot make (no ServiceAccount token, IRSA
 * credentials or projected JWT is accepted): an alias on any other mount (kubernetes, jwt/oidc, aws,
 * a plugin, or a mount the pack cannot name) may be an agent's login.
 */
const NON_AGENT_AUTH_TYPES: ReadonlySet<string> = new Set(["userpass", "ldap", "github", "okta", "radius", "cert", "saml", "approle"]);

/** The auth method type of an alias's mount: from the auth mount resource it comes from, or a literal accessor `auth_<type>_<id>`. */
function aliasMountType(entry: {
  resource: { propertyDependencies?: Readonly<Record<string, readonly { type: string; props?: unknown }[]>> };
  value: Record<string, unknown>;
}): string | undefined {
  for (const dep of entry.resource.propertyDependencies?.mountAccessor ?? []) {
    if (dep.type === VAULT_MOUNT_TYPES.vaultAuthBackend) return asString(readInputs(dep.props as Record<string, unknown>).value.type);
    if (dep.type === VAULT_MOUNT_TYPES.vaultJwtAuthBackend) return "jwt";
  }
  return /^auth_([a-z0-9-]{1,64})_[0-9a-f]{8}$/.exec(asString(entry.value.mountAccessor) ?? "")?.[1];
}

/**
 * An entity alias joins a login of some auth mount to an entity. An agent's entity is created by
 * Vault at its first login, so no stack resource can name it: an alias is accepted only when its
 * canonicalId comes from a `vault.identity.Entity` of this stack (whose policies are read).
 */
function checkEntityAliases(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  for (const entry of ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultEntityAlias)) {
    const from = entry.resource.propertyDependencies?.canonicalId ?? [];
    if (from.some((resource) => resource.type === VAULT_PLATFORM_TYPES.vaultEntity)) {
      // Its entity is the stack's, but a login of a Kubernetes (or other agent-usable) mount named by
      // the alias (a ServiceAccount UID or name) would join it and take its policies.
      const type = aliasMountType(entry);
      const key = platformResourceKey(VAULT_PLATFORM_TYPES.vaultEntityAlias, entry.resource.name);
      if (type !== undefined && NON_AGENT_AUTH_TYPES.has(type)) {
        // Relied on as the stack's own entity: a policy cannot tell an Entity the stack creates from an
        // existing one it imports (the import option is not sent to policies; an import with other inputs
        // imports then updates its name, metadata and policies), and an existing entity keeps what no input
        // of it shows: the groups outside the stack that name its ID (their policies), its other aliases,
        // and policies kept by externalPolicies. The login joined to it would take all of that.
        findings.push({
          rule: "vault/entity-alias",
          agent: "platform",
          identity: null,
          urn: entry.resource.urn,
          platformResource: key,
          message: `entity alias ${asString(entry.value.name) ?? entry.resource.name} joins a login of a ${type} mount to an entity of this stack, which a policy cannot tell from an existing entity the stack imports (an admin's, an agent's): that login would take the groups naming the entity's ID outside the stack, and their policies`,
          fix: `leave entities and aliases to the platform's own stack, or have the security team declare the alias (kubernetesPlatformResources)`,
        });
        continue;
      }
      findings.push({
        rule: "vault/entity-alias",
        agent: "platform",
        identity: null,
        urn: entry.resource.urn,
        platformResource: key,
        message: `entity alias ${asString(entry.value.name) ?? entry.resource.name} is on mount accessor ${asString(entry.value.mountAccessor) ?? "(unknown at preview)"} of auth type ${type ?? "unknown"}, which an agent's credentials may log in through: that login (e.g. a ServiceAccount UID) would join the entity and take its policies beside the identity's own`,
        fix: `put aliases only on auth mounts agents cannot log in through (userpass, ldap, github, okta, ...; name the mount resource so the pack reads its type), or have the security team declare it (kubernetesPlatformResources)`,
      });
      continue;
    }
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

/**
 * Group members take the group's policies (and those of groups it is a member of). An agent's
 * entity is created at its first login, so its ID can be written only by value: a group adding
 * entities or groups by ID while it carries policies (or may: unknown, GroupPolicies in the stack,
 * or a member-IDs resource whose group the pack cannot read) is refused unless declared.
 */
function checkGroupMembers(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  const groupPolicies = ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultGroupPolicies).length > 0;
  const refuse = (entry: { resource: { type: string; name: string; urn: string } }, why: string) => {
    const key = platformResourceKey(entry.resource.type, entry.resource.name);
    findings.push({
      rule: "vault/entity-alias",
      agent: "platform",
      identity: null,
      urn: entry.resource.urn,
      platformResource: key,
      message: `${entry.resource.type} ${entry.resource.name} ${why}: an entity named by ID may be an agent's (created at its first login), which would take the group's policies beside its own`,
      fix: `give policies only through the identity's own Kubernetes-auth role, or have the security team declare the group (kubernetesPlatformResources)`,
    });
  };
  const hasMembers = (entry: { value: Record<string, unknown>; unknown: readonly string[] }, ...fields: string[]) =>
    fields.some((field) => asStrings(entry.value[field]).length > 0 || entry.unknown.includes(field));
  for (const entry of ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultGroup)) {
    if (!hasMembers(entry, "memberEntityIds", "memberGroupIds")) continue;
    const policies = asStrings(entry.value.policies).length > 0 || entry.unknown.includes("policies");
    // externalPolicies: the group's policies are not its inputs' (the provider leaves them alone), so an
    // existing group the stack imports (the import option is not sent to policies) keeps its own.
    const external = entry.value.externalPolicies === true || entry.unknown.includes("externalPolicies");
    if (policies || groupPolicies || external) refuse(entry, "adds members by ID to a group that carries (or may carry) policies");
  }
  for (const type of [VAULT_PLATFORM_TYPES.vaultGroupMemberEntityIds, VAULT_PLATFORM_TYPES.vaultGroupMemberGroupIds])
    for (const entry of ix.inputsOfType(type)) {
      if (!hasMembers(entry, "memberEntityIds", "memberGroupIds")) continue;
      refuse(entry, "adds members by ID to a group whose policies are set apart from it");
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
      // As on a SecretBackendConnection: only whether each root password is set is judged.
      setnessOnly: ["postgresqls.*.password"],
      checkedBy: [
        "database/connection-tls",
        "database/connection-root-login",
        "database/connection-allowed-roles",
        "vault/audit-device",
        "stack/unknown-input",
      ],
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
      readIfSet: ["mountAccessor"],
      checkedBy: ["vault/entity-alias"],
    },
    {
      type: VAULT_PLATFORM_TYPES.vaultGroup,
      route: "puts entities and groups by ID into a group, whose policies they then hold",
      readIfSet: ["memberEntityIds", "memberGroupIds", "policies", "externalPolicies"],
      checkedBy: ["vault/entity-alias"],
    },
    ...[VAULT_PLATFORM_TYPES.vaultGroupMemberEntityIds, VAULT_PLATFORM_TYPES.vaultGroupMemberGroupIds].map((type) => ({
      type,
      route: "puts entities or groups by ID into a group, whose policies they then hold",
      readIfSet: ["memberEntityIds", "memberGroupIds"],
      checkedBy: ["vault/entity-alias"],
    })),
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
    pass.findings.push(...checkEntityAliases(ix), ...checkGroupMembers(ix));
  },
};
