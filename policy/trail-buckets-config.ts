/**
 * CloudTrail buckets the security team declares for the pack, in CrossGuard policy configuration
 * (`auditTrailBuckets`, beside `exceptions` and `kubernetesPlatformResources`): set on the policy
 * group outside the pull request, so a change cannot relax the protection of the record it would
 * erase. A declaration names a bucket that holds a CloudTrail record (whether or not a trail of this
 * stack delivers to it), how long its objects must be kept (`retentionDays`, default
 * TRAIL_RETENTION_DAYS), the principals its bucket policy may admit to read (`readers`), the
 * principals that may write or manage it beyond CloudTrail's own delivery (`writers`: a log archive
 * role, say) and the buckets it may replicate to (`replicationDestinations`). A bucket of a trail of
 * this stack is protected with the defaults when it is not declared. A configuration that does not
 * parse declares nothing (every trail bucket keeps the defaults).
 */
import { z } from "zod";
import { globMatches } from "../components/core/patterns";

/** How long a trail bucket keeps its objects unless the security team states otherwise (days). */
export const TRAIL_RETENTION_DAYS = 365;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Printable ASCII only, no wildcard (`*`, `?`) and no policy variable (`$`): a declared principal is matched literally.
const NAME_CHARS = "[\\x21-\\x23\\x25-\\x29\\x2b-\\x3e\\x40-\\x7e]";
/** A principal as the findings name it: an ARN, or `iam:role/<name>`, `iam:user/<name>`, `iam:group/<name>`, `sso:permission-set/<arn>`. */
const PRINCIPAL = new RegExp(`^(arn:[a-z-]{1,20}:(iam|sts)::\\d{12}:${NAME_CHARS}{1,900}|(iam:(role|user|group)|sso:permission-set)/${NAME_CHARS}{1,900})$`);
const BUCKET_ARN = /^arn:[a-z-]{1,20}:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const trailBucketSchema = z
  .object({
    bucket: z.string().regex(BUCKET, "an S3 bucket name"),
    retentionDays: z.number().int().min(1).max(36_500).optional(),
    readers: z.array(z.string().max(1000).regex(PRINCIPAL, "a principal ARN or iam:role/<name>")).max(50).optional(),
    writers: z.array(z.string().max(1000).regex(PRINCIPAL, "a principal ARN or iam:role/<name>")).max(50).optional(),
    replicationDestinations: z.array(z.string().regex(BUCKET_ARN, "a destination bucket ARN")).max(20).optional(),
    reason: z.string().min(10).max(500),
    approvedBy: z.string().min(1).max(200),
  })
  .strict();
const trailBucketsSchema = z.array(trailBucketSchema).max(100);

const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(trailBucketsSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The `auditTrailBuckets` property of every policy's configuration schema. */
export const TRAIL_BUCKETS_CONFIG_PROPERTY = jsonSchema;

/** What a trail bucket finding is about, so the configuration can decide whether it stands. */
export interface TrailBucketScope {
  /** The bucket name, or a glob over bucket names (an identity grant on `arn:aws:s3:::*`). */
  readonly bucket: string;
  /** A trail of this stack delivers to it, or the stack changes a bucket it does not create: it stands without a declaration. */
  readonly standsUndeclared: boolean;
  /** Objects expire after this many days: stands when shorter than the bucket's retention. */
  readonly expiresAfterDays?: number;
  /** Principals admitted to read only, each by its ids (a name, its ARNs): stands unless every one is declared a reader. */
  readonly reader?: readonly (readonly string[])[];
  /** Principals granted writes or bucket management, each by its ids: stands unless every one is declared a writer. */
  readonly writer?: readonly (readonly string[])[];
  /** A replication destination bucket ARN: stands unless declared. */
  readonly destination?: string;
  /** A trail of this stack delivers to this bucket, which the stack does not create: stands unless the bucket is declared. */
  readonly delivery?: true;
}

interface Declared {
  readonly bucket: string;
  readonly retentionDays: number;
  readonly readers: ReadonlySet<string>;
  readonly writers: ReadonlySet<string>;
  readonly destinations: ReadonlySet<string>;
}

const parsedOf = new WeakMap<object, readonly Declared[]>();
/** The declared trail buckets of a policy's configuration (none when it does not parse). */
export function declaredTrailBuckets(config: unknown): readonly Declared[] {
  if (!config || typeof config !== "object") return [];
  const known = parsedOf.get(config);
  if (known) return known;
  const raw = (config as { auditTrailBuckets?: unknown }).auditTrailBuckets;
  const parsed = raw === undefined ? undefined : trailBucketsSchema.safeParse(raw);
  const out: Declared[] = parsed?.success
    ? parsed.data.map((d) => ({
        bucket: d.bucket,
        retentionDays: d.retentionDays ?? TRAIL_RETENTION_DAYS,
        readers: new Set(d.readers ?? []),
        writers: new Set(d.writers ?? []),
        destinations: new Set(d.replicationDestinations ?? []),
      }))
    : [];
  parsedOf.set(config, out);
  return out;
}

/** Does what this scope allows fall inside the declaration (or the defaults, for an undeclared bucket)? */
function allowedBy(scope: TrailBucketScope, declared: Declared | undefined): boolean {
  if (scope.delivery) return declared !== undefined;
  const retention = declared?.retentionDays ?? TRAIL_RETENTION_DAYS;
  if (scope.expiresAfterDays !== undefined) return scope.expiresAfterDays >= retention;
  // Every principal of a statement must be declared; any one id of a principal names it.
  if (scope.reader) return scope.reader.every((ids) => ids.some((p) => declared?.readers.has(p) || declared?.writers.has(p)));
  if (scope.writer) return scope.writer.every((ids) => ids.some((p) => declared?.writers.has(p)));
  if (scope.destination !== undefined) return declared?.destinations.has(scope.destination) ?? false;
  return false;
}

/** Whether a trail bucket finding stands under a policy's configuration. */
export function trailBucketFindingStands(scope: TrailBucketScope, config: unknown): boolean {
  const declared = declaredTrailBuckets(config);
  const wild = /[*?]/.test(scope.bucket);
  const matching = declared.filter((d) => (wild ? globMatches(scope.bucket, d.bucket) : d.bucket === scope.bucket));
  if (matching.length === 0) return scope.standsUndeclared && !allowedBy(scope, undefined);
  return matching.some((d) => !allowedBy(scope, d));
}
