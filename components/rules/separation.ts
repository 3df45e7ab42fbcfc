/**
 * Separation of duties: what each of an agent's three identities may hold, and that no grant of
 * one agent reaches another agent's resources. The checks take plain grant sets so the policy pack
 * can build them from stack resources and call the same functions.
 */
import { AUDIT_TAMPER_ACTIONS, AUDIT_WRITE_ACTIONS, S3_PREFIX_LIST_ACTIONS } from "../core/compile";
import { isConnectionShare, isResourceShare, isRoleShare, type AwsGrant, type FleetHoldings, type Holder, type IdentityHoldings } from "../core/holdings";
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import { parseArn, resourceTypesFor, resourceTypeTemplate } from "../core/iam-catalog";
import type { IdentityKind } from "../core/names";
import { globMatches, grantsIntersect, hasWildcard } from "../core/patterns";
import { ResourceIndex, type IndexEntry } from "../core/resource-index";
import { holdingsOf, indexOf } from "./holdings-cache";
import { expandedActions } from "./iam";
import { TOKEN_SELF_PATHS } from "../core/vault-policy";
import { identityRoles } from "../core/identity-roles";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK, planOnly } from "./define";
import { standards } from "./standards";
import { ownedRootProblem } from "./ownable-roots";
import { ownableTypeOf, OWNABLE_TYPE_NAMES, shareAccessProblems, shareAgents, shareAllows, shareIsReadOnly } from "./ownable";
import type { RuleMeta } from "./types";

