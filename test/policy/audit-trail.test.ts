/**
 * CloudTrail trails and event data stores beside the agents (policy/adapters/cloudtrail.ts): the
 * dev stack's components plus one complete trail (multi-region, global service events, log file
 * validation) and one event data store with AWS's defaults pass; each case changes one property of
 * one of them and is refused under the rule named. A declaration in the pack's configuration
 * (kubernetesPlatformResources) lets exactly the declared resource through.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaringKeys, runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";
const STORE_TYPE = "aws:cloudtrail/eventDataStore:EventDataStore";
const TRAIL = "stack/audit-trail";
const COPY = "separation/agent-data-copy";
const PAYOUTS = "arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-payouts";

const trail = (props: Record<string, unknown> = {}, extra: Partial<Resource> = {}): Resource => ({
  type: TRAIL_TYPE,
  name: "org-trail",
  props: { name: "org", s3BucketName: "acme-trail", isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true, ...props },
  ...extra,
});
/** The bucket of the happy path's trails, created by the stack (a bucket it does not create is judged nowhere). */
const TRAIL_BUCKET: Resource = { type: "aws:s3/bucketV2:BucketV2", name: "trail-bucket", props: { bucket: "acme-trail" } };
const store = (props: Record<string, unknown> = {}): Resource => ({ type: STORE_TYPE, name: "lake", props: { name: "lake", ...props } });
const management = { fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] };
const dataOn = (arns: string[]) => ({
  fieldSelectors: [
    { field: "eventCategory", equals: ["Data"] },
    { field: "resources.type", equals: ["AWS::DynamoDB::Table"] },
    { field: "resources.ARN", equals: arns },
  ],
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});
const rulesOf = async (extra: Resource[], config: object = {}) => ruleIds(await runPack([...base, ...extra], undefined, config));

