/**
 * How the diff classifies every field of the plan. One entry per leaf of `planSchema` (or per
 * subtree, for policy documents compared as a whole); `test/diff/classification-rules.test.ts`
 * walks the schema and fails when a leaf has no entry, so a field added to the plan cannot be
 * silently ignored: adding it means adding one line here.
 *
 * `dedicated` leaves are compared by the diff's own comparators (IAM entries, Vault paths, TTLs…);
 * every other rule is applied by `generic-changes.ts` exactly as written here.
 * Paths: `.key` for object fields, `[]` for list elements, `{}` for map values; a `{key}` entry
 * overrides `{}` for one map key.
 */
import { DATA_CLASSES } from "../core/tiers";
import type { ChangeKind } from "./types";

export type Comparison =
  /** Compared by a dedicated comparator of the diff (`by` names it). */
  | { readonly how: "dedicated"; readonly by: string; readonly widens: string; readonly narrows: string }
  /** Any change widens: a different value cannot be proved narrower. */
  | { readonly how: "any-change-widens"; readonly why: string }
  /** Later in `order` widens, earlier narrows; a missing value counts as `absent`'s place. */
  | { readonly how: "ranked"; readonly order: readonly string[]; readonly absent?: "widest"; readonly why: string }
  /** Numbers (seconds, or duration text for limits): larger widens; missing = no limit (widest). */
  | { readonly how: "larger-widens"; readonly absent?: "widest"; readonly why: string }
  /** A requirement: true → false (or missing) widens. */
  | { readonly how: "requirement"; readonly why: string }
  /** Lists compared as sets (order never matters; resources by pattern, labels ignored): a member gained widens, only losses narrow. */
  | { readonly how: "gain-widens"; readonly why: string }
  /** A restriction: added (from absent) narrows; removed or replaced widens. */
  | { readonly how: "added-narrows"; readonly why: string }
  /** A floor (days kept): smaller widens, larger is neutral. */
  | { readonly how: "smaller-widens"; readonly why: string }
  /** Reported, never widens or narrows. */
  | { readonly how: "neutral"; readonly why: string }
  /** Follows other fields that are compared; a difference is reported once per agent, as neutral. */
  | { readonly how: "derived"; readonly from: string };

export interface ClassificationRule {
  readonly compare: Comparison;
  /** Change kind of a generic change. @default "attribute-changed" */
  readonly kind?: ChangeKind;
  /** Applies to every leaf under this path (policy documents, exceptions). */
  readonly subtree?: true;
}

const dedicated = (by: string, widens: string, narrows: string, subtree?: true): ClassificationRule => ({
  compare: { how: "dedicated", by, widens, narrows },
  ...(subtree ? { subtree } : {}),
});
const neutral = (why: string): ClassificationRule => ({ compare: { how: "neutral", why } });
const derived = (from: string): ClassificationRule => ({ compare: { how: "derived", from } });
const widensOnChange = (why: string, kind?: ChangeKind): ClassificationRule => ({ compare: { how: "any-change-widens", why }, ...(kind ? { kind } : {}) });
const limitDuration = (why: string): ClassificationRule => ({ compare: { how: "larger-widens", absent: "widest", why }, kind: "limit-changed" });
const requirement = (why: string, kind: ChangeKind): ClassificationRule => ({ compare: { how: "requirement", why }, kind });

const IAM = "IAM entries (action × resource × conditions), by containment";
const TTL = "TTL comparison";
const A = "agents[]";
const I = `${A}.identities[]`;
const SA = `${I}.serviceAccount`;
const ROLE = `${I}.iamRole`;
const TOOLS = `${I}.toolRole`;
const VR = `${I}.vault.role`;
const SR = `${I}.vault.secretRoles[]`;

