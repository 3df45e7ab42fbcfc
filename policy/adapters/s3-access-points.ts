/**
 * S3 access points (single-region, multi-region, Object Lambda) and their policies: a statement on
 * `…:accesspoint/<name>/object/<key>` is a grant on `<bucket>/<key>` of the bucket behind the access
 * point, and one on the access point itself (or `*`) a grant on the bucket and its objects. The
 * bucket is read from the access point resource of this stack; an access point the stack does not
 * create stands for every bucket (closed world: it may front an agent's).
 */
import { asList, type PolicyStatement } from "../../components/core/iam-document";
import { asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import { deps, readOfType, type Read } from "./shared";

export const ACCESS_POINT_TYPES = {
  accessPoint: "aws:s3/accessPoint:AccessPoint",
  accessPointPolicy: "aws:s3control/accessPointPolicy:AccessPointPolicy",
  multiRegionAccessPoint: "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint",
  multiRegionAccessPointPolicy: "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
  objectLambdaAccessPoint: "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint",
  objectLambdaAccessPointPolicy: "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy",
} as const;
const T = ACCESS_POINT_TYPES;

const EVERY_BUCKET = ["*"];
const nameInArn = (arn: string | undefined) => (arn === undefined ? undefined : /:accesspoint\/([^/]+)/.exec(arn)?.[1]);

/** The buckets behind the access point (by name or ARN) of this stack; every bucket when the stack does not create it. */
function bucketsOfAccessPoint(ix: StackIndex, nameOrArn: string | undefined, from: readonly Read["resource"][] = []): string[] {
  const name = nameOrArn?.startsWith("arn:") ? nameInArn(nameOrArn) : nameOrArn;
  const point =
    readOfType(ix, T.accessPoint).find((p) => name !== undefined && asString(p.v.name) === name) ??
    readOfType(ix, T.accessPoint).find((p) => from.some((d) => d.urn === p.resource.urn));
  const bucket = point ? asString(point.v.bucket) : undefined;
  if (bucket !== undefined) return [bucket.startsWith("arn:") ? bucket.slice(bucket.lastIndexOf(":") + 1) : bucket];
  // A multi-region access point: its regions' buckets.
  const multi = readOfType(ix, T.multiRegionAccessPoint).find((p) => name !== undefined && asString(asRecord(p.v.details).name) === name);
  const regions = multi ? (asRecord(multi.v.details) as Record<string, unknown>).regions : undefined;
  const buckets = Array.isArray(regions) ? regions.map((region) => asString(asRecord(region).bucket)) : [];
  return buckets.length > 0 && buckets.every((b): b is string => b !== undefined) ? buckets : EVERY_BUCKET;
}

/** The buckets a resource policy of an access point type reaches, or undefined for other types. */
export function accessPointBuckets(ix: StackIndex, r: Read): string[] | undefined {
  switch (r.resource.type) {
    case T.accessPoint: {
      const bucket = asString(r.v.bucket);
      return bucket === undefined ? EVERY_BUCKET : [bucket.startsWith("arn:") ? bucket.slice(bucket.lastIndexOf(":") + 1) : bucket];
    }
    case T.accessPointPolicy:
      return bucketsOfAccessPoint(ix, asString(r.v.accessPointArn), deps(r, "accessPointArn"));
    case T.multiRegionAccessPointPolicy:
      return bucketsOfAccessPoint(ix, asString(asRecord(r.v.details).name));
    case T.objectLambdaAccessPointPolicy: {
      const name = asString(r.v.name);
      const lambda = readOfType(ix, T.objectLambdaAccessPoint).find((p) => name !== undefined && asString(p.v.name) === name);
      const supporting = lambda ? asString(asRecord(asRecord(lambda.v.configuration)).supportingAccessPoint) : undefined;
      return supporting === undefined ? EVERY_BUCKET : bucketsOfAccessPoint(ix, supporting, deps(lambda!, "configuration"));
    }
    default:
      return undefined;
  }
}

/** An access point resource ARN (or `*`) as the bucket ARNs it reaches; any other resource as written. */
function throughAccessPoint(resource: string, buckets: readonly string[]): string[] {
  if (resource === "*") return buckets.flatMap((b) => [`arn:*:s3:::${b}`, `arn:*:s3:::${b}/*`]);
  const match = /^arn:[^:]*:s3(?:-object-lambda)?:[^:]*:[^:]*:accesspoint\/[^/]+(?:\/object\/(.*))?$/.exec(resource);
  if (!match) return [resource];
  return match[1] === undefined ? buckets.flatMap((b) => [`arn:*:s3:::${b}`, `arn:*:s3:::${b}/*`]) : buckets.map((b) => `arn:*:s3:::${b}/${match[1]}`);
}

/** A statement of an access point policy as the bucket grant it is (Resource rewritten; other types unchanged). */
export function asBucketStatement(ix: StackIndex, r: Read, statement: PolicyStatement): PolicyStatement {
  const buckets = accessPointBuckets(ix, r);
  if (!buckets || statement.Resource === undefined) return statement;
  // Object Lambda actions read the bucket's objects through the supporting access point: S3 actions on it.
  const s3 = (actions: PolicyStatement["Action"]) => asList(actions).map((action) => action.replace(/^s3-object-lambda:/i, "s3:"));
  return {
    ...statement,
    ...(statement.Action !== undefined ? { Action: s3(statement.Action) } : {}),
    Resource: asList(statement.Resource).flatMap((resource) => throughAccessPoint(resource, buckets)),
  };
}
