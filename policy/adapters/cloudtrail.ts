/**
 * CloudTrail trails and event data stores: the account's record of what every identity, agents'
 * included, does. The threat is that record being stopped or narrowed, or leaving the account.
 *
 * Per resource (refused before it is created): a trail records every management event, reads and
 * writes, of every region and of global services (IAM, STS), logging on and log file validation on;
 * an event data store records every management event of every region, keeps them at least the
 * longest audit retention, keeps termination protection, and is not suspended. Selector semantics
 * (AWS CloudTrail API, AdvancedFieldSelector / EventSelector / DataResource): advanced selectors
 * are ORed, the fields of one are ANDed; `eventCategory` Equals `Management` alone records every
 * management event, while a `readOnly` field keeps only reads or writes and `eventSource` NotEquals
 * leaves a service out; with no selectors a trail or event data store records all management events.
 *
 * Across the stack: a trail recording data events of an agent's resources (an S3 object, a table
 * item: who read what) into a bucket the stack does not create copies the agent's activity to a
 * bucket whose account the pack cannot tell (separation/agent-data-copy, declarable in `shares`);
 * a trail or store naming an ARN of another account than the agents' (a CloudWatch Logs group or
 * role, an SNS topic, a KMS key) sends or hands the record outside. A trail writing into an agent's
 * audit log group is refused by stack/audit-log-group (audit-log-group-refs.ts).
 *
 * What a platform may do anyway is declared by the security team in the pack's CrossGuard
 * configuration (`kubernetesPlatformResources`, by URN and inputs digest), never in the change itself.
 */
import { MIN_AUDIT_RETENTION_DAYS } from "../../components/rules/lifecycle";
import type { Problem } from "../../components/rules/define";
import { agentResources } from "../aws-reach";
import { asString, type KnownInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackResource, StackPass } from "../types";
import { reportReached } from "./aws-data";
import { agentAccounts, deps, isUnknown, readOfType, type Read } from "./shared";

export const CLOUDTRAIL_TYPES = {
  trail: "aws:cloudtrail/trail:Trail",
  eventDataStore: "aws:cloudtrail/eventDataStore:EventDataStore",
} as const;
const T = CLOUDTRAIL_TYPES;
const RULE = "stack/audit-trail";
/** An event data store keeps agents' activity at least as long as the longest audit retention. */
const MIN_STORE_DAYS = Math.max(...Object.values(MIN_AUDIT_RETENTION_DAYS));
const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

type Fields = ReadonlyArray<Record<string, unknown>>;
const records = (x: unknown): Fields => (Array.isArray(x) ? x : []).map((f) => (f && typeof f === "object" ? f : {}) as Record<string, unknown>);
const fieldsOf = (selector: unknown): Fields =>
  records(selector && typeof selector === "object" ? (selector as Record<string, unknown>).fieldSelectors : undefined);
const equalsOnly = (f: Record<string, unknown>, value: string) => JSON.stringify(f.equals) === JSON.stringify([value]);

/** One advanced selector records every management event: `eventCategory` Equals [Management] and no other field. */
const allManagement = (fields: Fields) => fields.length === 1 && fields[0].field === "eventCategory" && equalsOnly(fields[0], "Management");

/** What a trail or store leaves out of the management events, as phrases. */
function managementGaps(v: Record<string, unknown>, basicAllowed: boolean): string[] {
  const gaps: string[] = [];
  if (basicAllowed)
    for (const s of records(v.eventSelectors)) {
      if (s.includeManagementEvents === false) gaps.push("has an event selector without management events");
      if (s.readWriteType !== undefined && s.readWriteType !== "All") gaps.push(`has an event selector recording only ${String(s.readWriteType)} events`);
      if (Array.isArray(s.excludeManagementEventSources) && s.excludeManagementEventSources.length)
        gaps.push(`excludes management events of ${s.excludeManagementEventSources.join(", ")}`);
    }
  const advanced = Array.isArray(v.advancedEventSelectors) ? v.advancedEventSelectors : [];
  if (advanced.length && !advanced.some((selector) => allManagement(fieldsOf(selector))))
    gaps.push(
      "has advanced event selectors none of which records every management event (eventCategory Management alone: a readOnly or eventSource field narrows it)",
    );
  return gaps;
}

const DECLARE = ", or have the security team declare it (kubernetesPlatformResources)";

type Declarable = Problem & { readonly platformResource: string };
function problemsOf(resource: PackResource, label: string, gaps: readonly string[], fix: string): Declarable[] {
  return gaps.map((gap) => ({
    rule: RULE,
    message: `${label} ${gap}`,
    fix: fix + DECLARE,
    platformResource: platformResourceKey(resource.type, resource.name),
  }));
}

