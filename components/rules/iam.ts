/**
 * IAM permission rules: checks over one permission policy document (and managed policy
 * attachments), shared by the plan rules and the policy pack. Wildcard and escalation rules
 * apply to Allow statements: a Deny, even of `*` on `*` (the revocation policy), only removes access.
 */
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import {
  accessLevel,
  actionExists,
  arnAcceptedByAction,
  expandAction,
  isPermissionsManagement,
  isReadOnly,
  isTagging,
  lookupAction,
  parseArn,
  resourceTypesFor,
  serviceExists,
} from "../core/iam-catalog";
import { grantsIntersect, hasWildcard } from "../core/patterns";
import { normaliseResource } from "../core/resource-index";
import type { IdentityHoldings } from "../core/holdings";
import { ACCOUNT_LEVEL_WRITE_ALLOWLIST, PASSROLE_COMPUTE, RISK_ACTIONS, RISK_CATEGORIES, RISK_SOURCES, type RiskCategory } from "./data/risk-categories";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK, planOnly } from "./define";
import { holdingsOf, indexOf } from "./holdings-cache";
import type { Holder } from "../core/holdings";
import type { ResourceIndex } from "../core/resource-index";
import type { AgentPlan } from "../core/plan-types";
import { standards } from "./standards";
import { WAIVABLE } from "./waivable";
import { checkToolRoleStatements } from "./tool-session-checks";
import { ownedActionProblem } from "./ownable";
import { ACCOUNT_LEVEL_READ_ALLOWLIST } from "./data/account-level-reads";
import { identityRoles } from "../core/identity-roles";
import type { RuleMeta } from "./types";

