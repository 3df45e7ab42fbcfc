/**
 * Resources that copy, stream, expose or subscribe to an agent's data without granting any
 * principal (an S3 ACL, replication or inventory of its bucket, a DynamoDB streaming destination or
 * export of its table, a table restored from its table or imported from its objects, inline or
 * legacy global-table replicas of its table, a subscription filter on its log group). Across the
 * stack: whose resource each names (policy/aws-reach.ts). CloudTrail trails are read in cloudtrail.ts.
 */
import { agentResources, reachedBy, type AgentResources } from "../aws-reach";
import { asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, StackPass } from "../types";
import type { ShareFinding } from "./aws-principals";
import { anyArns, arnsOfDependencies, bucketArns, logGroupArns, queueArns, s3UrlArns, tableArns } from "./aws-arns";
import { reachesEntry } from "../../components/core/resource-index";
import { deps, isUnknown, readOfType, type Read } from "./shared";
import { selectionCovers } from "./log-selection";

export const AWS_DATA_TYPES = {
  bucketAcl: "aws:s3/bucketAclV2:BucketAclV2",
  bucketAclV1: "aws:s3/bucketAcl:BucketAcl",
  bucketReplication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  bucketInventory: "aws:s3/inventory:Inventory",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  kinesisStreamingDestination: "aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination",
  tableExport: "aws:dynamodb/tableExport:TableExport",
  logSubscriptionFilter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  bucketInline: "aws:s3/bucket:Bucket",
  bucketV2Inline: "aws:s3/bucketV2:BucketV2",
  bucketLogging: "aws:s3/bucketLogging:BucketLogging",
  bucketLoggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketLifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  tableReplica: "aws:dynamodb/tableReplica:TableReplica",
  table: "aws:dynamodb/table:Table",
  globalTable: "aws:dynamodb/globalTable:GlobalTable",
  objectCopy: "aws:s3/objectCopy:ObjectCopy",
  backupSelection: "aws:backup/selection:Selection",
  logAccountPolicy: "aws:cloudwatch/logAccountPolicy:LogAccountPolicy",
  analyticsConfiguration: "aws:s3/analyticsConfiguration:AnalyticsConfiguration",
  bucketOwnershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  logDataProtectionPolicy: "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy",
  logTransformer: "aws:cloudwatch/logTransformer:LogTransformer",
} as const;

/** Inline settings of `s3.Bucket` / `s3.BucketV2` that copy, expose or expire the bucket's objects, as the separate resources do. */
const BUCKET_INLINE = ["grants", "replicationConfiguration", "replicationConfigurations", "logging", "loggings", "lifecycleRules"] as const;
const setInline = (v: Record<string, unknown>) =>
  (v.acl !== undefined && v.acl !== "private") ||
  BUCKET_INLINE.some((f) => v[f] !== undefined && v[f] !== null && !(Array.isArray(v[f]) && (v[f] as unknown[]).length === 0));

const COPY = "separation/agent-data-copy";

/** Per type: the input naming the agent's resource, the ARNs that name covers, and what the resource does with it. */
export interface Copy {
  readonly type: string;
  /** The input, or a path into it (`a.b`, `a[].b`: every element of a list). */
  readonly field: string;
  /** The names read, when not the strings at `field` (several inputs make one name). */
  readonly names?: (v: Record<string, unknown>) => string[];
  readonly arns: (name: string) => string[];
  readonly does: string;
  readonly when?: (v: Record<string, unknown>) => boolean;
  /** Inputs that decide `when`: unknown at preview is refused. */
  readonly whenInputs?: readonly string[];
}

