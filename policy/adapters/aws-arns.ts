/**
 * The ARNs a resource input names, as the data they reach: an SQS queue URL as its queue, a DynamoDB
 * stream or index as its table, a Kinesis consumer as its stream, an S3 URL as its bucket and prefix,
 * and an input unknown at preview as the resource of this stack it came from. Shared by the adapters
 * that compare flows and shares with what agents own (aws-flows.ts, aws-data-shares.ts).
 */
import { readInputs } from "../inputs";
import type { PackResource } from "../types";

/** An ARN as given (a Backup selection names resources by ARN, `*` for all). */
export function anyArns(arn: string): string[] {
  return arn === "*" ? ["*"] : [arn, `${arn}/*`];
}

/** A bucket name or ARN as the bucket and its objects; any other S3 ARN (an access point's) as written, for the access point resolver. */
export function bucketArns(name: string): string[] {
  if (name.startsWith("arn:") && !/^arn:[^:]*:s3:::/.test(name)) return [name];
  const bucket = name.startsWith("arn:") ? name.slice(name.lastIndexOf(":") + 1) : name;
  return [`arn:*:s3:::${bucket}`, `arn:*:s3:::${bucket}/*`];
}
/** A table name or ARN as the table and what lies under it (its streams and indexes). */
export function tableArns(name: string): string[] {
  const table = name.startsWith("arn:") ? name.slice(name.indexOf(":table/") + ":table/".length) : name;
  return [`arn:*:dynamodb:*:*:table/${table}`, `arn:*:dynamodb:*:*:table/${table}/*`];
}
/** A log group name or ARN as the group and its streams. */
export function logGroupArns(name: string): string[] {
  const group = name.startsWith("arn:") ? name.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, "").replace(/:\*$/, "") : name;
  return [`arn:*:logs:*:*:log-group:${group}`, `arn:*:logs:*:*:log-group:${group}:*`];
}

/** Every resource of one service (closed world: a name the pack cannot read may be any of them). */
export const everyOf = (service: string): string[] => [`arn:*:${service}:*:*:*`];

const QUEUE_URL = /^https:\/\/(?:sqs\.)?(?:([a-z0-9-]+)\.)?(?:queue\.)?amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/;

/** An SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, legacy forms too) or ARN as its ARN; any queue when unreadable. */
export function queueArns(urlOrArn: string): string[] {
  if (urlOrArn.startsWith("arn:")) return [urlOrArn];
  const match = QUEUE_URL.exec(urlOrArn);
  return match ? [`arn:*:sqs:${match[1] ?? "*"}:${match[2]}:${match[3]}`] : everyOf("sqs");
}

/** `s3://bucket/prefix` as the ARNs it covers; `s3://` alone (or no bucket) is every bucket. */
export function s3UrlArns(url: string): string[] {
  const path = url.replace(/^s3a?:\/\//, "");
  const [bucket, ...rest] = path.split("/");
  if (!bucket) return ["arn:*:s3:::*"];
  const prefix = rest.join("/").replace(/\*$/, "");
  return prefix ? [`arn:*:s3:::${bucket}/${prefix}*`] : bucketArns(bucket);
}

/**
 * An ARN as the data it reaches: a stream or index of a table is the table, a consumer of a stream
 * the stream. Anything else (an e-mail address, a URL) is kept as written: it is no agent's resource,
 * and a flow to it leaves the agents' resources.
 */
export function dataArns(arn: string): string[] {
  if (!arn.startsWith("arn:")) return [arn];
  const [, , service = "", , , ...rest] = arn.split(":");
  const resource = rest.join(":");
  if (service === "dynamodb" && resource.startsWith("table/")) return tableArns(resource.slice("table/".length).split("/")[0]);
  if (service === "kinesis" && resource.startsWith("stream/")) {
    const stream = arn.slice(0, arn.indexOf(":stream/") + ":stream/".length) + resource.slice("stream/".length).split("/")[0];
    return [stream, `${stream}/*`];
  }
  if (service === "s3") return bucketArns(arn);
  if (service === "logs") return logGroupArns(arn);
  if (service === "lambda") return [arn, `${arn}:*`];
  if (service === "sqs" || service === "sns") return [arn];
  return [arn, `${arn}/*`];
}

/** A Lambda function name, partial or full ARN (an alias or version after `:`) as its ARNs. */
export function functionArns(name: string): string[] {
  if (name.startsWith("arn:")) return dataArns(name.replace(/^(arn:[^:]*:lambda:[^:]*:[^:]*:function:[^:]+).*$/, "$1"));
  const [fn] = name.split(":");
  return [`arn:*:lambda:*:*:function:${fn}`, `arn:*:lambda:*:*:function:${fn}:*`];
}

/** Where a resource of this stack keeps its name, and the ARN it makes of it. */
const NAMED: Readonly<Record<string, { readonly field: string; readonly arns: (name: string) => string[] }>> = {
  "aws:sqs/queue:Queue": { field: "name", arns: (n) => [`arn:*:sqs:*:*:${n}`] },
  "aws:s3/bucket:Bucket": { field: "bucket", arns: bucketArns },
  "aws:s3/bucketV2:BucketV2": { field: "bucket", arns: bucketArns },
  // An access point's ARN reaches the bucket behind it.
  "aws:s3/accessPoint:AccessPoint": { field: "bucket", arns: bucketArns },
  "aws:dynamodb/table:Table": { field: "name", arns: tableArns },
  "aws:lambda/function:Function": { field: "name", arns: functionArns },
  "aws:sns/topic:Topic": { field: "name", arns: (n) => [`arn:*:sns:*:*:${n}`] },
  "aws:kinesis/stream:Stream": { field: "name", arns: (n) => [`arn:*:kinesis:*:*:stream/${n}`, `arn:*:kinesis:*:*:stream/${n}/*`] },
  "aws:cloudwatch/logGroup:LogGroup": { field: "name", arns: logGroupArns },
  "aws:sfn/stateMachine:StateMachine": { field: "name", arns: (n) => [`arn:*:states:*:*:stateMachine:${n}`] },
  "aws:cloudwatch/eventBus:EventBus": { field: "name", arns: (n) => [`arn:*:events:*:*:event-bus/${n}`] },
  "aws:cloudwatch/eventApiDestination:EventApiDestination": {
    field: "name",
    arns: (n) => [`arn:*:events:*:*:api-destination/${n}`, `arn:*:events:*:*:api-destination/${n}/*`],
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": { field: "name", arns: (n) => [`arn:*:firehose:*:*:deliverystream/${n}`] },
  "aws:ecs/cluster:Cluster": { field: "name", arns: (n) => [`arn:*:ecs:*:*:cluster/${n}`] },
};

/**
 * The ARNs of the resources of this stack an input unknown at preview came from (a queue's ARN from
 * the queue it names), or undefined when one of them is not a type named here or has no known name.
 */
export function arnsOfDependencies(from: readonly PackResource[]): string[] | undefined {
  if (from.length === 0) return undefined;
  const out: string[] = [];
  for (const dependency of from) {
    const named = NAMED[dependency.type];
    const name = named ? readInputs(dependency.props).value[named.field] : undefined;
    if (!named || typeof name !== "string") return undefined;
    out.push(...named.arns(name));
  }
  return out;
}
