/**
 * Names AWS (or an AWS service acting for the account) reserves or creates for itself: never an
 * ownable root (`platform.ownableRoots`) and never owned by an agent, even inside a declared root
 * (`separation/owned-root`). This list does not decide what an agent may own (the platform's roots
 * do, a closed list); it stops a platform from declaring, by mistake, a root that covers names AWS
 * hands to its own services, and a prefix root from covering them (`aws-*` covers `aws-controltower-…`).
 *
 * `name` is the resource's name as it appears in its ARN after the type's fixed part (`table/`,
 * `secret:`, `parameter/`, `alias/`…); comparison is case-insensitive. `at` says where it is reserved.
 * Each entry cites the AWS page that reserves or creates the name.
 */

export interface ReservedName {
  /** iam-data service prefix (`s3`, `secretsmanager`…). */
  readonly service: string;
  /** iam-data resource types it applies to; empty: every type of the service. */
  readonly types: readonly string[];
  /** A name starting with, ending with, containing or (IAM: its last path segment) equal to `value`. */
  readonly at: "prefix" | "suffix" | "contains" | "exact";
  readonly value: string;
  /** What AWS uses the name for, for messages. */
  readonly why: string;
  readonly source: string;
}

const S3_NAMING = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";

export const RESERVED_NAMES: readonly ReservedName[] = [
  // S3: prefixes and suffixes the bucket naming rules reserve for AWS.
  { service: "s3", types: [], at: "prefix", value: "xn--", why: "reserved by S3 bucket naming rules", source: S3_NAMING },
  { service: "s3", types: [], at: "prefix", value: "sthree-", why: "reserved by S3 bucket naming rules", source: S3_NAMING },
  { service: "s3", types: [], at: "prefix", value: "amzn-s3-demo-", why: "reserved by S3 bucket naming rules", source: S3_NAMING },
  { service: "s3", types: ["bucket"], at: "suffix", value: "-s3alias", why: "an S3 access point alias (S3 naming rules)", source: S3_NAMING },
  { service: "s3", types: ["bucket"], at: "suffix", value: "--ol-s3", why: "an S3 Object Lambda access point alias (S3 naming rules)", source: S3_NAMING },
  { service: "s3", types: ["bucket"], at: "suffix", value: ".mrap", why: "a Multi-Region Access Point alias (S3 naming rules)", source: S3_NAMING },
  { service: "s3", types: ["bucket"], at: "suffix", value: "--x-s3", why: "an S3 directory bucket (S3 naming rules)", source: S3_NAMING },
  { service: "s3", types: ["bucket"], at: "suffix", value: "--table-s3", why: "an S3 table bucket (S3 naming rules)", source: S3_NAMING },
  // S3: buckets AWS services create in the account under an `aws-` name (CloudTrail, Control Tower, Glue, Athena, SAM, Config…).
  {
    service: "s3",
    types: [],
    at: "prefix",
    value: "aws-",
    why: "the name space AWS services create their buckets in (aws-cloudtrail-logs-…, aws-controltower-logs-…, aws-glue-assets-…)",
    source: "https://docs.aws.amazon.com/controltower/latest/userguide/shared-account-resources.html",
  },
  {
    service: "s3",
    types: [],
    at: "prefix",
    value: "cdk-",
    why: "the AWS CDK bootstrap staging bucket (cdk-<qualifier>-assets-<account>-<region>)",
    source: "https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html",
  },
  {
    service: "s3",
    types: [],
    at: "prefix",
    value: "cf-templates-",
    why: "the bucket CloudFormation creates for uploaded templates",
    source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-using-console-create-stack-template.html",
  },
  // SNS, SQS, DynamoDB: Control Tower's notification topics and resources.
  {
    service: "sns",
    types: [],
    at: "prefix",
    value: "aws-controltower-",
    why: "AWS Control Tower's notification topics (aws-controltower-SecurityNotifications, -AllConfigNotifications)",
    source: "https://docs.aws.amazon.com/controltower/latest/userguide/sns-guidance.html",
  },
  {
    service: "sqs",
    types: [],
    at: "prefix",
    value: "aws-controltower-",
    why: "the AWS Control Tower name space",
    source: "https://docs.aws.amazon.com/controltower/latest/userguide/shared-account-resources.html",
  },
  {
    service: "dynamodb",
    types: [],
    at: "prefix",
    value: "aws-controltower-",
    why: "the AWS Control Tower name space",
    source: "https://docs.aws.amazon.com/controltower/latest/userguide/shared-account-resources.html",
  },
  // Secrets Manager: secrets another service creates and manages carry its id and '!' (rds!db-…, rds!cluster-…, events!connection/…).
  {
    service: "secretsmanager",
    types: [],
    at: "contains",
    value: "!",
    why: "a secret managed by another AWS service (rds!…, events!…, redshift!…): its name starts with the managing service's id and '!'",
    source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/service-linked-secrets.html",
  },
  {
    service: "secretsmanager",
    types: [],
    at: "prefix",
    value: "aws/",
    why: "the name space AWS-managed secrets and keys use",
    source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html",
  },
  // SSM Parameter Store: names starting with aws or ssm are reserved; AWS public parameters live under /aws/service/.
  {
    service: "ssm",
    types: ["parameter"],
    at: "prefix",
    value: "aws",
    why: "reserved by Parameter Store (names may not start with aws or ssm; /aws/service/ holds AWS public parameters)",
    source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html",
  },
  {
    service: "ssm",
    types: ["parameter"],
    at: "prefix",
    value: "ssm",
    why: "reserved by Parameter Store (names may not start with aws or ssm)",
    source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html",
  },
  {
    service: "ssm",
    types: ["parameter"],
    at: "prefix",
    value: "cdk-bootstrap/",
    why: "the AWS CDK bootstrap version parameter (/cdk-bootstrap/<qualifier>/version)",
    source: "https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html",
  },
  // IAM roles AWS or its organisation services create in every member account: never a role a
  // platform names as Vault's AWS engine or shares to agents (names compared with their path).
  {
    service: "iam",
    types: ["role"],
    at: "prefix",
    value: "aws-reserved/",
    why: "an IAM Identity Center (SSO) permission-set role (aws-reserved/sso.amazonaws.com/AWSReservedSSO_…)",
    source: "https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html",
  },
  {
    service: "iam",
    types: ["role"],
    at: "contains",
    value: "awsreservedsso_",
    why: "an IAM Identity Center (SSO) permission-set role (AWSReservedSSO_…)",
    source: "https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html",
  },
  {
    service: "iam",
    types: ["role"],
    at: "prefix",
    value: "aws-service-role/",
    why: "a service-linked role: an AWS service acts as it",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html",
  },
  {
    service: "iam",
    types: ["role"],
    at: "exact",
    value: "OrganizationAccountAccessRole",
    why: "the role AWS Organizations creates for administrator access from the management account",
    source: "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html",
  },
  {
    service: "iam",
    types: ["role"],
    at: "exact",
    value: "AWSControlTowerExecution",
    why: "the role AWS Control Tower administers member accounts with",
    source: "https://docs.aws.amazon.com/controltower/latest/userguide/awscontroltowerexecution.html",
  },
  {
    service: "iam",
    types: ["role"],
    at: "prefix",
    value: "cdk-",
    why: "an AWS CDK bootstrap role (cdk-<qualifier>-deploy-role-…, -cfn-exec-role-…): deploys anything",
    source: "https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html",
  },
  // KMS: aliases under alias/aws/ name AWS managed keys.
  {
    service: "kms",
    types: [],
    at: "prefix",
    value: "aws/",
    why: "an AWS managed key's alias (alias/aws/<service>)",
    source: "https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html",
  },
];