const DUTIES = standards(["NHI5", "NHI9"], ["ASI03"], ["L3 Agent Frameworks", "L6 Security & Compliance"], ["GOVERN 1.4", "MEASURE 2.7"]);
const AUDIT = standards(["NHI5"], ["ASI03", "ASI10"], ["L5 Evaluation & Observability", "L6 Security & Compliance"], ["MEASURE 2.8", "MANAGE 2.4"]);
const ISOLATION = standards(["NHI5", "NHI9"], ["ASI03", "ASI08"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["GOVERN 1.4", "MEASURE 2.7"]);

export const SEPARATION_RULES: readonly RuleMeta[] = [
  meta(
    "separation/orchestration-models-only",
    "separation",
    "error",
    "The orchestration identity may only invoke concrete Bedrock model, inference-profile or provisioned-model ARNs (no `foundation-model/*`, no every-profile wildcard): no tool grants, no secrets. An account-local model (provisioned, custom, imported, application inference profile) only when the platform declares it in platform.models (plan only: the pack does not see the declaration).",
    DUTIES,
    PACK.stack,
  ),
  meta(
    "separation/audit-write-only",
    "separation",
    "error",
    "The audit identity may only create streams in and write to its own log group.",
    AUDIT,
    PACK.stack,
  ),
  meta(
    "separation/audit-tamper-deny",
    "separation",
    "error",
    "The audit identity explicitly denies deleting log groups and streams and changing retention.",
    AUDIT,
    PACK.stack,
  ),
  meta(
    "separation/execution-no-audit-sink",
    "separation",
    "error",
    "The execution identity may not touch any agent's audit log group, present or future (the whole `/<prefix>/<env>/agents/` namespace).",
    AUDIT,
    PACK.stack,
  ),
  meta(
    "separation/cross-agent-grant",
    "separation",
    "error",
    "No resource, Vault path or role ARN granted to one agent is granted to or owned by another.",
    ISOLATION,
    PACK.stack,
  ),
  meta(
    "separation/prefix-sibling",
    "separation",
    "error",
    "No prefix wildcard without a trailing `/` that also matches a sibling agent's resources (`agent-a*` vs `agent-ab/`).",
    ISOLATION,
    PACK.stack,
  ),
  meta(
    "separation/unowned-resource",
    "separation",
    "error",
    "Every resource an identity is granted lies inside what its agent owns (`owns`, its roles, log group, KV subtree, secret roles) or a platform share.",
    ISOLATION,
    planOnly(
      "the platform's shares are in the declaration only, so a grant outside `owns` may be a share; the pack reads each agent's `owns` from its ServiceAccount annotation and checks grants against other agents' owned resources, roles and log groups (separation/cross-agent-grant)",
    ),
  ),
  meta(
    "separation/shared-access",
    "separation",
    "error",
    "On a platform share, an agent uses only the exact actions of the named accesses the share gives it (a KMS key shared for `decrypt` never lets a consumer schedule its deletion).",
    ISOLATION,
    planOnly("platform shares are in the declaration only"),
  ),
  meta(
    "separation/bucket-level",
    "separation",
    "error",
    "Bucket-level S3 actions only on a bucket the agent wholly owns; a listing of a bucket it only has prefixes in carries an `s3:prefix` condition inside them.",
    ISOLATION,
    planOnly("bucket-level actions are judged against whole-bucket ownership and shares, which are in the declaration only"),
  ),
  meta(
    "separation/owns-declaration",
    "separation",
    "error",
    "What an agent owns is concrete (its account and partition, no wildcard but a trailing `/*`, no IAM or S3 access points) and disjoint from every other agent's and from every share.",
    ISOLATION,
    planOnly(
      "`owns` is validated where it is declared (account, partition, disjointness); the pack reads it back from ServiceAccount annotations only to judge other agents' grants",
    ),
  ),
  meta(
    "separation/ownable-type",
    "separation",
    "error",
    "An agent owns only resources of a type on the ownable allowlist (components/rules/data/ownable-types.ts): data that holds no identity, runs no code as a role and carries no access or network policy the agent could rewrite (S3, DynamoDB, SQS, SNS, Secrets Manager, SSM parameters, KMS keys, Kinesis, Bedrock knowledge bases). Anything else the platform shares, with its risk stated.",
    ISOLATION,
    PACK.stack,
  ),
  meta(
    "separation/owned-root",
    "separation",
    "error",
    "Every `owns` entry lies inside a name root the platform declares (platform.ownableRoots: `arn:aws:s3:::acme-agents-*`, an SSM path, one KMS key ARN…), and no owned name is one AWS reserves for its own services (components/rules/data/reserved-names.ts: `rds!…` secrets, `aws-controltower-…`, `cdk-…`, `aws-…` buckets, `/aws/…` parameters). An agent cannot claim the platform's CloudTrail bucket or Vault's storage by naming it.",
    ISOLATION,
    planOnly(
      "the roots are the platform's declaration, on no stack resource; roots read back from the stack under review would be written by the change under review",
    ),
  ),
  meta(
    "separation/share-declaration",
    "separation",
    "error",
    "A platform share names a concrete resource, only declared agents, and named accesses of the resource's own type (components/rules/data/share-access.ts: `decrypt` is `kms:Decrypt` and nothing else); a share of a type no agent may own states its risk.",
    ISOLATION,
    planOnly("platform shares are in the declaration only"),
  ),
  meta(
    "separation/database-connection",
    "separation",
    "error",
    "A database connection used by tools of two agents is declared as a share naming both.",
    ISOLATION,
    planOnly("the Vault database role resource does not say which agent's tool it serves"),
  ),
  meta(
    "separation/name-collision",
    "separation",
    "error",
    "Names the components derive for two agents (roles, log groups, KV subtrees, secret roles; IAM compared case-insensitively) never collide, even after truncation.",
    ISOLATION,
    planOnly("derived names are compared in the plan; on resources, stack/no-shared-identity catches a shared role or ServiceAccount"),
  ),
];

export const ORCHESTRATION_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;
const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));

const lower = (values: readonly string[]) => values.map((value) => value.toLowerCase());

/** What one identity holds, in the shapes both the plan and the pack can produce. */
export interface IdentityGrants {
  readonly kind: IdentityKind;
  readonly policies: readonly PolicyDocument[];
  readonly vaultPaths: readonly string[];
  readonly secretRoles: number;
  /** The agent's own audit log group ARN, when known. */
  readonly ownLogGroupArn?: string;
  /** Every agent's audit log group ARN (the execution identity may touch none). */
  readonly auditLogGroupArns: readonly string[];
  /** Pattern of every audit log group, present or future; when given, it replaces the list above. */
  readonly auditNamespace?: string;
  /** The platform's partition and account, for model ARNs that belong to the account, and the account-local models it declares. */
  readonly platform?: { readonly partition: string; readonly accountId: string; readonly models?: readonly string[] };
}

const MODEL_RESOURCE = /^(foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model-deployment|imported-model)\/[^*?]+$/;

/** Why a model ARN is not one concrete model the orchestration identity may invoke, or undefined. */
/** Models an account creates for itself: whatever they run is the account's choice, so the platform lists each one (platform.models). */
const ACCOUNT_LOCAL_MODEL = /^(provisioned-model|custom-model-deployment|imported-model|application-inference-profile)\//;

