/**
 * The bucket a CloudTrail trail delivers to holds the account's record of what every identity,
 * agents' included, did; whoever can delete, overwrite, expire, replicate out or open it erases or
 * forges that record. Closed world around that bucket (stack/audit-trail):
 * - its bucket policy allows only CloudTrail's documented delivery (AWS CloudTrail User Guide,
 *   "Amazon S3 bucket policy for CloudTrail": `cloudtrail.amazonaws.com` may s3:GetBucketAcl on the
 *   bucket and s3:PutObject on its objects with `s3:x-amz-acl` bucket-owner-full-control, both with
 *   an `aws:SourceArn` condition naming trails), Deny statements of a harmless shape (harmlessDeny:
 *   none may stop CloudTrail's delivery), and reads by principals the security team declares;
 * - no object written into it by the stack (BucketObject, BucketObjectv2, ObjectCopy), no ObjectCopy
 *   out of it to a destination not declared;
 * - no ACL grant beyond the owner (canned ACL `private` only), object ownership BucketOwnerEnforced,
 *   every public access block setting true;
 * - no lifecycle expiration (current or noncurrent versions) shorter than the retention the security
 *   team states (default TRAIL_RETENTION_DAYS, configurable per bucket), no replication to a bucket
 *   not declared, versioning and object lock never turned off, no `forceDestroy`;
 * - no identity of the stack that is not an agent's (roles, users, groups, permission sets, read by
 *   aws-principals' one grant reader) may do anything but read the bucket and the trail's objects.
 *
 * Which buckets: those a trail of this stack names (by name, ARN or the bucket resource its input
 * comes from; unknown at preview and from no bucket of the stack is refused), and those the security
 * team declares in `auditTrailBuckets` (trail-buckets-config.ts: a trail of another stack or of the
 * organisation). In a stack with agents, the destructive settings above (bucket policy, ACL, ownership,
 * public access, lifecycle, replication, versioning, object lock) on any bucket are refused too, unless the
 * setting is declared: a bucket the stack does not create may hold the record of a trail the stack
 * cannot see, and one it names as its own may be such a bucket imported (IMPORTED below). Per resource, every S3
 * bucket setting is judged against the declared buckets before it is created; across the stack,
 * against the stack's own trails.
 */
