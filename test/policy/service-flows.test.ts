/**
 * Services that copy, sync, transfer or ingest data with a role of their own (the service rows of
 * the flow table, policy/adapters/aws-flows-services.ts): each case adds one such resource to the
 * dev stack's components, naming an agent's bucket or table once (directly, through an S3 access
 * point, or unknown at preview); the controls name a bucket no agent holds, or read an unknown
 * bucket from the bucket of the stack it came from, and pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const COPY = "separation/agent-data-copy";
const ACCOUNT = "111122223333";
const BUCKET = "acme-invoices-dev";
const OTHER = "platform-archive";
const TABLE = "acme-dev-payouts";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ops`;
const r = (type: string, props: Record<string, unknown>, name = "x", extra: Partial<Resource> = {}): Resource => ({ type, name, props, ...extra });

const accessPoint = (bucket: string) => r("aws:s3/accessPoint:AccessPoint", { bucket, name: "inv-ap" }, "ap");
const datasync = (s3BucketArn: string) =>
  r("aws:datasync/s3Location:S3Location", { s3BucketArn, subdirectory: "/incoming", s3Config: { bucketAccessRoleArn: ROLE } }, "dsl");
const knowledgeBaseSource = (bucket: string) =>
  r("aws:bedrock/agentDataSource:AgentDataSource", {
    knowledgeBaseId: "KB12345678",
    name: "docs",
    dataSourceConfiguration: { type: "S3", s3Configuration: { bucketArn: `arn:aws:s3:::${bucket}` } },
  });
const appflow = (source: string, sink: string) =>
  r("aws:appflow/flow:Flow", {
    name: "af",
    sourceFlowConfig: { connectorType: "S3", sourceConnectorProperties: { s3: { bucketName: source } } },
    destinationFlowConfigs: [{ connectorType: "S3", destinationConnectorProperties: { s3: { bucketName: sink } } }],
    tasks: [{ taskType: "Map_all", sourceFields: [] }],
    triggerConfig: { triggerType: "OnDemand" },
  });
const dmsEndpoint = (bucketName: string, endpointType = "source") =>
  r("aws:dms/s3Endpoint:S3Endpoint", { endpointId: "e", endpointType, bucketName, serviceAccessRoleArn: ROLE });
const transferUser = (homeDirectory: string) => r("aws:transfer/user:User", { serverId: "s-1", userName: "u", role: ROLE, homeDirectory });
const codebuild = (source: Record<string, unknown>) =>
  r("aws:codebuild/project:Project", {
    name: "build",
    serviceRole: ROLE,
    source,
    artifacts: { type: "NO_ARTIFACTS" },
    environment: { computeType: "BUILD_GENERAL1_SMALL", image: "i", type: "LINUX_CONTAINER" },
  });
const pipeline = (bucket: string) =>
  r("aws:opensearchingest/pipeline:Pipeline", {
    pipelineName: "p",
    minUnits: 1,
    maxUnits: 1,
    pipelineConfigurationBody: `version: "2"\ns3-pipeline:\n  source:\n    s3:\n      bucket: ${bucket}\n  sink:\n    - opensearch:\n        hosts: ["https://search.example"]\n`,
  });

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});

const CASES: Array<{ name: string; add: () => Resource[] }> = [
  {
    name: "a DataSync location on an agent's bucket through an access point of the stack",
    add: () => [accessPoint(BUCKET), datasync(`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/inv-ap`)],
  },
  {
    name: "a DataSync location through an access point the stack does not create (any bucket)",
    add: () => [datasync(`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/other-ap`)],
  },
  {
    name: "a DataSync location through an access point alias the stack does not create",
    add: () => [datasync("arn:aws:s3:::other-ap-abcdefghijklmnopqrstuvwxyz1234-s3alias")],
  },
  { name: "a Bedrock knowledge base data source on an agent's bucket", add: () => [knowledgeBaseSource(BUCKET)] },
  { name: "an AppFlow flow reading an agent's bucket", add: () => [appflow(BUCKET, OTHER)] },
  { name: "an AppFlow flow writing into an agent's bucket", add: () => [appflow(OTHER, BUCKET)] },
  { name: "a DMS S3 endpoint on an agent's bucket", add: () => [dmsEndpoint(BUCKET)] },
  { name: "a DMS S3 target endpoint writing into an agent's bucket", add: () => [dmsEndpoint(BUCKET, "target")] },
  {
    name: "an S3 metadata configuration journaling an agent's bucket",
    add: () => [r("aws:s3/bucketMetadataConfiguration:BucketMetadataConfiguration", { bucket: BUCKET, metadataConfiguration: {} })],
  },
  {
    name: "an object written into an agent's bucket",
    add: () => [r("aws:s3/bucketObjectv2:BucketObjectv2", { bucket: BUCKET, key: "incoming/x.pdf", content: "x" })],
  },
  { name: "an item written into an agent's table", add: () => [r("aws:dynamodb/tableItem:TableItem", { tableName: TABLE, hashKey: "id", item: "{}" })] },
  { name: "a Transfer Family user whose home is an agent's bucket", add: () => [transferUser(`/${BUCKET}/incoming`)] },
  { name: "a CodeBuild project building from an agent's bucket", add: () => [codebuild({ type: "S3", location: `${BUCKET}/incoming/src.zip` })] },
  { name: "an OpenSearch Ingestion pipeline reading an agent's bucket", add: () => [pipeline(BUCKET)] },
  {
    name: "a knowledge base data source whose bucket is unknown at preview and from no resource of the stack",
    add: () => [
      r("aws:bedrock/agentDataSource:AgentDataSource", {
        knowledgeBaseId: "KB12345678",
        name: "docs",
        dataSourceConfiguration: { type: "S3", s3Configuration: { bucketArn: UNKNOWN } },
      }),
    ],
  },
];

describe("the pack refuses services that copy an agent's data with a role of their own", () => {
  for (const c of CASES)
    it(c.name, { timeout: 120_000 }, async () => {
      expect(ruleIds(await runPack([...base, ...c.add()]))).toContain(COPY);
    });

  it("lets the same services through on buckets no agent holds", { timeout: 120_000 }, async () => {
    const rules = ruleIds(
      await runPack([
        ...base,
        accessPoint(OTHER),
        datasync(`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/inv-ap`),
        knowledgeBaseSource(OTHER),
        appflow(OTHER, "platform-exports"),
        dmsEndpoint(OTHER),
        transferUser(`/${OTHER}/home`),
        codebuild({ type: "GITHUB", location: "https://github.com/acme/app.git" }),
        pipeline(OTHER),
        r("aws:s3/bucketObjectv2:BucketObjectv2", { bucket: OTHER, key: "x", content: "x" }, "obj"),
      ]),
    );
    expect(rules).not.toContain(COPY);
  });

  it("reads a source unknown at preview from the bucket of the stack it came from", { timeout: 120_000 }, async () => {
    const flow = (bucket: string) => [
      r("aws:s3/bucketV2:BucketV2", { bucket }, "src"),
      r(
        "aws:bedrock/agentDataSource:AgentDataSource",
        { knowledgeBaseId: "KB12345678", name: "docs", dataSourceConfiguration: { type: "S3", s3Configuration: { bucketArn: UNKNOWN } } },
        "kbds",
        { dependsOn: { dataSourceConfiguration: ["src"] } },
      ),
    ];
    expect(ruleIds(await runPack([...base, ...flow(OTHER)]))).not.toContain(COPY);
    expect(ruleIds(await runPack([...base, ...flow(BUCKET)]))).toContain(COPY);
  });

  it("reads a DataSync location's access point unknown at preview as the bucket behind that access point of the stack", { timeout: 120_000 }, async () => {
    const location = (bucket: string) => [
      accessPoint(bucket),
      r("aws:datasync/s3Location:S3Location", { s3BucketArn: UNKNOWN, subdirectory: "/", s3Config: { bucketAccessRoleArn: ROLE } }, "dsl", {
        dependsOn: { s3BucketArn: ["ap"] },
      }),
    ];
    expect(ruleIds(await runPack([...base, ...location(OTHER)]))).not.toContain(COPY);
    expect(ruleIds(await runPack([...base, ...location(BUCKET)]))).toContain(COPY);
  });
});
