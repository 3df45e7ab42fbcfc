/**
 * Who made each call, read from the compiled identity plan (the same plan `plan` prints): each
 * identity's IAM role and the agent's tool role by ARN, tool sessions by the `AssumeRole` event's
 * session tags joined on the minted access key (docs/tool-sessions.md), Vault requests by the
 * Kubernetes-auth role and the tool's Vault path, database logins by the username template.
 * Nothing here derives a name by hand; an event no plan name claims stays unattributed.
 */
import type { FleetPlan } from "../core/plan-types";
import type { IdentityKind } from "../core/names";
import { SESSION_TAG } from "../core/tool-sessions";
import type { TrailEvent } from "./cloudtrail-reader";
import { databaseUsernamePrefix } from "./db-usernames";
import type { VaultRequest } from "./vault-audit-reader";

export interface RoleOwner {
  readonly agent: string;
  readonly identity: IdentityKind;
  /** true: the agent's tool role (tagged sessions), whose sessions each belong to one tool. */
  readonly toolRole: boolean;
}

export interface VaultPathOwner {
  readonly agent: string;
  readonly tool: string;
}

export interface AttributionIndex {
  /** Lower-cased role ARN → owner. IAM role names are case-insensitive. */
  readonly roles: ReadonlyMap<string, RoleOwner>;
  /** Role ARN as the plan spells it → owner: the common case, looked up before lower-casing. */
  readonly rolesAsPlanned: ReadonlyMap<string, RoleOwner>;
  /** Lower-cased `account/role-name` → owner, for events that carry only the session ARN. */
  readonly roleNames: ReadonlyMap<string, RoleOwner>;
  /** Vault Kubernetes-auth role name → identity. */
  readonly vaultRoles: ReadonlyMap<string, { readonly agent: string; readonly identity: IdentityKind }>;
  /** A tool's Vault path (credentials or KV data path) → tool. */
  readonly vaultPaths: ReadonlyMap<string, VaultPathOwner>;
  /** Database username prefixes from the connection's username template → tool (longest first). */
  readonly usernamePrefixes: ReadonlyArray<readonly [string, VaultPathOwner]>;
  /** Tools of each agent by name. */
  readonly tools: ReadonlyMap<string, ReadonlySet<string>>;
}

const ASSUMED_ROLE = /^arn:[a-z-]+:sts::(\d{12}):assumed-role\/([^/]+)\//;
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

export function buildIndex(plan: FleetPlan): AttributionIndex {
  const roles = new Map<string, RoleOwner>();
  const rolesAsPlanned = new Map<string, RoleOwner>();
  const roleNames = new Map<string, RoleOwner>();
  const vaultRoles = new Map<string, { agent: string; identity: IdentityKind }>();
  const vaultPaths = new Map<string, VaultPathOwner>();
  const usernamePrefixes: Array<[string, VaultPathOwner]> = [];
  const tools = new Map<string, Set<string>>();
  const templates = new Map((plan.bootstrap?.databaseConnections ?? []).map((c) => [c.name, c.usernameTemplate]));
  const addRole = (arn: string, owner: RoleOwner) => {
    roles.set(arn.toLowerCase(), owner);
    rolesAsPlanned.set(arn, owner);
    const parts = ROLE_ARN.exec(arn);
    if (parts) roleNames.set(`${parts[1]}/${parts[2]}`.toLowerCase(), owner);
  };
  for (const agent of plan.agents) {
    tools.set(agent.name, new Set(agent.tools.map((t) => t.name)));
    for (const identity of agent.identities) {
      addRole(identity.iamRole.arn, { agent: agent.name, identity: identity.kind, toolRole: false });
      if (identity.toolRole) addRole(identity.toolRole.arn, { agent: agent.name, identity: identity.kind, toolRole: true });
      for (const role of [identity.vault.role, ...identity.vault.additionalRoles])
        if (role) vaultRoles.set(role.name, { agent: agent.name, identity: identity.kind });
      for (const secret of identity.vault.secretRoles) {
        const owner = { agent: agent.name, tool: secret.tool };
        vaultPaths.set(secret.credentialsPath, owner);
        if (secret.type === "database") {
          const connection = agent.tools.find((t) => t.name === secret.tool)?.connection;
          const prefix = databaseUsernamePrefix(connection ? (templates.get(connection) ?? null) : null, secret.name);
          if (prefix) usernamePrefixes.push([prefix, owner]);
        }
      }
    }
    for (const tool of agent.tools) if (tool.kvPath) vaultPaths.set(tool.kvPath, { agent: agent.name, tool: tool.name });
  }
  usernamePrefixes.sort(([a], [b]) => b.length - a.length);
  return { roles, rolesAsPlanned, roleNames, vaultRoles, vaultPaths, usernamePrefixes, tools };
}

/** The identity an AWS call was made as: the session issuer's ARN, else the assumed-role session ARN. */
export function roleOwner(index: AttributionIndex, event: TrailEvent): RoleOwner | null {
  if (event.issuerArn) {
    // Most events name a role as the plan spells it: an exact hit spares lower-casing every ARN.
    const owner = index.rolesAsPlanned.get(event.issuerArn) ?? index.roles.get(event.issuerArn.toLowerCase());
    if (owner) return owner;
  }
  const session = event.principalArn ? ASSUMED_ROLE.exec(event.principalArn) : null;
  return session ? (index.roleNames.get(`${session[1]}/${session[2]}`.toLowerCase()) ?? null) : null;
}

/**
 * A successful tagged `AssumeRole` of an agent's tool role: the tool its session tags name, when
 * the role, the agent tag and the tool all agree with the plan. The tags are set by the tool's
 * Vault role, and the tool role's trust accepts no other combination.
 */
export function toolSession(
  index: AttributionIndex,
  event: TrailEvent,
): { readonly accessKeyId: string; readonly agent: string; readonly tool: string } | null {
  if (event.errorCode || !event.sessionTags || !event.mintedAccessKeyId) return null;
  if (!event.roleArn) return null;
  const owner = index.roles.get(event.roleArn.toLowerCase());
  const tool = event.sessionTags.get(SESSION_TAG.tool);
  if (!owner?.toolRole || !tool || event.sessionTags.get(SESSION_TAG.agent) !== owner.agent) return null;
  if (!index.tools.get(owner.agent)?.has(tool)) return null;
  return { accessKeyId: event.mintedAccessKeyId, agent: owner.agent, tool };
}

export interface VaultAttribution {
  readonly agent: string | null;
  readonly identity: IdentityKind | null;
  readonly tool: string | null;
}

/** A Vault request's identity (by its Kubernetes-auth role) and tool (by its path, or the database username). */
export function attributeVault(index: AttributionIndex, request: VaultRequest): VaultAttribution {
  const identity = request.authRole ? index.vaultRoles.get(request.authRole) : undefined;
  let owner = index.vaultPaths.get(request.path);
  if (!owner && request.username) owner = index.usernamePrefixes.find(([prefix]) => request.username!.startsWith(prefix))?.[1];
  // A path that names another agent's tool is that agent's request only if the auth role agrees.
  if (identity && owner && owner.agent !== identity.agent) owner = undefined;
  return { agent: identity?.agent ?? owner?.agent ?? null, identity: identity?.identity ?? null, tool: owner?.tool ?? null };
}
