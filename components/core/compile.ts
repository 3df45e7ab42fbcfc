/**
 * Declaration → identity plan. Pure functions, no Pulumi, no I/O: the components, the CLI,
 * the rules and the policy pack all read what these return.
 */
import { policyDocument, sid, type PolicyDocument, type PolicyStatement } from "./iam-document";
import {
  IDENTITY_KINDS,
  auditLogGroupName,
  iamRoleArn,
  iamRoleName,
  logGroupArn,
  namespaceName,
  oidcIssuer,
  serviceAccountName,
  sessionNamePrefix,
  toolRoleName,
  vaultPolicyName,
  vaultRoleName,
  vaultSecretRoleName,
  type IdentityKind,
} from "./names";
import { parseDuration } from "./durations";
import { globalInferenceProfile, globalServiceRegion } from "./global-services";
import { vaultSupports } from "./vault-features";
import { effectiveTierPolicy, type OrganisationLimits, type TierPolicy } from "./tiers";
import { TOKEN_SELF_PATHS } from "./vault-policy";
import { POD_IDENTITY_ACTIONS, POD_IDENTITY_PRINCIPAL, POD_IDENTITY_TAGS, SOURCE_ACCOUNT, agentClusters, type EffectiveCluster } from "./clusters";
import { compileBootstrap, namespaceGuards } from "./bootstrap";
import { revokedWhenExpired } from "./expiry";
import { bindToToolSession, sessionTagsFor, toolRoleTrust, TOOL_ROLE_TAG } from "./tool-sessions";
import { DEFAULT_TOOL_SESSION_TTL, vaultAwsEnginePrincipal } from "./tool-session-schema";
import { shellCommand, shellComment } from "./grammar/shell-command";
import type {
  AgentPlan,
  ClusterBindingPlan,
  VaultRolePlan,
  FleetPlan,
  IamRolePlan,
  IdentityPlan,
  NamedPolicy,
  SecretRolePlan,
  ToolKind,
  VaultPathRule,
} from "./plan-types";
import { PLAN_VERSION } from "./plan-types";
import type { AgentDeclaration, AwsStatementDeclaration, Declaration, Limits, Platform, ToolDeclaration } from "./schema";

export const MANAGED_BY = "pulumi-agent-identity";
/** Audience IRSA tokens carry (the EKS Pod Identity Webhook's default). */
export const IRSA_AUDIENCE = "sts.amazonaws.com";
export const LABEL_PREFIX = "agent-identity.io";

/** ServiceAccount annotation listing the agent's `owns` (JSON), read back by the policy pack. */
export const OWNS_ANNOTATION = `${LABEL_PREFIX}/owns`;
/**
 * ServiceAccount annotation listing the Kubernetes auth mounts the identity has a Vault role in (one
 * per cluster, comma-separated): the policy pack accepts one role per listed mount and no other.
 */
export const VAULT_AUTH_ANNOTATION = `${LABEL_PREFIX}/vault-auth-mounts`;
/** ServiceAccount annotation holding the identity's IAM role as planned (role-plan.ts), compared by the policy pack with the role the stack creates. */
export const ROLE_PLAN_ANNOTATION = `${LABEL_PREFIX}/role-plan`;
/** ServiceAccount annotation holding the identity's Vault resources as planned (vault-plan.ts), compared by the policy pack with the Vault resources the stack creates. */
export const VAULT_PLAN_ANNOTATION = `${LABEL_PREFIX}/vault-plan`;

/** Organisation limits as seconds, for the tier policy. */
export function organisationLimits(limits: Limits | undefined): OrganisationLimits {
  if (!limits) return {};
  const seconds = (value: string | undefined) => (value === undefined ? undefined : parseDuration(value));
  return {
    tokenTtl: seconds(limits.tokenTtl),
    tokenMaxTtl: seconds(limits.tokenMaxTtl),
    maxStsTtl: seconds(limits.maxStsTtl),
    maxSessionDuration: seconds(limits.maxSessionDuration),
    requirePermissionsBoundary: limits.requirePermissionsBoundary,
    requireApproval: limits.requireApproval,
    maxDataClass: limits.maxDataClass,
  };
}

