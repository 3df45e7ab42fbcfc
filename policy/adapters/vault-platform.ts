/**
 * Vault platform resources besides the ones AgentPlatform creates (platform.ts): auth mounts' tuned
 * TTLs, database mounts with embedded connections, audited request headers, and entity aliases.
 * Per resource what one resource's inputs decide (policy/checks/vault-mounts.ts); across the stack a
 * SecretsMount connection's allowedRoles against the stack's database roles, and which entity an
 * alias joins (an entity alias, or a group alias joining an outside group to a group).
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
import { declarablePlatformFinding } from "./shared";

export const VAULT_PLATFORM_TYPES = {
  ...VAULT_MOUNT_TYPES,
  vaultEntityAlias: "vault:identity/entityAlias:EntityAlias",
  vaultGroupAlias: "vault:identity/groupAlias:GroupAlias",
  vaultEntity: "vault:identity/entity:Entity",
  vaultGroup: "vault:identity/group:Group",
  vaultGroupPolicies: "vault:identity/groupPolicies:GroupPolicies",
  vaultEntityPolicies: "vault:identity/entityPolicies:EntityPolicies",
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
      const aliasFinding = (message: string, fix: string) =>
        findings.push({ rule: "vault/entity-alias", agent: "platform", identity: null, urn: entry.resource.urn, platformResource: key, message, fix });
      if (type !== undefined && NON_AGENT_AUTH_TYPES.has(type)) {
        // Relied on as the stack's own entity: a policy cannot tell an Entity the stack creates from an
        // existing one it imports (the import option is not sent to policies; an import with other inputs
        // imports then updates its name, metadata and policies), and an existing entity keeps what no input
        // of it shows: the groups outside the stack that name its ID (their policies), its other aliases,
        // and policies kept by externalPolicies. The login joined to it would take all of that.
        aliasFinding(
          `entity alias ${asString(entry.value.name) ?? entry.resource.name} joins a login of a ${type} mount to an entity of this stack, which a policy cannot tell from an existing entity the stack imports (an admin's, an agent's): that login would take the groups naming the entity's ID outside the stack, and their policies`,
          `leave entities and aliases to the platform's own stack, or have the security team declare the alias (kubernetesPlatformResources)`,
        );
        continue;
      }
      aliasFinding(
        `entity alias ${asString(entry.value.name) ?? entry.resource.name} is on mount accessor ${asString(entry.value.mountAccessor) ?? "(unknown at preview)"} of auth type ${type ?? "unknown"}, which an agent's credentials may log in through: that login (e.g. a ServiceAccount UID) would join the entity and take its policies beside the identity's own`,
        `put aliases only on auth mounts agents cannot log in through (userpass, ldap, github, okta, ...; name the mount resource so the pack reads its type), or have the security team declare it (kubernetesPlatformResources)`,
      );
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
 * A group alias joins a group of an auth mount (an Okta or LDAP group, a JWT groups claim) to an
 * external Vault group: every login whose groups name it becomes a member and takes the group's
 * policies (Vault docs, "Identity: external groups"). Admitted only when its canonicalId comes from a
 * `vault.identity.Group` of this stack (by the engine's property dependency), whose policies are read
 * (vault/policy-in-stack, vault/agent-policy-use) and whose own shape checkGroupMembers judges; an
 * existing group's ID (or one unknown at preview, from no stack group) carries policies the pack never
 * reads, so the alias is refused unless the security team declares it.
 */
function checkGroupAliases(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  for (const entry of ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultGroupAlias)) {
    if ((entry.resource.propertyDependencies?.canonicalId ?? []).some((dep) => dep.type === VAULT_PLATFORM_TYPES.vaultGroup)) continue;
    findings.push(
      declarablePlatformFinding(
        entry.resource,
        "vault/entity-alias",
        `group alias ${asString(entry.value.name) ?? entry.resource.name} (mount accessor ${asString(entry.value.mountAccessor) ?? "unknown at preview"}) joins group ${asString(entry.value.canonicalId) ?? "(unknown at preview)"}, which no vault.identity.Group of this stack creates: every login in that outside group would take the existing group's policies, which the pack cannot read`,
        "alias only a group of this stack (canonicalId: group.id), whose policies the pack reads",
      ),
    );
  }
  return findings;
}

/**
 * Group members take the group's policies (and those of groups it is a member of). An agent's
 * entity is created at its first login, so its ID can be written only by value. Vault's
 * `identity/group` write by name updates the group of that name if one exists (Vault API docs,
 * "Create a group": "creates or updates"), and a policy cannot see Pulumi's `import` option: every
 * `vault.identity.Group` may be an existing group, with parents and (under `externalPolicies`)
 * policies the pack cannot read. So, unless the security team declares the group:
 * - a group adding entities or groups by ID is refused, whatever its own policies;
 * - a group keeping the members it has (`externalMemberEntityIds`/`externalMemberGroupIds`, agents'
 *   entities among them maybe) while it carries, may carry or keeps unread policies is refused;
 * - any `GroupMemberEntityIds`/`GroupMemberGroupIds` adding members is refused;
 * - `EntityPolicies`/`GroupPolicies` on an entity or group the stack does not create (its ID not
 *   from a `vault.identity.Entity`/`Group` of the stack) is refused: it may be an agent's.
 */