export function modelProblem(
  resource: string,
  platform?: { readonly partition: string; readonly accountId: string; readonly models?: readonly string[] },
): string | undefined {
  const arn = parseArn(resource);
  if (!arn || arn.service !== "bedrock") return "is not a Bedrock model";
  if (hasWildcard(resource)) return "is a pattern, not one model (a wildcard reaches every model, profile or provisioned model)";
  if (!MODEL_RESOURCE.test(arn.resource)) return "is not a foundation model, inference profile or provisioned model";
  if (!arn.region) return "has no region";
  if (platform && arn.partition !== platform.partition) return `is in partition ${arn.partition}`;
  const foundation = arn.resource.startsWith("foundation-model/");
  if (foundation ? arn.account !== "" : platform && arn.account !== platform.accountId)
    return foundation ? "names an account; foundation models have none" : `is in account ${arn.account}, not the platform's`;
  if (platform?.models && ACCOUNT_LOCAL_MODEL.test(arn.resource) && !platform.models.includes(resource))
    return "is an account-local model (provisioned, custom, imported or an application inference profile) the platform does not declare (platform.models)";
  return undefined;
}

/**
 * The region-less foundation model of a global cross-Region inference profile
 * (`arn:aws:bedrock:::foundation-model/<id>`) is invokable only through that one concrete profile:
 * the compiler pins it with `bedrock:InferenceProfileArn` (StringEquals, no wildcard).
 */
function throughOneGlobalProfile(statement: PolicyStatement, resource: string): boolean {
  if (!/^arn:[a-z-]+:bedrock:::foundation-model\/[^*?]+$/.test(resource)) return false;
  const profile = statement.Condition?.StringEquals?.["bedrock:InferenceProfileArn"];
  return typeof profile === "string" && !hasWildcard(profile) && /:inference-profile\/global\./.test(profile) && modelProblem(profile) === undefined;
}

const allowStatements = (policies: readonly PolicyDocument[]) => policies.flatMap((doc) => doc.Statement.filter((s) => s.Effect === "Allow"));

function onlyActions(statement: PolicyStatement, allowed: readonly string[]): string[] {
  const permitted = new Set(lower(allowed));
  return [...asList(statement.Action).filter((action) => !permitted.has(action.toLowerCase())), ...asList(statement.NotAction).map((a) => `NotAction ${a}`)];
}

function extraVaultPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => !SELF_PATHS.has(path));
}

function touchesLogGroup(resource: string, group: string): boolean {
  return grantsIntersect(resource, group) || grantsIntersect(resource, `${group}:*`);
}