const COPIES: readonly Copy[] = [
  {
    type: AWS_DATA_TYPES.bucketAcl,
    field: "bucket",
    arns: bucketArns,
    does: "gives an ACL grant on",
    // A private ACL with no grants adds no one.
    when: (v) => (v.acl !== undefined && v.acl !== "private") || v.accessControlPolicy !== undefined,
  },
  {
    type: AWS_DATA_TYPES.bucketAclV1,
    field: "bucket",
    arns: bucketArns,
    does: "gives an ACL grant on",
    when: (v) => (v.acl !== undefined && v.acl !== "private") || v.accessControlPolicy !== undefined,
  },
  { type: AWS_DATA_TYPES.bucketReplication, field: "bucket", arns: bucketArns, does: "replicates" },
  { type: AWS_DATA_TYPES.bucketInventory, field: "bucket", arns: bucketArns, does: "exports the object listing of" },
  { type: AWS_DATA_TYPES.bucketNotification, field: "bucket", arns: bucketArns, does: "sends object events (keys) of" },
  {
    type: AWS_DATA_TYPES.bucketPublicAccessBlock,
    field: "bucket",
    arns: bucketArns,
    does: "lifts the public access block of",
    when: (v) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].some((f) => v[f] !== true),
  },
  { type: AWS_DATA_TYPES.kinesisStreamingDestination, field: "tableName", arns: tableArns, does: "streams every change of" },
  { type: AWS_DATA_TYPES.tableExport, field: "tableArn", arns: tableArns, does: "exports" },
  { type: AWS_DATA_TYPES.logSubscriptionFilter, field: "logGroup", arns: logGroupArns, does: "forwards every event of" },
  ...[AWS_DATA_TYPES.bucketInline, AWS_DATA_TYPES.bucketV2Inline].map((type) => ({
    type,
    field: "bucket",
    arns: bucketArns,
    does: "sets an inline ACL, grants, replication, logging or lifecycle rules on",
    when: setInline,
    whenInputs: ["acl", ...BUCKET_INLINE],
  })),
  { type: AWS_DATA_TYPES.bucketLogging, field: "bucket", arns: bucketArns, does: "sends the access log (keys, requesters) of" },
  { type: AWS_DATA_TYPES.bucketLoggingV2, field: "bucket", arns: bucketArns, does: "sends the access log (keys, requesters) of" },
  { type: AWS_DATA_TYPES.bucketLifecycle, field: "bucket", arns: bucketArns, does: "expires or moves the objects of" },
  { type: AWS_DATA_TYPES.bucketLifecycleV2, field: "bucket", arns: bucketArns, does: "expires or moves the objects of" },
  { type: AWS_DATA_TYPES.tableReplica, field: "globalTableArn", arns: tableArns, does: "replicates to another region" },
  // A table restored from, or imported into from, an agent's table or objects is an unguarded copy of them.
  { type: AWS_DATA_TYPES.table, field: "restoreSourceName", arns: tableArns, does: "is restored (cloned) from" },
  { type: AWS_DATA_TYPES.table, field: "restoreSourceTableArn", arns: tableArns, does: "is restored (cloned) from" },
  { type: AWS_DATA_TYPES.table, field: "importTable", names: importSource, arns: s3UrlArns, does: "imports the objects of" },
  // A table created by import under an agent's table name fills it with objects of someone else's bucket.
  {
    type: AWS_DATA_TYPES.table,
    field: "name",
    arns: tableArns,
    does: "fills, by an S3 import, a table named as",
    when: (v) => v.importTable !== undefined && v.importTable !== null,
    whenInputs: ["importTable"],
  },
  // Inline replicas (or a legacy global table) of a table named as an agent's copy it to other regions.
  {
    type: AWS_DATA_TYPES.table,
    field: "name",
    arns: tableArns,
    does: "replicates to other regions (inline replicas)",
    when: (v) => Array.isArray(v.replicas) && v.replicas.length > 0,
    whenInputs: ["replicas"],
  },
  { type: AWS_DATA_TYPES.globalTable, field: "name", arns: tableArns, does: "replicates to other regions (legacy global table)" },
  { type: AWS_DATA_TYPES.objectCopy, field: "source", arns: objectArns, does: "copies an object of" },
  { type: AWS_DATA_TYPES.backupSelection, field: "resources", arns: anyArns, does: "backs up (and lets its plan copy to any vault)" },
  {
    type: AWS_DATA_TYPES.analyticsConfiguration,
    field: "bucket",
    arns: bucketArns,
    does: "exports storage class analysis (object counts, sizes, access patterns) to another bucket of",
    when: (v) => (v.storageClassAnalysis as { dataExport?: unknown } | undefined)?.dataExport !== undefined,
    whenInputs: ["storageClassAnalysis"],
  },
  {
    type: AWS_DATA_TYPES.bucketOwnershipControls,
    field: "bucket",
    arns: bucketArns,
    // Any setting but BucketOwnerEnforced turns ACLs back on: objects other accounts write stay theirs.
    does: "turns ACLs back on for",
    when: (v) => (v.rule as { objectOwnership?: unknown } | undefined)?.objectOwnership !== "BucketOwnerEnforced",
    whenInputs: ["rule"],
  },
  { type: AWS_DATA_TYPES.logDataProtectionPolicy, field: "logGroupName", arns: logGroupArns, does: "masks events of, and sends audit findings on," },
  { type: AWS_DATA_TYPES.logTransformer, field: "logGroupArn", arns: logGroupArns, does: "rewrites every event ingested into" },
];

