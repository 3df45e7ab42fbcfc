/**
 * The shape of one row of the flow table (policy/adapters/aws-flows.ts): a resource type, the
 * inputs holding each end of what it moves (a source it reads, a sink it writes), and the docs page
 * saying what those inputs mean. An end's value is read as the data it names by the end's kind (a
 * bucket, table, queue, topic, secret, parameter or stream), taken from the input's name unless the
 * row says otherwise. S3 access point ARNs and aliases are kept as written: the holdings model
 * resolves them to the buckets behind them (policy/adapters/s3-access-points.ts).
 */
import { bucketArns, dataArns, queueArns, s3UrlArns, tableArns } from "./aws-arns";
import type { Read } from "./shared";

/** One end of a flow: the input (a path, `a.b`, `a[].b` for every element of a list), whether data leaves or enters there, and the ARNs its value reaches. */
export interface End {
  readonly field: string;
  readonly role: "source" | "sink";
  readonly arns: (value: string) => string[];
  /** The strings read, when not those at `field` (a map's values under some keys). */
  readonly values?: (v: Record<string, unknown>) => string[];
}

export interface Flow {
  readonly type: string;
  readonly ends: readonly End[];
  /** What it does, before `from <sources> to <sinks>`. */
  readonly does: string;
  readonly route: string;
  /** Where the meaning of the inputs read is documented (the provider's registry page, or AWS's). */
  readonly doc: string;
  /** The ends of one resource, when they depend on its other inputs (an SNS endpoint is an ARN only for some protocols). */
  readonly endsOf?: (r: Read, ends: readonly End[]) => readonly End[];
}

/** The Pulumi registry page of an AWS provider resource (`module/resource`, lower case as the registry writes it). */
export const registry = (page: string) => `https://www.pulumi.com/registry/packages/aws/api-docs/${page}/`;

/** Every resource of one service (closed world: a name the pack cannot read may be any of them). */
const every = (service: string) => [`arn:*:${service}:*:*:*`];

/**
 * A bucket as an input names it: a name, an ARN (an access point's kept for the resolver), an
 * `s3://bucket/prefix` URL or a `bucket/prefix` path.
 */
export function s3Arns(value: string): string[] {
  if (/^s3a?:\/\//.test(value)) return s3UrlArns(value);
  if (value.startsWith("arn:")) return /^arn:[^:]*:s3:::/.test(value) ? bucketArns(value) : [value];
  if (value.startsWith("https://")) return ["arn:*:s3:::*"];
  return value.includes("/") ? s3UrlArns(`s3://${value}`) : bucketArns(value);
}

/** A name or ARN of one service's resource (`<prefix><name>` in its ARN). */
const named = (service: string, prefix: string) => (value: string) =>
  value.startsWith("arn:") ? dataArns(value) : value ? [`arn:*:${service}:*:*:${prefix}${value}`] : every(service);

/** A Secrets Manager secret by name or ARN (an ARN names its random suffix, a name does not). */
const secretArns = (value: string) =>
  value.startsWith("arn:") ? [value] : [`arn:*:secretsmanager:*:*:secret:${value}`, `arn:*:secretsmanager:*:*:secret:${value}-*`];

/** A Kinesis stream by name or ARN. */
const streamArns = (value: string) => (value.startsWith("arn:") ? dataArns(value) : dataArns(`arn:*:kinesis:*:*:stream/${value}`));

/** The kinds of ends the table reads, by what the input's name says it holds. */
export const KINDS = {
  bucket: s3Arns,
  table: tableArns,
  queue: queueArns,
  topic: named("sns", ""),
  secret: secretArns,
  parameter: (value: string) => named("ssm", "parameter/")(value.replace(/^\//, "")),
  stream: streamArns,
  firehose: named("firehose", "deliverystream/"),
  logs: dataArns,
  any: dataArns,
} as const;
export type Kind = keyof typeof KINDS;

const BY_NAME: ReadonlyArray<readonly [RegExp, Kind]> = [
  [/deliveryStream(Name|Arn)$/, "firehose"],
  [/logStreamArn$/, "logs"],
  [/[sS]ecret(Arn|Id)$/, "secret"],
  [/[tT]opic(Arn)?$/, "topic"],
  [/[qQ]ueue(Url|Arn)?$/, "queue"],
  [/[sS]tream(Arn|Name)$/, "stream"],
  [/[pP]arameter(Name|Arn)$/, "parameter"],
  [/^(dynamodbTable|dynamoDbTable|table)(Name|Arn)?$/, "table"],
  [
    /[bB]uckets?(Name|Arn|Path)?$|[sS]3(Uri|Url|Path|Location|OutputPath|Bucket|BucketName|BucketArn)$|^(uri|path|location|outputLocation|defaultS3Location|logUri|modelDataUrl)$/,
    "bucket",
  ],
];

/** The kind of an input by its last name; a name the table does not know is an error in the table (tested). */
export function kindOf(field: string): Kind {
  const leaf = field.split(".").pop()!.replace(/\[\]$/, "");
  const hit = BY_NAME.find(([test]) => test.test(leaf));
  if (!hit) throw new Error(`aws-flow-ends: no kind for ${field}; name one in the row`);
  return hit[1];
}

/** A source end, read by its name's kind unless one is given. */
export const from = (field: string, kind: Kind = kindOf(field)): End => ({ field, role: "source", arns: KINDS[kind] });
/** A sink end, read by its name's kind unless one is given. */
export const to = (field: string, kind: Kind = kindOf(field)): End => ({ field, role: "sink", arns: KINDS[kind] });
/** An end whose value names something whose data may lie in any bucket (a Glue table, a catalog): every bucket. */
export const anyBucket = (field: string, role: End["role"] = "source"): End => ({ field, role, arns: () => ["arn:*:s3:::*", "arn:*:s3:::*/*"] });
