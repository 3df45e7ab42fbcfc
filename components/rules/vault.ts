/**
 * Vault rules: Kubernetes-auth roles bound to exactly one ServiceAccount, short-lived tokens without
 * the default policy, policies free of system paths and sudo, AWS secret roles that only assume
 * declared, non-agent roles for at most an hour.
 */
import { platformClusters } from "../core/clusters";
import { formatDuration } from "../core/durations";
import { hasWildcard } from "../core/patterns";
import type { IdentityKind } from "../core/names";
import type { AgentPlan, FleetPlan, IdentityPlan, SecretRolePlan, VaultPathRule } from "../core/plan-types";
import { sessionTagsFor } from "../core/tool-sessions";
import { checkToolSessionSecretRole } from "./tool-session-checks";
import { namedLikeToolRole } from "../core/names";
import { TOKEN_SELF_PATHS } from "../core/vault-policy";
import { TIER_POLICIES } from "../core/tiers";
import { tierPolicyFor } from "../core/compile";
import { parseEksOidcProvider, vaultAudienceProblem } from "../core/platform-fields";
import { isRoleShare, looksLikeAgentRole } from "../core/holdings";
import { identityRoles, isOwnToolSession } from "../core/identity-roles";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK, planOnly } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const BINDING = standards(["NHI4", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const TOKENS = standards(["NHI7"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7", "MANAGE 2.4"]);
const POLICY = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7"]);

export const VAULT_RULES: readonly RuleMeta[] = [
  meta(
    "vault/bound-exact",
    "vault",
    "error",
    "A Kubernetes-auth role binds exactly one ServiceAccount name and one namespace, no `*` or globs.",
    BINDING,
    PACK.resource,
  ),
  meta(
    "vault/bound-own-service-account",
    "vault",
    "error",
    "A Kubernetes-auth role binds the identity's own ServiceAccount; in the pack, an identity's role carries exactly one policy, defined in the stack (else stack/unknown-input).",
    BINDING,
    PACK.stack,
  ),
  meta("vault/audience", "vault", "error", "A Kubernetes-auth role requires an exact token audience.", BINDING, PACK.resource),
  meta(
    "vault/alias-by-uid",
    "vault",
    "error",
    "A Kubernetes-auth role keys Vault identities by the ServiceAccount's UID (`aliasNameSource: serviceaccount_uid`, as the plan sets it), never by its name: a ServiceAccount deleted and re-created under the same name would inherit the agent's entity, its metadata and group policies. In the pack an agent's role sets it explicitly (unset, the provider keeps whatever the role had).",
    BINDING,
    PACK.both,
  ),
  meta("vault/default-policy", "vault", "error", "Tokens carry no `default` policy (`tokenNoDefaultPolicy: true`) and never `root`.", POLICY, PACK.resource),
  meta("vault/token-period", "vault", "error", "No periodic tokens (`tokenPeriod`): they can be renewed forever.", TOKENS, PACK.resource),
  meta(
    "vault/token-max-ttl",
    "vault",
    "error",
    "`tokenMaxTtl` is set and within the tier ceiling; in the pack, an auth mount's tuned `maxLeaseTtl` and `defaultLeaseTtl` (`vault.AuthBackend`, `vault.jwt.AuthBackend`) are unset or within the loosest tier's ceiling.",
    TOKENS,
    PACK.resource,
  ),
  meta("vault/policy-sudo", "vault", "error", "No `sudo` capability in agent Vault policies.", POLICY, PACK.resource),
  meta("vault/policy-system-path", "vault", "error", "No `sys/` or `auth/` paths other than the token self paths.", POLICY, PACK.resource),
  meta(
    "vault/policy-read-only",
    "vault",
    "error",
    "Beyond the token self paths an agent's Vault policy only reads (its credentials and KV data): no create, update, delete, list or patch, and nothing under a secrets engine's roles or config.",
    POLICY,
    PACK.both,
  ),
  meta(
    "vault/policy-glob",
    "vault",
    "error",
    "No `*` or `+` globs and no identity templates (`{{identity.entity.metadata.…}}`, which match any value the entity carries) in Vault policy paths: every path is exact.",
    POLICY,
    PACK.both,
  ),
  meta(
    "vault/secret-credential-type",
    "vault",
    "error",
    "AWS secret roles use only `assumed_role` (short-lived STS credentials).",
    standards(["NHI7"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]),
    PACK.resource,
  ),
  meta("vault/sts-ttl", "vault", "error", "AWS secret roles set `maxStsTtl`, at most 1h and within the tier.", TOKENS, PACK.resource),
  meta(
    "vault/secret-role-arns",
    "vault",
    "error",
    "AWS secret roles assume only exact role ARNs, never an agent identity's role (of this stack or named like one).",
    standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7"]),
    PACK.both,
  ),
  meta(
    "vault/secret-role-declared",
    "vault",
    "error",
    "Every role a vaultAws tool has Vault assume is declared by the platform team (`platform.shared` vaultAwsRole share naming the agent).",
    standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7"]),
    planOnly("platform shares are in the declaration only; on resources vault/secret-role-arns still refuses agent roles"),
  ),
  meta(
    "vault/tool-session-tags",
    "vault",
    "error",
    "A Vault AWS secret role that mints a tool session (it sets `sessionTags`, assumes a role named `…-tools` of any stack, or in the plan assumes the identity's tool role) names exactly that one tool role and sets `sessionTags` with exactly the keys `agent-identity:agent`, `…:identity` (`execution`), `…:tool`, `…:data-class` and `…:environment`; in the plan their values are the agent, the tool, its data class and the environment; in the pack (across resources) the role is a tool role of this stack, of the agent the tags name, whose trust admits that tool and data class.",
    standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7"]),
    PACK.both,
  ),
  meta(
    "vault/unique-path",
    "vault",
    "error",
    "Every Vault path belongs to one identity: no two identities' roles, policies, secret roles, credentials or KV paths coincide, and the platform's Vault mounts do not overlap.",
    standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]),
    PACK.stack,
  ),
];

/** Rules about policy text, which only the pack reads (the plan holds structured path rules). */
export const VAULT_RESOURCE_RULES: readonly RuleMeta[] = [
  meta(
    "vault/policy-unreadable",
    "vault",
    "error",
    'A Vault policy is read by an HCL parser and must hold only `path` blocks with documented keys and a list of capabilities; anything else, the legacy `policy = "sudo"` form included, fails closed.',
    POLICY,
    PACK.resource,
  ),
  meta(
    "vault/agent-policy-use",
    "vault",
    "error",
    "An agent's Vault policy is carried only by that identity's own Kubernetes-auth role: no token, token role, AppRole, JWT or other auth role (`tokenPolicies`, `policies`, `allowedPolicies`, `allowedPoliciesGlobs`, at any depth: Okta groups and users...) or generic write names it, compared as Vault does (trimmed, lower-cased).",
    BINDING,
    PACK.stack,
  ),
  meta(
    "vault/service-account-login",
    "vault",
    "error",
    "An agent's ServiceAccount token logs in to Vault only through the identity's own Kubernetes-auth role: in a stack with agents, a JWT/OIDC auth role (`vault.jwt.AuthBackendRole`) whose `boundSubject`, `boundClaims` (JSON pointers, `boundClaimsType: glob`, comma-separated lists) and `userClaim` could all accept a ServiceAccount token of an agent namespace is refused, read as Vault's JWT plugin reads a login (audiences are not read: a pod may project any); one binding an agent namespace always, any other unless the security team declares it in kubernetesPlatformResources (by its URN and inputs digest). Likewise an AWS auth role (`vault.aws.AuthBackendRole`) whose `boundIamPrincipalArns` or `boundIamRoleArns` could match an agent role's ARN (exactly or by glob, any account and path), or are unknown at preview, is refused: an agent's IRSA credentials log in only through its own Kubernetes-auth role.",
    BINDING,
    PACK.stack,
  ),
  meta(
    "vault/auth-trust-root",
    "vault",
    "error",
    "Whom a Vault auth mount trusts is the platform's: in a stack with agents, a resource setting an auth method's trust root (a JWT/OIDC mount's JWKS or discovery URL, keys and issuer; GitHub's organisation; LDAP's server; Okta's org; SAML's IdP; GCP's credentials; Azure's tenant; OCI's tenancy; AWS auth's STS client, certificates, cross-account STS roles and identity alias field) is refused unless the security team declares it in kubernetesPlatformResources: pointed elsewhere, it lets another party log in to every role of the mount, including roles outside the stack.",
    BINDING,
    PACK.stack,
  ),
  meta(
    "vault/generic-write",
    "vault",
    "error",
    "Writes to Vault paths (`vault.generic.Endpoint`, `vault.generic.Secret`, `vault.kv.Secret`, `vault.kv.SecretV2`) are an allowlist: only secret data at a KV v2 path `<mount>/data/<key>` (read cleaned, as Vault reads request paths; no system root or engine control segment in the mount) outside the agents' tree `agents/<env>/<agent>/` passes; everything else (policies, auth roles, tokens, identities, mounts, engine roles, config, credentials, rotate-root, pki issue, KV metadata and deletes) and an unknown path fail closed.",
    POLICY,
    PACK.resource,
  ),
  meta(
    "vault/entity-alias",
    "vault",
    "error",
    "A `vault.identity.EntityAlias` joins a login only to an entity defined in the stack (its `canonicalId` from a `vault.identity.Entity`, whose policies are judged by path): an agent's entity, created by Vault at its first login, is never given another login. An alias of a stack entity on an auth mount agents may log in through (Kubernetes, JWT/OIDC, AWS, a plugin, or a mount whose type the pack cannot read from its accessor `auth_<type>_<id>` or auth mount resource) is refused, and so is one on any other mount (userpass, LDAP ...), the stack's entity being relied on as its own: a policy cannot tell an Entity the stack creates from an existing one it imports (the import option is not sent to policies; an import with other inputs imports then updates), whose memberships in groups outside the stack come with it. Refused too: a `vault.identity.Group` adding entity or group IDs whatever its own policies (Vault's `identity/group` write by name updates an existing group of that name, whose policies and parent groups the pack cannot read) or keeping an existing group's members (`externalMemberEntityIds`/`externalMemberGroupIds`, or unknown) while it carries, may carry or keeps unread (`externalPolicies`) policies, any `GroupMemberEntityIds`/`GroupMemberGroupIds` adding members, any `EntityPolicies`/`GroupPolicies` on an entity or group whose ID comes from no `vault.identity.Entity`/`Group` of the stack, and any `vault.identity.GroupAlias` whose `canonicalId` comes from no `vault.identity.Group` of the stack (an Okta or LDAP group joined to an existing Vault group would give its members that group's unread policies; unknown at preview fails closed), unless the security team declares them in kubernetesPlatformResources.",
    BINDING,
    PACK.stack,
  ),
  meta(
    "vault/agent-resources-as-planned",
    "vault",
    "error",
    "Every agent's Vault policy, Kubernetes-auth roles and AWS and database secret roles are the ones its identity's plan describes (the record the components write on the identity's ServiceAccount, `agent-identity.io/vault-plan`): the policy's path rules as the HCL parser reads them, and every input of each role (bound ServiceAccounts and namespaces, policies, TTLs, credential type, role ARNs, session tags, connection, statements); an input the components never set (`policyDocument`, `policyArns`, `iamGroups`, a Vault namespace...) or a planned resource renamed or removed is refused, so a transformation or a stack cannot widen an agent's own Vault resources. A `vault.Policy` named as an agent identity's (`…-orchestration`, `…-execution`, `…-audit`) that no identity of the stack plans is refused unless declared: on a shared Vault it may be another stack's agent's policy, which the write replaces.",
    POLICY,
    PACK.stack,
  ),
  meta(
    "vault/agent-path-derivable",
    "vault",
    "error",
    "Every path an agent identity's Vault policies reach (through its Kubernetes-auth roles) is one `compile` could derive for that agent, read without the vault-plan record: the token self paths for every identity; for the execution identity also a concrete path in its own KV subtree (`<kvMount>/data/agents/<env>/<agent>/...`, the stack's one mount and environment) and the credentials path of a secret role named `<env>.<agent>.<tool>` for its own agent. Any other path (a platform KV secret, a glob, another agent's subtree) is refused unless the security team declared it in the pack's `shares` configuration for principal `agent:<agent>/<identity>`.",
    POLICY,
    PACK.stack,
  ),
  meta(
    "vault/agent-secret-role-derivable",
    "vault",
    "error",
    "The secret roles an agent identity's Vault policies reach stay within what `compile` could derive, read without the vault-plan record: an AWS secret role assumes neither a role the stack creates (other than a role tagged for its own agent, its tool role as a tagged tool session; another agent's tool role is refused, its identity roles are vault/secret-role-arns') nor a role in the agents' own account, unless the security team declared that role in the pack's `shares` configuration for principal `agent:<agent>/<identity>`; a database connection is used by the tools of one agent only (a connection share is declared the same way, resource `vault:database/<connection>`).",
    POLICY,
    PACK.stack,
  ),
  meta(
    "vault/agent-kv-config",
    "vault",
    "error",
    "The KV mount the agents' secrets live on keeps Vault's version defaults: no `vault.kv.SecretBackendV2` sets `maxVersions` or `deleteVersionAfter` on it (an agent's secret could be replaced without a trace, or expire).",
    POLICY,
    PACK.stack,
  ),
];

const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));
/** AWS caps assumed_role sessions at 12h; agents get at most 1h. */
export const MAX_STS_TTL = 3600;
/** The most lenient tier ceiling, for roles whose tier is unknown (pack). */
export const LOOSEST_TOKEN_MAX_TTL = Math.max(...Object.values(TIER_POLICIES).map((tier) => tier.tokenMaxTtl));