export function tierPolicyFor(platform: Platform, agent: Pick<AgentDeclaration, "tier">): TierPolicy {
  return effectiveTierPolicy(agent.tier, organisationLimits(platform.limits));
}

export function toolKind(tool: ToolDeclaration): ToolKind {
  if (tool.aws) return "aws";
  if (tool.database) return "database";
  if (tool.kv) return "kv";
  return "vaultAws";
}

/** AWS date conditions take ISO 8601 in UTC; normalise offsets and drop milliseconds. */
export function awsTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function regionCondition(regions: readonly string[]): PolicyStatement["Condition"] {
  return { StringEquals: { "aws:RequestedRegion": regions.length === 1 ? regions[0] : [...regions] } };
}

// ---------------------------------------------------------------- IAM documents per identity

function orchestrationStatements(platform: Platform, agent: AgentDeclaration): PolicyStatement[] {
  if (agent.orchestration.models.length === 0) return [];
  const statements: PolicyStatement[] = [
    {
      Sid: "InvokeDeclaredModels",
      Effect: "Allow",
      Action: [...INVOKE_ACTIONS],
      Resource: [...agent.orchestration.models],
      Condition: regionCondition(agent.orchestration.regions ?? [platform.aws.region]),
    },
  ];
  agent.orchestration.models.forEach((model, index) => statements.push(...globalProfileStatements(model, index)));
  return statements;
}

const INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;

/**
 * A global cross-Region inference profile (`inference-profile/global.<model>`) routes to any
 * commercial region. AWS documents three grants for it (Amazon Bedrock user guide, "Global
 * cross-Region inference", IAM policy requirements): the profile in the source region (the
 * statement above), the foundation model in the source region, and the region-less foundation
 * model `arn:aws:bedrock:::foundation-model/<model>`, for which `aws:RequestedRegion` is the
 * literal `unspecified`. Both model grants hold only through that one profile
 * (`bedrock:InferenceProfileArn`), exactly as documented and no wider.
 */
function globalProfileStatements(model: string, index: number): PolicyStatement[] {
  const profile = globalInferenceProfile(model);
  if (!profile) return [];
  const base = `arn:${profile.partition}:bedrock`;
  return [
    {
      Sid: sid("GlobalProfile", String(index), "SourceRegionModel"),
      Effect: "Allow",
      Action: [...INVOKE_ACTIONS],
      Resource: [`${base}:${profile.region}::foundation-model/${profile.modelId}`],
      Condition: { StringEquals: { "aws:RequestedRegion": profile.region, "bedrock:InferenceProfileArn": profile.arn } },
    },
    {
      Sid: sid("GlobalProfile", String(index), "GlobalModel"),
      Effect: "Allow",
      Action: [...INVOKE_ACTIONS],
      Resource: [`${base}:::foundation-model/${profile.modelId}`],
      Condition: { StringEquals: { "aws:RequestedRegion": "unspecified", "bedrock:InferenceProfileArn": profile.arn } },
    },
  ];
}

/**
 * One declared statement as IAM statements. Actions of a global service (IAM, Route 53,
 * CloudFront, ...) are bound to the region AWS evaluates them in (us-east-1 in the aws partition,
 * see global-services.ts), not to the platform or declared regions, which would deny them; they
 * go in a statement of their own so regional actions keep their own regions.
 */