const OVERPRIVILEGED = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const ESCALATION = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7", "GOVERN 1.4"]);
const CORRECTNESS = standards(["NHI6"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);

export const IAM_RULES: readonly RuleMeta[] = [
  meta("iam/action-wildcard", "iam", "error", "No Allow of every action (`*`).", OVERPRIVILEGED, PACK.both),
  meta("iam/service-wildcard", "iam", "error", "No Allow of a whole service (`s3:*`).", OVERPRIVILEGED, PACK.both),
  meta(
    "iam/action-pattern",
    "iam",
    "error",
    "No action patterns (`s3:Get*`, `s3:*Object`, `*:GetObject`): every action is named; the error lists what the pattern expands to, and each expanded action is judged on its own.",
    OVERPRIVILEGED,
    PACK.both,
  ),
  meta("iam/resource-wildcard", "iam", "error", 'No `Resource: "*"` in an Allow when the action can be scoped to resources.', OVERPRIVILEGED, PACK.both),
  meta(
    "iam/account-wide-write",
    "iam",
    "error",
    'No Write, Permissions management or Tagging action that AWS authorises only on `Resource: "*"` (it changes the whole account: detectors, logging, replication, password policy, new keys), except a short allowlist of telemetry writes (`xray:PutTraceSegments`, `xray:PutTelemetryRecords`).',
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/account-wide-read",
    "iam",
    "error",
    "No List or Read action that AWS authorises only on `Resource: \"*\"` (it reads across the whole account: every secret, role, instance or credential report), except a short sourced list that reads only AWS's public catalogue or the caller's own identity (components/rules/data/account-level-reads.ts).",
    OVERPRIVILEGED,
    PACK.both,
  ),
  meta("iam/not-action", "iam", "error", "No `NotAction` in an Allow (it grants everything not listed).", OVERPRIVILEGED, PACK.both),
  meta("iam/not-resource", "iam", "error", "No `NotResource` in an Allow (it grants every resource not listed).", OVERPRIVILEGED, PACK.both),
  meta(
    "iam/permissions-management",
    "iam",
    "error",
    "No action the IAM reference rates `Permissions management` (policies, ACLs, grants, boundaries), for any identity, on any resource.",
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/tagging",
    "iam",
    "error",
    "No `Tagging` action on IAM or STS (tags drive attribute-based access). Elsewhere the ownership allowlists refuse Tagging: on what the agent owns (iam/owned-action), on shares (separation/shared-access) and on anything else (separation/unowned-resource).",
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/privilege-escalation",
    "iam",
    "error",
    "No action from the privilege-escalation list (docs/controls.md lists each with its source).",
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/credentials-exposure",
    "iam",
    "error",
    "No action that mints long-lived or federated credentials or re-attributes a session (credentials-exposure list).",
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/outside-principal",
    "iam",
    "error",
    "In a stack with agents, no grant extends a principal the stack does not create: a membership in a group, an Identity Center account assignment of a permission set, or an access key, console password, SSH key, signing certificate or service credential for a user hands out whatever that principal holds, which the pack cannot read (an existing Administrators group, an admin permission set). An IAM group must be the stack's own (named by a known value or its resource's output); a credential for any user, a membership in any Identity Center group and an assignment of any permission set (to any principal) are refused even when the stack creates the user, group or permission set, since one named like an existing one may be it imported, with its memberships, account assignments and managed-policy attachments. An aws.iam.PolicyAttachment, exclusive per policy across the account, attaches only a Policy of this stack (otherwise it detaches that policy, a guardrail Deny perhaps, from every principal it does not list). Otherwise the security team declares the grant in kubernetesPlatformResources. An `aws.organizations.DelegatedAdministrator` for any service (it administers that service in every member account: `sso.amazonaws.com` assigns permission sets) and an `aws.organizations.PolicyAttachment` of a policy the stack does not write (its content is unread) are refused unless declared too.",
    ESCALATION,
    PACK.stack,
  ),
  meta("iam/code-execution", "iam", "error", "No action that starts compute or runs code on existing compute (code-execution list).", ESCALATION, PACK.both),
  meta(
    "iam/resource-exposure",
    "iam",
    "error",
    "No action that opens a resource or the account to other principals (resource-exposure list).",
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/defence-evasion",
    "iam",
    "error",
    "No action that stops, deletes or redirects logging and detection or weakens account-wide protection (defence-evasion list).",
    ESCALATION,
    PACK.both,
  ),
  meta("iam/data-exfiltration", "iam", "error", "No bulk-read action (data-exfiltration list) on `*`.", OVERPRIVILEGED, PACK.both),
  meta("iam/passrole-wildcard", "iam", "error", "No `iam:PassRole` on `*` or on a wildcard role ARN.", ESCALATION, PACK.both),
  meta(
    "iam/passrole-compute",
    "iam",
    "error",
    "No `iam:PassRole` together with an action that creates compute anywhere in one identity's statements and tools (it runs code as the passed role).",
    ESCALATION,
    PACK.both,
  ),
  meta(
    "iam/assume-agent-role",
    "iam",
    "error",
    "No `sts:AssumeRole*` into any agent identity's role, however its name is cased.",
    standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7"]),
    PACK.stack,
  ),
  meta(
    "iam/resource-pattern",
    "iam",
    "error",
    "Every resource ARN is concrete in partition, service, region, account and name; a wildcard only in a trailing path under a prefix the agent owns or is shared (`key/*`, `secret:*`, `parameter/*`, `function:*`, `role/acme-*` are errors).",
    OVERPRIVILEGED,
    planOnly(
      "a wildcard is allowed only under a prefix the agent owns or is shared, and platform shares are in the declaration only; on resources, the other iam/* checks and separation/cross-agent-grant judge every pattern",
    ),
  ),
  meta(
    "iam/owned-action",
    "iam",
    "error",
    "On a resource the agent owns, only what its type allows (components/rules/data/ownable-types.ts): List and Read actions that act on the type, and the data-plane Write actions named for it; never Permissions management, Tagging, configuration, policy or network changes, deletion of the resource itself, or an action on a risk list.",
    ESCALATION,
    PACK.stack,
  ),
  meta(
    "iam/unknown-action",
    "iam",
    "error",
    "Every action exists in the IAM service reference, so a typo is an error, not a silent no-op.",
    CORRECTNESS,
    PACK.both,
  ),
  meta("iam/malformed-arn", "iam", "error", "Every resource is `*` or a well-formed ARN.", CORRECTNESS, PACK.both),
  meta(
    "iam/resource-type",
    "iam",
    "error",
    "Every resource ARN is of a type its actions accept (`s3:ListBucket` takes a bucket, not `bucket/*`).",
    CORRECTNESS,
    PACK.both,
  ),
  meta(
    "iam/tool-session-bound",
    "iam",
    "error",
    "Every Allow statement on a tool role (`toolSessions: tagged-sessions`) holds only for one tool's session: single-valued `StringEquals` `aws:PrincipalTag/agent-identity:tool`, `…:data-class` and `…:environment`, in the plan equal to the statement's own tool, its data class and the platform environment; the execution identity's own role then carries no Allow at all (plan). In the pack: inline policies of a role tagged `role=tool-sessions` and `RolePolicy` or managed policies attached to it.",
    ESCALATION,
    PACK.both,
  ),
];

/** Rules about managed policy attachments, which only exist as stack resources (policy pack). */
export const IAM_RESOURCE_RULES: readonly RuleMeta[] = [
  meta(
    "iam/managed-admin-policy",
    "iam",
    "error",
    "No AWS managed admin policies (AdministratorAccess, PowerUserAccess, IAMFullAccess) attached to any role.",
    OVERPRIVILEGED,
    PACK.resource,
  ),
  meta(
    "iam/attached-policy",
    "iam",
    "error",
    "A managed policy attached to an agent role (`RolePolicyAttachment`, `PolicyAttachment`, `RolePolicyAttachmentsExclusive`, `managedPolicyArns`) is a customer-managed `aws.iam.Policy` of this stack, whose document gets every permission check; no AWS managed policy, no policy from outside the stack, no ARN unknown at preview.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/resource-policy",
    "iam",
    "error",
    "No resource policy (S3 bucket, Secrets Manager, KMS, SQS, SNS, ECR, Lambda permission...) allows `*` as principal; one naming an agent role is judged with the same permission checks as its identity policies; unknown or unreadable ones fail closed. In a stack with agents, a standalone resource policy (SecretPolicy, KeyPolicy, QueuePolicy, TopicPolicy, ECR, EFS, Backup, Kinesis, DynamoDB, OpenSearch and CodeBuild policies) replaces the whole policy of the object it names, so that object comes from a resource of the stack (its output) or the policy is declared.",
    OVERPRIVILEGED,
    PACK.both,
  ),
];

/** Actions that let a principal change permissions or create long-lived credentials (from the risk data). */
export const ESCALATION_ACTIONS: readonly string[] = RISK_ACTIONS.filter((entry) => entry.category === "privilege-escalation").map((entry) => entry.action);

/** Actions that start compute which can run as a passed role (from the risk data). */
export const COMPUTE_ACTIONS = PASSROLE_COMPUTE;

export const MANAGED_ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"] as const;

const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];