export interface VaultRoleShape {
  readonly boundServiceAccountNames?: readonly string[];
  readonly boundServiceAccountNamespaces?: readonly string[];
  readonly audience?: string;
  readonly tokenNoDefaultPolicy?: boolean;
  readonly tokenPolicies?: readonly string[];
  readonly tokenPeriod?: number;
  readonly tokenMaxTtl?: number;
  /** How Vault names the identity alias of a login; the plan always says `serviceaccount_uid`. */
  readonly aliasNameSource?: string;
}

/** The alias source the plan sets on every Kubernetes-auth role (components/core/compile.ts). */
export const ALIAS_NAME_SOURCE = "serviceaccount_uid";

export interface VaultRoleExpectation {
  readonly namespace?: string;
  readonly serviceAccount?: string;
  /** Ceiling for tokenMaxTtl, in seconds. @default the loosest tier's */
  readonly tokenMaxTtlCeiling?: number;
  /** The cluster's OIDC issuer (without scheme), which the audience must not be. */
  readonly issuer?: string;
}

export function checkVaultRole(role: VaultRoleShape, expected: VaultRoleExpectation = {}): Problem[] {
  const problems: Problem[] = [];
  const names = role.boundServiceAccountNames ?? [];
  const namespaces = role.boundServiceAccountNamespaces ?? [];
  if (names.length !== 1 || namespaces.length !== 1 || [...names, ...namespaces].some((v) => hasWildcard(v) || v === "")) {
    problems.push({
      rule: "vault/bound-exact",
      message: `binds ServiceAccounts [${names.join(", ")}] in namespaces [${namespaces.join(", ")}]`,
      fix: "bind exactly one ServiceAccount name and one namespace, no globs",
    });
  }
  if (
    expected.serviceAccount &&
    expected.namespace &&
    (names[0] !== expected.serviceAccount || namespaces[0] !== expected.namespace || names.length !== 1 || namespaces.length !== 1)
  ) {
    problems.push({
      rule: "vault/bound-own-service-account",
      message: `binds ${namespaces.join(",")}/${names.join(",")}, not its own ServiceAccount ${expected.namespace}/${expected.serviceAccount}`,
      fix: `bind ${expected.namespace}/${expected.serviceAccount}`,
    });
  }
  const audience = vaultAudienceProblem(role.audience, expected.issuer);
  if (audience) {
    problems.push({
      rule: "vault/audience",
      message: `audience ${role.audience ? `"${role.audience}"` : "(not set)"}: ${audience}`,
      fix: "set platform.vault.audience to an audience only Vault uses (e.g. vault), exact, not sts.amazonaws.com and not the API server's",
    });
  }
  if (role.tokenNoDefaultPolicy !== true) {
    problems.push({ rule: "vault/default-policy", message: "tokens also get the default policy", fix: "set tokenNoDefaultPolicy: true" });
  }
  const privileged = (role.tokenPolicies ?? []).filter((policy) => policy === "root" || policy === "default");
  if (privileged.length)
    problems.push({ rule: "vault/default-policy", message: `token policies include ${privileged.join(", ")}`, fix: "attach only the identity's own policy" });
  if (role.tokenPeriod) {
    problems.push({
      rule: "vault/token-period",
      message: `tokens are periodic (${formatDuration(role.tokenPeriod)})`,
      fix: "remove tokenPeriod; tokens expire at tokenMaxTtl",
    });
  }
  // By name, a ServiceAccount re-created under the same name (by whoever may create one there) inherits the entity.
  if (role.aliasNameSource !== undefined && role.aliasNameSource !== ALIAS_NAME_SOURCE) {
    problems.push({
      rule: "vault/alias-by-uid",
      message: `aliasNameSource is ${role.aliasNameSource}: a ServiceAccount re-created under the same name would inherit the identity's Vault entity`,
      fix: `set aliasNameSource: ${ALIAS_NAME_SOURCE}`,
    });
  }
  const ceiling = expected.tokenMaxTtlCeiling ?? LOOSEST_TOKEN_MAX_TTL;
  if (!role.tokenMaxTtl || role.tokenMaxTtl > ceiling) {
    const value = role.tokenMaxTtl ? formatDuration(role.tokenMaxTtl) : "0 or unset, so Vault uses the mount default (32 days unless tuned)";
    const fix =
      ceiling > 0 ? `set tokenMaxTtl to at most ${formatDuration(ceiling)}` : "set a positive platform.limits.tokenMaxTtl (0 means no limit in Vault)";
    problems.push({ rule: "vault/token-max-ttl", message: `tokenMaxTtl is ${value}; the tier ceiling is ${formatDuration(ceiling)}`, fix });
  }
  return problems;
}