import { asList, type PolicyStatement } from "../../components/core/iam-document";
import { accessLevel, expandAction, isReadOnly } from "../../components/core/iam-catalog";
import { globMatches, globsIntersect, hasWildcard } from "../../components/core/patterns";
import type { Reach } from "../aws-reach";
import { asRecord, asString, readPolicyDocument, type KnownInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { StackIndex } from "../stack-index";
import type { TrailBucketScope } from "../trail-buckets-config";
import type { Adapter, PackFinding, PackResource, ResourceProblem, StackPass } from "../types";
import { holdingsFromStackOnce } from "../holdings";
import { nonAgentGrants } from "./aws-principals";
import { keyMaterialProblems } from "./audit-keys";
import { STACK_KEYS, keyGrantProblem, keyGrantsOn, keyPoliciesOn, stackKeyPolicyProblem } from "./log-groups";
import { deps, isUnknown, readOfType, type Read } from "./shared";

const RULE = "stack/audit-trail";
const TRAIL = "aws:cloudtrail/trail:Trail";

export const TRAIL_BUCKET_TYPES = {
  trailBucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  trailBucket: "aws:s3/bucket:Bucket",
  trailBucketV2: "aws:s3/bucketV2:BucketV2",
  trailBucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
  trailBucketAcl: "aws:s3/bucketAcl:BucketAcl",
  trailBucketLifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  trailBucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  trailBucketReplication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  trailBucketVersioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  trailBucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  trailBucketObjectLockV2: "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
  trailBucketObjectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  trailBucketOwnership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  trailBucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  trailBucketObject: "aws:s3/bucketObject:BucketObject",
  trailBucketObjectv2: "aws:s3/bucketObjectv2:BucketObjectv2",
  trailObjectCopy: "aws:s3/objectCopy:ObjectCopy",
  trailBucketSseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  trailBucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
} as const;
const T = TRAIL_BUCKET_TYPES;
const BUCKETS: ReadonlySet<string> = new Set([T.trailBucket, T.trailBucketV2]);
/** Objects the stack writes: into a trail bucket they are a forged or overwritten record. */
const OBJECTS: ReadonlySet<string> = new Set([T.trailBucketObject, T.trailBucketObjectv2, T.trailObjectCopy]);
/** CloudTrail's object keys are `[prefix/]AWSLogs/<account>/CloudTrail…`: on a bucket the stack does not create, such a key may be a record. */
const mayBeRecordKey = (key: string | undefined) => key === undefined || key.includes("AWSLogs/");

/** The inputs each type is judged by (unknown at preview: refused on a trail bucket). */
const READ: Readonly<Record<string, readonly string[]>> = {
  [T.trailBucketPolicy]: ["policy"],
  [T.trailBucket]: [
    "policy",
    "acl",
    "grants",
    "lifecycleRules",
    "replicationConfiguration",
    "versioning",
    "objectLockConfiguration",
    "forceDestroy",
    "serverSideEncryptionConfiguration",
  ],
  [T.trailBucketV2]: [
    "policy",
    "acl",
    "grants",
    "lifecycleRules",
    "replicationConfiguration",
    "replicationConfigurations",
    "versioning",
    "versionings",
    "objectLockConfiguration",
    "forceDestroy",
    "serverSideEncryptionConfiguration",
    "serverSideEncryptionConfigurations",
  ],
  [T.trailBucketAclV2]: ["acl", "accessControlPolicy"],
  [T.trailBucketAcl]: ["acl", "accessControlPolicy"],
  [T.trailBucketLifecycleV2]: ["rules"],
  [T.trailBucketLifecycle]: ["rules"],
  [T.trailBucketReplication]: ["rules"],
  [T.trailBucketVersioningV2]: ["versioningConfiguration"],
  [T.trailBucketVersioning]: ["versioningConfiguration"],
  [T.trailBucketObjectLockV2]: ["objectLockEnabled", "rule"],
  [T.trailBucketObjectLock]: ["objectLockEnabled", "rule"],
  [T.trailBucketOwnership]: ["rule"],
  [T.trailBucketPublicAccessBlock]: ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"],
  [T.trailBucketObject]: ["key"],
  [T.trailBucketObjectv2]: ["key"],
  [T.trailObjectCopy]: ["key"],
  [T.trailBucketSseV2]: ["rules"],
  [T.trailBucketSse]: ["rules"],
};

/** One way a resource leaves the trail bucket's closed world, with what a declaration may allow. */
interface Deviation {
  readonly what: string;
  readonly allow?: Pick<TrailBucketScope, "expiresAfterDays" | "reader" | "writer" | "destination">;
}

const items = (x: unknown): Array<Record<string, unknown>> =>
  (Array.isArray(x) ? x : x === undefined || x === null ? [] : [x]).map((i) => (i && typeof i === "object" ? i : {}) as Record<string, unknown>);
const bucketName = (value: unknown) => asString(value)?.replace(/^arn:[^:]*:s3:::/, "");
const lower = (x: unknown) => (typeof x === "string" ? x.toLowerCase() : x);

/** Does a statement grant exactly CloudTrail's documented delivery on this bucket? */
function cloudTrailDelivery(s: PolicyStatement, bucket: string): boolean {
  const raw = s as unknown as Record<string, unknown>;
  if (raw.NotPrincipal !== undefined || raw.NotAction !== undefined || raw.NotResource !== undefined) return false;
  const principal = s.Principal;
  if (!principal || principal === "*" || Object.keys(principal).length !== 1) return false;
  const services = asList(principal.Service);
  if (services.length !== 1 || services[0] !== "cloudtrail.amazonaws.com") return false;
  const actions = asList(s.Action).map((a) => a.toLowerCase());
  const resources = asList(s.Resource);
  const condition = (s.Condition ?? {}) as Record<string, Record<string, string | string[]>>;
  const sourceArns = ["StringEquals", "ArnEquals", "ArnLike", "StringLike"].flatMap((op) =>
    Object.entries(condition[op] ?? {}).flatMap(([key, value]) => (key.toLowerCase() === "aws:sourcearn" ? asList(value) : [])),
  );
  const trailsOnly = sourceArns.length > 0 && sourceArns.every((arn) => /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]+$/.test(arn));
  if (!trailsOnly || actions.length !== 1 || resources.length === 0) return false;
  const bucketArn = new RegExp(`^arn:[a-z-]+:s3:::${bucket.replace(/[.]/g, "\\.")}`);
  if (actions[0] === "s3:getbucketacl") return resources.every((r) => bucketArn.test(r) && r.replace(bucketArn, "") === "");
  const acl = Object.entries(condition.StringEquals ?? {}).find(([key]) => key.toLowerCase() === "s3:x-amz-acl")?.[1];
  return (
    actions[0] === "s3:putobject" &&
    resources.every((r) => bucketArn.test(r) && r.replace(bucketArn, "").startsWith("/")) &&
    lower(acl) === "bucket-owner-full-control"
  );
}

/** Principals a statement admits, as written (`*` for everyone or a NotPrincipal). */
function admitted(s: PolicyStatement): string[] {
  const raw = s as unknown as Record<string, unknown>;
  if (raw.NotPrincipal !== undefined || s.Principal === "*" || !s.Principal) return ["*"];
  return Object.values(s.Principal).flatMap((value) => asList(value as string | string[]));
}

/** Is every action of a statement a List or Read action of S3 (no NotAction, no wildcard reaching a write)? */
function readOnlyStatement(s: PolicyStatement): boolean {
  if ((s as unknown as Record<string, unknown>).NotAction !== undefined) return false;
  return asList(s.Action).every((action) => {
    if (!/^s3:/i.test(action)) return false;
    const actions = hasWildcard(action) ? expandAction(action) : [action];
    return actions.length > 0 && actions.every((a) => isReadOnly(accessLevel(a)));
  });
}

/** CloudTrail's delivery actions: a Deny reaching one of them to a principal that may be CloudTrail stops the record. */
const DELIVERY = ["s3:putobject", "s3:getbucketacl"];