/** Account-wide log policy types and what each does to every log group it selects. */
const ACCOUNT_LOG_POLICIES: Readonly<Record<string, string>> = {
  SUBSCRIPTION_FILTER_POLICY: "forwards every log group of the account",
  DATA_PROTECTION_POLICY: "masks the events of every log group of the account",
  TRANSFORMER_POLICY: "rewrites the events of every log group of the account",
};

/**
 * An account-level subscription filter, data protection or transformer policy forwards, masks or
 * rewrites the events of every log group of the account (agents' audit log groups included) unless
 * its selection criteria exclude them (log-selection.ts): in a stack whose agents own log groups it
 * is refused for each agent whose group it selects. Other policy types are stack/audit-log-group's.
 */
function accountSubscriptionPolicies(ix: StackIndex, pass: StackPass, agents: ReturnType<typeof agentResources>): void {
  const logs = agents.byService.get("logs") ?? [];
  if (logs.length === 0) return;
  for (const r of readOfType(ix, AWS_DATA_TYPES.logAccountPolicy)) {
    const type = asString(r.v.policyType);
    const does = type === undefined ? undefined : ACCOUNT_LOG_POLICIES[type];
    if (does === undefined && !isUnknown(r, "policyType")) continue;
    // Agents with a log group the selection covers (a pattern, or criteria unknown at preview, counts as covered).
    const criteria = isUnknown(r, "selectionCriteria") ? undefined : asString(r.v.selectionCriteria);
    const covered = (pattern: string) => {
      const name = /:log-group:([^*?:]+)(?::.*)?$/.exec(pattern)?.[1];
      return name === undefined || selectionCovers(criteria, name);
    };
    const owners = [...new Set(logs.filter((l) => covered(l.pattern)).map((l) => l.agent))];
    for (const agent of owners)
      pass.findings.push({
        rule: COPY,
        agent,
        identity: null,
        urn: r.resource.urn,
        message: `${r.resource.type} ${r.resource.name} is an account-wide ${type ?? "log policy (policyType unknown at preview)"}: it ${does ?? "may forward, mask or rewrite every log group of the account"}, agent ${agent}'s included`,
        fix: "apply it only to named log groups that are no agent's (aws.cloudwatch.LogSubscriptionFilter, LogDataProtectionPolicy, LogTransformer); an agent's logs leave or change only if the security team declares it in the pack's `shares` configuration",
      });
  }
}

/**
 * A Backup selection by tag or condition selects resources the pack cannot list: in a stack with
 * agents it is refused (closed world), as is one whose tags or conditions are unknown at preview.
 */