export interface PermissionContext {
  /** Role ARNs (or ARN patterns) of every agent identity (the fleet's, or the stack's); none may be assumed. */
  readonly agentRoleArns?: readonly string[];
}

/** Risk category of each listed action, by lower-cased name. */
const RISK_BY_ACTION = new Map<string, { category: RiskCategory; source: string; sourceKey: string }>(
  RISK_ACTIONS.map((entry) => [entry.action.toLowerCase(), { category: entry.category, source: RISK_SOURCES[entry.source].title, sourceKey: entry.source }]),
);

export function riskOf(action: string): RiskCategory | undefined {
  return RISK_BY_ACTION.get(action.toLowerCase())?.category;
}

const ACCOUNT_WRITE_LEVELS = new Set<string>(["Write", "Permissions management", "Tagging"]);
const ACCOUNT_WRITE_ALLOWED = new Set(ACCOUNT_LEVEL_WRITE_ALLOWLIST.map((entry) => entry.action.toLowerCase()));
const ACCOUNT_READ_ALLOWED = new Set(ACCOUNT_LEVEL_READ_ALLOWLIST.map((entry) => entry.action.toLowerCase()));

const isWholeWildcard = (action: string) => action === "*" || action === "*:*";

const isServiceWildcard = (action: string) => /^[^:*?]+:\*$/.test(action);

/**
 * Every concrete action an entry names: itself, or what a pattern expands to. `service:*` expands
 * like any pattern, so each of its actions is judged; only `*` is judged as a whole
 * (iam/action-wildcard, never waivable).
 */
const expansions = new Map<string, readonly string[]>();

export function expandedActions(actions: readonly string[]): readonly string[] {
  // The same few action lists recur across a fleet: expand each once.
  const key = actions.join("\u0000");
  let cached = expansions.get(key);
  if (!cached) {
    if (expansions.size > 20_000) expansions.clear();
    expansions.set(key, (cached = expand(actions)));
  }
  return cached;
}

function expand(actions: readonly string[]): string[] {
  const out = new Set<string>();
  for (const action of actions) {
    if (isWholeWildcard(action)) continue;
    if (hasWildcard(action)) for (const each of expandAction(action)) out.add(each);
    else if (actionExists(action)) out.add(lookupAction(action)!.action);
  }
  return [...out];
}

const short = (list: readonly string[], max = 6) => `${list.slice(0, max).join(", ")}${list.length > max ? `, … (${list.length} in all)` : ""}`;

function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement ${statement.Sid}` : `statement #${index + 1}`;
}

const lowerService = (action: string) => action.slice(0, action.indexOf(":")).toLowerCase();