export function toolStatements(
  platform: Platform,
  owns: readonly string[],
  tool: string,
  index: number,
  statement: AwsStatementDeclaration,
): PolicyStatement[] {
  const regional: string[] = [];
  const global = new Map<string, string[]>();
  for (const action of statement.actions) {
    const region = globalServiceRegion(platform.aws.partition, action);
    if (region === undefined) regional.push(action);
    else global.set(region, [...(global.get(region) ?? []), action]);
  }
  const statements: PolicyStatement[] = [];
  if (regional.length > 0) {
    const condition = regionCondition(statement.regions ?? [platform.aws.region])!;
    // S3 listings are regional: keep them to the prefixes the agent owns.
    const prefixes = ownedListPrefixes(owns, regional, statement.resources);
    if (prefixes) condition.StringLike = { "s3:prefix": prefixes.length === 1 ? prefixes[0] : prefixes };
    // S3 ARNs carry no account: without this, "owning" a bucket name reaches that bucket in any account.
    if (statement.resources.some((resource) => S3_ARN.test(resource)))
      condition.StringEquals = { ...condition.StringEquals, "s3:ResourceAccount": platform.aws.accountId };
    statements.push({
      Sid: sid("Tool", tool, String(index)),
      Effect: "Allow",
      Action: regional,
      Resource: [...statement.resources],
      Condition: condition,
    });
  }
  for (const [region, actions] of [...global.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    statements.push({
      // The first statement of a purely global declaration keeps the plain Sid.
      Sid: statements.length === 0 ? sid("Tool", tool, String(index)) : sid("Tool", tool, String(index), "Global", region),
      Effect: "Allow",
      Action: actions,
      Resource: [...statement.resources],
      Condition: regionCondition([region]),
    });
  }
  return statements;
}

const S3_ARN = /^arn:[a-z-]+:s3:::/;

/** Bucket actions whose request names a key prefix (`s3:prefix`), so a listing can be kept to owned prefixes. */
export const S3_PREFIX_LIST_ACTIONS = ["s3:listbucket", "s3:listbucketversions"] as const;
const S3_BUCKET_ARN = /^arn:[a-z-]+:s3:::([a-z0-9.-]+)$/;

/**
 * Key prefixes (`incoming/*`) the agent owns in the buckets a listing statement names, when the
 * statement only lists buckets in which the agent owns prefixes but not the whole bucket; else none.
 * The compiler adds them as an `s3:prefix` condition so a listing never shows other agents' keys.
 */
export function ownedListPrefixes(owns: readonly string[], actions: readonly string[], resources: readonly string[]): string[] | undefined {
  if (!actions.every((action) => (S3_PREFIX_LIST_ACTIONS as readonly string[]).includes(action.toLowerCase()))) return undefined;
  const prefixes: string[] = [];
  for (const resource of resources) {
    const bucket = S3_BUCKET_ARN.exec(resource)?.[1];
    if (!bucket || owns.includes(resource)) return undefined;
    const head = `${resource}/`;
    const owned = owns.filter((arn) => arn.startsWith(head) && arn.endsWith("/*") && !/[*?]/.test(arn.slice(0, -1)));
    if (owned.length === 0) return undefined;
    prefixes.push(...owned.map((arn) => arn.slice(head.length)));
  }
  return prefixes.length ? [...new Set(prefixes)] : undefined;
}

/** The statements of every aws tool. With tagged sessions they sit on the tool role, not here. */
function executionStatements(platform: Platform, agent: AgentDeclaration): PolicyStatement[] {
  if (taggedSessions(platform)) return [];
  return allToolStatements(platform, agent);
}

function allToolStatements(platform: Platform, agent: AgentDeclaration, bind = false): PolicyStatement[] {
  const context = { agent: agent.name, environment: platform.environment };
  return agent.tools.flatMap((tool) =>
    (tool.aws ?? []).flatMap((statement, index) =>
      toolStatements(platform, agent.owns, tool.name, index, statement).map((s) => (bind ? bindToToolSession(s, context, tool) : s)),
    ),
  );
}

export function taggedSessions(platform: Pick<Platform, "toolSessions">): boolean {
  return platform.toolSessions === "tagged-sessions";
}

/**
 * tagged-sessions: the agent's tool role, or null when it has no aws tool. Its statements are the
 * tools' own, each bound to its tool's session tags; its trust admits only Vault's AWS engine.
 */
function compileToolRole(platform: Platform, agent: AgentDeclaration, tier: TierPolicy, tags: Record<string, string>): IamRolePlan | null {
  const awsTools = agent.tools.filter((tool) => tool.aws);
  if (!taggedSessions(platform) || awsTools.length === 0) return null;
  const name = toolRoleName(platform, agent.name);
  const context = { agent: agent.name, environment: platform.environment };
  const trustTools = awsTools.map((tool) => ({ name: tool.name, dataClass: tool.dataClass, externalId: tool.session?.externalId }));
  const policies: NamedPolicy[] = [{ name: "agent-identity-tools", document: policyDocument(allToolStatements(platform, agent, true)) }];
  if (agent.revoked) policies.push({ name: "agent-identity-revoked", document: revocationPolicy(agent.revoked.at) });
  return {
    name,
    arn: iamRoleArn(platform, name),
    trustPolicy: toolRoleTrust(vaultAwsEnginePrincipal(platform)!, context, trustTools, agent.revoked !== undefined),
    policies,
    maxSessionDuration: tier.maxSessionDuration,
    permissionsBoundary: platform.aws.permissionsBoundaryArn ?? null,
    tags: { ...tags, [TOOL_ROLE_TAG.key]: TOOL_ROLE_TAG.value },
  };
}

/** Actions that would let a writer erase or shorten the audit record. */
export const AUDIT_TAMPER_ACTIONS = ["logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy"] as const;

export const AUDIT_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

function auditStatements(platform: Platform, agent: AgentDeclaration): PolicyStatement[] {
  const group = logGroupArn(platform, auditLogGroupName(platform, agent.name));
  return [
    {
      Sid: "WriteOwnAuditLog",
      Effect: "Allow",
      Action: [...AUDIT_WRITE_ACTIONS],
      Resource: [`${group}:log-stream:*`],
      Condition: regionCondition([platform.aws.region]),
    },
    {
      // Deny on every log group, not only our own: the audit identity never deletes or shortens logs.
      Sid: "NeverDeleteOrShortenLogs",
      Effect: "Deny",
      Action: [...AUDIT_TAMPER_ACTIONS],
      Resource: ["*"],
    },
  ];
}

const STATEMENTS_BY_KIND: Record<IdentityKind, (platform: Platform, agent: AgentDeclaration) => PolicyStatement[]> = {
  orchestration: orchestrationStatements,
  execution: executionStatements,
  audit: auditStatements,
};

/** Inline policy that ends every session issued before `at` (AWS's documented revocation). */
export function revocationPolicy(at: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "RevokeSessionsIssuedBeforeRevocation",
      Effect: "Deny",
      Action: ["*"],
      Resource: ["*"],
      Condition: { DateLessThan: { "aws:TokenIssueTime": awsTimestamp(at) } },
    },
  ]);
}