function checkGroupMembers(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  const groupPolicies = ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultGroupPolicies).length > 0;
  const refuse = (entry: { resource: { type: string; name: string; urn: string } }, why: string, because: string) =>
    findings.push(
      declarablePlatformFinding(
        entry.resource,
        "vault/entity-alias",
        `${entry.resource.type} ${entry.resource.name} ${why}: ${because}`,
        "give policies only through the identity's own Kubernetes-auth role",
      ),
    );
  const BY_ID = "an entity named by ID may be an agent's (created at its first login), which would take the group's policies beside its own";
  const setOrUnknown = (entry: { value: Record<string, unknown>; unknown: readonly string[] }, field: string) =>
    entry.value[field] === true || entry.unknown.includes(field);
  const hasMembers = (entry: { value: Record<string, unknown>; unknown: readonly string[] }, ...fields: string[]) =>
    fields.some((field) => asStrings(entry.value[field]).length > 0 || entry.unknown.includes(field));
  for (const entry of ix.inputsOfType(VAULT_PLATFORM_TYPES.vaultGroup)) {
    const name = asString(entry.value.name) ?? "(name unknown at preview)";
    const unread = setOrUnknown(entry, "externalPolicies");
    const policies = asStrings(entry.value.policies).length > 0 || entry.unknown.includes("policies") || groupPolicies || unread;
    if (hasMembers(entry, "memberEntityIds", "memberGroupIds"))
      refuse(
        entry,
        `adds members by ID to group ${name}${unread ? ", whose policies it leaves unread (externalPolicies)" : policies ? ", which carries (or may carry) policies" : ""}`,
        `Vault's identity/group write by name updates an existing group of that name, whose policies and parent groups the pack cannot read; ${BY_ID}`,
      );
    else if ((setOrUnknown(entry, "externalMemberEntityIds") || setOrUnknown(entry, "externalMemberGroupIds")) && policies)
      refuse(
        entry,
        `keeps the members group ${name} already has (externalMemberEntityIds/externalMemberGroupIds) while it ${unread ? "keeps policies the pack cannot read (externalPolicies)" : "carries (or may carry) policies"}`,
        "Vault's identity/group write by name updates an existing group of that name, and its members (agents' entities among them, maybe) would take those policies beside their own",
      );
  }
  for (const type of [VAULT_PLATFORM_TYPES.vaultGroupMemberEntityIds, VAULT_PLATFORM_TYPES.vaultGroupMemberGroupIds])
    for (const entry of ix.inputsOfType(type)) {
      if (!hasMembers(entry, "memberEntityIds", "memberGroupIds")) continue;
      refuse(entry, "adds members by ID to a group whose policies are set apart from it", BY_ID);
    }
  const targets = [
    { type: VAULT_PLATFORM_TYPES.vaultEntityPolicies, field: "entityId", from: VAULT_PLATFORM_TYPES.vaultEntity, what: "entity" },
    { type: VAULT_PLATFORM_TYPES.vaultGroupPolicies, field: "groupId", from: VAULT_PLATFORM_TYPES.vaultGroup, what: "group" },
  ];
  for (const { type, field, from, what } of targets)
    for (const entry of ix.inputsOfType(type)) {
      if ((entry.resource.propertyDependencies?.[field] ?? []).some((dep) => dep.type === from)) continue;
      refuse(
        entry,
        `adds policies to ${what} ${asString(entry.value[field]) ?? "(unknown at preview)"}, which no ${from} of this stack creates`,
        what === "entity"
          ? "an agent's entity is created by Vault at its first login, so an entity named by ID may be an agent's, which would then hold more than its declaration"
          : "an existing group may have agents' entities among its members, which would take those policies beside their own",
      );
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
      route: "puts entities and groups by ID into a group (an existing one of that name, if any), whose policies they then hold",
      // externalPolicies / externalMember*Ids unknown at preview count as set (checkGroupMembers fails closed).
      readIfSet: ["memberEntityIds", "memberGroupIds", "policies"],
      checkedBy: ["vault/entity-alias"],
    },
    ...[VAULT_PLATFORM_TYPES.vaultGroupMemberEntityIds, VAULT_PLATFORM_TYPES.vaultGroupMemberGroupIds].map((type) => ({
      type,
      route: "puts entities or groups by ID into a group, whose policies they then hold",
      readIfSet: ["memberEntityIds", "memberGroupIds"],
      checkedBy: ["vault/entity-alias"],
    })),
    {
      type: VAULT_PLATFORM_TYPES.vaultGroupAlias,
      route:
        "joins an outside group (Okta, LDAP, a JWT claim) to a Vault group, whose policies its logins then hold (an existing group's, unless the stack creates it)",
      // canonicalId is judged by the resource it comes from, so unknown at preview is no finding of its own.
      checkedBy: ["vault/entity-alias"],
    },
    // The ID is read from the resource it comes from (an Entity or Group of the stack), so unknown at preview is no finding.
    ...[VAULT_PLATFORM_TYPES.vaultEntityPolicies, VAULT_PLATFORM_TYPES.vaultGroupPolicies].map((type) => ({
      type,
      route: "adds policies to an entity or group by ID (an agent's, unless the stack creates it)",
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
    pass.findings.push(...checkEntityAliases(ix), ...checkGroupAliases(ix), ...checkGroupMembers(ix));
  },
};