/** Per-action judgement from the IAM reference and the risk data; the same for every identity. */
function checkActionRisks(actions: readonly string[], resources: readonly string[], label: string): Problem[] {
  const problems: Problem[] = [];
  const byRule = new Map<string, string[]>();
  const add = (rule: string, action: string) => byRule.set(rule, [...(byRule.get(rule) ?? []), action]);
  const everyResource = resources.includes("*");
  for (const action of actions) {
    const level = accessLevel(action);
    if (isPermissionsManagement(level)) add("iam/permissions-management", action);
    if (isTagging(level) && (lowerService(action) === "iam" || lowerService(action) === "sts")) add("iam/tagging", action);
    const risk = riskOf(action);
    if (risk && risk !== "data-exfiltration") add(RISK_CATEGORIES[risk].rule, action);
    if (risk === "data-exfiltration" && everyResource) add("iam/data-exfiltration", action);
  }
  const fixes: Record<string, string> = {
    "iam/permissions-management": "agents never change permissions, policies, ACLs or grants; the platform team does, outside the agent",
    "iam/tagging": "tags on IAM roles and sessions decide access (ABAC); remove the action",
  };
  for (const [rule, list] of byRule) {
    if (list.some((action) => RISK_BY_ACTION.get(action.toLowerCase())?.sourceKey === "awsIamDatabaseAuth")) {
      fixes[rule] =
        `remove ${short(list)}: database credentials come only from a Vault database tool (tools[].database), whose creation statements the database rules check; ${rule} cannot be waived by an exception`;
    }
    const category = Object.entries(RISK_CATEGORIES).find(([, value]) => value.rule === rule);
    const what = category
      ? `${category[0]} (${category[1].description})`
      : rule === "iam/permissions-management"
        ? "Permissions management in the IAM reference"
        : "tagging of IAM or STS";
    const sources = [...new Set(list.map((action) => RISK_BY_ACTION.get(action.toLowerCase())?.source).filter(Boolean))];
    problems.push({
      rule,
      message: `${label} allows ${short(list)}: ${what}${sources.length && rule !== "iam/permissions-management" ? `; source: ${sources.join("; ")}` : ""}${rule === "iam/data-exfiltration" ? ' on every resource ("*")' : ""}`,
      fix:
        fixes[rule] ??
        `remove ${list.length === 1 ? list[0] : "these actions"}${WAIVABLE[rule] === true ? `; if a tool truly needs it, record a reviewed, expiring exception for ${rule}` : `; ${rule} cannot be waived by an exception`}`,
    });
  }
  return problems;
}

/**
 * A wildcard finding may be waived only when everything it reaches is List or Read: a waiver for
 * `s3:*` or for Write on "*" would let through writes to every bucket and every agent's data.
 */
function readOnlyWaiver(problem: Problem, actions: readonly string[]): Problem {
  const beyond = actions.filter((action) => !isReadOnly(accessLevel(action)));
  if (beyond.length === 0) return problem;
  return {
    ...problem,
    message: `${problem.message}; it reaches ${short(beyond, 4)}, beyond List and Read, so no exception waives it`,
    waivable: false,
  };
}