/** The IRSA statement for one cluster: its OIDC provider, `sub` pinned to the one ServiceAccount. */
function irsaStatement(cluster: EffectiveCluster, namespace: string, serviceAccount: string, sessionPrefix: string | null): PolicyStatement {
  const providerArn = cluster.oidcProviderArn!;
  const issuer = oidcIssuer(providerArn);
  const condition: NonNullable<PolicyStatement["Condition"]> = {
    StringEquals: {
      [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
      [`${issuer}:aud`]: IRSA_AUDIENCE,
    },
  };
  if (sessionPrefix) condition.StringLike = { "sts:RoleSessionName": `${sessionPrefix}*` };
  return { Effect: "Allow", Principal: { Federated: providerArn }, Action: ["sts:AssumeRoleWithWebIdentity"], Condition: condition };
}

/**
 * The EKS Pod Identity statement for one cluster: the `pods.eks.amazonaws.com` service may assume
 * the role and tag the session only with the session tags EKS sets for this ServiceAccount in this
 * cluster, for this account (`aws:SourceAccount` against a confused deputy). EKS names the session
 * itself, so `sts:RoleSessionName` cannot be pinned; CloudTrail carries the pod in the session tags.
 */
function podIdentityStatement(platform: Platform, cluster: EffectiveCluster, namespace: string, serviceAccount: string): PolicyStatement {
  return {
    Effect: "Allow",
    Principal: { Service: POD_IDENTITY_PRINCIPAL },
    Action: [...POD_IDENTITY_ACTIONS],
    Condition: {
      StringEquals: {
        [SOURCE_ACCOUNT]: platform.aws.accountId,
        [POD_IDENTITY_TAGS.clusterArn]: cluster.clusterArn!,
        [POD_IDENTITY_TAGS.namespace]: namespace,
        [POD_IDENTITY_TAGS.serviceAccount]: serviceAccount,
      },
    },
  };
}

/** One statement per cluster, each pinned to the one ServiceAccount in that one cluster. */
function trustPolicy(
  platform: Platform,
  clusters: readonly EffectiveCluster[],
  namespace: string,
  serviceAccount: string,
  sessionPrefix: string | null,
  revoked: boolean,
): PolicyDocument {
  const several = clusters.length > 1;
  return policyDocument(
    clusters.map((cluster) => {
      const statement =
        cluster.binding === "irsa"
          ? irsaStatement(cluster, namespace, serviceAccount, sessionPrefix)
          : podIdentityStatement(platform, cluster, namespace, serviceAccount);
      const base = revoked ? "RevokedNoNewSessions" : cluster.binding === "irsa" ? "IrsaOwnServiceAccountOnly" : "PodIdentityOwnServiceAccountOnly";
      // A revoked agent keeps its pinned statements but as Deny: no new session can start.
      return { Sid: several ? sid(base, cluster.name) : base, ...statement, Effect: revoked ? "Deny" : "Allow" };
    }),
  );
}

/** IRSA's ServiceAccount annotations: the role, the regional STS endpoint, short tokens. */
/**
 * A ServiceAccount's annotations, in a fixed key order (the plan's JSON shows them in it): the IRSA
 * role when every cluster binds by IRSA, sponsor and expiry, then what applies to this agent only.
 */
function serviceAccountAnnotations(agent: AgentDeclaration, clusters: readonly EffectiveCluster[], irsaRoleArn: string | null): Record<string, string> {
  const annotations: Record<string, string> = irsaRoleArn === null ? {} : irsaAnnotations(irsaRoleArn);
  annotations[`${LABEL_PREFIX}/sponsor`] = agent.sponsor;
  annotations[`${LABEL_PREFIX}/expires`] = agent.expires;
  if (agent.revoked) annotations[`${LABEL_PREFIX}/revoked-at`] = agent.revoked.at;
  // What the agent owns, so the policy pack can judge other agents' grants against it.
  if (agent.owns?.length) annotations[OWNS_ANNOTATION] = JSON.stringify(agent.owns);
  // Several clusters: one Vault role per cluster's auth mount (the pack checks exactly these).
  if (clusters.length > 1 && agent.revoked === undefined) annotations[VAULT_AUTH_ANNOTATION] = clusters.map((cluster) => cluster.vaultAuthPath).join(",");
  return annotations;
}

function irsaAnnotations(roleArn: string): Record<string, string> {
  return {
    "eks.amazonaws.com/role-arn": roleArn,
    "eks.amazonaws.com/sts-regional-endpoints": "true",
    "eks.amazonaws.com/token-expiration": "3600",
  };
}

/**
 * Where every cluster uses IRSA the annotations sit on the ServiceAccount itself (the single-cluster
 * form, unchanged). Where bindings mix, only IRSA clusters get them: in a Pod Identity cluster the
 * role-arn annotation would make the webhook inject a web-identity token that no trust accepts.
 */
function bindingsFor(
  clusters: readonly EffectiveCluster[],
  namespace: string,
  serviceAccount: string,
  roleArn: string,
  allIrsa: boolean,
): ClusterBindingPlan[] {
  return clusters.map((cluster) => ({
    cluster: cluster.name,
    binding: cluster.binding,
    serviceAccountAnnotations: cluster.binding === "irsa" && !allIrsa ? irsaAnnotations(roleArn) : {},
    podIdentityAssociation:
      cluster.binding === "pod-identity"
        ? { clusterName: cluster.clusterName!, region: cluster.region, namespace, serviceAccount, roleArn, disableSessionTags: false }
        : null,
  }));
}

// ---------------------------------------------------------------- Vault

function secretRoles(platform: Platform, agent: AgentDeclaration, tier: TierPolicy): SecretRolePlan[] {
  const roles: SecretRolePlan[] = [];
  const context = { agent: agent.name, environment: platform.environment };
  // An AWS secret role: a vaultAws tool's (the role it names) or a tagged tool session's (the tool role).
  const awsSecretRole = (
    tool: string,
    name: string,
    roleArn: string,
    ttl: string,
    sessionTags: Record<string, string> | null,
    externalId: string | null,
  ): SecretRolePlan => ({
    type: "aws",
    tool,
    name,
    backend: platform.vault.awsMount,
    credentialsPath: `${platform.vault.awsMount}/sts/${name}`,
    credentialType: "assumed_role",
    roleArns: [roleArn],
    sessionTags,
    externalId,
    defaultStsTtl: parseDuration(ttl),
    maxStsTtl: tier.maxStsTtl,
  });
  for (const tool of agent.tools) {
    const name = vaultSecretRoleName(platform, agent.name, tool.name);
    if (tool.aws && taggedSessions(platform)) {
      // The tool's own session: Vault sets the tags from this role, never from the caller.
      const ttl = tool.session?.ttl ?? DEFAULT_TOOL_SESSION_TTL;
      roles.push(
        awsSecretRole(
          tool.name,
          name,
          iamRoleArn(platform, toolRoleName(platform, agent.name)),
          ttl,
          sessionTagsFor(context, tool),
          tool.session?.externalId ?? null,
        ),
      );
    } else if (tool.database) {
      roles.push({
        type: "database",
        tool: tool.name,
        name,
        backend: platform.vault.databaseMount,
        credentialsPath: `${platform.vault.databaseMount}/creds/${name}`,
        dbName: tool.database.connection,
        creationStatements: [...tool.database.creationStatements],
        revocationStatements: [...(tool.database.revocationStatements ?? [])],
        defaultTtl: parseDuration(tool.database.ttl),
        maxTtl: tier.tokenMaxTtl,
      });
    } else if (tool.vaultAws) {
      roles.push(awsSecretRole(tool.name, name, tool.vaultAws.roleArn, tool.vaultAws.ttl, null, null));
    }
  }
  return roles;
}

/** KV v2 reads go through `<mount>/data/`; each agent owns `agents/<env>/<agent>/`. */
export function kvDataPath(platform: Platform, agent: string, path: string): string {
  return `${platform.vault.kvMount}/data/agents/${platform.environment}/${agent}/${path}`;
}

function vaultPaths(platform: Platform, agent: AgentDeclaration, kind: IdentityKind, roles: readonly SecretRolePlan[]): VaultPathRule[] {
  if (kind !== "execution") return [...TOKEN_SELF_PATHS];
  const toolPaths: VaultPathRule[] = [
    ...roles.map((role) => ({ path: role.credentialsPath, capabilities: ["read"] })),
    ...agent.tools.flatMap((tool) => (tool.kv ? [{ path: kvDataPath(platform, agent.name, tool.kv.path), capabilities: ["read"] }] : [])),
  ];
  return [...TOKEN_SELF_PATHS, ...toolPaths];
}

// ---------------------------------------------------------------- identities and agents

function compileIdentity(platform: Platform, agent: AgentDeclaration, kind: IdentityKind, namespace: string, tier: TierPolicy): IdentityPlan {
  const saName = serviceAccountName(agent.name, kind);
  const roleName = iamRoleName(platform, agent.name, kind);
  const roleArn = iamRoleArn(platform, roleName);
  const revoked = agent.revoked !== undefined;
  const clusters = agentClusters(platform, agent);
  const allIrsa = clusters.every((cluster) => cluster.binding === "irsa");
  const sessionPrefix = tier.requiresTraceableSessions ? sessionNamePrefix(agent.name, kind) : null;

  const policies: NamedPolicy[] = [];
  const statements = STATEMENTS_BY_KIND[kind](platform, agent);
  if (statements.length > 0) policies.push({ name: `agent-identity-${kind}`, document: policyDocument(statements) });
  if (agent.revoked) policies.push({ name: "agent-identity-revoked", document: revocationPolicy(agent.revoked.at) });

  const roles = kind === "execution" && !revoked ? secretRoles(platform, agent, tier) : [];
  const policyName = vaultPolicyName(platform, agent.name, kind);
  const ownership = { agent: agent.name, identity: kind, owner: agent.owner, sponsor: agent.sponsor, tier: agent.tier, expires: agent.expires };
  // Built key by key rather than by spreading conditional literals: this runs three times per agent,
  // and the spreads' throwaway objects were a visible share of a large fleet's compile time.
  const roleTags: Record<string, string> = {
    agent: ownership.agent,
    identity: ownership.identity,
    owner: ownership.owner,
    sponsor: ownership.sponsor,
    tier: ownership.tier,
    expires: ownership.expires,
    environment: platform.environment,
    "data-class": agent.maxDataClass,
    "managed-by": MANAGED_BY,
  };
  if (agent.revoked) roleTags["revoked-at"] = awsTimestamp(agent.revoked.at);
  const vaultRole = (backend: string): VaultRolePlan => ({
    name: vaultRoleName(platform, agent.name, kind),
    backend,
    boundServiceAccountNames: [saName],
    boundServiceAccountNamespaces: [namespace],
    audience: platform.vault.audience,
    tokenTtl: tier.tokenTtl,
    tokenMaxTtl: tier.tokenMaxTtl,
    tokenPolicies: [policyName],
    tokenNoDefaultPolicy: true,
    aliasNameSource: "serviceaccount_uid",
    // Only where the declared Vault stores it; elsewhere it would show as a change forever.
    aliasMetadata: vaultSupports(platform.vault, "aliasMetadata") ? ownership : null,
  });

  const iamRole: IamRolePlan = {
    name: roleName,
    arn: roleArn,
    trustPolicy: trustPolicy(platform, clusters, namespace, saName, sessionPrefix, revoked),
    policies,
    maxSessionDuration: tier.maxSessionDuration,
    permissionsBoundary: platform.aws.permissionsBoundaryArn ?? null,
    tags: roleTags,
  };

  return {
    kind,
    serviceAccount: {
      namespace,
      name: saName,
      automountServiceAccountToken: false,
      labels: {
        "app.kubernetes.io/name": agent.name,
        "app.kubernetes.io/component": kind,
        "app.kubernetes.io/part-of": "agent-identity",
        "app.kubernetes.io/managed-by": MANAGED_BY,
        [`${LABEL_PREFIX}/agent`]: agent.name,
        [`${LABEL_PREFIX}/identity`]: kind,
        [`${LABEL_PREFIX}/owner`]: agent.owner,
        [`${LABEL_PREFIX}/tier`]: agent.tier,
      },
      annotations: serviceAccountAnnotations(agent, clusters, allIrsa ? roleArn : null),
    },
    iamRole,
    toolRole: kind === "execution" ? compileToolRole(platform, agent, tier, roleTags) : null,
    bindings: bindingsFor(clusters, namespace, saName, roleArn, allIrsa),
    vault: revoked
      ? { role: null, additionalRoles: [], policy: null, secretRoles: [] }
      : {
          role: vaultRole(clusters[0].vaultAuthPath),
          // Each further cluster's own auth mount: a token from that cluster logs in only there.
          additionalRoles: clusters.slice(1).map((cluster) => vaultRole(cluster.vaultAuthPath)),
          policy: { name: policyName, paths: vaultPaths(platform, agent, kind, roles) },
          secretRoles: roles,
        },
    sessionNamePrefix: sessionPrefix,
  };
}

/**
 * AWS's "revoke active sessions" policy, stamped with the time the responder runs it: fixed shell
 * text of our own (a double-quoted word with a `$(date …)` substitution), no declared value in it.
 */
const REVOKE_OLDER_SESSIONS_DOCUMENT = `"{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":{\\"Effect\\":\\"Deny\\",\\"Action\\":\\"*\\",\\"Resource\\":\\"*\\",\\"Condition\\":{\\"DateLessThan\\":{\\"aws:TokenIssueTime\\":\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\"}}}}"`;

/** Lease-revocation commands for every dynamic secret role the agent had. */
export function leaseRevokeCommands(platform: Platform, agent: AgentDeclaration): string[] {
  const tier = tierPolicyFor(platform, agent);
  return secretRoles(platform, agent, tier).flatMap((role) => {
    // Lease ids are `<credentials path>/<id>`: the trailing slash keeps the prefix to this one role.
    // Revoking a database lease drops the database user (the revocation statements run).
    if (role.type === "database") return [shellCommand(["vault", "lease", "revoke", "-prefix", `${role.credentialsPath}/`])];
    // Vault's AWS engine does nothing when an STS lease is revoked (secretAccessKeysRevoke returns
    // early for is_sts): the credentials stay valid until AWS expires them. AWS's documented way to
    // end them is the "revoke active sessions" policy on the target role (id_roles_use_revoke-sessions).
    // Tagged sessions: this deployment puts the revocation policy on the tool role itself.
    if (role.sessionTags)
      return [
        shellComment(
          `tool ${role.tool}: its STS sessions of ${role.roleArns.join(", ")} end with the agent-identity-revoked policy this deployment puts on the tool role`,
        ),
      ];
    return role.roleArns.flatMap((arn) => [
      shellComment(
        `tool ${role.tool}: vault lease revoke does NOT end the STS credentials Vault issued for ${arn} (valid up to ${Math.round(role.maxStsTtl / 60)}m). This ends them, and EVERY other session of that role issued before now; run with credentials of account ${arn.split(":")[4]}:`,
      ),
      shellCommand(
        ["aws", "iam", "put-role-policy", "--role-name", arn.slice(arn.lastIndexOf("/") + 1), "--policy-name", "AWSRevokeOlderSessions", "--policy-document"],
        REVOKE_OLDER_SESSIONS_DOCUMENT,
      ),
    ]);
  });
}

/**
 * `now` given: an agent past its `expires` is compiled as revoked at the moment it expired
 * (`revoked.onExpiry`), unless its declaration already revokes it.
 */
export function compileAgent(platform: Platform, declared: AgentDeclaration, now?: Date): AgentPlan {
  const agent = revokedWhenExpired(declared, now);
  const onExpiry = agent !== declared;
  const tier = tierPolicyFor(platform, agent);
  const namespace = namespaceName(platform, agent.name);
  const logGroup = auditLogGroupName(platform, agent.name);
  return {
    name: agent.name,
    owner: agent.owner,
    sponsor: agent.sponsor,
    tier: agent.tier,
    expires: agent.expires,
    maxDataClass: agent.maxDataClass,
    approval: agent.approval ?? null,
    namespace: {
      name: namespace,
      create: platform.kubernetes.namespacePerAgent,
      labels: {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        [`${LABEL_PREFIX}/agent`]: agent.name,
        [`${LABEL_PREFIX}/owner`]: agent.owner,
        [`${LABEL_PREFIX}/tier`]: agent.tier,
        // Agents run as ordinary restricted workloads: no privileged pods, no host access.
        "pod-security.kubernetes.io/enforce": "restricted",
      },
      guards: namespaceGuards(platform),
    },
    auditLogGroup: {
      name: logGroup,
      arn: logGroupArn(platform, logGroup),
      retentionDays: agent.audit.logRetentionDays,
      deletionProtection: agent.audit.deletionProtection,
    },
    models: [...agent.orchestration.models],
    owns: [...agent.owns],
    tools: agent.tools.map((tool) => ({
      name: tool.name,
      kind: toolKind(tool),
      dataClass: tool.dataClass,
      ...(tool.aws
        ? { statementSids: tool.aws.flatMap((statement, index) => toolStatements(platform, agent.owns, tool.name, index, statement).map((s) => s.Sid!)) }
        : {}),
      ...(tool.database ? { connection: tool.database.connection } : {}),
      ...(tool.kv ? { kvPath: kvDataPath(platform, agent.name, tool.kv.path) } : {}),
    })),
    revoked: agent.revoked ? { at: agent.revoked.at, reason: agent.revoked.reason, onExpiry, leaseRevokeCommands: leaseRevokeCommands(platform, agent) } : null,
    identities: IDENTITY_KINDS.map((kind) => compileIdentity(platform, agent, kind, namespace, tier)),
  };
}

/**
 * Agents are sorted by name so the plan does not depend on declaration order. `now` given (the plan
 * date): expired agents are compiled as revoked, so the bootstrap drops them as it drops revoked ones.
 */
export function compileFleet(declaration: Declaration, stack: string, now?: Date): FleetPlan {
  const agents = [...declaration.agents].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    version: PLAN_VERSION,
    stack,
    platform: declaration.platform,
    bootstrap: compileBootstrap(
      declaration.platform,
      agents.map((agent) => revokedWhenExpired(agent, now)),
    ),
    agents: agents.map((agent) => compileAgent(declaration.platform, agent, now)),
  };
}
