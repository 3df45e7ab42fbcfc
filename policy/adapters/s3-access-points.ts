/**
 * S3 access points (single-region, multi-region, Object Lambda) and their policies: a statement on
 * `…:accesspoint/<name>/object/<key>` is a grant on `<bucket>/<key>` of the bucket behind the access
 * point, and one on the access point itself (or `*`) a grant on the bucket and its objects. The
 * bucket is read from the access point resource of this stack; an access point the stack does not
 * create stands for every bucket (closed world: it may front an agent's).
 */
import { asList, type PolicyStatement } from "../../components/core/iam-document";
import { arnComponents, grantsIntersect } from "../../components/core/patterns";
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

const ACCESS_POINT_SHAPES = ["arn:*:s3:*:?*:accesspoint/*", "arn:*:s3-object-lambda:*:?*:accesspoint/*"];
const AP_RESOURCE = /^accesspoint\/([^/]+)(?:\/object\/(.*))?$/;
/** Suffixes S3 gives access point aliases (`<name>-<id>-s3alias`, Object Lambda `…--ol-s3`); no bucket may end so. */
const ALIAS = /^[^/*?]+(-s3alias|--ol-s3)(?:\/(.*))?$/;

/** The buckets an access point of this stack fronts, by its name (an Object Lambda one through its supporting access point). */
function bucketsNamed(ix: StackIndex, service: string, name: string): string[] {
  if (/[*?]/.test(name)) return EVERY_BUCKET;
  if (service === "s3-object-lambda") {
    const lambda = readOfType(ix, T.objectLambdaAccessPoint).find((p) => asString(p.v.name) === name);
    const supporting = lambda ? asString(asRecord(lambda.v.configuration).supportingAccessPoint) : undefined;
    return supporting === undefined ? EVERY_BUCKET : bucketsOfAccessPoint(ix, supporting, deps(lambda!, "configuration"));
  }
  return bucketsOfAccessPoint(ix, name);
}

/**
 * What a granted resource reaches through S3 access points, itself included: an access point ARN
 * (or any pattern that can match one, `arn:aws:s3:*:*:*`) is the bucket behind the access point of
 * this stack of that name, an alias written as a bucket name (`<name>-<id>-s3alias`) is the
 * bucket behind it; closed world, an access point or alias the stack does not create, or a pattern
 * over names, stands for every bucket. Objects keep their key: `accesspoint/ap/object/in/*` is
 * `<bucket>/in/*`. Cached per stack: every grant of the stack passes here.
 */
export function throughAccessPoints(ix: StackIndex): (resource: string) => readonly string[] {
  let cache = resolvers.get(ix);
  if (!cache) resolvers.set(ix, (cache = new Map()));
  const known = cache;
  return (resource) => {
    let out = known.get(resource);
    if (!out) {
      out = [resource, ...bucketsThrough(ix, resource)];
      if (known.size < 10_000) known.set(resource, out);
    }
    return out;
  };
}
const resolvers = new WeakMap<StackIndex, Map<string, readonly string[]>>();

function bucketsThrough(ix: StackIndex, resource: string): string[] {
  const parts = arnComponents(resource);
  if (!parts) return [];
  const [, service, region, account, rest] = parts;
  const objects = (buckets: readonly string[], key: string | undefined) =>
    buckets.flatMap((b) => (key === undefined ? [`arn:*:s3:::${b}`, `arn:*:s3:::${b}/*`] : [`arn:*:s3:::${b}/${key}`]));
  const alias = service === "s3" && region === "" && account === "" ? ALIAS.exec(rest) : null;
  if (alias) return objects(EVERY_BUCKET, alias[2] ?? undefined);
  if (!ACCESS_POINT_SHAPES.some((shape) => grantsIntersect(resource, shape))) return [];
  const named = AP_RESOURCE.exec(rest);
  if (!named || /[*?]/.test(service)) return objects(EVERY_BUCKET, undefined);
  // A pattern over regions or accounts names other accounts' access points of that name too.
  return objects(/[*?]/.test(`${region}${account}`) ? EVERY_BUCKET : bucketsNamed(ix, service, named[1]), named[2]);
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