/** Segments under a mount that configure a secrets engine rather than issue from it. */
export const ENGINE_CONTROL_SEGMENTS: ReadonlySet<string> = new Set([
  "role",
  "roles",
  "static-role",
  "static-roles",
  "roleset",
  "rolesets",
  "config",
  "rotate-root",
  "rotate-role",
  "reset",
  "reload",
]);

/** The engine-control segment a policy path reaches (after its mount, before KV's `data/`), or undefined. */
function engineControlSegment(path: string): string | undefined {
  const segments = path.split("/").filter((segment) => segment !== "");
  const data = segments.indexOf("data");
  return segments.slice(1, data > 0 ? data : undefined).find((segment) => ENGINE_CONTROL_SEGMENTS.has(segment.toLowerCase()));
}

export function checkVaultPolicy(paths: readonly VaultPathRule[]): Problem[] {
  const problems: Problem[] = [];
  for (const rule of paths) {
    if (rule.capabilities.includes("sudo") || rule.capabilities.includes("root")) {
      problems.push({
        rule: "vault/policy-sudo",
        message: `path "${rule.path}" grants ${rule.capabilities.join(", ")}`,
        fix: "remove sudo; agents need read (or update for token self paths) only",
      });
    }
    const system = /^\/?(sys|auth)(\/|$)/.test(rule.path);
    if (system && !SELF_PATHS.has(rule.path)) {
      problems.push({
        rule: "vault/policy-system-path",
        message: `path "${rule.path}" is a system or auth path`,
        fix: "agents may only use auth/token/lookup-self, renew-self and revoke-self; use a secrets mount that is not sys or auth",
      });
    }
    // Beyond the token self paths an agent only reads: its credentials and its KV data. A write
    // (or any access) to a secrets engine's roles or config would let it re-point its own role at
    // another agent's tool role, rewrite its database statements, or replace the engine's credentials.
    if (!system && !SELF_PATHS.has(rule.path)) {
      const extra = rule.capabilities.filter((capability) => capability !== "read" && capability !== "deny");
      const control = engineControlSegment(rule.path);
      if (extra.length || control) {
        problems.push({
          rule: "vault/policy-read-only",
          message: control
            ? `path "${rule.path}" reaches a secrets engine's ${control} (${rule.capabilities.join(", ")})`
            : `path "${rule.path}" grants ${extra.join(", ")}`,
          fix: "an agent's Vault policy reads its own credentials and KV data only: read on <mount>/creds|sts/<role> and <kv>/data/...; roles and config belong to the platform",
        });
      }
    }
    // A template (`{{identity.entity.metadata.agent}}`) is a glob too: it matches whatever value the entity or alias carries.
    if (/[*+]|\{\{/.test(rule.path)) {
      problems.push({
        rule: "vault/policy-glob",
        message: `path "${rule.path}" contains ${/\{\{/.test(rule.path) ? "an identity template, which matches whatever value the token's entity or alias carries" : "a glob"}`,
        fix: "grant exact paths; a glob or template may reach a sibling agent's secrets",
      });
    }
  }
  return problems;
}

export interface SecretRoleShape {
  readonly type: "aws" | "database";
  readonly credentialType?: string;
  readonly roleArns?: readonly string[];
  readonly maxStsTtl?: number;
}

export interface SecretRoleContext {
  /** Role ARNs of every agent identity: an agent never assumes one through Vault. */
  readonly agentRoleArns?: readonly string[];
  /** Tier ceiling for STS TTLs, in seconds. @default 1h */
  readonly maxStsTtlCeiling?: number;
  /** Role ARNs (lower-cased) a platform `vaultAwsRole` share names for this agent; undefined where unknown (pack). */
  readonly declaredRoleArns?: ReadonlySet<string>;
  /** Recognises agent identity roles of any stack (naming prefix, identity-kind suffix, any path or case). */
  readonly isAgentRole?: (arn: string) => boolean;
}

const roleSets = new WeakMap<readonly string[], Set<string>>();
/** Agent role ARNs as a set, built once per list; IAM role names compare case-insensitively. */
function agentRoleSet(arns: readonly string[]): Set<string> {
  let set = roleSets.get(arns);
  if (!set) roleSets.set(arns, (set = new Set(arns.map((arn) => arn.toLowerCase()))));
  return set;
}

export function checkSecretRole(role: SecretRoleShape, context: SecretRoleContext = {}): Problem[] {
  if (role.type !== "aws") return [];
  const problems: Problem[] = [];
  if (role.credentialType !== "assumed_role") {
    problems.push({
      rule: "vault/secret-credential-type",
      message: `AWS secret role uses credential type ${role.credentialType ?? "(unset)"}`,
      fix: "use credentialType assumed_role; iam_user and federation_token create longer-lived credentials",
    });
  }
  const ceiling = Math.min(MAX_STS_TTL, context.maxStsTtlCeiling ?? MAX_STS_TTL);
  if (!role.maxStsTtl || role.maxStsTtl > ceiling) {
    problems.push({
      rule: "vault/sts-ttl",
      message: `maxStsTtl is ${role.maxStsTtl ? formatDuration(role.maxStsTtl) : "unset (AWS default up to 12h)"}, ceiling ${formatDuration(ceiling)}`,
      fix: `set maxStsTtl to at most ${formatDuration(ceiling)}`,
    });
  }
  const arns = role.roleArns ?? [];
  if (arns.length === 0)
    problems.push({ rule: "vault/secret-role-arns", message: "AWS secret role names no role ARN", fix: "name the one role the tool assumes" });
  for (const arn of arns) {
    if (hasWildcard(arn))
      problems.push({ rule: "vault/secret-role-arns", message: `AWS secret role may assume "${arn}"`, fix: "name the exact role ARN the tool needs" });
    else if ((context.agentRoleArns && agentRoleSet(context.agentRoleArns).has(arn.toLowerCase())) || context.isAgentRole?.(arn))
      problems.push({
        rule: "vault/secret-role-arns",
        message: `AWS secret role assumes agent identity role ${arn} (or a role named like one)`,
        fix: "an agent never acts as an agent identity, of this stack or another; name a role of the target system",
      });
    else if (context.declaredRoleArns && !context.declaredRoleArns.has(arn.toLowerCase()))
      problems.push({
        rule: "vault/secret-role-declared",
        message: `AWS secret role assumes ${arn}, which no platform.shared vaultAwsRole share names for this agent`,
        fix: `the platform team declares each role a vaultAws tool may assume: platform.shared: [{ name, vaultAwsRole: ${arn}, agents: [<agent>] }]`,
      });
  }
  return problems;
}

/** What writes or reads one Vault path, in words for the message. */
interface PathOwner {
  readonly agent: string;
  readonly kind: IdentityKind;
  readonly what: string;
}

/** Every Vault path an identity creates or reads, with what it is (revoked identities have none). */
function identityPaths(plan: FleetPlan): Map<string, PathOwner[]> {
  const byPath = new Map<string, PathOwner[]>();
  const add = (path: string, owner: PathOwner) => {
    const owners = byPath.get(path);
    if (owners) owners.push(owner);
    else byPath.set(path, [owner]);
  };
  const trim = (path: string) => path.replace(/^\/+|\/+$/g, "");
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      const own = (what: string): PathOwner => ({ agent: agent.name, kind: identity.kind, what });
      const { role, policy, secretRoles } = identity.vault;
      if (role) add(`auth/${trim(role.backend)}/role/${role.name}`, own(`Kubernetes-auth role "${role.name}"`));
      if (policy) add(`sys/policy/${policy.name}`, own(`Vault policy "${policy.name}"`));
      const credentials = new Set(secretRoles.map((secret) => secret.credentialsPath));
      for (const secret of secretRoles) {
        const what = `${secret.type} secret role "${secret.name}" of tool ${secret.tool}`;
        add(`${trim(secret.backend)}/roles/${secret.name}`, own(what));
        add(secret.credentialsPath, own(what));
      }
      // KV reads: every other read path of the execution policy that is not a credentials path.
      for (const rule of policy?.paths ?? []) {
        if (identity.kind === "execution" && !credentials.has(rule.path) && !SELF_PATHS.has(rule.path)) add(rule.path, own(`KV secret "${rule.path}"`));
      }
    }
  }
  return byPath;
}