/**
 * Deny statements of a known harmless shape (closed world; any other Deny is refused):
 * - the standard refusal of plain HTTP, `Condition: {Bool: {"aws:SecureTransport": "false"}}` and nothing else
 *   (CloudTrail delivers over TLS);
 * - a Deny whose principals are all named AWS accounts or roles (`Principal: {AWS: [...]}`, no `*`): it cannot reach the service;
 * - a Deny whose actions are all written out (no NotAction) and none can be s3:PutObject or s3:GetBucketAcl.
 */
function harmlessDeny(s: PolicyStatement): boolean {
  const raw = s as unknown as Record<string, unknown>;
  const condition = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
  const ops = Object.keys(condition);
  if (ops.length === 1 && ops[0] === "Bool") {
    const keys = Object.entries(condition.Bool ?? {});
    if (
      keys.length === 1 &&
      keys[0][0].toLowerCase() === "aws:securetransport" &&
      asList(keys[0][1] as string | string[]).every((v) => String(v).toLowerCase() === "false")
    )
      return true;
  }
  const principal = s.Principal;
  if (raw.NotPrincipal === undefined && principal && principal !== "*" && Object.keys(principal).every((k) => k === "AWS")) {
    const named = asList(principal.AWS as string | string[]);
    if (named.length > 0 && named.every((p) => p !== "*" && !hasWildcard(p))) return true;
  }
  if (raw.NotAction !== undefined) return false;
  const actions = asList(s.Action);
  return actions.length > 0 && actions.every((a) => !DELIVERY.some((d) => globMatches(a.toLowerCase(), d)));
}

function policyDeviations(policy: unknown, bucket: string): Deviation[] {
  const document = readPolicyDocument(policy);
  if (!document) return [{ what: "has a bucket policy that is not a readable policy document" }];
  const out: Deviation[] = [];
  for (const s of document.Statement) {
    if (s.Effect !== "Allow") {
      if (!harmlessDeny(s))
        out.push({
          what: `has a Deny statement (${asList(s.Action).join(", ") || "NotAction"}) that may stop CloudTrail's delivery (only the aws:SecureTransport false refusal, a Deny to named AWS principals, or a Deny of actions other than s3:PutObject and s3:GetBucketAcl)`,
        });
      continue;
    }
    if (cloudTrailDelivery(s, bucket)) continue;
    const who = admitted(s);
    const actions = asList(s.Action).join(", ") || "(NotAction)";
    if (who.includes("*")) out.push({ what: `has a bucket policy statement admitting any principal to ${actions}` });
    else if (readOnlyStatement(s))
      out.push({ what: `has a bucket policy statement letting ${who.join(", ")} read (${actions})`, allow: { reader: who.map((p) => [p]) } });
    else out.push({ what: `has a bucket policy statement letting ${who.join(", ")} ${actions}`, allow: { writer: who.map((p) => [p]) } });
  }
  return out;
}

function aclDeviations(v: Record<string, unknown>, inline: boolean): Deviation[] {
  const out: Deviation[] = [];
  const acl = asString(v.acl);
  if (acl !== undefined && acl !== "private") out.push({ what: `sets the canned ACL ${acl} (only private: the owner alone)` });
  const policy = asRecord(v.accessControlPolicy);
  const owner = asString((v.accessControlPolicy as { owner?: { id?: unknown } } | undefined)?.owner?.id) ?? policy.owner;
  const grants = inline ? items(v.grants) : items((v.accessControlPolicy as { grants?: unknown } | undefined)?.grants);
  for (const grant of grants) {
    const grantee = inline ? grant : (asRecordDeep(grant.grantee) ?? {});
    const id = asString(grantee.id);
    if (!inline && asString(grantee.type) === "CanonicalUser" && id !== undefined && id === owner) continue;
    const to = asString(grantee.uri) ?? asString(grantee.emailAddress) ?? id ?? asString(grantee.type) ?? "?";
    out.push({ what: `grants ${to} ${asString(grant.permission) ?? asList(grant.permissions as string[]).join(", ")} by ACL (nothing beyond the owner)` });
  }
  return out;
}
const asRecordDeep = (x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined);

function lifecycleDeviations(rules: unknown, inline: boolean): Deviation[] {
  const out: Deviation[] = [];
  for (const rule of items(rules)) {
    if (inline ? rule.enabled === false : asString(rule.status) === "Disabled") continue;
    for (const e of items(rule.expiration ?? rule.expirations)) {
      if (e.date !== undefined) out.push({ what: `expires objects on ${String(e.date)} by lifecycle`, allow: { expiresAfterDays: 0 } });
      if (typeof e.days === "number") out.push({ what: `expires objects after ${e.days} days by lifecycle`, allow: { expiresAfterDays: e.days } });
    }
    for (const e of items(rule.noncurrentVersionExpiration ?? rule.noncurrentVersionExpirations)) {
      const days = typeof e.noncurrentDays === "number" ? e.noncurrentDays : typeof e.days === "number" ? e.days : undefined;
      if (days !== undefined)
        out.push({ what: `deletes overwritten or deleted object versions after ${days} days by lifecycle`, allow: { expiresAfterDays: days } });
    }
  }
  return out;
}