export const CLASSIFICATION_RULES: Readonly<Record<string, ClassificationRule>> = {
  version: neutral("checked before reading: a plan of another version is refused"),
  stack: neutral("the stack compared (shown in the header)"),
  bootstrap: { compare: { how: "derived", from: "platform.bootstrap and the agents' database tools (compared there)" }, subtree: true },

  // ------------------------------------------------------------------ platform
  "platform.environment": widensOnChange("part of every name: moves every resource", "platform-changed"),
  "platform.namePrefix": widensOnChange("part of every name: moves every resource", "platform-changed"),
  "platform.aws.accountId": widensOnChange("another AWS account", "platform-changed"),
  "platform.aws.partition": widensOnChange("another AWS partition", "platform-changed"),
  "platform.aws.region": widensOnChange("another default region for every grant", "platform-changed"),
  "platform.aws.oidcProviderArn": widensOnChange("another cluster's tokens are trusted", "platform-changed"),
  "platform.aws.permissionsBoundaryArn": {
    compare: { how: "added-narrows", why: "a permissions boundary caps every role: adding one narrows" },
    kind: "platform-changed",
  },
  "platform.clusters": {
    compare: {
      how: "any-change-widens",
      why: "another cluster, binding, OIDC provider, EKS cluster or Vault auth mount: other pods may assume roles or log in",
    },
    kind: "platform-changed",
    subtree: true,
  },
  "platform.bootstrap": {
    compare: {
      how: "any-change-widens",
      why: "what AgentPlatform creates (auth backends, mounts, connections, audit device, egress, quotas) cannot be proved narrower",
    },
    kind: "platform-changed",
    subtree: true,
  },
  "platform.kubernetes.namespacePerAgent": requirement("agents share a namespace when false", "platform-changed"),
  "platform.kubernetes.namespace": neutral("the shared namespace's name; bindings that follow it are compared per identity"),
  "platform.vault.kubernetesAuthPath": widensOnChange("another Kubernetes auth mount: another cluster's ServiceAccounts log in", "platform-changed"),
  "platform.vault.kvMount": widensOnChange("another KV mount", "platform-changed"),
  "platform.vault.databaseMount": widensOnChange("another database secrets mount", "platform-changed"),
  "platform.vault.awsMount": widensOnChange("another AWS secrets mount", "platform-changed"),
  "platform.vault.audience": widensOnChange("another token audience", "platform-changed"),
  "platform.vault.version": neutral("which optional Vault fields are written (alias metadata); grants are compared where they are"),
  "platform.vault.databaseConnections[]": dedicated(
    "database connections, paired by name",
    "a connection added, its plugin changed (another database engine), or a schema added",
    "a connection removed, or a schema removed",
    true,
  ),
  "platform.toolSessions": {
    compare: {
      how: "ranked",
      order: ["tagged-sessions", "role"],
      why: "tagged-sessions binds each AWS grant to one tool's Vault-minted session; role lets any execution credential act for every tool",
    },
    kind: "platform-changed",
  },
  "platform.vault.awsEngineRoleArn": widensOnChange("the principal every tool role trusts to mint its sessions", "platform-changed"),
  "platform.vault.address": widensOnChange("another Vault for `check --all`: the stack's names are judged against that Vault's stacks", "platform-changed"),
  "platform.vault.edition": neutral("which optional Vault fields are written (alias metadata); grants are compared where they are"),
  "platform.limits.tokenTtl": limitDuration("Vault token TTL ceiling"),
  "platform.limits.tokenMaxTtl": limitDuration("Vault token max TTL ceiling"),
  "platform.limits.maxStsTtl": limitDuration("STS credential TTL ceiling"),
  "platform.limits.maxSessionDuration": limitDuration("IAM session ceiling"),
  "platform.limits.requirePermissionsBoundary": requirement("boundary required for every tier", "limit-changed"),
  "platform.limits.requireApproval": requirement("approval required for every tier", "limit-changed"),
  "platform.limits.maxDataClass": {
    compare: { how: "ranked", order: DATA_CLASSES, absent: "widest", why: "highest data class any agent may declare" },
    kind: "limit-changed",
  },
  "platform.ownableRoots[]": {
    compare: { how: "gain-widens", why: "where agents may own things: a root added lets agents claim more names; a root removed narrows" },
    kind: "platform-changed",
  },
  "platform.models[]": {
    compare: { how: "gain-widens", why: "account-local Bedrock models agents may invoke: one added widens, one removed narrows" },
    kind: "platform-changed",
  },
  "platform.shared": {
    compare: { how: "gain-widens", why: "platform shares: who may read or write a resource, or use a database connection, besides its owner" },
    subtree: true,
  },
  "platform.exceptions[]": dedicated(
    "exception comparison",
    "an exception added, expiring later, or broadened (to all identities)",
    "an exception removed or expiring earlier",
    true,
  ),

  // ------------------------------------------------------------------ agent
  [`${A}.name`]: dedicated("agent matching", "agent added", "agent removed (a likely rename is noted)"),
  [`${A}.owner`]: dedicated("agent fields", "never (neutral)", "never (neutral)"),
  [`${A}.sponsor`]: dedicated("agent fields", "never (neutral)", "never (neutral)"),
  [`${A}.tier`]: dedicated("agent fields", "looser tier (high-risk → assistant → batch)", "stricter tier"),
  [`${A}.expires`]: dedicated("agent fields", "later expiry", "earlier expiry"),
  [`${A}.maxDataClass`]: dedicated("agent fields", "higher data class", "lower data class"),
  [`${A}.approval.ticket`]: dedicated("agent fields", "never (neutral)", "never (neutral)"),
  [`${A}.approval.approvedBy`]: dedicated("agent fields", "never (neutral)", "never (neutral)"),
  [`${A}.namespace.name`]: dedicated("agent fields", "never (neutral; bindings that follow it are compared)", "never"),
  [`${A}.namespace.create`]: requirement("the agent has a namespace of its own", "namespace-changed"),
  [`${A}.namespace.labels{}`]: derived("agent name, owner, tier"),
  [`${A}.namespace.labels{pod-security.kubernetes.io/enforce}`]: widensOnChange("Pod Security level of the namespace", "namespace-changed"),
  [`${A}.namespace.guards`]: {
    compare: { how: "any-change-widens", why: "the namespace's NetworkPolicy egress and quota" },
    kind: "namespace-changed",
    subtree: true,
  },
  [`${A}.auditLogGroup.name`]: derived("agent name and platform"),
  [`${A}.auditLogGroup.arn`]: derived("agent name and platform"),
  [`${A}.auditLogGroup.retentionDays`]: dedicated("agent fields", "shorter (the trail of what the agent did is deleted sooner)", "never (longer is neutral)"),
  [`${A}.auditLogGroup.deletionProtection`]: requirement("the audit log group cannot be deleted", "audit-retention-changed"),
  [`${A}.models[]`]: derived("the orchestration identity's IAM statement (compared there)"),
  [`${A}.tools[].name`]: derived("the grants each tool adds (compared per identity)"),
  [`${A}.tools[].kind`]: derived("the grants each tool adds (compared per identity)"),
  [`${A}.owns[]`]: { compare: { how: "gain-widens", why: "resources the agent alone owns (what its grants may reach)" } },
  [`${A}.tools[].statementSids[]`]: derived("the grants each tool adds (compared per identity)"),
  [`${A}.tools[].connection`]: widensOnChange("the database connection a tool's credentials are for"),
  [`${A}.tools[].kvPath`]: widensOnChange("the Vault KV path a tool's secrets are read from"),
  [`${A}.tools[].dataClass`]: dedicated(
    "tool classes by content (tool-classes.ts): each grant's class is that of the tools granting it, whatever they are named",
    "a grant now held by a tool of a higher class (a tool renamed while raised, a grant moved into a confidential tool, a new tool above every class the agent had)",
    "every grant at the same or a lower class, one lower",
  ),
  [`${A}.revoked.at`]: dedicated(
    "revocation",
    "revocation lifted, or an earlier instant (denies fewer sessions)",
    "revoked, or a later instant; the same instant written differently is no change",
  ),
  [`${A}.revoked.reason`]: dedicated("revocation", "never (neutral)", "never (neutral)"),
  [`${A}.revoked.onExpiry`]: neutral("how the revocation came about (declared, or the agent expired); the revocation itself is compared by revoked.at"),
  [`${A}.revoked.leaseRevokeCommands[]`]: derived("the secret roles of the revoked agent"),

  // ------------------------------------------------------------------ identity
  [`${I}.kind`]: dedicated("identity matching", "identity added", "identity removed"),
  [`${SA}.namespace`]: dedicated("ServiceAccount", "never (neutral; trust and Vault bindings follow)", "never"),
  [`${SA}.name`]: dedicated("ServiceAccount", "never (neutral; trust and Vault bindings follow)", "never"),
  [`${SA}.automountServiceAccountToken`]: widensOnChange("token mounted into every pod"),
  [`${SA}.labels{}`]: derived("agent name, identity, owner, tier"),
  [`${SA}.annotations{}`]: derived("IAM role ARN, sponsor, expiry, revocation"),
  [`${SA}.annotations{eks.amazonaws.com/token-expiration}`]: {
    compare: { how: "larger-widens", why: "lifetime of the projected IRSA token" },
    kind: "ttl-changed",
  },
  [`${ROLE}.name`]: dedicated("IAM role", "never (neutral: a rename replaces the role)", "never"),
  [`${ROLE}.arn`]: dedicated("IAM role", "never (neutral: a rename replaces the role)", "never"),
  [`${ROLE}.trustPolicy`]: dedicated(IAM, "a statement added, a principal or condition loosened", "Allow turned Deny, a condition added", true),
  [`${ROLE}.policies[].name`]: neutral("inline policy name; statements are compared whatever policy holds them"),
  [`${ROLE}.policies[].document`]: dedicated(
    IAM,
    "an action, resource or condition admits more (a grant already covered by another of the same identity is neutral); a Deny covers less",
    "the reverse",
    true,
  ),
  [`${ROLE}.maxSessionDuration`]: dedicated(TTL, "longer", "shorter"),
  [`${ROLE}.permissionsBoundary`]: dedicated("permissions boundary", "removed or replaced", "added"),
  [`${ROLE}.tags{}`]: derived("agent fields (owner, sponsor, tier, expiry, revocation)"),
  [`${TOOLS}.name`]: derived("agent name and platform (the tool role's ARN is compared in the secret roles that assume it)"),
  [`${TOOLS}.arn`]: derived("agent name and platform (the tool role's ARN is compared in the secret roles that assume it)"),
  [`${TOOLS}.trustPolicy`]: dedicated(
    IAM + " (with the identity's own trust)",
    "a statement added (the Vault engine may mint sessions), a tag condition loosened",
    "Allow turned Deny, a condition added",
    true,
  ),
  [`${TOOLS}.policies[].name`]: neutral("inline policy name; statements are compared whatever role holds them"),
  [`${TOOLS}.policies[].document`]: dedicated(
    IAM + " (with the identity's own grants: moving a grant onto the tool role adds its session-tag conditions, so it narrows)",
    "an action, resource or condition admits more; a tool's session-tag condition removed",
    "the reverse",
    true,
  ),
  [`${TOOLS}.maxSessionDuration`]: { compare: { how: "larger-widens", why: "longest session Vault may mint on the tool role" }, kind: "ttl-changed" },
  [`${TOOLS}.permissionsBoundary`]: widensOnChange("removing or replacing the tool role's boundary cannot be proved narrower", "trust-changed"),
  [`${TOOLS}.tags{}`]: derived("agent fields (owner, sponsor, tier, expiry, revocation)"),
  [`${VR}.name`]: dedicated("Vault role", "never (neutral: a rename replaces the role)", "never"),
  [`${VR}.backend`]: widensOnChange("another Kubernetes auth mount: another cluster's ServiceAccounts log in", "vault-binding-changed"),
  [`${VR}.boundServiceAccountNames[]`]: dedicated("Vault binding", "a name gained", "names only lost"),
  [`${VR}.boundServiceAccountNamespaces[]`]: dedicated("Vault binding", "a namespace gained", "namespaces only lost"),
  [`${VR}.audience`]: dedicated("Vault binding", "any change", "never"),
  [`${VR}.tokenTtl`]: dedicated(TTL, "longer", "shorter"),
  [`${VR}.tokenMaxTtl`]: dedicated(TTL, "longer", "shorter"),
  [`${VR}.tokenPolicies[]`]: dedicated("Vault binding", "a policy gained", "policies only lost"),
  [`${VR}.tokenNoDefaultPolicy`]: widensOnChange("the default policy is attached to tokens", "vault-binding-changed"),
  [`${VR}.aliasNameSource`]: widensOnChange("how Vault identities are keyed", "vault-binding-changed"),
  [`${VR}.aliasMetadata{}`]: derived("agent fields (owner, sponsor, tier, expiry)"),
  [`${I}.bindings`]: {
    compare: { how: "gain-widens", why: "the clusters and bindings (IRSA, Pod Identity association) through which the role is assumed" },
    kind: "trust-changed",
    subtree: true,
  },
  [`${I}.vault.additionalRoles`]: {
    compare: { how: "gain-widens", why: "the identity's Vault roles in further clusters' auth mounts" },
    kind: "vault-binding-changed",
    subtree: true,
  },
  [`${I}.vault.policy.name`]: dedicated("Vault policy", "never", "policy deleted (tokens lose its paths at once)"),
  [`${I}.vault.policy.paths[]`]: dedicated(
    "Vault paths (capability × path), by containment",
    "a path or capability added or widened (`+`, trailing `*`)",
    "removed or narrowed",
    true,
  ),
  [`${SR}.type`]: dedicated("secret roles", "any change", "never"),
  [`${SR}.tool`]: derived("the tool's name"),
  [`${SR}.name`]: dedicated("secret roles", "a role added", "a role removed"),
  [`${SR}.backend`]: widensOnChange("another secrets mount", "secret-role-changed"),
  [`${SR}.credentialsPath`]: derived("mount and role name; the path read is compared as a Vault path"),
  [`${SR}.dbName`]: dedicated("secret roles", "any change (another database connection)", "never"),
  [`${SR}.creationStatements[]`]: dedicated(
    "parsed SQL (PostgreSQL grammar): what the role gets",
    "another grant, attribute or membership, or SQL outside the allowlist",
    "only grants taken away",
  ),
  [`${SR}.revocationStatements[]`]: dedicated(
    "parsed SQL (PostgreSQL grammar): how surely the user ends",
    "removed, a no-op, or no longer drops the role, drops what it owns or ends its sessions",
    "now drops the user, or does more of those",
  ),
  [`${SR}.defaultTtl`]: dedicated(TTL, "longer", "shorter"),
  [`${SR}.maxTtl`]: dedicated(TTL, "longer", "shorter"),
  [`${SR}.credentialType`]: widensOnChange("another AWS credential type", "secret-role-changed"),
  [`${SR}.roleArns[]`]: dedicated("secret roles", "a role ARN gained", "role ARNs only lost"),
  [`${SR}.sessionTags{}`]: widensOnChange("the session tags Vault sets: which tool's statements the credentials satisfy", "secret-role-changed"),
  [`${SR}.externalId`]: {
    compare: { how: "added-narrows", why: "the external id the tool role's trust requires: adding one adds a condition" },
    kind: "secret-role-changed",
  },
  [`${SR}.defaultStsTtl`]: dedicated(TTL, "longer", "shorter"),
  [`${SR}.maxStsTtl`]: dedicated(TTL, "longer", "shorter"),
  [`${I}.sessionNamePrefix`]: derived("the trust policy's `sts:RoleSessionName` condition (compared there)"),
};

