/**
 * CloudWatch log groups: an agent's audit sink, tagged with its agent, read into the holdings model
 * (the audit identity writes its own group, the execution identity none of any agent). Per resource:
 * an agent's audit group keeps its trail at least its tier's minimum (the plan's
 * MIN_AUDIT_RETENTION_DAYS; never expiring is fine). Across the stack: a name in the agents' audit
 * name space is one group, its agent's (a second resource of the same name, or an untagged one,
 * could shorten or delete the trail), deletion protection is off only for a revoked agent, and a KMS
 * key encrypting it is one the stack creates, whose policy (its own, or an aws.kms.KeyPolicy that
 * replaces it) names no other account, and whose grants go only to the logs service; within the
 * account the key is a closed world (audit-keys.ts: only the account root and the logs service under
 * its context condition act on it, unless the key is declared; it stays an enabled symmetric key). Its class is STANDARD, as the component creates it
 * (AWS CreateLogGroup: INFREQUENT_ACCESS supports a subset of the features, DELIVERY keeps events one
 * day without Logs Insights queries, and the class cannot change after creation), and it carries no `cw:` data-source tag that would route it into an
 * S3 Tables integration. Nothing else names it (audit-log-group-refs.ts), and no account-wide log
 * setting (an index policy, an S3 Tables source for every data source, a storage tier) covers it.
 */
import { MIN_AUDIT_RETENTION_DAYS } from "../../components/rules/lifecycle";
import type { Problem } from "../../components/rules/define";
import { globMatches } from "../../components/core/patterns";
import { holdingsFromStackOnce } from "../holdings";
import { asRecord, asString, asStrings, readInputs, readPolicyDocument, type KnownInputs } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackResource, StackPass } from "../types";
import { deps, isUnknown, readOfType, type Read } from "./shared";
import { MAY_NAME_AUDIT_GROUP, auditGroupReferences, auditGroupsOf } from "./audit-log-group-refs";
import { selectionCovers } from "./log-selection";
import { auditKeyFindings, grantOperationsBeyondLogsUse } from "./audit-keys";

/** KMS key types whose key policy the pack reads (policy/adapters/resource-policies.ts). */
export const STACK_KEYS: ReadonlySet<string> = new Set([
  "aws:kms/key:Key",
  "aws:kms/replicaKey:ReplicaKey",
  "aws:kms/externalKey:ExternalKey",
  "aws:kms/replicaExternalKey:ReplicaExternalKey",
]);

/** The CloudWatch Logs service of a region, the one principal besides the account that uses an audit key. */
const LOGS_SERVICE = /^logs\.[a-z0-9-]+\.amazonaws\.com$/;

/**
 * Why a stack key's policy lets someone outside the stack's account control it, or null. AWS refuses
 * a key policy that locks out its creator (unless the lockout check is bypassed), so the creator's
 * account is among the AWS principals: a second account, `*`, or any principal kind but AWS
 * accounts' and the CloudWatch Logs service is someone else. No policy is AWS's default (the account only).
 */
export function stackKeyPolicyProblem(key: PackResource | undefined, service: RegExp = LOGS_SERVICE): { key: string; why: string } | null {
  if (!key) return null;
  const inputs = readInputs(key.props);
  const label = `${key.type} ${key.name}`;
  if (inputs.unknown.some((path) => path === "policy" || path === "bypassPolicyLockoutSafetyCheck")) return { key: label, why: "is unknown at preview" };
  if (inputs.value.bypassPolicyLockoutSafetyCheck === true) return { key: label, why: "bypasses the lockout safety check" };
  if (inputs.value.policy === undefined) return null;
  const document = readPolicyDocument(inputs.value.policy);
  if (!document) return { key: label, why: "cannot be read" };
  const accounts = new Set<string>();
  for (const statement of document.Statement) {
    if (statement.Effect !== "Allow") continue;
    const principal = statement.Principal;
    if (principal === undefined || principal === "*" || typeof principal !== "object") return { key: label, why: "allows any principal" };
    for (const [kind, values] of Object.entries(principal)) {
      for (const value of Array.isArray(values) ? values : [values]) {
        if (kind === "Service" && typeof value === "string" && service.test(value)) continue;
        const account =
          kind === "AWS" && typeof value === "string" ? (/^\d{12}$/.exec(value)?.[0] ?? /^arn:[a-z-]+:iam::(\d{12}):/.exec(value)?.[1]) : undefined;
        if (account === undefined) return { key: label, why: `allows ${kind} ${String(value).slice(0, 120)}` };
        accounts.add(account);
      }
    }
  }
  return accounts.size > 1 ? { key: label, why: `allows principals of ${accounts.size} accounts (${[...accounts].join(", ")})` } : null;
}