const unknownOf = (inputs: KnownInputs, fields: readonly string[]) =>
  fields.filter((f) => inputs.unknown.some((p) => p === f || p.startsWith(`${f}.`) || p.startsWith(`${f}[`)));

/** Why a trail records less than every management event, read and write, of every region and global service, verifiably. */
export function trailProblems(resource: PackResource, inputs: KnownInputs): Declarable[] {
  const v = inputs.value;
  const gaps: string[] = [];
  if (v.enableLogging === false) gaps.push("sets enableLogging false (the trail records nothing)");
  const unknown = unknownOf(inputs, [
    "enableLogging",
    "eventSelectors",
    "advancedEventSelectors",
    "isMultiRegionTrail",
    "includeGlobalServiceEvents",
    "enableLogFileValidation",
  ]);
  if (unknown.length) gaps.push(`has ${unknown.join(", ")} unknown at preview`);
  gaps.push(...managementGaps(v, true));
  if (v.isMultiRegionTrail !== true && !unknown.includes("isMultiRegionTrail"))
    gaps.push("records one region only (isMultiRegionTrail is not true): what agents do in any other region is not recorded");
  if (v.includeGlobalServiceEvents === false) gaps.push("leaves out global service events (IAM, STS, CloudFront)");
  if (v.enableLogFileValidation !== true && !unknown.includes("enableLogFileValidation"))
    gaps.push("has log file validation off: its delivered records can be changed or deleted without detection");
  return problemsOf(
    resource,
    `CloudTrail trail ${asString(v.name) ?? resource.name}`,
    gaps,
    "keep every trail multi-region, with global service events, all management events (reads and writes), logging and log file validation on; a trail the platform no longer needs is deleted, not narrowed",
  );
}

/** Why an event data store records less than every management event, keeps them too briefly, or can be stopped or deleted. */
export function eventDataStoreProblems(resource: PackResource, inputs: KnownInputs): Declarable[] {
  const v = inputs.value;
  const gaps: string[] = [];
  const unknown = unknownOf(inputs, ["advancedEventSelectors", "multiRegionEnabled", "retentionPeriod", "terminationProtectionEnabled", "suspend"]);
  if (unknown.length) gaps.push(`has ${unknown.join(", ")} unknown at preview`);
  gaps.push(...managementGaps(v, false));
  if (v.multiRegionEnabled === false) gaps.push("records one region only (multiRegionEnabled false)");
  if (typeof v.retentionPeriod === "number" && v.retentionPeriod < MIN_STORE_DAYS)
    gaps.push(`keeps events ${v.retentionPeriod} days, less than the longest audit retention (${MIN_STORE_DAYS} days)`);
  if (v.terminationProtectionEnabled === false) gaps.push("has termination protection off: the store and every event in it can be deleted in one call");
  if (v.suspend === true || v.suspend === "true") gaps.push("is suspended: it ingests no new events");
  return problemsOf(
    resource,
    `CloudTrail event data store ${asString(v.name) ?? resource.name}`,
    gaps,
    `record every management event of every region (no advancedEventSelectors, or one with eventCategory Management alone), keep retentionPeriod at ${MIN_STORE_DAYS} days or more and termination protection on`,
  );
}

/** Inputs naming where a trail or store sends or encrypts its record, by ARN. */
const DESTINATIONS: Readonly<Record<string, readonly string[]>> = {
  [T.trail]: ["cloudWatchLogsGroupArn", "cloudWatchLogsRoleArn", "snsTopicName", "kmsKeyId"],
  [T.eventDataStore]: ["kmsKeyId"],
};

function outsideAccount(ix: StackIndex, pass: StackPass, accounts: ReadonlySet<string>): void {
  for (const r of readOfType(ix, T.trail, T.eventDataStore)) {
    for (const field of DESTINATIONS[r.resource.type]) {
      const value = asString(r.v[field]);
      const account = value === undefined ? undefined : /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(value)?.[1];
      const unknownOutside = isUnknown(r, field) && deps(r, field).length === 0;
      if (!unknownOutside && (account === undefined || accounts.has(account))) continue;
      pass.findings.push({
        rule: RULE,
        agent: r.resource.name,
        identity: null,
        urn: r.resource.urn,
        platformResource: platformResourceKey(r.resource.type, r.resource.name),
        message: `${r.resource.type} ${r.resource.name}: ${field} ${unknownOutside ? "is unknown at preview and comes from no resource of the stack" : `is in account ${account}, not the agents' (${[...accounts].join(", ")})`}: the record of what agents do would be sent to, or controlled by, another account`,
        fix: `name a resource of the agents' account${DECLARE}`,
      });
    }
  }
}