/** The rule for a leaf: its own entry, else a `{key}` entry's `{}` form, else the nearest subtree entry. */
export function ruleFor(path: string): ClassificationRule | undefined {
  const own = CLASSIFICATION_RULES[path];
  if (own) return own;
  for (let end = path.length; end > 0; end--) {
    const c = path[end];
    if (end < path.length && c !== "." && c !== "[" && c !== "{") continue;
    const rule = CLASSIFICATION_RULES[path.slice(0, end)];
    if (rule?.subtree) return rule;
  }
  return undefined;
}

// ------------------------------------------------------------------ the schema's leaves

interface ZodNode {
  readonly _zod: { readonly def: Record<string, unknown> & { readonly type: string } };
}

type NodeKind = "object" | "array" | "record" | "leaf";

/** Visit every node of a zod schema by path (objects, lists, maps, unions, optional and nullable walked through). */
function walkSchema(schema: unknown, path: string, visit: (path: string, kind: NodeKind) => void): void {
  const def = (schema as ZodNode)._zod.def;
  switch (def.type) {
    case "object":
      visit(path, "object");
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) walkSchema(child, path ? `${path}.${key}` : key, visit);
      break;
    case "array":
      visit(path, "array");
      walkSchema(def.element, `${path}[]`, visit);
      break;
    case "record":
      visit(path, "record");
      walkSchema(def.valueType, `${path}{}`, visit);
      break;
    case "union":
      for (const option of def.options as unknown[]) walkSchema(option, path, visit);
      break;
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
    case "nonoptional":
      walkSchema(def.innerType, path, visit);
      break;
    case "pipe":
      walkSchema(def.in, path, visit);
      break;
    default:
      visit(path, "leaf");
  }
}