export function checkIdentitySeparation(grants: IdentityGrants): Problem[] {
  const problems: Problem[] = [];
  const allows = allowStatements(grants.policies);
  if (grants.kind === "orchestration") {
    const rule = "separation/orchestration-models-only";
    const fix = "declare tools under `tools:` (they go to the execution identity); orchestration only lists models";
    for (const statement of allows) {
      const extra = onlyActions(statement, ORCHESTRATION_ACTIONS);
      if (extra.length) problems.push({ rule, message: `orchestration is allowed ${extra.join(", ")}`, fix });
      for (const resource of asList(statement.Resource)) {
        if (throughOneGlobalProfile(statement, resource)) continue;
        const problem = modelProblem(resource, grants.platform);
        if (problem)
          problems.push({
            rule,
            message: `orchestration may invoke "${resource}", which ${problem}`,
            fix: /platform\.models/.test(problem)
              ? "invoke a foundation model or a system inference profile, or ask the platform team to declare this model under platform.models (a reviewed change to the stack file)"
              : "list each concrete Bedrock foundation-model, inference-profile or provisioned-model ARN under orchestration.models",
          });
      }
    }
    const paths = extraVaultPaths(grants.vaultPaths);
    if (paths.length || grants.secretRoles)
      problems.push({
        rule,
        message: `orchestration holds Vault grants ${[...paths, ...(grants.secretRoles ? [`${grants.secretRoles} secret role(s)`] : [])].join(", ")}`,
        fix,
      });
  }
  if (grants.kind === "audit") {
    const rule = "separation/audit-write-only";
    const fix = "the audit identity only writes its own log group; give other access to the execution identity";
    for (const statement of allows) {
      const extra = onlyActions(statement, AUDIT_WRITE_ACTIONS);
      if (extra.length) problems.push({ rule, message: `audit is allowed ${extra.join(", ")}`, fix });
      const own = grants.ownLogGroupArn;
      const foreign = asList(statement.Resource).filter(
        (resource) => !own || !(resource === `${own}:log-stream:*` || globMatches(`${own}:log-stream:*`, resource)),
      );
      if (own && foreign.length) problems.push({ rule, message: `audit may write to ${foreign.join(", ")}, outside its own log group ${own}`, fix });
    }
    const paths = extraVaultPaths(grants.vaultPaths);
    if (paths.length || grants.secretRoles)
      problems.push({
        rule,
        message: `audit holds Vault grants ${[...paths, ...(grants.secretRoles ? [`${grants.secretRoles} secret role(s)`] : [])].join(", ")}`,
        fix,
      });
    const denies = grants.policies.flatMap((doc) => doc.Statement.filter((s) => s.Effect === "Deny" && asList(s.Resource).includes("*") && !s.Condition));
    const undenied = AUDIT_TAMPER_ACTIONS.filter(
      (action) => !denies.some((s) => asList(s.Action).some((a) => globMatches(a.toLowerCase(), action.toLowerCase()))),
    );
    if (undenied.length) {
      problems.push({
        rule: "separation/audit-tamper-deny",
        message: `audit does not explicitly deny ${undenied.join(", ")} on "*"`,
        fix: "keep the NeverDeleteOrShortenLogs Deny statement the Agent component generates",
      });
    }
  }
  if (grants.kind === "execution") {
    for (const [statement, resource] of allows.flatMap((statement) => asList(statement.Resource).map((resource) => [statement, resource] as const))) {
      const namespace = grants.auditNamespace;
      const groups =
        resource === "*"
          ? // "*" reaches every log group, the audit ones included, when an action acts on log groups or streams.
            starReaches(asList(statement.Action), "logs")
            ? [namespace ?? "every audit log group"]
            : []
          : namespace
            ? grantsIntersect(resource, namespace)
              ? [namespace]
              : []
            : grants.auditLogGroupArns.filter((group) => touchesLogGroup(resource, group));
      if (groups.length) {
        problems.push({
          rule: "separation/execution-no-audit-sink",
          message: `execution is granted "${resource}", which reaches audit log group(s) ${groups.join(", ")}`,
          fix: "only the audit identity writes the audit trail; remove the grant from the tool",
        });
      }
    }
  }
  return problems;
}

/** The services whose resource types an action acts on (`ssm:GetParameters` acts on ssm; some ssm actions on s3). */
const servicesByAction = new Map<string, readonly string[]>();
function servicesActedOn(action: string): readonly string[] {
  let services = servicesByAction.get(action);
  if (!services) {
    services = [...new Set(resourceTypesFor(action).map((type) => type.arn.split(":")[2]))];
    servicesByAction.set(action, services);
  }
  return services;
}

/** Whether actions on "*" reach resources of `service`: `*` itself, or an action that acts on one of its types. */
function starReaches(actions: readonly string[], service: string): boolean {
  return actions.some((action) => action === "*" || action === "*:*") || expandedActions(actions).some((action) => servicesActedOn(action).includes(service));
}

// ---------------------------------------------------------------- across agents

/** A `*` that follows a name character, not a `/` or `:` boundary, also matches longer names. */
function isUnboundedPrefix(pattern: string): boolean {
  return /[^/:*]\*/.test(pattern);
}

function overlapFinding(agent: string, identity: IdentityKind, grant: string, other: string, theirs: string, what: string, tool?: string | null): RuleFinding {
  const sibling = isUnboundedPrefix(grant) || isUnboundedPrefix(theirs);
  return {
    agent,
    identity,
    rule: sibling ? "separation/prefix-sibling" : "separation/cross-agent-grant",
    message: `${tool ? `tool ${tool}: ` : ""}grant "${grant}" overlaps ${what} "${theirs}" of agent ${other}`,
    fix: sibling
      ? "end prefixes with '/' before the wildcard (agents/a/*, not agents/a*)"
      : "give each agent resources of its own, or declare the resource under platform.shared with who may read and write it",
  };
}

/** One grant against the fleet's holdings index: the other agents' grants and owned resources it reaches (at most 3). */
function otherAgentsReached(index: ResourceIndex<Holder>, holdings: IdentityHoldings, resource: string, tool: string | null): RuleFinding[] {
  const others = (entry: IndexEntry<Holder>) => entry.value.agent !== null && entry.value.agent !== holdings.agent;
  return index
    .intersecting(resource, others, 3)
    .map((hit) =>
      overlapFinding(
        holdings.agent,
        holdings.identity,
        resource,
        hit.value.agent!,
        hit.value.written,
        hit.kind === "owned" ? "the resource" : "the grant",
        tool,
      ),
    );
}

