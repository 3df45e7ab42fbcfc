/**
 * The resources one CloudTrail event touched when it has no `resources[]`: the ARN its request
 * parameters name (S3 bucket and key, DynamoDB table, SQS queue URL, Lambda function, or any
 * parameter that is itself an ARN). An event whose resource cannot be read yields none: its use
 * then counts for every resource of the grant, so nothing is removed on a guess.
 */
import { field, text } from "./record-fields";

const ARN_PARTITION = /^arn:([a-z-]+):/;
const QUEUE_URL = /^https:\/\/(?:sqs\.)?([a-z0-9-]+)\.(?:queue\.)?amazonaws\.com(?:\.cn)?\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

export function requestResources(request: unknown, principalArn: string | null, account: string | null, region: string): string[] {
  const partition = (principalArn && ARN_PARTITION.exec(principalArn)?.[1]) || "aws";
  const found: string[] = [];
  if (request === null || typeof request !== "object") return found;
  const bucket = text(field(request, "bucketName"));
  if (bucket) {
    const key = text(field(request, "key"));
    found.push(key ? `arn:${partition}:s3:::${bucket}/${key}` : `arn:${partition}:s3:::${bucket}`);
  }
  const table = text(field(request, "tableName"));
  if (table) found.push(table.startsWith("arn:") ? table : `arn:${partition}:dynamodb:${region}:${account ?? ""}:table/${table}`);
  const queueUrl = text(field(request, "queueUrl"));
  const queue = queueUrl ? QUEUE_URL.exec(queueUrl) : null;
  if (queue) found.push(`arn:${partition}:sqs:${queue[1]}:${queue[2]}:${queue[3]}`);
  const fn = text(field(request, "functionName"));
  if (fn) found.push(fn.startsWith("arn:") ? fn : `arn:${partition}:lambda:${region}:${account ?? ""}:function:${fn}`);
  for (const key of ["secretId", "keyId", "topicArn", "streamARN", "modelId", "resourceArn", "logGroupArn", "name"]) {
    const value = text(field(request, key));
    if (value?.startsWith("arn:")) found.push(value);
  }
  return found;
}