function checkAllowStatement(statement: PolicyStatement, label: string, context: PermissionContext): Problem[] {
  const problems: Problem[] = [];
  const actions = asList(statement.Action);
  const resources = asList(statement.Resource);
  if (statement.NotAction !== undefined) {
    problems.push({ rule: "iam/not-action", message: `${label} uses NotAction in an Allow`, fix: "list the actions the tool needs under Action" });
  }
  if (statement.NotResource !== undefined) {
    problems.push(
      readOnlyWaiver(
        { rule: "iam/not-resource", message: `${label} uses NotResource in an Allow`, fix: "list the resource ARNs the tool needs under Resource" },
        expandedActions(actions),
      ),
    );
  }
  for (const action of actions) {
    if (isWholeWildcard(action)) {
      problems.push({
        rule: "iam/action-wildcard",
        message: `${label} allows every action ("${action}")`,
        fix: "name each action the tool needs, e.g. s3:GetObject",
      });
    } else if (isServiceWildcard(action)) {
      problems.push(
        readOnlyWaiver(
          {
            rule: "iam/service-wildcard",
            message: `${label} allows every ${action.split(":")[0]} action ("${action}")`,
            fix: "name each action the tool needs instead of the service wildcard",
          },
          expandAction(action),
        ),
      );
    } else if (hasWildcard(action)) {
      const expanded = expandAction(action);
      if (expanded.length > 0) {
        problems.push(
          readOnlyWaiver(
            {
              rule: "iam/action-pattern",
              message: `${label}: "${action}" is a pattern; it expands to ${expanded.length} action(s): ${short(expanded, 12)}`,
              fix: `list the exact actions the tool needs instead of "${action}"`,
            },
            expanded,
          ),
        );
      }
    }
  }
  const expanded = expandedActions(actions);
  problems.push(...checkActionRisks(expanded, resources, label));

  const has = (name: string) => expanded.some((action) => action.toLowerCase() === name.toLowerCase());
  if (has("iam:PassRole")) {
    const wildcard = resources.filter((resource) => resource === "*" || /:role\/.*[*?]/.test(resource) || /^arn:[^:]*:iam::[^:]*:\*$/.test(resource));
    if (wildcard.length > 0) {
      problems.push({
        rule: "iam/passrole-wildcard",
        message: `${label} allows iam:PassRole on ${wildcard.join(", ")}`,
        fix: "pass only named roles, or none",
      });
    }
  }
  if (context.agentRoleArns) problems.push(...agentRoleTargets(expanded, resources, label, context.agentRoleArns));

  for (const resource of resources) {
    if (resource === "*") {
      const accountWide = expandedActions(actions).filter(
        (action) =>
          resourceTypesFor(action).length === 0 && ACCOUNT_WRITE_LEVELS.has(accessLevel(action) ?? "") && !ACCOUNT_WRITE_ALLOWED.has(action.toLowerCase()),
      );
      if (accountWide.length > 0) {
        problems.push({
          rule: "iam/account-wide-write",
          message: `${label} allows ${short(accountWide, 4)} on "*": AWS authorises ${accountWide.length === 1 ? "this action" : "these actions"} only account-wide (no resource type), so ${accountWide.length === 1 ? "it changes" : "they change"} the whole account, not something the agent owns`,
          fix: 'remove the action; account-level configuration (detectors, logging, replication, keys, password policy) belongs to the platform team; only the telemetry writes xray:PutTraceSegments and xray:PutTelemetryRecords are allowed on "*"',
        });
      }
      const accountReads = expandedActions(actions).filter(
        (action) => resourceTypesFor(action).length === 0 && isReadOnly(accessLevel(action)) && !ACCOUNT_READ_ALLOWED.has(action.toLowerCase()),
      );
      if (accountReads.length > 0) {
        problems.push({
          rule: "iam/account-wide-read",
          message: `${label} allows ${short(accountReads, 4)} on "*": AWS authorises ${accountReads.length === 1 ? "this read" : "these reads"} only account-wide (no resource type), so ${accountReads.length === 1 ? "it reads" : "they read"} the whole account, not what the agent owns`,
          fix: `remove the action; only ${ACCOUNT_LEVEL_READ_ALLOWLIST.map((entry) => entry.action).join(", ")} are read on "*" (a new one is a reviewed change to components/rules/data/account-level-reads.ts)`,
        });
      }
      const scopable = expandedActions(actions).filter((action) => resourceTypesFor(action).length > 0);
      if (scopable.length > 0) {
        problems.push(
          readOnlyWaiver(
            {
              rule: "iam/resource-wildcard",
              message: `${label} allows ${short(scopable, 4)} on every resource ("*")`,
              fix: "name the resource ARNs (bucket prefix, table, queue) the tool needs",
            },
            scopable,
          ),
        );
      }
      continue;
    }
    if (!parseArn(resource)) continue; // reported once for the whole document
    for (const action of actions.filter((a) => !hasWildcard(a) && actionExists(a))) {
      const types = resourceTypesFor(action);
      if (types.length === 0) {
        problems.push({
          rule: "iam/resource-type",
          message: `${label}: ${action} cannot be scoped to a resource, so "${resource}" never matches`,
          fix: `grant ${action} in a statement of its own with Resource "*"`,
        });
      } else if (!arnAcceptedByAction(action, resource)) {
        problems.push({
          rule: "iam/resource-type",
          message: `${label}: ${action} does not act on "${resource}" (it takes ${types.map((t) => t.name).join(", ")})`,
          fix: `use an ARN of the form ${types
            .slice(0, 3)
            .map((t) => t.arn)
            .join(" or ")}`,
        });
      }
    }
  }
  return problems;
}

/**
 * Every agent identity role of the plan, and the platform's naming prefix `<namePrefix>-<env>-*`
 * (roles of agents declared in no plan here, or revoked and gone), in any account and path.
 */
const planRolePatterns = new WeakMap<object, readonly string[]>();
export function agentRolePatterns(plan: {
  readonly agents: readonly { readonly identities: readonly Parameters<typeof identityRoles>[0][] }[];
  readonly platform: { readonly namePrefix: string; readonly environment: string; readonly aws: { readonly partition: string } };
}): readonly string[] {
  let patterns = planRolePatterns.get(plan);
  if (!patterns) {
    const { namePrefix, environment, aws } = plan.platform;
    patterns = [
      ...plan.agents.flatMap((agent) => agent.identities.flatMap((identity) => identityRoles(identity).map((role) => role.arn))),
      `arn:${aws.partition}:iam::*:role/${namePrefix}-${environment}-*`,
      `arn:${aws.partition}:iam::*:role/*/${namePrefix}-${environment}-*`,
    ];
    planRolePatterns.set(plan, patterns);
  }
  return patterns;
}

/** Agent role ARNs a statement's resources reach; IAM role names compare case-insensitively. */
const roleLookups = new WeakMap<readonly string[], { concrete: Map<string, string>; patterns: Array<readonly [string, string]> }>();