/** KMS types that change a key's policy or hand out its use, judged with the key of an audit log group. */
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const KEY_GRANT = "aws:kms/grant:Grant";

/** Whether a key policy or grant names this key by the resource it came from; an id unknown at preview and from no resource may be it. */
const onKey = (r: Read, key: PackResource) => deps(r, "keyId").some((d) => d.urn === key.urn) || (isUnknown(r, "keyId") && deps(r, "keyId").length === 0);
export const keyPoliciesOn = (ix: StackIndex, key: PackResource) => readOfType(ix, KEY_POLICY).filter((r) => onKey(r, key));
export const keyGrantsOn = (ix: StackIndex, key: PackResource) => readOfType(ix, KEY_GRANT).filter((r) => onKey(r, key));

/** Why a grant on an audit key is someone else's use of it, or null: only the logs service, retired by no one, uses the trail's key. */
export function keyGrantProblem(grant: Read, service: RegExp = LOGS_SERVICE): string | null {
  if (isUnknown(grant, "granteePrincipal") || isUnknown(grant, "retiringPrincipal")) return "names a principal unknown at preview";
  const grantee = asString(grant.v.granteePrincipal) ?? "";
  if (!service.test(grantee)) return `gives ${grantee.slice(0, 200) || "(no grantee)"} ${asStrings(grant.v.operations).join(", ") || "key operations"}`;
  const retiring = asString(grant.v.retiringPrincipal);
  return retiring === undefined ? null : `lets ${retiring.slice(0, 200)} retire it`;
}

export const LOG_GROUP_TYPES = {
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  logStream: "aws:cloudwatch/logStream:LogStream",
  logMetricFilter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  logIndexPolicy: "aws:cloudwatch/logIndexPolicy:LogIndexPolicy",
  logAnomalyDetector: "aws:cloudwatch/logAnomalyDetector:LogAnomalyDetector",
  logS3TableSource: "aws:cloudwatch/logS3TableIntegrationSource:LogS3TableIntegrationSource",
  logStorageTierPolicy: "aws:cloudwatch/logStorageTierPolicy:LogStorageTierPolicy",
  contributorInsightRule: "aws:cloudwatch/contributorInsightRule:ContributorInsightRule",
} as const;
const T = LOG_GROUP_TYPES;
const ACCOUNT_POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy";
/** Account policy types that forward, mask or rewrite events: judged as copies (separation/agent-data-copy, aws-data.ts). */
const FORWARDING_ACCOUNT_POLICIES = new Set(["SUBSCRIPTION_FILTER_POLICY", "DATA_PROTECTION_POLICY", "TRANSFORMER_POLICY"]);

const RULE = "stack/audit-log-group";
/** The inline policy the components add to a revoked agent's roles (components/core/compile.ts). */
const REVOKED_POLICY = "agent-identity-revoked";