/** What an identity's own declared or derived resources cover (its own roles excepted: iam/privilege-escalation refuses acting on them). */
const ownedBy = (agent: string) => (entry: IndexEntry<Holder>) => entry.kind === "owned" && entry.value.agent === agent && !IAM_ROLE.test(entry.value.written);

/**
 * Grants of every identity that reach another agent's grants or owned resources, asked of the fleet's
 * one holdings index (`indexHoldings`) as `plan`'s ownership check asks it: AWS Allow resources (not
 * `*`, not orchestration's shared models), Vault paths and roles assumed through Vault, each not
 * inside the agent's own resources. The policy pack runs this on the holdings it builds from the
 * stack (whose shares it cannot see: the unowned and share rules stay plan-only there).
 */
export function checkCrossAgentHoldings(fleet: FleetHoldings, index: ResourceIndex<Holder>): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const holdings of fleet.identities) {
    const mine = ownedBy(holdings.agent);
    const check = (resource: string, tool: string | null) => {
      if (!index.containing(resource).some(mine)) findings.push(...otherAgentsReached(index, holdings, resource, tool));
    };
    if (holdings.identity !== "orchestration")
      for (const grant of holdings.aws) if (grant.effect === "Allow") for (const resource of grant.resources) if (resource !== "*") check(resource, grant.tool);
    for (const grant of holdings.vault) check(grant.path, grant.tool);
    for (const role of holdings.assumedRoles) findings.push(...otherAgentsReached(index, holdings, role.roleArn, role.tool));
  }
  return findings;
}

// ---------------------------------------------------------------- ownership: owns, shares, grants

const S3_PREFIX_LIST = new Set<string>(S3_PREFIX_LIST_ACTIONS);
// EKS clusters: access entries and pod identity decide who acts in the cluster; the platform runs them.
const NOT_OWNABLE_SERVICES = new Set(["iam", "sts", "organizations", "s3-object-lambda", "cloudtrail", "eks"]);

/**
 * Why a declared owned or shared resource is too wide, or undefined when it is concrete: in the
 * platform's partition and account, no wildcard except a trailing `/*` after a concrete prefix, and
 * of a kind whose reach the declaration shows (not IAM, not an S3 access point).
 */