function agentRolesReached(resources: readonly string[], agentRoleArns: readonly string[]): string[] {
  // Built once per list of roles (once per plan), so each statement costs its own resources only.
  let lookup = roleLookups.get(agentRoleArns);
  if (!lookup) {
    lookup = {
      concrete: new Map(agentRoleArns.filter((arn) => !hasWildcard(arn)).map((arn) => [normaliseResource(arn), arn])),
      patterns: agentRoleArns.filter(hasWildcard).map((arn) => [normaliseResource(arn), arn] as const),
    };
    roleLookups.set(agentRoleArns, lookup);
  }
  const { concrete, patterns } = lookup;
  const reached = new Set<string>();
  for (const resource of resources) {
    if (resource === "*") continue;
    const normalised = normaliseResource(resource);
    if (!hasWildcard(normalised)) {
      const hit = concrete.get(normalised);
      if (hit) reached.add(hit);
      for (const [pattern, arn] of patterns) if (grantsIntersect(normalised, pattern)) reached.add(arn);
    } else {
      // A pattern (already an error of its own): compare with every role, bounded by the fleet.
      for (const [key, arn] of [...concrete, ...patterns]) if (grantsIntersect(normalised, key)) reached.add(arn);
    }
  }
  // Name the concrete roles when there are any; the naming-prefix pattern only when nothing else matched.
  const concreteHits = [...reached].filter((arn) => !hasWildcard(arn));
  return concreteHits.length ? concreteHits : [...reached];
}