/** Two identities on one Vault path: each is told which other identity and which names coincide. */
export function checkUniqueVaultPaths(plan: FleetPlan): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const [path, owners] of identityPaths(plan)) {
    // Almost every path has one owner: nothing to compare.
    if (owners.length < 2) continue;
    const distinct = [...new Map(owners.map((o) => [`${o.agent}/${o.kind}`, o])).values()];
    if (distinct.length < 2) continue;
    for (const owner of distinct) {
      const others = distinct.filter((o) => o !== owner).map((o) => `${o.agent}/${o.kind} (${o.what})`);
      findings.push({
        rule: "vault/unique-path",
        agent: owner.agent,
        identity: owner.kind,
        message: `Vault path "${path}" of its ${owner.what} is also the path of ${others.join(", ")}: both would write and read one Vault object`,
        fix: "rename the agent or tool so the generated Vault names differ; this is a naming collision, not a shared grant",
      });
    }
  }
  return findings;
}

/** Two mounts at one path (or one inside the other) cannot both exist in Vault. */
export function checkVaultMounts(vault: FleetPlan["platform"]["vault"], clusters?: FleetPlan["platform"]["clusters"]): Problem[] {
  const mounts = [
    ["kvMount", vault.kvMount],
    ["databaseMount", vault.databaseMount],
    ["awsMount", vault.awsMount],
    ...(clusters
      ? clusters.map((c) => [`clusters.${c.name}.vaultAuthPath`, `auth/${c.vaultAuthPath}`])
      : [["kubernetesAuthPath", `auth/${vault.kubernetesAuthPath}`]]),
  ].map(([key, path]) => [key, path.replace(/^\/+|\/+$/g, "")] as const);
  const problems: Problem[] = [];
  for (let i = 0; i < mounts.length; i++) {
    for (let j = i + 1; j < mounts.length; j++) {
      const [ka, a] = mounts[i];
      const [kb, b] = mounts[j];
      if (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) {
        problems.push({
          rule: "vault/unique-path",
          message: `platform.vault.${ka} "${a}" and ${kb} "${b}" overlap: Vault mounts one engine per path, so one engine would serve the other's roles and credentials`,
          fix: `give ${ka} and ${kb} separate, non-nested mount paths`,
        });
      }
    }
  }
  return problems;
}

