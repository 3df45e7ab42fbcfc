/**
 * What a platform share may give its consumers, by name: each named access is a short list of exact
 * actions on one resource type (`decrypt` is `kms:Decrypt` on a KMS key, and nothing else: not
 * `kms:ScheduleKeyDeletion`, although AWS rates both Write). A share lists named accesses and the
 * agents that get each (`platform.shared[].access`); separation/shared-access refuses every other
 * action on the shared resource.
 *
 * `service` and `type` are iam-data resource-type keys; `source` is the Service Authorization
 * Reference page of the service. Asking for a new named access is a reviewed change to this file.
 */

const SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference";

export interface ShareAccess {
  readonly service: string;
  readonly type: string;
  readonly actions: readonly string[];
  readonly source: string;
}

export const SHARE_ACCESS = {
  "list-bucket": { service: "s3", type: "bucket", actions: ["s3:ListBucket"], source: `${SAR}/list_amazons3.html` },
  "read-objects": { service: "s3", type: "object", actions: ["s3:GetObject", "s3:GetObjectVersion"], source: `${SAR}/list_amazons3.html` },
  "write-objects": { service: "s3", type: "object", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], source: `${SAR}/list_amazons3.html` },
  "delete-objects": { service: "s3", type: "object", actions: ["s3:DeleteObject"], source: `${SAR}/list_amazons3.html` },
  "read-items": {
    service: "dynamodb",
    type: "table",
    actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"],
    source: `${SAR}/list_amazondynamodb.html`,
  },
  "write-items": {
    service: "dynamodb",
    type: "table",
    actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
    source: `${SAR}/list_amazondynamodb.html`,
  },
  "query-index": { service: "dynamodb", type: "index", actions: ["dynamodb:Query", "dynamodb:Scan"], source: `${SAR}/list_amazondynamodb.html` },
  "send-messages": { service: "sqs", type: "queue", actions: ["sqs:SendMessage", "sqs:GetQueueUrl"], source: `${SAR}/list_amazonsqs.html` },
  "receive-messages": {
    service: "sqs",
    type: "queue",
    actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
    source: `${SAR}/list_amazonsqs.html`,
  },
  publish: { service: "sns", type: "topic", actions: ["sns:Publish"], source: `${SAR}/list_amazonsns.html` },
  "read-secret": {
    service: "secretsmanager",
    type: "secret",
    actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    source: `${SAR}/list_awssecretsmanager.html`,
  },
  "read-parameter": { service: "ssm", type: "parameter", actions: ["ssm:GetParameter", "ssm:GetParameters"], source: `${SAR}/list_awssystemsmanager.html` },
  decrypt: { service: "kms", type: "key", actions: ["kms:Decrypt"], source: `${SAR}/list_awskeymanagementservice.html` },
  encrypt: { service: "kms", type: "key", actions: ["kms:Encrypt", "kms:GenerateDataKey"], source: `${SAR}/list_awskeymanagementservice.html` },
  "describe-key": { service: "kms", type: "key", actions: ["kms:DescribeKey"], source: `${SAR}/list_awskeymanagementservice.html` },
  "read-records": {
    service: "kinesis",
    type: "stream",
    actions: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"],
    source: `${SAR}/list_amazonkinesis.html`,
  },
  "put-records": { service: "kinesis", type: "stream", actions: ["kinesis:PutRecord", "kinesis:PutRecords"], source: `${SAR}/list_amazonkinesis.html` },
  retrieve: { service: "bedrock", type: "knowledge-base", actions: ["bedrock:Retrieve"], source: `${SAR}/list_amazonbedrock.html` },
  // Types no agent may own; a share of one states its risk (platform.shared[].risk).
  "read-role": { service: "iam", type: "role", actions: ["iam:GetRole"], source: `${SAR}/list_awsidentityandaccessmanagementiam.html` },
  "read-hosted-zone": {
    service: "route53",
    type: "hostedzone",
    actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
    source: `${SAR}/list_amazonroute53.html`,
  },
} as const satisfies Record<string, ShareAccess>;

export type ShareAccessName = keyof typeof SHARE_ACCESS;
export const SHARE_ACCESS_NAMES = Object.keys(SHARE_ACCESS) as [ShareAccessName, ...ShareAccessName[]];