const actsOnRoles = (action: string) => resourceTypesFor(action).some((type) => /:iam::\$\{Account\}:role\//.test(type.arn));

/** What "*" reaches of the agent roles: every concrete one, or the naming-prefix pattern when the plan names none. */
function everyAgentRole(agentRoleArns: readonly string[]): string[] {
  const concrete = agentRoleArns.filter((arn) => !hasWildcard(arn));
  return concrete.length ? concrete : [...agentRoleArns];
}

/** Checks that apply to every statement: names must exist, ARNs must parse. */
function checkNames(statement: PolicyStatement, label: string): Problem[] {
  const problems: Problem[] = [];
  for (const action of [...asList(statement.Action), ...asList(statement.NotAction)]) {
    if (action === "*") continue;
    const [service] = action.split(":");
    if (!action.includes(":") || (!hasWildcard(service) && !serviceExists(service))) {
      problems.push({
        rule: "iam/unknown-action",
        message: `${label}: "${action}" is not an action of any AWS service`,
        fix: "use service:Action as in the AWS Service Authorization Reference",
      });
    } else if (hasWildcard(action) ? expandAction(action).length === 0 : !actionExists(action)) {
      problems.push({
        rule: "iam/unknown-action",
        message: `${label}: AWS has no action "${action}" (a typo is a silent no-op)`,
        fix: "check the action name in the AWS Service Authorization Reference",
      });
    }
  }
  for (const resource of [...asList(statement.Resource), ...asList(statement.NotResource)]) {
    if (resource !== "*" && !parseArn(resource)) {
      problems.push({
        rule: "iam/malformed-arn",
        message: `${label}: "${resource}" is not an ARN`,
        fix: "write arn:<partition>:<service>:<region>:<account>:<resource>, e.g. arn:aws:s3:::bucket/prefix/*",
      });
    }
  }
  return problems;
}

/**
 * What only the list of agent roles reveals: an IAM action on an agent identity's role (its own
 * included: UpdateRole lengthens sessions, DeleteRole removes the audit identity, Get* maps the
 * fleet's permissions), or assuming one. The plan and the pack's stack check both call this.
 */
function agentRoleTargets(expanded: readonly string[], resources: readonly string[], label: string, agentRoleArns: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  // On "*" an action reaches every agent role when it acts on roles at all.
  const starred = resources.includes("*");
  const iamActions = expanded.filter((action) => lowerService(action) === "iam" && (!starred || actsOnRoles(action)));
  const assumes = ASSUME_ACTIONS.some((name) => expanded.some((action) => action.toLowerCase() === name.toLowerCase()));
  if (iamActions.length === 0 && !assumes) return problems;
  const targets = starred ? everyAgentRole(agentRoleArns) : agentRolesReached(resources, agentRoleArns);
  if (targets.length === 0) return problems;
  if (iamActions.length) {
    problems.push({
      rule: "iam/privilege-escalation",
      message: `${label} allows ${short(iamActions, 4)} on agent identity role(s) ${short(targets)}: an agent never changes or inspects any agent role, its own included (session length, trust, policies, deletion)`,
      fix: "remove the action; the platform manages agent roles through the Agent component, outside the agent",
    });
  }
  if (assumes) {
    problems.push({
      rule: "iam/assume-agent-role",
      message: `${label} allows assuming agent identity role(s) ${short(targets)}`,
      fix: "an agent never acts as another identity; use a vaultAws tool for a non-agent role",
    });
  }
  return problems;
}

/** `agentRoleTargets` over every Allow statement of a document (the pack's stack check). */
export function checkAgentRoleTargets(document: PolicyDocument, agentRoleArns: readonly string[]): Problem[] {
  return document.Statement.flatMap((statement, index) =>
    statement.Effect === "Allow"
      ? agentRoleTargets(expandedActions(asList(statement.Action)), asList(statement.Resource), statementLabel(statement, index), agentRoleArns)
      : [],
  );
}

/** Every problem of one permission policy document. */
export function checkPermissionPolicy(document: PolicyDocument, context: PermissionContext = {}): Problem[] {
  const problems = document.Statement.flatMap((statement, index) => {
    const label = statementLabel(statement, index);
    return [...checkNames(statement, label), ...(statement.Effect === "Allow" ? checkAllowStatement(statement, label, context) : [])];
  });
  // PassRole and compute creation split over two statements (global actions get their own) still combine.
  const grants = document.Statement.map((statement, index) => ({
    tool: null,
    statement: statement.Sid ?? `#${index}`,
    effect: statement.Effect,
    actions: asList(statement.Action),
    notActions: asList(statement.NotAction),
    resources: asList(statement.Resource),
    notResources: asList(statement.NotResource),
  }));
  return [...problems, ...(problems.some((p) => p.rule === "iam/passrole-compute") ? [] : checkIdentityCombinations({ aws: grants }))];
}

/**
 * Combinations judged per identity, across every statement and tool it holds: `iam:PassRole` in one
 * tool and compute creation in another escalate as surely as in one statement.
 */
const COMPUTE_ACTION_SET = new Set(PASSROLE_COMPUTE.map((action) => action.toLowerCase()));

export function checkIdentityCombinations(holdings: Pick<IdentityHoldings, "aws">): Problem[] {
  const passRole: string[] = [];
  const compute = new Map<string, Set<string>>();
  for (const grant of holdings.aws) {
    if (grant.effect !== "Allow") continue;
    const where = grant.tool ? `tool ${grant.tool}` : `statement ${grant.statement}`;
    const actions = grant.actions.some(isWholeWildcard) ? ["iam:PassRole", ...PASSROLE_COMPUTE] : expandedActions(grant.actions);
    for (const action of actions) {
      if (action.toLowerCase() === "iam:passrole") passRole.push(where);
      if (COMPUTE_ACTION_SET.has(action.toLowerCase())) compute.set(action, (compute.get(action) ?? new Set()).add(where));
    }
  }
  if (passRole.length === 0 || compute.size === 0) return [];
  const computeList = [...compute].map(([action, where]) => `${action} (${[...where].join(", ")})`);
  return [
    {
      rule: "iam/passrole-compute",
      message: `iam:PassRole (${[...new Set(passRole)].join(", ")}) together with ${short(computeList, 4)} runs code as the passed role`,
      fix: "remove iam:PassRole or the compute action; an agent does not start compute with a role it chooses",
    },
  ];
}

/**
 * On what the agent declared it owns, only what the type's allowlist names (the allowlist, not a
 * risk list). Plan and pack (policy/ownership-checks.ts) both call it on their holdings.
 */
export function checkOwnedActions(holdings: IdentityHoldings, index: ResourceIndex<Holder>): Problem[] {
  const problems: Problem[] = [];
  for (const grant of holdings.aws) {
    if (grant.effect !== "Allow") continue;
    for (const resource of grant.resources) {
      if (resource === "*" || !parseArn(resource)) continue;
      const owned = index.containing(resource).some((entry) => entry.kind === "owned" && entry.value.agent === holdings.agent && !entry.value.implicit);
      if (!owned) continue;
      const refused = new Map<string, string[]>();
      for (const action of expandedActions(grant.actions)) {
        const problem = ownedActionProblem(action, resource);
        if (problem) refused.set(problem, [...(refused.get(problem) ?? []), action]);
      }
      for (const [problem, list] of refused) {
        problems.push({
          rule: "iam/owned-action",
          message: `${grant.tool ? `tool ${grant.tool}: ` : ""}${short(list)} on owned "${resource}": ${list.length === 1 ? "it" : "each"} ${problem}`,
          fix: "keep to the List, Read and named data-plane Write actions of the owned type (components/rules/data/ownable-types.ts); anything else is the platform's to do, or a reviewed change to that file",
        });
      }
    }
  }
  return problems;
}

/** A resource pattern is allowed only below a prefix the agent owns or is shared (shares are in the declaration only). */
function checkResourcePatterns(holdings: IdentityHoldings, index: ResourceIndex<Holder>): Problem[] {
  const problems: Problem[] = [];
  for (const grant of holdings.aws) {
    if (grant.effect !== "Allow") continue;
    for (const resource of grant.resources) {
      const arn = resource === "*" ? undefined : parseArn(resource);
      if (!arn || !hasWildcard(resource)) continue;
      const containers = index.containing(resource);
      const fixed = [arn.partition, arn.service, arn.region, arn.account].some(hasWildcard);
      const under = containers.some((entry) => entry.below && (entry.kind === "share" || (entry.kind === "owned" && entry.value.agent === holdings.agent)));
      if (fixed || !under) {
        problems.push({
          rule: "iam/resource-pattern",
          message: `${grant.tool ? `tool ${grant.tool}: ` : ""}"${resource}" is a pattern ${fixed ? "in its partition, service, region or account" : "beyond any prefix the agent owns or is shared"}; it reaches every matching resource`,
          fix: "name the concrete resource; a trailing /* is allowed only under a prefix listed in the agent's owns or a platform share",
        });
      }
    }
  }
  return problems;
}

/** A managed policy attached to an agent role (pack only: the components attach none). */
export function checkManagedPolicyArn(policyArn: string): Problem[] {
  const name = policyArn.split("/").pop() ?? "";
  if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(policyArn) && (MANAGED_ADMIN_POLICIES as readonly string[]).includes(name)) {
    return [
      {
        rule: "iam/managed-admin-policy",
        message: `the AWS managed policy ${name} is attached`,
        fix: "detach it and grant the actions the agent needs through its declaration",
      },
    ];
  }
  return [];
}