export function ownableProblem(resource: string, partition: string, accountId: string, options: { readonly readOnlyShare?: boolean } = {}): string | undefined {
  const arn = parseArn(resource);
  if (!arn) return "is not an ARN";
  if (arn.partition !== partition) return `is in partition ${arn.partition}, not the platform's ${partition}`;
  const head = resource.endsWith("/*") ? resource.slice(0, -2) : resource;
  if (hasWildcard(head)) return "has a wildcard; only a trailing /* after a concrete prefix is allowed";
  // One concrete IAM role may be shared read-only (iam:GetRole and its like); never owned, never written.
  const readableRole = options.readOnlyShare === true && arn.service === "iam" && /^role\/[^*?]+$/.test(arn.resource);
  if (NOT_OWNABLE_SERVICES.has(arn.service) && !readableRole)
    return `is an ${arn.service} resource; the platform creates and controls those, agents cannot own them (a concrete role may be shared read-only)`;
  if (arn.service === "s3") {
    if (arn.region || arn.account || /^accesspoint\//.test(arn.resource) || /:accesspoint\//.test(resource))
      return "is an S3 access point (or not a bucket ARN); what an access point reaches is not visible in the declaration: own the bucket or a prefix";
    if (resource.endsWith("/*") && !head.includes("/"))
      return "is every object of a bucket; own the bucket ARN itself (arn:…:s3:::bucket) or a prefix inside it";
    return undefined;
  }
  // Whether this type's ARNs carry an account and a region at all (a Route 53 hosted zone has neither).
  const template = resourceTypeTemplate(head);
  const accountScoped = template === undefined || template.includes("${Account}");
  const regional = template === undefined || template.includes("${Region}");
  if (accountScoped && arn.account !== accountId) return `is in account ${arn.account || "(none)"}, not the platform's ${accountId}`;
  if (!accountScoped && arn.account) return `names account ${arn.account}, but ${arn.service} ARNs of this type have none`;
  if (regional && !arn.region) return "has no region";
  return undefined;
}

/** Statement condition values of `s3:prefix` (StringLike or StringEquals), or undefined when absent. */
function prefixCondition(condition: AwsGrant["condition"]): string[] | undefined {
  const values = [...asList(condition?.StringLike?.["s3:prefix"]), ...asList(condition?.StringEquals?.["s3:prefix"])];
  return values.length ? values : undefined;
}

/** separation/ownable-type for one declared `owns` entry, or undefined; plan and pack (policy/ownership-checks.ts) call it. */
export function ownableTypeFinding(agent: string, owned: string): RuleFinding | undefined {
  if (ownableTypeOf(owned)) return undefined;
  return {
    agent,
    identity: null,
    rule: "separation/ownable-type",
    message: `owns "${owned}", whose type an agent may not own (ownable: ${OWNABLE_TYPE_NAMES.join(", ")})`,
    fix: "ask the platform to share it (platform.shared), stating its risk; or, for a data type that holds no identity, runs no code and has no access policy of its own, propose it in a reviewed change to components/rules/data/ownable-types.ts",
  };
}

const S3_BUCKET = /^arn:[a-z-]+:s3:::[^/]+$/;
const IAM_ROLE = /^arn:[a-z-]+:iam::[^:]*:role\//i;

function checkOwnership(fleet: FleetHoldings, index: ResourceIndex<Holder>): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const agents = new Set(fleet.agents.map((agent) => agent.agent));
  const { partition, accountId } = fleet;

  // What each agent declares it owns: concrete, its own kind, disjoint from others and from shares.
  for (const owner of fleet.agents) {
    for (const owned of owner.declared) {
      const problem = ownableProblem(owned, partition, accountId);
      if (problem) {
        findings.push({
          agent: owner.agent,
          identity: null,
          rule: "separation/owns-declaration",
          message: `owns "${owned}", which ${problem}`,
          fix: "own concrete resources of this account: a bucket, an S3 prefix ending in /*, a table, a queue, a key…",
        });
        continue;
      }
      const typeFinding = ownableTypeFinding(owner.agent, owned);
      if (typeFinding) {
        findings.push(typeFinding);
      } else if (fleet.ownableRoots) {
        const outside = ownedRootProblem(owned, fleet.ownableRoots);
        if (outside)
          findings.push({
            agent: owner.agent,
            identity: null,
            rule: "separation/owned-root",
            message: `owns "${owned}", which ${outside}`,
            fix: /reserves/.test(outside)
              ? "own a resource of the agents' own name space; names AWS reserves belong to its services"
              : "own a resource under one of platform.ownableRoots, or ask the platform team to add a root for it (a reviewed change to the stack file's platform.ownableRoots)",
          });
      }
      const clashes = [owned, ...(owned.endsWith("/*") ? [] : [`${owned}/*`, `${owned}:*`])].flatMap((query) =>
        index.intersecting(query, (entry) => entry.kind === "share" || (entry.kind === "owned" && entry.value.agent !== owner.agent), 4),
      );
      for (const clash of new Map(clashes.map((c) => [c.value.written + (c.value.agent ?? ""), c])).values()) {
        const whose = clash.value.share ? `platform share ${clash.value.share.name}` : `agent ${clash.value.agent}`;
        findings.push({
          agent: owner.agent,
          identity: null,
          rule: "separation/owns-declaration",
          message: `owns "${owned}", which overlaps "${clash.value.written}" of ${whose}`,
          fix: "an owned resource belongs to one agent only; declare a resource several agents use under platform.shared",
        });
      }
    }
    // Names the components derive (roles, log group, KV subtree, secret roles) must not collide.
    for (const implicit of owner.implicit) {
      for (const clash of index.intersecting(
        implicit,
        (entry) => entry.kind === "owned" && entry.value.implicit === true && entry.value.agent !== owner.agent && entry.value.agent! < owner.agent,
        2,
      )) {
        findings.push({
          agent: owner.agent,
          identity: null,
          rule: "separation/name-collision",
          message: `"${implicit}" is also "${clash.value.written}" of agent ${clash.value.agent} (the names collide)`,
          fix: "rename one of the agents or tools: derived names must be unique",
        });
      }
    }
  }

  // Shares: concrete, naming agents that exist.
  const agentRoles = new Set(fleet.identities.map((holdings) => holdings.roleArn.toLowerCase()));
  for (const share of fleet.shares) {
    const named = isResourceShare(share) ? shareAgents(share) : share.agents;
    const unknown = named.filter((agent) => !agents.has(agent));
    const problem = !isResourceShare(share)
      ? undefined
      : agentRoles.has(share.resource.toLowerCase())
        ? "is an agent identity role; agent roles are never shared"
        : fleet.auditNamespace && grantsIntersect(share.resource, fleet.auditNamespace)
          ? "reaches the agents' audit log groups, which only each agent's audit identity writes"
          : (ownableProblem(share.resource, partition, accountId, { readOnlyShare: shareIsReadOnly(share) }) ?? shareAccessProblems(share)[0]);
    for (const agent of named.length ? named : ["*"]) {
      if (problem)
        findings.push({
          agent,
          identity: null,
          rule: "separation/share-declaration",
          message: `platform share ${share.name}: "${isResourceShare(share) ? share.resource : ""}" ${problem}`,
          fix: /gives |risk/.test(problem)
            ? "give named accesses of the resource's own type (components/rules/data/share-access.ts), and state the risk of sharing a type no agent may own"
            : "share a concrete resource or a prefix ending in /*",
        });
    }
    if (unknown.length)
      findings.push({
        agent: unknown[0],
        identity: null,
        rule: "separation/share-declaration",
        message: `platform share ${share.name} names agent(s) ${unknown.join(", ")} that are not declared`,
        fix: "name declared agents only (a typo would otherwise share with whoever takes the name later)",
      });
  }

  // "*" reaches every resource: which agents own something of each service, to name what it reaches.
  const ownersByService = new Map<string, Array<{ agent: string; written: string }>>();
  for (const owner of fleet.agents)
    for (const written of [...owner.declared, ...owner.implicit]) {
      const service = parseArn(written)?.service;
      if (!service) continue;
      const list = ownersByService.get(service) ?? [];
      if (list.length < 4 && !list.some((entry) => entry.agent === owner.agent)) list.push({ agent: owner.agent, written });
      ownersByService.set(service, list);
    }

  // Every grant resolves to the agent's own or to a share that allows its access level.
  for (const holdings of fleet.identities) {
    if (holdings.identity === "orchestration") continue;
    const { agent, identity } = holdings;
    // The agent's own roles are not its to act on (iam/privilege-escalation refuses every IAM action on them).
    const mine = ownedBy(agent);
    const reportOthers = (resource: string, tool: string | null): boolean => {
      const hits = otherAgentsReached(index, holdings, resource, tool);
      findings.push(...hits);
      return hits.length > 0;
    };
    for (const grant of holdings.aws) {
      if (grant.effect !== "Allow") continue;
      const actions = expandedActions(grant.actions);
      const where = grant.tool ? `tool ${grant.tool}: ` : "";
      for (const resource of grant.resources) {
        if (resource === "*") {
          const reached = new Map<string, string>();
          for (const action of actions) {
            for (const service of servicesActedOn(action))
              for (const entry of ownersByService.get(service) ?? [])
                if (entry.agent !== agent && !reached.has(entry.agent)) reached.set(entry.agent, entry.written);
          }
          for (const [other, theirs] of [...reached].slice(0, 3))
            findings.push(overlapFinding(agent, identity, resource, other, theirs, "the resource", grant.tool));
          continue;
        }
        if (!parseArn(resource)) continue; // the IAM rules report these
        const containers = index.containing(resource);
        if (S3_BUCKET.test(resource)) {
          if (containers.some((entry) => mine(entry) && entry.self)) continue;
          const share = containers.find((entry) => entry.kind === "share" && entry.self)?.value.share;
          const listed = prefixCondition(grant.condition);
          const bad = actions.filter((action) => {
            if (share && shareAllows(share, agent, action)) return false;
            if (!S3_PREFIX_LIST.has(action.toLowerCase()) || !listed) return true;
            return !listed.every((prefix) => index.containing(`${resource}/${prefix.endsWith("*") ? prefix : `${prefix}*`}`).some(mine));
          });
          if (bad.length) {
            findings.push({
              agent,
              identity,
              rule: "separation/bucket-level",
              message: `${where}${bad.slice(0, 6).join(", ")} on bucket "${resource}", which agent ${agent} does not wholly own${bad.some((a) => S3_PREFIX_LIST.has(a.toLowerCase())) ? " (a listing needs an s3:prefix condition inside the agent's own prefixes)" : ""}`,
              fix: "own the bucket (owns: [arn:…:s3:::bucket]) or keep to object actions under an owned prefix; the compiler adds the s3:prefix condition to a ListBucket statement when the agent owns prefixes in that bucket",
            });
          }
          continue;
        }
        if (containers.some(mine)) continue;
        const shares = containers.filter((entry) => entry.kind === "share").map((entry) => entry.value.share!);
        if (shares.length) {
          const denied = actions.filter((action) => !shares.some((share) => shareAllows(share, agent, action)));
          if (denied.length)
            findings.push({
              agent,
              identity,
              rule: "separation/shared-access",
              message: `${where}${denied.slice(0, 6).join(", ")} on "${resource}": platform share ${shares.map((s) => s.name).join(", ")} does not give agent ${agent} that access`,
              fix: `drop the action, or ask the platform to give ${agent} a named access that includes it (platform.shared[].access; the names and their exact actions are in components/rules/data/share-access.ts)`,
            });
          continue;
        }
        if (reportOthers(resource, grant.tool)) continue;
        findings.push({
          agent,
          identity,
          rule: "separation/unowned-resource",
          message: `${where}"${resource}" is neither owned by agent ${agent} nor a platform share`,
          fix: `declare it under the agent's owns (a concrete ARN or S3 prefix/*), or under platform.shared if several agents use it`,
        });
      }
    }
    for (const grant of holdings.vault) {
      if (index.containing(grant.path).some(mine)) continue;
      if (!reportOthers(grant.path, grant.tool))
        findings.push({
          agent,
          identity,
          rule: "separation/unowned-resource",
          message: `Vault path "${grant.path}" is outside agent ${agent}'s own KV subtree and secret roles`,
          fix: "let the Agent component derive Vault paths from the agent's tools",
        });
    }
    for (const role of holdings.assumedRoles) {
      // Only a vaultAwsRole share declares a role to assume (vault/secret-role-arns reports the rest).
      const shared = fleet.shares.some(
        (share) => isRoleShare(share) && share.vaultAwsRole.toLowerCase() === role.roleArn.toLowerCase() && share.agents.includes(agent),
      );
      if (!shared) reportOthers(role.roleArn, role.tool);
    }
  }

  // Database connections: one agent's, unless a connection share names every agent that uses it.
  const users = new Map<string, Map<string, string>>();
  const live = new Set<string>();
  for (const holdings of fleet.identities)
    for (const db of holdings.databases) {
      users.set(db.connection, (users.get(db.connection) ?? new Map()).set(holdings.agent, db.tool));
      live.add(holdings.agent);
    }
  // A revoked agent's connection stays its own: its database still holds what its tools wrote.
  for (const owner of fleet.agents)
    for (const { connection, tool } of owner.connections ?? [])
      if (!users.get(connection)?.has(owner.agent)) users.set(connection, (users.get(connection) ?? new Map()).set(owner.agent, tool));
  const connectionShares = fleet.shares.filter(isConnectionShare);
  for (const [connection, byAgent] of users) {
    if (byAgent.size < 2) continue;
    const share = connectionShares.find((s) => s.databaseConnection === connection);
    for (const [agent, tool] of byAgent) {
      if (!live.has(agent) || share?.agents.includes(agent)) continue;
      const rest = [...byAgent.keys()].filter((other) => other !== agent);
      findings.push({
        agent,
        identity: "execution",
        rule: "separation/database-connection",
        message: `tool ${tool}: database connection "${connection}" is also used by agent(s) ${rest.join(", ")}${share ? `; platform share ${share.name} does not name ${agent}` : ""}`,
        fix: `give each agent its own connection, or declare platform.shared: [{ name, databaseConnection: ${connection}, agents: [...] }]`,
      });
    }
  }
  return findings;
}

export const separationRules = familyRules(SEPARATION_RULES, ({ plan }) => {
  const auditLogGroupArns = plan.agents.map((agent) => agent.auditLogGroup.arn);
  const fleet = holdingsOf(plan);
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      const grants: IdentityGrants = {
        kind: identity.kind,
        policies: identityRoles(identity)
          .flatMap((role) => role.policies)
          .map((policy) => policy.document),
        vaultPaths: identity.vault.policy?.paths.map((path) => path.path) ?? [],
        secretRoles: identity.vault.secretRoles.length,
        ownLogGroupArn: agent.auditLogGroup.arn,
        auditLogGroupArns,
        auditNamespace: fleet.auditNamespace ?? undefined,
        platform: { partition: fleet.partition, accountId: fleet.accountId, models: plan.platform.models ?? [] },
      };
      findings.push(...attribute(agent.name, identity.kind, checkIdentitySeparation(grants)));
    }
  }
  findings.push(...checkOwnership(fleet, indexOf(fleet)));
  return findings;
});