/** A bucket name the stack creates (by the input it came from, or by name). */
function bucketInStack(ix: StackIndex, r: Read): boolean {
  if (deps(r, "s3BucketName").some((d) => BUCKET_TYPES.has(d.type))) return true;
  const name = asString(r.v.s3BucketName);
  return name !== undefined && [...BUCKET_TYPES].some((type) => ix.inputsOfType(type).some((b) => asString(b.value.bucket) === name));
}

/** ARN patterns a resource type of data events covers entirely. */
const EVERY_OF_TYPE: Readonly<Record<string, string>> = {
  "AWS::S3::Object": "arn:*:s3:::*",
  "AWS::DynamoDB::Table": "arn:*:dynamodb:*:*:table/*",
  "AWS::DynamoDB::Stream": "arn:*:dynamodb:*:*:table/*",
  "AWS::Lambda::Function": "arn:*:lambda:*:*:function:*",
  "AWS::S3::AccessPoint": "arn:*:s3:*:*:accesspoint/*",
};

/**
 * The resources whose data events a trail records, as ARN patterns: DataResource values are ARN
 * prefixes (`arn:aws:s3` every bucket, `arn:aws:s3:::b/` every object of b); an advanced Data
 * selector covers its `resources.ARN` Equals or StartsWith values, or, with any other operator or
 * none, every resource of its `resources.type` (every resource of any service when unknown).
 */
function dataEventArns(v: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const s of records(v.eventSelectors))
    for (const d of records(s.dataResources))
      for (const value of Array.isArray(d.values) ? d.values : [])
        if (typeof value === "string") out.push(/^arn:[^:]+:[^:]+$/.test(value) || value.endsWith(":::") ? `arn:*:${value.split(":")[2]}:*` : `${value}*`);
  for (const selector of Array.isArray(v.advancedEventSelectors) ? v.advancedEventSelectors : []) {
    const fields = fieldsOf(selector);
    if (!fields.some((f) => f.field === "eventCategory" && equalsOnly(f, "Data"))) continue;
    const arn = fields.filter((f) => f.field === "resources.ARN");
    const narrowed = arn.length > 0 && arn.every((f) => Object.keys(f).every((k) => k === "field" || k === "equals" || k === "startsWith"));
    if (narrowed)
      for (const f of arn) {
        for (const x of Array.isArray(f.equals) ? f.equals : []) if (typeof x === "string") out.push(x);
        for (const x of Array.isArray(f.startsWith) ? f.startsWith : []) if (typeof x === "string") out.push(`${x}*`);
      }
    else {
      const types = fields.filter((f) => f.field === "resources.type").flatMap((f) => (Array.isArray(f.equals) ? f.equals : []));
      out.push(...(types.length ? types.map((t) => EVERY_OF_TYPE[String(t)] ?? "*") : ["*"]));
    }
  }
  return out;
}

/** Trails recording agents' data events into a bucket the stack does not create. */
function dataEventsLeaving(ix: StackIndex, pass: StackPass): void {
  const trails = readOfType(ix, T.trail).filter((r) => !bucketInStack(ix, r));
  const withData = trails.map((r) => ({ r, arns: dataEventArns(r.v) })).filter((t) => t.arns.length > 0);
  if (withData.length === 0) return;
  const agents = agentResources(ix, pass);
  for (const { r, arns } of withData)
    reportReached(
      pass,
      r,
      arns.map((arn) => ({ services: { [arn === "*" ? "*" : (arn.split(":")[2] ?? "*")]: "" }, resources: [arn] })),
      agents,
      `records the data events (who read or wrote which object or item) into bucket ${asString(r.v.s3BucketName) ?? "(unknown at preview)"}, which this stack does not create (its account cannot be told), of`,
    );
}

export const cloudtrail: Adapter = {
  family: "cloudtrail",
  holdings: "reads what agents own and hold from the holdings model; a trail recording their data events is compared with it, not added to it",
  types: [
    {
      type: T.trail,
      key: "trail",
      route: "records what every identity of the account does, and sends it to a bucket, log group or topic",
      checkedBy: [RULE, "separation/agent-data-copy"],
    },
    {
      type: T.eventDataStore,
      key: "eventDataStore",
      route: "keeps CloudTrail events of the account (CloudTrail Lake) for queries",
      checkedBy: [RULE],
    },
  ],
  check: (resource, inputs) =>
    resource.type === T.trail ? trailProblems(resource, inputs) : resource.type === T.eventDataStore ? eventDataStoreProblems(resource, inputs) : [],
  stack: (ix, pass) => {
    if (ix.inputsOfType(T.trail).length === 0 && ix.inputsOfType(T.eventDataStore).length === 0) return;
    const accounts = agentAccounts(ix);
    if (accounts.size > 0) outsideAccount(ix, pass, accounts);
    if (ix.serviceAccounts.length > 0) dataEventsLeaving(ix, pass);
  },
};