export const vaultRules = familyRules(VAULT_RULES, ({ plan }) => {
  const agentRoleArns = plan.agents.flatMap((agent) => agent.identities.flatMap((identity) => identityRoles(identity).map((role) => role.arn)));
  // Each role is checked against the issuer of the cluster whose auth mount it lives in.
  const issuerOf = new Map(
    platformClusters(plan.platform).map((c) => [c.vaultAuthPath, c.oidcProviderArn ? parseEksOidcProvider(c.oidcProviderArn)?.issuer : undefined]),
  );
  const isAgentRole = (arn: string) => looksLikeAgentRole(arn, agentRoleArns, plan.platform);
  const roleShares = (plan.platform.shared ?? []).filter(isRoleShare);
  const findings: RuleFinding[] = [];
  const add = (agent: string, kind: IdentityKind, problems: Problem[]) => findings.push(...attribute(agent, kind, problems));
  for (const agent of plan.agents) {
    const tier = tierPolicyFor(plan.platform, agent);
    for (const identity of agent.identities) {
      const { role, additionalRoles, policy, secretRoles } = identity.vault;
      // A revoked identity has no role and no policy: nothing can log in, nothing to check.
      for (const each of [...(role ? [role] : []), ...additionalRoles]) {
        const expected = {
          namespace: identity.serviceAccount.namespace,
          serviceAccount: identity.serviceAccount.name,
          tokenMaxTtlCeiling: tier.tokenMaxTtl,
          issuer: issuerOf.get(each.backend),
        };
        add(agent.name, identity.kind, checkVaultRole(each, expected));
      }
      if (policy) add(agent.name, identity.kind, checkVaultPolicy(policy.paths));
      const declaredRoleArns = new Set(roleShares.filter((share) => share.agents.includes(agent.name)).map((share) => share.vaultAwsRole.toLowerCase()));
      for (const secret of secretRoles) {
        // A tool session on the identity's own tool role: judged by vault/tool-session-tags instead.
        const context = isOwnToolSession(identity, secret)
          ? { maxStsTtlCeiling: tier.maxStsTtl }
          : { agentRoleArns, maxStsTtlCeiling: tier.maxStsTtl, declaredRoleArns, isAgentRole };
        add(agent.name, identity.kind, checkSecretRole(secret, context));
        add(agent.name, identity.kind, toolSessionProblems(plan, agent, identity, secret));
      }
    }
  }
  findings.push(...checkUniqueVaultPaths(plan));
  // A platform problem, reported on each agent that has a Vault role (`*`: every identity).
  const mountProblems = checkVaultMounts(plan.platform.vault, plan.platform.clusters);
  if (mountProblems.length) for (const agent of plan.agents) findings.push(...attribute(agent.name, null, mountProblems));
  return findings;
});