/** An agent's audit group's own settings that differ from what the Agent component creates: retention below its tier's minimum (unknown tier: the longest), a class other than STANDARD, a `cw:` tag. */
function auditGroupSettingsProblems(resource: PackResource, inputs: KnownInputs): Problem[] {
  const tags = asRecord(inputs.value.tags);
  if (!tags.agent) return [];
  const name = asString(inputs.value.name) ?? resource.name;
  const problems: Problem[] = [];
  const days = inputs.value.retentionInDays;
  const minimum = MIN_AUDIT_RETENTION_DAYS[tags.tier ?? ""] ?? Math.max(...Object.values(MIN_AUDIT_RETENTION_DAYS));
  if (!(days === undefined || days === 0 || (typeof days === "number" && days >= minimum)))
    problems.push({
      rule: RULE,
      message: `audit log group ${name} keeps events ${String(days)} days; tier ${tags.tier ?? "(none)"} keeps its trail at least ${minimum} days`,
      fix: `set audit.logRetentionDays to ${minimum} or more in the declaration; never shorten an agent's trail outside it`,
    });
  const logClass = inputs.value.logGroupClass;
  // Unknown at preview is reported by stack/unknown-input (readIfSet).
  if (logClass !== undefined && logClass !== "STANDARD" && !inputs.unknown.includes("logGroupClass"))
    problems.push({
      rule: RULE,
      message: `audit log group ${name} of agent ${tags.agent} is of class ${String(logClass)}: the component creates it STANDARD; INFREQUENT_ACCESS supports only a subset of CloudWatch Logs features, DELIVERY keeps events one day without Logs Insights queries, and a group's class cannot be changed after creation`,
      fix: "leave logGroupClass unset (STANDARD): the trail must stay queryable and kept for its tier's retention",
    });
  const routing = Object.keys(tags).filter((key) => key.toLowerCase().startsWith("cw:"));
  if (routing.length)
    problems.push({
      rule: RULE,
      message: `audit log group ${name} of agent ${tags.agent} carries tag${routing.length > 1 ? "s" : ""} ${routing.join(", ")}: CloudWatch reads cw: tags as a data source, which an S3 Tables integration copies out of the group`,
      fix: "keep only the tags the Agent component sets (agent, owner, tier, environment, managed-by)",
    });
  return problems;
}

/**
 * Account-wide log settings that reach agents' audit groups without naming them: an account policy
 * whose type is not judged as a copy (a field index policy, or a type unknown at preview) selecting
 * them, an S3 Tables integration source for every data source (`*`), a storage tier other than
 * STANDARD (the component's).
 */
function accountWideSettings(ix: StackIndex, pass: StackPass, groups: ReturnType<typeof auditGroupsOf>["groups"]): void {
  const agents = groups.map((g) => g.agent).join(", ");
  const report = (r: Read, what: string) =>
    pass.findings.push({
      rule: RULE,
      agent: r.resource.name,
      identity: "audit",
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name} ${what}, so it applies to the audit log groups of agents ${agents}: only what the Agent component creates may shape an agent's trail`,
      fix: "select only log groups outside the agents' audit name space (LogGroupNamePrefix IN [...] / LogGroupName NOT IN [...] naming every audit group), name a data source the audit groups are not tagged with, or keep the STANDARD tier",
    });
  for (const r of readOfType(ix, ACCOUNT_POLICY)) {
    const type = asString(r.v.policyType);
    if (type !== undefined && FORWARDING_ACCOUNT_POLICIES.has(type)) continue;
    const criteria = asString(r.v.selectionCriteria);
    if (isUnknown(r, "selectionCriteria")) report(r, `is an account ${type ?? "policy"} whose selection criteria are unknown at preview`);
    else if (groups.some((g) => selectionCovers(criteria, g.name)))
      report(r, `is an account-wide ${type ?? "policy (policyType unknown at preview)"}${criteria ? ` selecting ${criteria.slice(0, 200)}` : ""}`);
  }
  for (const r of readOfType(ix, T.logS3TableSource)) {
    const source = asRecord(r.v.dataSource);
    const wild = isUnknown(r, "dataSource") || [source.name, source.type].some((x) => x === undefined || /[*?]/.test(x));
    if (wild)
      report(
        r,
        `associates ${isUnknown(r, "dataSource") ? "a data source unknown at preview" : `data source ${source.name ?? "?"}/${source.type ?? "?"} (every source it matches)`} with an S3 Tables integration, copying those logs out of CloudWatch`,
      );
  }
  for (const r of readOfType(ix, T.logStorageTierPolicy)) {
    const tier = asString(r.v.storageTier);
    if (tier !== "STANDARD") report(r, `sets the account's log storage tier to ${tier ?? "a value unknown at preview"}`);
  }
}

/** Types that name a log group, the inputs that do, and what they do to it. */
const NAMING: ReadonlyArray<readonly [string, string, string]> = [
  [T.logStream, "logGroupName", "adds a stream to a log group (events written there sit beside the audit identity's)"],
  [T.logMetricFilter, "logGroupName", "turns a log group's events into metrics (field values leave as metric values and dimensions)"],
  [T.logIndexPolicy, "logGroupName", "indexes fields of a log group's events"],
  [T.logAnomalyDetector, "logGroupArnLists", "trains an anomaly model on a log group's events; anomalies older than its visibility time become normal"],
  [T.contributorInsightRule, "ruleDefinition", "reports the top contributors of fields of a log group's events"],
];