/** Every leaf path of a zod schema. */
export function schemaLeaves(schema: unknown): Set<string> {
  const out = new Set<string>();
  walkSchema(schema, "", (path, kind) => kind === "leaf" && out.add(path));
  return out;
}

/** Kinds of the schema's inner nodes, by path: how `generic-changes.ts` walks a value. */
export function schemaShape(schema: unknown): Map<string, Exclude<NodeKind, "leaf">> {
  const out = new Map<string, Exclude<NodeKind, "leaf">>();
  walkSchema(schema, "", (path, kind) => kind !== "leaf" && out.set(path, kind));
  return out;
}

function comparisonText(rule: ClassificationRule): [string, string, string] {
  const c = rule.compare;
  switch (c.how) {
    case "dedicated":
      return [c.by, c.widens, c.narrows];
    case "any-change-widens":
      return [c.why, "any change", "never"];
    case "ranked":
      return [c.why, `raised (${c.order.join(" < ")})${c.absent ? "; removed" : ""}`, "lowered"];
    case "larger-widens":
      return [c.why, `longer${c.absent ? "; removed (no limit)" : ""}`, "shorter"];
    case "requirement":
      return [c.why, "true → false or removed", "false → true"];
    case "gain-widens":
      return [c.why, "a member gained (compared as a set; resources by pattern; names ignored)", "members only lost"];
    case "added-narrows":
      return [c.why, "removed or replaced", "added"];
    case "smaller-widens":
      return [c.why, "smaller", "never (larger is neutral)"];
    case "neutral":
      return [c.why, "never (neutral)", "never"];
    case "derived":
      return [`follows ${c.from}`, "never (one neutral line per agent)", "never"];
  }
}

/** The README table (between the classification markers), generated from the rules above. */
export function renderClassificationTable(): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const rows = Object.entries(CLASSIFICATION_RULES).map(([path, rule]) => {
    const [how, widens, narrows] = comparisonText(rule);
    return `| \`${path}${rule.subtree ? "…" : ""}\` | ${cell(how)} | ${cell(widens)} | ${cell(narrows)} |`;
  });
  return ["| plan field | compared by | widens when | narrows when |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