/** vault/tool-session-tags in the plan: a secret role minting a tool session names the tool role and sets that tool's five tags. */
function toolSessionProblems(plan: FleetPlan, agent: AgentPlan, identity: IdentityPlan, secret: SecretRolePlan): Problem[] {
  if (secret.type !== "aws") return [];
  const toolRole = identity.toolRole;
  const onToolRole = toolRole !== null && secret.roleArns.some((arn) => arn.toLowerCase() === toolRole.arn.toLowerCase());
  // As the pack reads it: a role named like a tool role (`…-tools`), of any stack, is assumed only with session tags.
  const namedLikeTool = secret.roleArns.some(namedLikeToolRole);
  if (secret.sessionTags === null && !onToolRole && !namedLikeTool) return [];
  const tool = agent.tools.find((each) => each.name === secret.tool);
  const inTool = (problems: Problem[]) => problems.map((problem) => ({ ...problem, message: `tool ${secret.tool}: ${problem.message}` }));
  if (toolRole && tool?.kind === "aws" && (onToolRole || secret.sessionTags !== null)) {
    const tags = sessionTagsFor({ agent: agent.name, environment: plan.platform.environment }, tool);
    return inTool(checkToolSessionSecretRole(secret, { toolRoleArn: toolRole.arn, tags }));
  }
  if (secret.sessionTags === null) return inTool(checkToolSessionSecretRole(secret));
  return [
    {
      rule: "vault/tool-session-tags",
      message: `tool ${secret.tool}: its secret role sets session tags, but ${toolRole ? `${secret.tool} is not an aws tool` : "the identity has no tool role"}`,
      fix: "only an aws tool's secret role mints a tool session, on its agent's tool role (toolSessions: tagged-sessions)",
    },
  ];
}