/** Prefix a problem with the tool it came from, so every finding names agent, identity, tool, rule and fix. */
function inTool(tool: string | null, problems: Problem[]): Problem[] {
  return tool ? problems.map((problem) => ({ ...problem, message: `tool ${tool}: ${problem.message}` })) : problems;
}

export const iamRules = familyRules(IAM_RULES, ({ plan }) => {
  const agentRoleArns = agentRolePatterns(plan);
  const fleet = holdingsOf(plan);
  const findings: RuleFinding[] = [];
  for (const holdings of fleet.identities) {
    for (const grant of holdings.aws) {
      const statement: PolicyStatement = {
        Sid: grant.statement.startsWith("#") ? undefined : grant.statement,
        Effect: grant.effect,
        Action: [...grant.actions],
        Resource: [...grant.resources],
        ...(grant.notActions.length ? { NotAction: [...grant.notActions] } : {}),
        ...(grant.notResources.length ? { NotResource: [...grant.notResources] } : {}),
        Condition: grant.condition,
      };
      if (!grant.actions.length) delete statement.Action;
      if (!grant.resources.length) delete statement.Resource;
      findings.push(
        ...attribute(
          holdings.agent,
          holdings.identity,
          inTool(
            grant.tool,
            checkPermissionPolicy({ Version: "2012-10-17", Statement: [statement] }, { agentRoleArns }).map((problem) => ({
              ...problem,
              message: problem.message.replace("statement #1", `statement ${grant.statement}`),
            })),
          ),
        ),
      );
    }
    findings.push(...attribute(holdings.agent, holdings.identity, checkIdentityCombinations(holdings)));
    if (holdings.identity !== "orchestration")
      findings.push(
        ...attribute(holdings.agent, holdings.identity, [...checkOwnedActions(holdings, indexOf(fleet)), ...checkResourcePatterns(holdings, indexOf(fleet))]),
      );
  }
  for (const agent of plan.agents) findings.push(...toolSessionFindings(agent, plan.platform.environment, plan.platform.toolSessions === "tagged-sessions"));
  return findings;
});

/**
 * iam/tool-session-bound in the plan: each tool role statement is bound to its own tool's session
 * (the tool that contributed its Sid), and with tagged sessions the execution role itself grants nothing.
 */
function toolSessionFindings(agent: AgentPlan, environment: string, tagged: boolean): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const execution = agent.identities.find((identity) => identity.kind === "execution");
  if (!execution) return findings;
  const toolBySid = new Map<string, { tool: string; dataClass: string; environment: string }>();
  for (const tool of agent.tools)
    for (const sidValue of tool.statementSids ?? [])
      if (!toolBySid.has(sidValue)) toolBySid.set(sidValue, { tool: tool.name, dataClass: tool.dataClass, environment });
  for (const policy of execution.toolRole?.policies ?? []) {
    const problems = checkToolRoleStatements(policy.document, `tool role policy ${policy.name}`, (statement) =>
      statement.Sid ? (toolBySid.get(statement.Sid) ?? null) : null,
    );
    findings.push(...attribute(agent.name, "execution", problems));
  }
  if (tagged) {
    const allows = execution.iamRole.policies.flatMap((policy) =>
      policy.document.Statement.filter((s) => s.Effect === "Allow").map((s) => `${policy.name}/${s.Sid ?? "(no Sid)"}`),
    );
    if (allows.length) {
      findings.push(
        ...attribute(agent.name, "execution", [
          {
            rule: "iam/tool-session-bound",
            message: `with tagged sessions the execution role itself allows ${allows.join(", ")}: a grant there holds for every tool`,
            fix: "keep aws tool grants on the tool role, each bound to its tool's session (the compiler does)",
          },
        ]),
      );
    }
  }
  return findings;
}