export const logGroups: Adapter = {
  family: "log-groups",
  holdings: "a log group tagged agent is that agent's audit sink (AgentOwnership.auditLogGroupArn); its name gives the audit namespace",
  types: [
    {
      type: LOG_GROUP_TYPES.logGroup,
      key: "logGroup",
      route: "an agent's audit log group, which only its audit identity writes",
      readIfSet: ["retentionInDays", "deletionProtectionEnabled", "logGroupClass"],
      checkedBy: ["separation/audit-write-only", "separation/execution-no-audit-sink", RULE, "stack/unknown-input"],
    },
    ...NAMING.map(([type, field, does]) => ({
      type,
      key: Object.entries(T).find(([, t]) => t === type)![0],
      route: `${does}; ${field} may name an agent's audit log group, which only the Agent component's resources may name`,
      checkedBy: [RULE],
    })),
    {
      type: T.logS3TableSource,
      key: "logS3TableSource",
      route: "copies the logs of a data source (every source for `*`) into S3 Tables",
      checkedBy: [RULE],
    },
    {
      type: T.logStorageTierPolicy,
      key: "logStorageTierPolicy",
      route: "moves every log group's stored events between storage tiers",
      checkedBy: [RULE],
    },
    {
      type: ACCOUNT_POLICY,
      route: "an account-wide field index policy (or one of a type unknown at preview) applies to every log group it selects, agents' audit groups included",
      checkedBy: [RULE],
    },
    {
      type: "every other aws:* type whose inputs name an agent's audit log group",
      route: `may write into, copy, reshape or hide the trail; refused unless allowlisted (${[...new Set(MAY_NAME_AUDIT_GROUP.keys())].map((t) => t.split(":").pop()).join(", ")})`,
      checkedBy: [RULE],
    },
    {
      type: KEY_POLICY,
      route:
        "replaces the policy of the stack key of an agent's audit log group, judged as the key's own: only the account root and the logs service (under its context condition) act on it, unless declared",
      checkedBy: [RULE],
    },
    { type: KEY_GRANT, route: "hands out use of the stack key of an agent's audit log group: only the logs service's", checkedBy: [RULE] },
  ],
  check: (resource, inputs) => (resource.type === T.logGroup ? auditGroupSettingsProblems(resource, inputs) : []),
  stack: (ix, pass) => {
    const audit = auditGroupsOf(ix);
    if (audit.groups.length > 0) {
      auditGroupReferences(ix, pass);
      accountWideSettings(ix, pass, audit.groups);
    }
    const groups = readOfType(ix, LOG_GROUP_TYPES.logGroup);
    const { fleet } = holdingsFromStackOnce(ix, pass.extraPolicies);
    const namespace = fleet.auditNamespace;
    const byName = new Map<string, number>();
    for (const g of groups) {
      const name = asString(g.v.name);
      if (name !== undefined) byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    const revoked = (agent: string) => {
      const roles = ix.by.rolesOfAgent.get(agent) ?? [];
      return (
        roles.length > 0 &&
        roles.every((r) => (Array.isArray(r.v.inlinePolicies) ? r.v.inlinePolicies : []).some((p) => asString(asRecord(p).name) === REVOKED_POLICY))
      );
    };
    // Each stack key of agents' audit log groups, with the groups it encrypts: judged once (audit-keys.ts).
    const auditKeys = new Map<string, { key: PackResource; groups: { agent: string; name: string }[] }>();
    for (const g of groups) {
      const name = asString(g.v.name);
      const agent = asRecord(g.v.tags).agent;
      const inNamespace =
        name !== undefined && namespace !== null && /\/agents\/[^/]+\/audit$/.test(name) && globMatches(namespace, `arn:*:logs:*:*:log-group:${name}`);
      const owner = name === undefined ? undefined : /\/agents\/([^/]+)\/audit$/.exec(name)?.[1];
      if (inNamespace && (agent !== owner || (byName.get(name!) ?? 0) > 1))
        pass.findings.push({
          rule: RULE,
          agent: owner ?? g.resource.name,
          identity: "audit",
          urn: g.resource.urn,
          message: `${g.resource.type} ${g.resource.name} is named ${name}, agent ${owner}'s audit log group, but ${agent === owner ? "another resource of the stack has the same name" : agent ? `is tagged agent ${agent}` : "is not its agent's"}: its retention or deletion would be the trail's`,
          fix: "let the Agent component create the agent's one audit log group; never declare another resource of that name",
        });
      // A key the stack does not create may be another account's: its holder can make the trail unreadable or stop ingestion.
      if (agent && (g.v.kmsKeyId !== undefined || isUnknown(g, "kmsKeyId")) && !deps(g, "kmsKeyId").some((d) => STACK_KEYS.has(d.type)))
        pass.findings.push({
          rule: RULE,
          agent,
          identity: "audit",
          urn: g.resource.urn,
          message: `audit log group ${name ?? g.resource.name} is encrypted with KMS key ${asString(g.v.kmsKeyId) ?? "(unknown at preview)"}, which this stack does not create: whoever holds that key (another account's, perhaps) can make agent ${agent}'s trail unreadable or stop it being written`,
          fix: "leave kmsKeyId unset (CloudWatch Logs encrypts the trail), or pass the ARN of an aws.kms.Key of this stack, whose key policy the pack reads",
        });
      const key = agent ? deps(g, "kmsKeyId").find((d) => STACK_KEYS.has(d.type)) : undefined;
      if (key && agent) {
        const use = auditKeys.get(key.urn) ?? { key, groups: [] };
        use.groups.push({ agent, name: name ?? g.resource.name });
        auditKeys.set(key.urn, use);
      }
      // A KeyPolicy replaces the key's policy: each one on the key is judged as the key's own.
      const keyProblems = key ? [stackKeyPolicyProblem(key), ...keyPoliciesOn(ix, key).map((kp) => stackKeyPolicyProblem(kp.resource))] : [];
      for (const keyProblem of keyProblems.filter((p) => p !== null))
        pass.findings.push({
          rule: RULE,
          agent,
          identity: "audit",
          urn: g.resource.urn,
          message: `audit log group ${name ?? g.resource.name} is encrypted with KMS key ${keyProblem.key}, whose key policy ${keyProblem.why}: that principal can disable or delete the key, or change its policy, and so make agent ${agent}'s trail unreadable or stop it being written`,
          fix: "let the key policy allow only the stack's own account (one account root or its principals) and the logs.<region>.amazonaws.com service, with bypassPolicyLockoutSafetyCheck unset",
        });
      for (const grant of key ? keyGrantsOn(ix, key) : []) {
        const beyond = grantOperationsBeyondLogsUse(grant);
        const why = keyGrantProblem(grant) ?? (beyond.length > 0 ? `gives the logs service ${beyond.join(", ")}, beyond what CloudWatch Logs uses` : null);
        if (why)
          pass.findings.push({
            rule: RULE,
            agent: agent!,
            identity: "audit",
            urn: grant.resource.urn,
            message: `KMS grant ${grant.resource.name} on ${key!.type} ${key!.name}, the key of agent ${agent}'s audit log group ${name ?? g.resource.name}, ${why}: that principal can use the key outside the trail or retire the logs service's access, and so read the trail or stop it being written`,
            fix: "grant the audit log group's key only to the logs.<region>.amazonaws.com service (no retiring principal), for Encrypt, Decrypt, ReEncrypt*, GenerateDataKey* and DescribeKey, or leave kmsKeyId unset",
          });
      }
      if (agent && g.v.deletionProtectionEnabled === false && !revoked(agent))
        pass.findings.push({
          rule: RULE,
          agent,
          identity: "audit",
          urn: g.resource.urn,
          message: `audit log group ${name ?? g.resource.name} has deletion protection off, and agent ${agent} is not revoked`,
          fix: "keep audit.deletionProtection true; turn it off only to retire a revoked agent's trail (README, Retiring an agent's audit trail)",
        });
    }
    for (const use of auditKeys.values()) pass.findings.push(...auditKeyFindings({ ...use, keyPolicies: keyPoliciesOn(ix, use.key).map((kp) => kp.resource) }));
  },
};
