/**
 * The flow table (policy/adapters/aws-flows.ts) closes its world over the installed @pulumi/aws:
 * every resource type of the copy, sync, transfer, ingestion, export and delivery services whose
 * inputs name a bucket or prefix, a DynamoDB table, an SQS queue, an SNS topic, a Secrets Manager
 * secret, an SSM parameter, a Kinesis stream or a KMS key is a row of the table (or read as a copy by
 * aws-data, aws-forwarding or aws-data-shares), or is named out of scope with a reason. The types
 * and their input paths are read from the package's type definitions, so a provider upgrade that
 * adds such a type fails here until it is classified. Every row's inputs must exist on its type.
 */
import { describe, expect, it } from "vitest";
import { OUT_OF_SCOPE_TYPES, ROUTES } from "../../policy/adapters";
import { FLOWS } from "../../policy/adapters/aws-flows";
import { FLOW_OUT_OF_SCOPE } from "../../policy/adapters/aws-flows-out-of-scope";
import { awsInputPaths } from "../helpers/aws-input-paths";

/** Provider modules of the services that move data between resources with a role of their own. */
const MODULES = [
  ...["datasync", "transfer", "appflow", "dms", "glue", "lakeformation", "athena", "dataexchange", "cleanrooms", "securitylake", "quicksight"],
  ...["bedrock", "kendra", "qbusiness", "sagemaker", "comprehend", "transcribe", "rekognition", "macie2"],
  ...["kinesis", "kinesisanalyticsv2", "msk", "mskconnect", "opensearch", "opensearchingest", "pipes", "timestreamwrite", "timestreamquery"],
  ...["s3", "s3control", "s3tables", "dynamodb", "rds", "redshift", "emr", "backup", "cloudwatch", "cur", "bcmdata", "codebuild"],
  ...["lambda", "sns", "sqs", "scheduler", "sfn", "iot", "ses", "sesv2", "ssm", "secretsmanager"],
];

/** An input's last name that holds a bucket or prefix, table, queue, topic, secret, parameter, stream or KMS key. */
const NAMES_DATA = new RegExp(
  [
    "[bB]uckets?(Name|Arn|Path|Folder|Prefix)?$",
    "[sS]3(Uri|Url|Path|Prefix|Location|OutputPath|OutputLocation|Output|KeyPrefix|Bucket|BucketName|BucketArn|BucketPath)?$",
    "^(dynamodbTable|dynamoDbTable|table)(Name|Arn)?$",
    "[qQ]ueue(Url|Arn)$|^queue$",
    "[tT]opic(Arn)?$",
    "[sS]ecret(Arn|Id)$",
    "[pP]arameter(Name|Arn)$",
    "[sS]tream(Arn|Name)$",
    "^kmsKey(Id|Arn)$",
    "^(uri|path|outputLocation|location|logUri|modelDataUrl|homeDirectory)$",
  ].join("|"),
);
/** A nested object named for one of them, holding its ARN or name (`s3BucketDestination.arn`). */
const NESTED_DATA = /([sS]3|[bB]ucket|[sS]tream|[qQ]ueue|[tT]opic|[tT]able|[sS]ecret)\w*(\[\])?\.(arn|resourceArn|name|targetArn)$/;

const installed = awsInputPaths(MODULES);
const namesData = (path: string) => NAMES_DATA.test(path.split(".").pop()!) || NESTED_DATA.test(path);
const walked = [...installed].filter(([, paths]) => paths.some(namesData)).map(([type]) => type);
const COPY_READ = new Set(ROUTES.filter((route) => route.checkedBy?.includes("separation/agent-data-copy")).map((route) => route.type));

describe("flow table closed world (@pulumi/aws)", () => {
  it("finds the copy services' types that name data (the walk itself works)", () => {
    for (const type of [
      "aws:datasync/s3Location:S3Location",
      "aws:appflow/flow:Flow",
      "aws:dms/s3Endpoint:S3Endpoint",
      "aws:bedrock/agentDataSource:AgentDataSource",
      "aws:s3control/storageLensConfiguration:StorageLensConfiguration",
      "aws:transfer/user:User",
    ])
      expect(walked).toContain(type);
    expect(walked.length).toBeGreaterThan(200);
  });

  it("reads as a flow or copy, or names out of scope with a reason, every such type", () => {
    const unclassified = walked.filter((type) => !COPY_READ.has(type) && !FLOW_OUT_OF_SCOPE.has(type) && !OUT_OF_SCOPE_TYPES.has(type));
    expect(unclassified).toEqual([]);
  });

  it("has one row per type, none also out of scope, each citing its docs", () => {
    const types = FLOWS.map((flow) => flow.type);
    expect(types.filter((type, i) => types.indexOf(type) !== i)).toEqual([]);
    expect(types.filter((type) => FLOW_OUT_OF_SCOPE.has(type))).toEqual([]);
    for (const flow of FLOWS) expect(flow.doc, flow.type).toMatch(/^https:\/\/(www\.pulumi\.com\/registry\/packages\/aws\/api-docs|docs\.aws\.amazon\.com)\//);
    for (const [type, reason] of FLOW_OUT_OF_SCOPE) expect(reason.length, type).toBeGreaterThan(40);
  });

  it("reads only inputs its types have", () => {
    const missing = FLOWS.flatMap((flow) => {
      const paths = new Set(installed.get(flow.type) ?? awsInputPaths([flow.type.split(/[:/]/)[1]]).get(flow.type) ?? []);
      return flow.ends.filter((end) => !paths.has(end.field)).map((end) => `${flow.type} ${end.field}`);
    });
    expect(missing).toEqual([]);
  });

  it("names only types the provider exports", () => {
    const modules = [...new Set([...FLOWS.map((f) => f.type), ...FLOW_OUT_OF_SCOPE.keys()].map((type) => type.split(/[:/]/)[1]))];
    const exported = awsInputPaths(modules);
    expect([...FLOWS.map((f) => f.type), ...FLOW_OUT_OF_SCOPE.keys()].filter((type) => !exported.has(type))).toEqual([]);
  });
});