function backupSelectionsByTag(ix: StackIndex, pass: StackPass): void {
  for (const r of readOfType(ix, AWS_DATA_TYPES.backupSelection)) {
    const tags = r.v.selectionTags;
    const conditions = r.v.conditions;
    const set = (x: unknown) => x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0);
    if (!set(tags) && !set(conditions) && !isUnknown(r, "selectionTags") && !isUnknown(r, "conditions")) continue;
    pass.findings.push({
      rule: COPY,
      agent: r.resource.name,
      identity: null,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name} selects resources by tag or condition in a stack with agents: which agent data it backs up (and its plan may copy to another account) cannot be told`,
      fix: "name the backed-up resources by ARN in `resources`; an agent's data is backed up only if the security team declares it in the pack's `shares` configuration",
    });
  }
}

/** A table import's S3 source as `s3://bucket/keyPrefix`; none without a bucket. */
function importSource(v: Record<string, unknown>): string[] {
  const importTable = v.importTable && typeof v.importTable === "object" ? (v.importTable as Record<string, unknown>) : {};
  const source = asRecord(importTable.s3BucketSource);
  const bucket = asString(source.bucket);
  return bucket === undefined ? [] : [`s3://${bucket}/${asString(source.keyPrefix) ?? ""}`];
}

/**
 * `s3.ObjectCopy` source: `bucket/key` or an `arn:aws:s3:::bucket/key` ARN, optionally `?versionId=`.
 * Any other form (an access point ARN) names no bucket the pack can tell: it reaches every bucket.
 */
function objectArns(source: string): string[] {
  const path = source
    .replace(/\?.*$/, "")
    .replace(/^arn:[^:]+:s3:::/, "")
    .replace(/^\/+/, "");
  if (path.startsWith("arn:") || !path.includes("/")) return ["arn:*:s3:::*"];
  return [`arn:*:s3:::${path}`];
}
export const awsData: Adapter = {
  family: "aws-data",
  holdings: "reads what agents own and hold from the holdings model; a resource that copies or exposes it is compared with it, not added to it",
  types: [
    // One entry per type (a table is read for restores, imports and replicas).
    ...[...new Set(COPIES.map((c) => c.type))].map((type) => ({
      type,
      key: Object.entries(AWS_DATA_TYPES).find(([, t]) => t === type)![0],
      route: `${[...new Set(COPIES.filter((c) => c.type === type).map((c) => c.does))].join("; ")} a bucket, table or log group, which may be an agent's`,
      checkedBy: [COPY],
    })),
    {
      type: AWS_DATA_TYPES.logAccountPolicy,
      key: "logAccountPolicy",
      route:
        "an account-wide log policy: a subscription filter, data protection or transformer policy forwards, masks or rewrites every log group, agents' included",
      checkedBy: [COPY],
    },
  ],
  stack: (ix, pass) => {
    // Only a stack with a copy or an account-wide log policy needs the agents' resources.
    if (!COPIES.some((copy) => ix.inputsOfType(copy.type).length > 0) && ix.inputsOfType(AWS_DATA_TYPES.logAccountPolicy).length === 0) return;
    const agents = agentResources(ix, pass);
    if (agents.byService.size === 0) return;
    reportCopies(ix, pass, agents, COPIES);
    backupSelectionsByTag(ix, pass);
    accountSubscriptionPolicies(ix, pass, agents);
  },
};

/** The strings at a path of a resource's inputs (`a.b`, `a[].b`: every element of a list at `a`). */
export function stringsAt(v: unknown, path: string): string[] {
  const [head, ...rest] = path.split(".");
  const list = head.endsWith("[]");
  const key = list ? head.slice(0, -2) : head;
  const here = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
  const values = list ? (Array.isArray(here) ? here : []) : Array.isArray(here) && rest.length === 0 ? here : [here];
  if (rest.length === 0) return values.filter((x): x is string => typeof x === "string");
  return values.flatMap((x) => stringsAt(x, rest.join(".")));
}

/** ARNs as reaches: each compared with the agents' resources of its own service (`*`: every service; an Object Lambda access point fronts S3). */
export const toReaches = (arns: readonly string[]) =>
  arns.map((arn) => ({ services: { [arn === "*" ? "*" : (arn.split(":")[2] ?? "*").replace(/^s3-object-lambda$/, "s3")]: "" }, resources: [arn] }));

/** Each copy whose named resource an agent owns or holds is a finding per agent (declarable in `shares`); a name unknown at preview is refused. */
export function reportCopies(ix: StackIndex, pass: StackPass, agents: AgentResources, copies: readonly Copy[]): void {
  for (const copy of copies) {
    for (const r of readOfType(ix, copy.type)) {
      const whenUnknown = (copy.whenInputs ?? []).some((field) => isUnknown(r, field));
      if (copy.when && !copy.when(r.v) && !whenUnknown) continue;
      const names = copy.names ? copy.names(r.v) : stringsAt(r.v, copy.field);
      const top = copy.field.split(/[.[]/)[0];
      // Unknown at preview: the bucket, table, log group ... of the stack it came from, when there is one.
      const resolved = isUnknown(r, top) ? arnsOfDependencies(deps(r, top)) : undefined;
      if (resolved)
        reportReached(
          pass,
          r,
          toReaches(resolved),
          agents,
          copy.does,
          `${copy.field} (from ${deps(r, top)
            .map((d) => d.name)
            .join(", ")})`,
        );
      else if (isUnknown(r, top))
        pass.findings.push({
          rule: COPY,
          agent: r.resource.name,
          identity: null,
          urn: r.resource.urn,
          message: `${r.resource.type} ${r.resource.name}: ${copy.field} is unknown at preview, so whether it is an agent's cannot be told`,
          fix: `name the ${copy.field} with a known value`,
        });
      if (names.length === 0) continue;
      const name = names.join(", ");
      reportReached(pass, r, toReaches(names.flatMap(copy.arns)), agents, copy.does, name);
    }
  }
}

/**
 * One finding per agent whose owned or held resources `reaches` touches: `r` hands them to someone
 * other than the agent's identities (declarable in `shares`). `what` names the resource as the
 * input wrote it; without it the agent's matching patterns are named.
 */
export function reportReached(pass: StackPass, r: Read, reaches: Parameters<typeof reachedBy>[0], agents: AgentResources, does: string, what?: string): void {
  const byAgent = new Map<string, ReturnType<typeof reachedBy>>();
  for (const hit of reachedBy(reaches, agents, 10)) byAgent.set(hit.resource.agent, [...(byAgent.get(hit.resource.agent) ?? []), hit]);
  for (const [agent, hits] of byAgent) {
    const patterns = hits.map((h) => h.resource.pattern);
    const identity = hits[0].resource.identity;
    const finding: ShareFinding = {
      rule: COPY,
      agent,
      identity,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name} ${does} ${what ?? patterns.join(", ")}, which agent ${agent} ${identity ? `holds (${identity} identity${what ? `: ${patterns.join(", ")}` : ""})` : `owns${what ? ` (${patterns.join(", ")})` : ""}`}`,
      fix: "an agent's data leaves only through its own identities' grants; if this is intended, the security team declares it in the pack's `shares` configuration",
      share: {
        principals: [`resource:${r.resource.type}/${r.resource.name}`],
        resources: [...patterns, ...hits.flatMap((h) => h.unlisted)],
        destinations: copyDestinations(r, patterns),
      },
    };
    pass.findings.push(finding);
  }
}

const DESTINATION = [/^arn:(?![^:]*:iam:)/, /^\d{12}$/, /^[0-9a-f]{64}$/, /^[a-z][a-z0-9+.-]*:\/\//i];
const MAX_DEPTH = 12;
const MAX_STRINGS = 500;
const MAX_JSON = 100_000;

/** A queue URL or `s3://` URL as the ARN it names, to tell a source written as a URL; other strings as written. */
const asArns = (value: string): string[] => (/^https:\/\/(sqs|queue)\./.test(value) ? queueArns(value) : /^s3a?:\/\//.test(value) ? s3UrlArns(value) : [value]);

/**
 * Where a copy may send the data, for a declared share to name (`destinations`): every ARN (but an
 * IAM principal's, which performs the copy), account id, canonical user id and URL in its inputs,
 * JSON text included, other than the agent's resources the finding names; an input unknown at preview (but a
 * role) is a destination no share can name. Bounded in depth and count; past the bound nothing is
 * declarable.
 */
export function copyDestinations(r: Read, agentPatterns: readonly string[]): string[] {
  const isSource = (value: string) => asArns(value).some((arn) => agentPatterns.some((pattern) => reachesEntry(arn, pattern, true)));
  const out = new Set<string>();
  let strings = 0;
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || strings > MAX_STRINGS) return;
    if (typeof value === "string") {
      strings++;
      if (/^\s*[[{]/.test(value) && value.length <= MAX_JSON) {
        try {
          return walk(JSON.parse(value), depth + 1);
        } catch {
          // Not JSON: read as a string.
        }
      }
      if (DESTINATION.some((re) => re.test(value)) && !isSource(value)) out.add(value);
    } else if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else if (value && typeof value === "object") for (const item of Object.values(value)) walk(item, depth + 1);
  };
  walk(r.v, 0);
  if (strings > MAX_STRINGS || out.size > 100) return ["* too many inputs to tell where the copy goes"];
  for (const path of r.unknown) if (!/role/i.test(path.split(".").pop() ?? "")) out.add(`* ${path} (unknown at preview)`);
  return [...out];
}