describe("CloudTrail trails and event data stores", () => {
  it("passes a complete trail and an event data store with AWS's defaults (the happy path every case changes once)", { timeout: 120_000 }, async () => {
    // Advanced selectors are ORed: a narrower second management selector beside the complete one narrows nothing.
    const writes = { fieldSelectors: [...management.fieldSelectors, { field: "readOnly", equals: ["false"] }] };
    const rules = await rulesOf([TRAIL_BUCKET, trail(), store(), trail({ advancedEventSelectors: [management, writes] }, { name: "advanced" })]);
    expect(rules).not.toContain(TRAIL);
    expect(rules).not.toContain(COPY);
  });

  it("refuses a trail delivering to a bucket the stack does not create, unless the security team declares that bucket", { timeout: 120_000 }, async () => {
    const foreign = trail({ s3BucketName: "evil-bucket-999988887777" });
    expect(await rulesOf([TRAIL_BUCKET, foreign])).toContain(TRAIL);
    const archive = { auditTrailBuckets: [{ bucket: "evil-bucket-999988887777", reason: "organisation log archive", approvedBy: "security@acme.example" }] };
    expect(await rulesOf([TRAIL_BUCKET, foreign], archive)).not.toContain(TRAIL);
  });

  const TRAIL_CASES: Array<[string, Record<string, unknown>]> = [
    ["logging off", { enableLogging: false }],
    ["one region only", { isMultiRegionTrail: false }],
    ["multi-region left unset (AWS's default is one region)", { isMultiRegionTrail: undefined }],
    ["without global service events (IAM, STS)", { includeGlobalServiceEvents: false }],
    ["log file validation off", { enableLogFileValidation: false }],
    ["writes only (basic selector)", { eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }] }],
    ["management events excluded (basic selector)", { eventSelectors: [{ readWriteType: "All", includeManagementEvents: false }] }],
    [
      "KMS events left out (basic selector)",
      { eventSelectors: [{ readWriteType: "All", includeManagementEvents: true, excludeManagementEventSources: ["kms.amazonaws.com"] }] },
    ],
    [
      "only write management events (advanced readOnly false)",
      { advancedEventSelectors: [{ fieldSelectors: [...management.fieldSelectors, { field: "readOnly", equals: ["false"] }] }] },
    ],
    [
      "KMS events left out (advanced eventSource NotEquals)",
      { advancedEventSelectors: [{ fieldSelectors: [...management.fieldSelectors, { field: "eventSource", notEquals: ["kms.amazonaws.com"] }] }] },
    ],
    ["data events only (advanced)", { advancedEventSelectors: [dataOn(["arn:aws:dynamodb:us-east-1:111122223333:table/platform-jobs"])] }],
    ["multi-region unknown at preview", { isMultiRegionTrail: UNKNOWN }],
    ["an SNS topic of another account", { snsTopicName: "arn:aws:sns:us-east-1:999988887777:trail-notices" }],
    ["a CloudWatch Logs group of another account", { cloudWatchLogsGroupArn: "arn:aws:logs:us-east-1:999988887777:log-group:trail:*" }],
    ["a KMS key of another account", { kmsKeyId: "arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab" }],
  ];
  for (const [name, change] of TRAIL_CASES)
    it(`refuses a trail with ${name}`, { timeout: 120_000 }, async () => {
      expect(await rulesOf([trail(change)])).toContain(TRAIL);
    });

  const STORE_CASES: Array<[string, Record<string, unknown>]> = [
    ["events kept 7 days", { retentionPeriod: 7 }],
    ["termination protection off", { terminationProtectionEnabled: false }],
    ["one region only", { multiRegionEnabled: false }],
    ["ingestion suspended", { suspend: "true" }],
    ["only data events of an agent's table", { advancedEventSelectors: [dataOn([PAYOUTS])] }],
    ["a KMS key of another account", { kmsKeyId: "arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab" }],
  ];
  for (const [name, change] of STORE_CASES)
    it(`refuses an event data store with ${name}`, { timeout: 120_000 }, async () => {
      expect(await rulesOf([store(change)])).toContain(TRAIL);
    });

  it(
    "refuses a trail recording an agent's table's data events into a bucket the stack does not create, as a copy of the agent's",
    { timeout: 120_000 },
    async () => {
      const basic = trail({
        eventSelectors: [{ readWriteType: "All", includeManagementEvents: true, dataResources: [{ type: "AWS::DynamoDB::Table", values: [PAYOUTS] }] }],
      });
      expect(await rulesOf([basic])).toContain(COPY);
      expect(await rulesOf([trail({ advancedEventSelectors: [management, dataOn([PAYOUTS])] })])).toContain(COPY);
      // Every table's data events (resources.type alone) are the agent's table's too.
      const everyTable = {
        fieldSelectors: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::DynamoDB::Table"] },
        ],
      };
      expect(await rulesOf([trail({ advancedEventSelectors: [management, everyTable] })])).toContain(COPY);
    },
  );

  it("lets data events of an agent's table go to a bucket the stack creates, and other tables' data events anywhere", { timeout: 120_000 }, async () => {
    const bucket: Resource = { type: "aws:s3/bucketV2:BucketV2", name: "trail-bucket", props: { bucket: "acme-trail" } };
    const own = await rulesOf([bucket, trail({ advancedEventSelectors: [management, dataOn([PAYOUTS])] })]);
    expect(own).not.toContain(COPY);
    expect(own).not.toContain(TRAIL);
    const other = await rulesOf([trail({ advancedEventSelectors: [management, dataOn(["arn:aws:dynamodb:us-east-1:111122223333:table/platform-jobs"])] })]);
    expect(other).not.toContain(COPY);
  });

  it("waives exactly the trail or store the security team declared in kubernetesPlatformResources", { timeout: 120_000 }, async () => {
    const narrow = trail({ isMultiRegionTrail: false, snsTopicName: "arn:aws:sns:us-east-1:999988887777:trail-notices" });
    const lake = store({ retentionPeriod: 7 });
    expect(await rulesOf([TRAIL_BUCKET, narrow], declaringKeys([narrow], `${TRAIL_TYPE}::org-trail`))).not.toContain(TRAIL);
    expect(await rulesOf([TRAIL_BUCKET, narrow], declaringKeys([narrow], `${TRAIL_TYPE}::another-trail`))).toContain(TRAIL);
    expect(await rulesOf([lake], declaringKeys([lake], `${STORE_TYPE}::lake`))).not.toContain(TRAIL);
  });
});