function replicationDeviations(config: unknown): Deviation[] {
  return items(config)
    .flatMap((c) => items(c.rules ?? (c.destination ? c : undefined)))
    .filter((rule) => asString(rule.status) !== "Disabled")
    .flatMap((rule) => items(rule.destination ?? rule.destinations))
    .map((d) => {
      const to = asString(d.bucket) ?? "(unknown)";
      return { what: `replicates its objects to ${to}`, allow: { destination: to } };
    });
}

/**
 * A trail bucket's default encryption names no KMS key of its own choosing: SSE-S3 or the AWS managed
 * aws/s3 key (no kmsMasterKeyId). Another key's holder (another account, perhaps) could make the record
 * unreadable; a key of this stack comes as an input unknown at preview, refused on a declared bucket
 * and judged by the stack pass (trailKeys) on a trail bucket of the stack.
 */
function sseDeviations(rules: unknown): Deviation[] {
  return items(rules)
    .flatMap((rule) => items(rule.applyServerSideEncryptionByDefault ?? rule.applyServerSideEncryptionByDefaults))
    .flatMap((d) => {
      const key = asString(d.kmsMasterKeyId);
      return key === undefined || /^(arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/s3$/.test(key)
        ? []
        : [{ what: `encrypts new objects by default with KMS key ${key} (only SSE-S3, aws/s3, or a key of this stack whose policy the pack reads)` }];
    });
}

/** How one resource of a trail bucket leaves the closed world. */
function deviationsOf(type: string, v: Record<string, unknown>, unknown: readonly string[], bucket: string): Deviation[] {
  const out: Deviation[] = [];
  const fields = READ[type] ?? [];
  const unknownFields = fields.filter((f) => unknown.some((p) => p === f || p.startsWith(`${f}.`) || p.startsWith(`${f}[`)));
  if (unknownFields.length) out.push({ what: `has ${unknownFields.join(", ")} unknown at preview` });
  switch (type) {
    case T.trailBucketPolicy:
      if (!unknownFields.length) out.push(...policyDeviations(v.policy, bucket));
      break;
    case T.trailBucket:
    case T.trailBucketV2:
      if (v.policy !== undefined && !unknownFields.includes("policy")) out.push(...policyDeviations(v.policy, bucket));
      out.push(...aclDeviations(v, true), ...lifecycleDeviations(v.lifecycleRules, true));
      out.push(...replicationDeviations(v.replicationConfiguration ?? v.replicationConfigurations));
      for (const ver of items(v.versioning ?? v.versionings)) if (ver.enabled === false) out.push({ what: "turns versioning off" });
      for (const lock of items(v.objectLockConfiguration))
        if (lock.objectLockEnabled !== undefined && lock.objectLockEnabled !== "Enabled") out.push({ what: "turns object lock off" });
      for (const c of items(v.serverSideEncryptionConfiguration ?? v.serverSideEncryptionConfigurations)) out.push(...sseDeviations(c.rule ?? c.rules));
      if (v.forceDestroy === true) out.push({ what: "sets forceDestroy (deleting the bucket deletes every record in it)" });
      break;
    case T.trailBucketAclV2:
    case T.trailBucketAcl:
      out.push(...aclDeviations(v, false));
      break;
    case T.trailBucketLifecycleV2:
    case T.trailBucketLifecycle:
      out.push(...lifecycleDeviations(v.rules, false));
      break;
    case T.trailBucketReplication:
      out.push(...replicationDeviations({ rules: v.rules }));
      break;
    case T.trailBucketVersioningV2:
    case T.trailBucketVersioning: {
      const status = asString(asRecordDeep(v.versioningConfiguration)?.status);
      if (status !== undefined && status !== "Enabled") out.push({ what: `sets versioning ${status} (overwritten and deleted records are lost)` });
      break;
    }
    case T.trailBucketObjectLockV2:
    case T.trailBucketObjectLock:
      if (v.objectLockEnabled !== undefined && v.objectLockEnabled !== "Enabled") out.push({ what: "turns object lock off" });
      break;
    case T.trailBucketOwnership: {
      const ownership = asString(asRecordDeep(v.rule)?.objectOwnership);
      if (ownership !== "BucketOwnerEnforced") out.push({ what: `sets object ownership ${ownership ?? "(none)"} (ACLs apply: only BucketOwnerEnforced)` });
      break;
    }
    case T.trailBucketSseV2:
    case T.trailBucketSse:
      out.push(...sseDeviations(v.rules));
      break;
    case T.trailBucketObject:
    case T.trailBucketObjectv2:
    case T.trailObjectCopy:
      out.push({
        what: `writes the object ${asString(v.key) ?? "(unknown key)"} into it (a CloudTrail bucket's objects are CloudTrail's alone: a forged or overwritten record)`,
      });
      break;
    case T.trailBucketPublicAccessBlock: {
      const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((f) => v[f] !== true);
      if (off.length) out.push({ what: `leaves ${off.join(", ")} off (every public access block setting must be true)` });
      break;
    }
  }
  return out;
}

const FIX =
  "leave a CloudTrail bucket to CloudTrail's documented delivery: no ACL beyond the owner, BucketOwnerEnforced, every public access block on, versioning and object lock on, no expiration shorter than its retention, no replication, reads only; the security team may declare readers, writers, destinations and a retention (auditTrailBuckets)";

function problem(
  resource: PackResource,
  bucket: string,
  d: Deviation,
  standsUndeclared: boolean,
  why: string,
): ResourceProblem & { trailBucket: TrailBucketScope } {
  return {
    rule: RULE,
    message: `${resource.type} ${resource.name} on bucket ${bucket} (${why}) ${d.what}: the CloudTrail record in it can be erased, changed or read outside the account`,
    fix: FIX,
    trailBucket: { bucket, standsUndeclared, ...(d.allow ?? {}) },
  };
}

/** Per resource: every S3 bucket setting, judged as a trail bucket's (it stands only where auditTrailBuckets declares the bucket). */
export function trailBucketProblems(resource: PackResource, inputs: KnownInputs): ResourceProblem[] {
  if (!(resource.type in READ)) return [];
  const why = "declared a CloudTrail bucket by the security team";
  const out: ResourceProblem[] = [];
  const source = resource.type === T.trailObjectCopy ? copySourceOf(inputs.value.source) : undefined;
  if (source?.bucket !== undefined) out.push(problem(resource, source.bucket, copyOut(inputs.value, source), false, why));
  const bucket = bucketName(inputs.value.bucket);
  if (bucket === undefined) return out;
  return [...out, ...deviationsOf(resource.type, inputs.value, inputs.unknown, bucket).map((d) => problem(resource, bucket, d, false, why))];
}

/** An ObjectCopy's source, `bucket/key` (an access point ARN or anything else: no bucket, judged unknown). */
function copySourceOf(value: unknown): { bucket?: string; key?: string } | undefined {
  const source = asString(value);
  if (source === undefined) return undefined;
  const m = /^\/?([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(source);
  return m ? { bucket: m[1], key: m[2] } : {};
}

/** Copying a trail bucket's object out: stands unless the destination is declared. */
function copyOut(v: Record<string, unknown>, source: { bucket?: string; key?: string }): Deviation {
  const dest = bucketName(v.bucket);
  return {
    what: `copies its object ${source.key ?? "(unknown key)"} out to bucket ${dest ?? "(unknown)"}`,
    allow: { destination: dest === undefined ? "(unknown)" : `arn:aws:s3:::${dest}` },
  };
}

/** The buckets the stack's trails deliver to, by name and by the bucket resource they come from. */
interface TrailBuckets {
  readonly names: Map<string, string[]>;
  readonly urns: Map<string, string>;
}

function trailBucketsOf(ix: StackIndex, pass: StackPass): TrailBuckets {
  const names = new Map<string, string[]>();
  const urns = new Map<string, string>();
  const bucketReads = readOfType(ix, ...BUCKETS);
  for (const r of readOfType(ix, TRAIL)) {
    const prefix = asString(r.v.s3KeyPrefix);
    const add = (name: string) => names.set(name, [...(names.get(name) ?? []), prefix ? `${prefix}/` : ""]);
    const name = bucketName(r.v.s3BucketName);
    if (name !== undefined) {
      add(name);
      // A bucket outside the stack is judged nowhere (its policy, lifecycle, owner): the record goes
      // where the security team has not looked unless it declares the bucket (a central log archive).
      if (!bucketReads.some((b) => asString(b.v.bucket) === name)) {
        const finding: PackFinding & { trailBucket: TrailBucketScope } = {
          rule: RULE,
          agent: r.resource.name,
          identity: null,
          urn: r.resource.urn,
          platformResource: platformResourceKey(TRAIL, r.resource.name),
          message: `${TRAIL} ${r.resource.name} delivers the record to bucket ${name}, which this stack does not create: its policy, lifecycle and owner are judged nowhere`,
          fix: `deliver to a bucket this stack creates, or have the security team declare the archive bucket (auditTrailBuckets: [{bucket: "${name}", reason, approvedBy}]) or this trail (kubernetesPlatformResources)`,
          trailBucket: { bucket: name, standsUndeclared: true, delivery: true },
        };
        pass.findings.push(finding);
      }
      continue;
    }
    const from = deps(r, "s3BucketName").filter((d) => BUCKETS.has(d.type));
    if (isUnknown(r, "s3BucketName") && from.length > 0) {
      for (const d of from) {
        const b = bucketReads.find((x) => x.resource.urn === d.urn);
        const known = b ? asString(b.v.bucket) : undefined;
        if (known !== undefined) add(known);
        urns.set(d.urn, known ?? d.name);
      }
      continue;
    }
    pass.findings.push({
      rule: RULE,
      agent: r.resource.name,
      identity: null,
      urn: r.resource.urn,
      message: `${TRAIL} ${r.resource.name}: its s3BucketName is ${isUnknown(r, "s3BucketName") ? "unknown at preview and comes from no bucket of the stack" : "missing"}, so the bucket holding the record cannot be judged`,
      fix: "name the trail's bucket with a known value, or take it from a bucket resource of this stack",
    });
  }
  return { names, urns };
}

/** The bucket a setting resource applies to: by name, or by the stack bucket its `bucket` input comes from. */
function bucketOf(r: Read, trail: TrailBuckets): { name?: string; urn?: string } {
  if (BUCKETS.has(r.resource.type)) return { name: asString(r.v.bucket), urn: r.resource.urn };
  const name = bucketName(r.v.bucket);
  if (name !== undefined) return { name };
  const from = deps(r, "bucket").find((d) => BUCKETS.has(d.type) || trail.urns.has(d.urn));
  return from ? { name: trail.urns.get(from.urn), urn: from.urn } : {};
}

/** S3 actions a reach grants beyond List and Read (managed policies by their levels). */
function writes(reach: Reach): string[] {
  if (reach.actions)
    return reach.actions.filter((action) => {
      if (action.startsWith("all but ")) return !reach.exceptServices?.includes("s3");
      const at = action.indexOf(":");
      if (at < 0) return action === "*";
      if (!globMatches(action.slice(0, at).toLowerCase(), "s3")) return false;
      const expanded = hasWildcard(action) ? expandAction(`s3:${action.slice(at + 1)}`) : [action];
      return expanded.length === 0 || expanded.some((a) => !isReadOnly(accessLevel(a)));
    });
  const levels = reach.services.s3 ?? reach.services["*"];
  return levels !== undefined && /[^LR]/.test(levels) ? [`s3 (${levels})`] : [];
}

/** The bucket-name glob an S3 resource pattern covers ("*" for every bucket), or undefined when it is not S3. */
function bucketGlobOf(pattern: string): string | undefined {
  if (pattern === "*") return "*";
  const m = /^arn:[^:]*:([^:]*):[^:]*:[^:]*:([^/]*)/.exec(pattern);
  if (!m || !globMatches(m[1].toLowerCase(), "s3")) return undefined;
  return m[2] === "" ? "*" : m[2];
}

/** One principal's S3 reaches, as the writer check reads them. */
interface Holder {
  readonly label: string;
  /** Ids a declaration may name as a writer; none for an agent identity (it may only read a trail bucket). */
  readonly ids: readonly string[];
  readonly urn: string;
  readonly via: string;
  readonly reaches: readonly Reach[];
}

/** Principals that are not agents (aws-principals' grant reader), and every agent identity's AWS grants (holdings, whatever its plan or owns says). */
function holders(ix: StackIndex, pass: StackPass): Holder[] {
  const out: Holder[] = [];
  for (const g of nonAgentGrants(ix)) {
    if (g.via.resource.type === T.trailBucketPolicy || BUCKETS.has(g.via.resource.type)) continue; // the bucket's own policy: read above
    out.push({
      label: g.principal.label,
      ids: g.principal.ids,
      urn: g.via.resource.urn,
      via: `${g.via.resource.type} ${g.via.resource.name}`,
      reaches: g.reaches,
    });
  }
  const { fleet, sources } = holdingsFromStackOnce(ix, pass.extraPolicies);
  for (const h of fleet.identities) {
    const reaches: Reach[] = h.aws
      .filter((grant) => grant.effect === "Allow")
      .map((grant) => ({
        services: {},
        // A NotAction reaches every action but those: read as all of them.
        actions: grant.notActions.length > 0 ? ["*"] : grant.actions,
        ...(grant.notResources.length > 0 ? { notResources: grant.notResources } : { resources: grant.resources }),
      }));
    if (reaches.length === 0) continue;
    out.push({ label: `agent ${h.agent}'s ${h.identity} identity`, ids: [], urn: sources.get(h)?.urn ?? "", via: "its role's policies", reaches });
  }
  return out;
}

function identityGrants(ix: StackIndex, pass: StackPass, trail: TrailBuckets): void {
  const seen = new Set<string>();
  for (const g of holders(ix, pass)) {
    for (const reach of g.reaches) {
      const written = writes(reach);
      if (written.length === 0) continue;
      for (const pattern of reach.notResources ? ["*"] : (reach.resources ?? [])) {
        const glob = bucketGlobOf(pattern);
        if (glob === undefined) continue;
        const push = (bucket: string, standsUndeclared: boolean) => {
          const key = `${g.urn}\u0000${g.label}\u0000${bucket}`;
          if (seen.has(key)) return;
          seen.add(key);
          const finding: PackFinding & { trailBucket: TrailBucketScope } = {
            rule: RULE,
            agent: g.label,
            identity: null,
            urn: g.urn,
            message: `${g.label} may ${written.slice(0, 4).join(", ")} on ${pattern} through ${g.via}: it reaches CloudTrail bucket ${bucket}, where it can delete, overwrite or expire the record`,
            fix:
              g.ids.length > 0
                ? `grant only reads on a CloudTrail bucket; a principal that must write or manage it is declared by the security team (auditTrailBuckets: [{bucket: "${bucket}", writers: ["${g.ids[0]}"], reason, approvedBy}])`
                : "an agent identity may only list and read a CloudTrail bucket: remove the write from its tool (and the bucket from the agent's owns)",
            trailBucket: { bucket, standsUndeclared, ...(g.ids.length > 0 ? { writer: [g.ids] } : {}) },
          };
          pass.findings.push(finding);
        };
        for (const [bucket, prefixes] of trail.names)
          if (
            pattern === "*" ||
            [`arn:aws:s3:::${bucket}`, ...prefixes.map((p) => `arn:aws:s3:::${bucket}/${p}AWSLogs/*`)].some(
              (target) => globsIntersect(pattern.replace(/^arn:[^:]*:/, "arn:aws:"), target) || globMatches(pattern, target),
            )
          )
            push(bucket, true);
        if (!trail.names.has(glob)) push(glob, false);
      }
    }
  }
}

const EVENT_DATA_STORE = "aws:cloudtrail/eventDataStore:EventDataStore";
const CLOUDTRAIL_SERVICE = /^cloudtrail\.amazonaws\.com$/;

/**
 * The KMS key a trail or event data store encrypts with is one this stack creates (a key elsewhere,
 * another account's perhaps, is controlled by whoever holds it), whose policy (its own or an
 * aws.kms.KeyPolicy) allows only the stack's account and cloudtrail.amazonaws.com (log-groups' key
 * policy check), whose grants go only to CloudTrail, and whose material KMS generates and keeps
 * (audit-keys.ts keyMaterialProblems: imported material expires or is deleted at will): otherwise its
 * holder erases the record by deleting or disabling the key. Returns the URNs of those keys (a trail bucket's SSE may use them).
 */
function trailKeys(ix: StackIndex, pass: StackPass): Set<string> {
  const keys = new Set<string>();
  const push = (r: Read, urn: string, message: string, fix: string) =>
    pass.findings.push({ rule: RULE, agent: r.resource.name, identity: null, urn, message, fix });
  for (const r of readOfType(ix, TRAIL, EVENT_DATA_STORE)) {
    if (r.v.kmsKeyId === undefined && !isUnknown(r, "kmsKeyId")) continue;
    const key = deps(r, "kmsKeyId").find((d) => STACK_KEYS.has(d.type));
    const what = `${r.resource.type} ${r.resource.name}`;
    if (!key) {
      push(
        r,
        r.resource.urn,
        `${what} encrypts its record with KMS key ${asString(r.v.kmsKeyId) ?? "(unknown at preview)"}, which this stack does not create: whoever holds that key can delete or disable it and so erase the record`,
        "leave kmsKeyId unset, or pass the ARN of an aws.kms.Key of this stack, whose key policy the pack reads",
      );
      continue;
    }
    keys.add(key.urn);
    // Imported material expires or is deleted at will: the record it encrypted becomes unreadable (audit-keys.ts).
    for (const why of keyMaterialProblems(key))
      push(
        r,
        r.resource.urn,
        `${what} encrypts its record with ${key.type} ${key.name}, which ${why}`,
        "encrypt the record with an aws.kms.Key of this stack whose material KMS generates (no ExternalKey, no custom key store), or its ReplicaKey, or leave kmsKeyId unset",
      );
    const problems = [
      stackKeyPolicyProblem(key, CLOUDTRAIL_SERVICE),
      ...keyPoliciesOn(ix, key).map((kp) => stackKeyPolicyProblem(kp.resource, CLOUDTRAIL_SERVICE)),
    ];
    for (const p of problems.filter((x) => x !== null))
      push(
        r,
        r.resource.urn,
        `${what} encrypts its record with KMS key ${p.key}, whose key policy ${p.why}: that principal can delete or disable the key, or change its policy, and so erase the record`,
        "let the key policy allow only the stack's own account and cloudtrail.amazonaws.com, with bypassPolicyLockoutSafetyCheck unset",
      );
    for (const grant of keyGrantsOn(ix, key)) {
      const why = keyGrantProblem(grant, CLOUDTRAIL_SERVICE);
      if (why)
        push(
          grant,
          grant.resource.urn,
          `KMS grant ${grant.resource.name} on ${key.type} ${key.name}, the key of ${what}, ${why}`,
          "grant a trail's key only to cloudtrail.amazonaws.com (no retiring principal)",
        );
    }
  }
  return keys;
}

/** An ObjectCopy whose source is a trail bucket (or, with agents, a record key of a bucket the stack does not create) copies the record out. */
/**
 * Why a bucket the stack names as its own is judged as one it does not create: a policy cannot tell a
 * bucket the stack creates from an existing one it imports (the import option is not sent to
 * policies; since pulumi/pulumi PR #19339 an import whose inputs differ imports then updates), so
 * `aws.s3.BucketV2({bucket: "org-cloudtrail"})` beside a lifecycle rule, a replication or an ACL may
 * be the organisation's trail bucket adopted, with its records, and the setting applied to it.
 */
const IMPORTED =
  "a bucket of this stack, which a policy cannot tell from an existing one the stack imports (the import option is not sent to policies, and an import with other inputs imports then updates), so it may hold a CloudTrail record the stack cannot see";

function copiesOut(r: Read, trail: TrailBuckets, created: ReadonlySet<string>, agents: boolean, pass: StackPass): void {
  const source = isUnknown(r, "source") ? {} : (copySourceOf(r.v.source) ?? {});
  const hasTrails = trail.names.size > 0 || trail.urns.size > 0;
  if (source.bucket === undefined) {
    if (!hasTrails && !agents) return;
    pass.findings.push({
      rule: RULE,
      agent: r.resource.name,
      identity: null,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name}: its source is unknown at preview or not a bucket/key, so whether it copies a CloudTrail record out cannot be told`,
      fix: "name the copy's source as a known bucket/key",
    });
    return;
  }
  const ofTrail = trail.names.has(source.bucket);
  // A bucket of the stack may be an existing one it imports (IMPORTED): its records are copied out the same.
  const outside = agents && mayBeRecordKey(source.key);
  if (!ofTrail && !outside) return;
  const p = problem(
    r.resource,
    source.bucket,
    copyOut(r.v, source),
    true,
    ofTrail
      ? "a CloudTrail trail of this stack delivers to it"
      : created.has(source.bucket)
        ? IMPORTED
        : "not created by this stack, so it may hold a CloudTrail record the stack cannot see",
  );
  pass.findings.push({ ...p, agent: r.resource.name, identity: null, urn: r.resource.urn });
}

export const trailBuckets: Adapter = {
  family: "trail-buckets",
  holdings: "none added: what principals that are not agents' are granted is read through aws-principals' grant reader and compared with the trail buckets",
  types: Object.entries(T).map(([key, type]) => ({
    type,
    key,
    route: "configures an S3 bucket; on the bucket a CloudTrail trail delivers to, it can erase, expose or copy out the account's record",
    checkedBy: [RULE],
  })),
  check: (resource, inputs) => trailBucketProblems(resource, inputs),
  stack: (ix, pass) => {
    const trail = trailBucketsOf(ix, pass);
    const agents = ix.serviceAccounts.length > 0;
    if (trail.names.size === 0 && trail.urns.size === 0 && !agents) return;
    const created = new Set<string>();
    const bucketUrns = new Set<string>();
    for (const b of readOfType(ix, ...BUCKETS)) {
      const name = asString(b.v.bucket);
      if (name !== undefined) created.add(name);
      bucketUrns.add(b.resource.urn);
    }
    const keys = trailKeys(ix, pass);
    for (const r of readOfType(ix, ...Object.keys(READ))) {
      // Default encryption with a key of this stack that a trail encrypts with: judged with the trail's key (trailKeys).
      const sse = r.resource.type === T.trailBucketSse || r.resource.type === T.trailBucketSseV2;
      if (sse && isUnknown(r, "rules") && deps(r, "rules").length > 0 && deps(r, "rules").every((d) => keys.has(d.urn))) continue;
      const { name, urn } = bucketOf(r, trail);
      const ofTrail = (name !== undefined && trail.names.has(name)) || (urn !== undefined && trail.urns.has(urn));
      const recordKey = !OBJECTS.has(r.resource.type) || mayBeRecordKey(isUnknown(r, "key") ? undefined : asString(r.v.key));
      // A bucket of the stack (by name, by the bucket resource its input comes from, or the bucket
      // resource itself) is judged as one it does not create: it may be an existing one it imports.
      const ofStack = (name !== undefined && created.has(name)) || (urn !== undefined && bucketUrns.has(urn));
      const outside = agents && recordKey && (name !== undefined || ofStack);
      const unknownBucket = name === undefined && urn === undefined && (trail.names.size > 0 || trail.urns.size > 0);
      if (unknownBucket) {
        pass.findings.push({
          rule: RULE,
          agent: r.resource.name,
          identity: null,
          urn: r.resource.urn,
          message: `${r.resource.type} ${r.resource.name}: its bucket is unknown at preview and comes from no bucket of the stack, so whether it is the CloudTrail bucket cannot be told`,
          fix: "name the bucket with a known value, or take it from a bucket resource of this stack",
        });
        continue;
      }
      if (!ofTrail && !outside) continue;
      const bucket = name ?? trail.urns.get(urn!) ?? (ofStack ? "(named at deployment)" : "(unknown)");
      const why = ofTrail
        ? "a CloudTrail trail of this stack delivers to it"
        : ofStack
          ? IMPORTED
          : "not created by this stack, so it may hold a CloudTrail record the stack cannot see";
      for (const d of deviationsOf(r.resource.type, r.v, r.unknown, bucket)) {
        const p = problem(r.resource, bucket, d, true, why);
        pass.findings.push({
          ...p,
          agent: r.resource.name,
          identity: null,
          urn: r.resource.urn,
          ...(ofTrail ? {} : { platformResource: platformResourceKey(r.resource.type, r.resource.name) }),
          // A replication the security team declared as a copy share, with this destination, is declared here too.
          ...(ofTrail || d.allow?.destination === undefined
            ? {}
            : { share: { principals: [`resource:${r.resource.type}/${r.resource.name}`], resources: [], destinations: [d.allow.destination] } }),
          fix: ofTrail ? p.fix : `${p.fix}; or have the security team declare this resource (kubernetesPlatformResources)`,
        });
      }
    }
    for (const r of readOfType(ix, T.trailObjectCopy)) copiesOut(r, trail, created, agents, pass);
    if (trail.names.size > 0 || agents) identityGrants(ix, pass, trail);
  },
};
