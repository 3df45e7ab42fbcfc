/**
 * Resources that move an agent's records, share its data through a service of their own, or control
 * its audit trail from outside its identities (policy/adapters/aws-flows.ts, aws-data-shares.ts,
 * aws-data.ts, audit-control.ts, log-groups.ts). One case per resource type: the dev stack's
 * components with one resource added or one property changed, refused under the rule named; the
 * controls change the same resource so that it touches nothing of an agent's (or only one agent's
 * own resources, or a declared share) and pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { ofRule, runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const QUEUE = "arn:aws:sqs:us-east-1:111122223333:acme-dev-support-tickets";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/111122223333/acme-dev-support-tickets";
const OTHER_QUEUE = "arn:aws:sqs:us-east-1:111122223333:platform-jobs";
const OWN_DLQ = "arn:aws:sqs:us-east-1:111122223333:acme-dev-support-tickets-dlq";
const OWN_FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:acme-dev-support-tool";
const STREAM = "arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-payouts/stream/2024-01-01T00:00:00.000";
const STREAM_KINESIS = "arn:aws:kinesis:us-east-1:111122223333:stream/acme-dev-support-events";
const BUCKET = "acme-invoices-dev";
const AUDIT = "/acme/dev/agents/payout-approver/audit";
const FOREIGN = "arn:aws:iam::999999999999:root";
const COPY = "separation/agent-data-copy";
const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const r = (type: string, props: Record<string, unknown>, name = "x", extra: Partial<Resource> = {}): Resource => ({ type, name, props, ...extra });
const redrive = (queueUrl: string, dlq: string) =>
  r("aws:sqs/redrivePolicy:RedrivePolicy", { queueUrl, redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq, maxReceiveCount: 3 }) }, "rdp");
const esm = (eventSourceArn: string) => r("aws:lambda/eventSourceMapping:EventSourceMapping", { eventSourceArn, functionName: "ci-reader" });
const schedule = (arn: string) =>
  r("aws:scheduler/schedule:Schedule", {
    scheduleExpression: "rate(1 hour)",
    flexibleTimeWindow: { mode: "OFF" },
    target: { arn, roleArn: "arn:aws:iam::111122223333:role/sched" },
  });
const TABLE = "acme-dev-payouts";
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:111122223333:table/${TABLE}`;
const table = (props: Record<string, unknown>) =>
  r("aws:dynamodb/table:Table", { name: "platform-copy", hashKey: "id", attributes: [{ name: "id", type: "S" }], ...props }, "tbl");
const scp = (actions: string[]) => r("aws:organizations/policy:Policy", { name: "guard", content: doc([{ Effect: "Deny", Action: actions, Resource: "*" }]) });

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});

/** The base with one resource's props changed. */
const editBase = (match: (x: Resource) => boolean, change: (props: Record<string, unknown>) => Record<string, unknown>): Resource[] => {
  const hits = base.filter(match);
  if (hits.length === 0) throw new Error("editBase: no resource matched");
  return base.map((x) => (x === hits[0] ? { ...x, props: change(JSON.parse(JSON.stringify(x.props))) } : x));
};
const auditGroup = (x: Resource) => x.type === "aws:cloudwatch/logGroup:LogGroup" && x.props.name === AUDIT;
/** support-assistant's execution ServiceAccount also declaring `arns` in `owns`. */
const alsoOwns = (...arns: string[]) =>
  editBase(
    (x) => x.type === "kubernetes:core/v1:ServiceAccount" && (x.props.metadata as { name?: string }).name === "support-assistant-execution",
    (p) => {
      const annotations = (p.metadata as { annotations: Record<string, string> }).annotations;
      annotations["agent-identity.io/owns"] = JSON.stringify([...(JSON.parse(annotations["agent-identity.io/owns"]) as string[]), ...arns]);
      return p;
    },
  );
const ownsStream = () => alsoOwns(STREAM_KINESIS);
const ownsFunction = () => alsoOwns(OWN_FUNCTION);

const CASES: Array<{ name: string; add?: () => Resource[]; edit?: () => Resource[]; rule: string }> = [
  // Flows of records
  { name: "a Lambda event source mapping draining an agent's queue", add: () => [esm(QUEUE)], rule: COPY },
  { name: "a Lambda event source mapping on an agent's table's stream", add: () => [esm(STREAM)], rule: COPY },
  {
    name: "an event source mapping whose source is unknown at preview and from no resource of the stack",
    add: () => [esm(UNKNOWN)],
    rule: COPY,
  },
  {
    name: "a redrive policy moving an agent queue's messages to another account's queue",
    add: () => [redrive(QUEUE_URL, "arn:aws:sqs:us-east-1:999999999999:evil")],
    rule: COPY,
  },
  { name: "a redrive policy moving them to a queue of the account no agent owns", add: () => [redrive(QUEUE_URL, OTHER_QUEUE)], rule: COPY },
  {
    name: "a queue of the agent's name with an inline redrive policy",
    add: () => [
      r("aws:sqs/queue:Queue", { name: "acme-dev-support-tickets", redrivePolicy: JSON.stringify({ deadLetterTargetArn: OTHER_QUEUE, maxReceiveCount: 3 }) }),
    ],
    rule: COPY,
  },
  {
    name: "a redrive-allow policy letting every queue redrive into an agent's queue",
    add: () => [
      r("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", { queueUrl: QUEUE_URL, redriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) }),
    ],
    rule: COPY,
  },
  {
    name: "a pipe from an agent's queue to another account",
    add: () => [r("aws:pipes/pipe:Pipe", { roleArn: "arn:aws:iam::111122223333:role/pipe", source: QUEUE, target: "arn:aws:sqs:us-east-1:999999999999:evil" })],
    rule: COPY,
  },
  {
    name: "a pipe from an agent's table's stream",
    add: () => [
      r("aws:pipes/pipe:Pipe", {
        roleArn: "arn:aws:iam::111122223333:role/pipe",
        source: STREAM,
        target: "arn:aws:events:us-east-1:999999999999:event-bus/default",
      }),
    ],
    rule: COPY,
  },
  {
    name: "an SNS subscription delivering another account's topic into an agent's queue",
    add: () => [r("aws:sns/topicSubscription:TopicSubscription", { topic: "arn:aws:sns:us-east-1:999999999999:evil", protocol: "sqs", endpoint: QUEUE })],
    rule: COPY,
  },
  { name: "a schedule sending input into an agent's queue", add: () => [schedule(QUEUE)], rule: COPY },
  { name: "a schedule with a universal SQS target (any queue)", add: () => [schedule("arn:aws:scheduler:::aws-sdk:sqs:sendMessage")], rule: COPY },
  {
    name: "an EventBridge target sending a rule's events into an agent's queue",
    add: () => [r("aws:cloudwatch/eventTarget:EventTarget", { rule: "platform-rule", arn: QUEUE })],
    rule: COPY,
  },
  {
    name: "a Kinesis consumer on an agent's stream",
    edit: () => [...ownsStream(), r("aws:kinesis/streamConsumer:StreamConsumer", { name: "c", streamArn: STREAM_KINESIS })],
    rule: COPY,
  },
  {
    name: "invocation destinations sending an agent's function's records to another account",
    edit: () => [
      ...ownsFunction(),
      r("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", {
        functionName: "acme-dev-support-tool",
        destinationConfig: { onSuccess: { destination: "arn:aws:sqs:us-east-1:999999999999:evil" } },
      }),
    ],
    rule: COPY,
  },
  // Copies and exposures of a bucket or log group
  {
    name: "an S3 analytics export of an agent's bucket",
    add: () => [
      r("aws:s3/analyticsConfiguration:AnalyticsConfiguration", {
        bucket: BUCKET,
        name: "a",
        storageClassAnalysis: { dataExport: { destination: { s3BucketDestination: { bucketArn: "arn:aws:s3:::evil" } } } },
      }),
    ],
    rule: COPY,
  },
  {
    name: "ownership controls turning ACLs back on for an agent's bucket",
    add: () => [r("aws:s3/bucketOwnershipControls:BucketOwnershipControls", { bucket: BUCKET, rule: { objectOwnership: "ObjectWriter" } })],
    rule: COPY,
  },
  {
    name: "a data protection policy masking an agent's audit trail",
    add: () => [r("aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy", { logGroupName: AUDIT, policyDocument: "{}" })],
    rule: COPY,
  },
  {
    name: "a transformer rewriting an agent's audit trail",
    add: () => [
      r("aws:cloudwatch/logTransformer:LogTransformer", { logGroupArn: `arn:aws:logs:us-east-1:111122223333:log-group:${AUDIT}`, transformerConfigs: [] }),
    ],
    rule: COPY,
  },
  {
    name: "an account-wide data protection policy",
    add: () => [r("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", { policyName: "p", policyType: "DATA_PROTECTION_POLICY", policyDocument: "{}" })],
    rule: COPY,
  },
  // Shares through a service of their own
  {
    name: "an S3 Access Grants location on an agent's bucket",
    add: () => [
      r("aws:s3control/accessGrantsLocation:AccessGrantsLocation", { iamRoleArn: "arn:aws:iam::111122223333:role/ag", locationScope: `s3://${BUCKET}/` }),
    ],
    rule: COPY,
  },
  {
    name: "an Access Grant on a location the stack does not create (any bucket)",
    add: () => [
      r("aws:s3control/accessGrant:AccessGrant", {
        accessGrantsLocationId: "default",
        permission: "READ",
        grantee: { granteeType: "IAM", granteeIdentifier: "arn:aws:iam::999999999999:role/evil" },
      }),
    ],
    rule: COPY,
  },
  {
    name: "an Access Grants instance resource policy for another account",
    add: () => [
      r("aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy", {
        policy: doc([{ Effect: "Allow", Principal: { AWS: FOREIGN }, Action: "s3:GetDataAccess", Resource: "*" }]),
      }),
    ],
    rule: COPY,
  },
  {
    name: "a RAM share of the Glue catalog (its tables may describe any bucket)",
    add: () => [
      r("aws:ram/resourceAssociation:ResourceAssociation", {
        resourceArn: "arn:aws:glue:us-east-1:111122223333:catalog",
        resourceShareArn: "arn:aws:ram:us-east-1:111122223333:resource-share/x",
      }),
    ],
    rule: COPY,
  },
  {
    name: "Lake Formation permissions on the catalog for another account",
    add: () => [r("aws:lakeformation/permissions:Permissions", { principal: FOREIGN, permissions: ["ALL"], catalogResource: true })],
    rule: COPY,
  },
  {
    name: "an agent's bucket registered with Lake Formation",
    add: () => [r("aws:lakeformation/resource:Resource", { arn: `arn:aws:s3:::${BUCKET}` })],
    rule: COPY,
  },
  // Copies of an agent's table or objects into a table
  { name: "a table restored from an agent's table by name", add: () => [table({ restoreSourceName: TABLE, restoreToLatestTime: true })], rule: COPY },
  { name: "a table restored from an agent's table by ARN", add: () => [table({ restoreSourceTableArn: TABLE_ARN, restoreToLatestTime: true })], rule: COPY },
  {
    name: "a table importing an agent's objects",
    add: () => [table({ importTable: { inputFormat: "CSV", s3BucketSource: { bucket: BUCKET, keyPrefix: "incoming/" } } })],
    rule: COPY,
  },
  {
    name: "inline replicas on a table named as an agent's",
    add: () => [table({ name: TABLE, replicas: [{ regionName: "eu-west-1" }] })],
    rule: COPY,
  },
  {
    name: "a legacy global table of an agent's table",
    add: () => [r("aws:dynamodb/globalTable:GlobalTable", { name: TABLE, replicas: [{ regionName: "us-east-1" }, { regionName: "eu-west-1" }] }, "gt")],
    rule: COPY,
  },
  // Control of the audit trail
  {
    name: "an agent's audit log group encrypted with another account's key",
    edit: () => editBase(auditGroup, (p) => ({ ...p, kmsKeyId: "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab" })),
    rule: "stack/audit-log-group",
  },
  { name: "an SCP denying log writes", add: () => [scp(["logs:PutLogEvents"])], rule: "stack/audit-trail" },
  {
    name: "an RCP denying the audit identities' sign-in (sts:AssumeRoleWithWebIdentity on their roles)",
    add: () => [
      r("aws:organizations/policy:Policy", {
        name: "rcp",
        type: "RESOURCE_CONTROL_POLICY",
        content: doc([{ Effect: "Deny", Principal: "*", Action: "sts:AssumeRoleWithWebIdentity", Resource: "*" }]),
      }),
    ],
    rule: "stack/audit-trail",
  },
  {
    name: "an SCP whose content is unknown at preview",
    add: () => [r("aws:organizations/policy:Policy", { name: "guard", content: UNKNOWN })],
    rule: "stack/audit-trail",
  },
  {
    name: "another account made CloudTrail's delegated administrator",
    add: () => [r("aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount", { accountId: "999999999999" })],
    rule: "stack/audit-trail",
  },
  {
    name: "another account made CloudTrail's delegated administrator through Organizations",
    add: () => [
      r("aws:organizations/delegatedAdministrator:DelegatedAdministrator", { accountId: "999999999999", servicePrincipal: "cloudtrail.amazonaws.com" }),
    ],
    rule: "stack/audit-trail",
  },
];

describe("the pack refuses resources that move, share or control what agents own or record", () => {
  it("passes the components alone (the happy path every case changes once)", { timeout: 120_000 }, async () => {
    const rules = ruleIds(await runPack(base));
    for (const { rule } of CASES) expect(rules).not.toContain(rule);
  });

  for (const c of CASES)
    it(c.name, { timeout: 120_000 }, async () => {
      const resources = c.edit ? c.edit() : [...base, ...c.add!()];
      expect(ruleIds(await runPack(resources))).toContain(c.rule);
    });

  it("lets flows, shares and policies that touch nothing of an agent's through", { timeout: 120_000 }, async () => {
    const rules = ruleIds(
      await runPack([
        ...base,
        esm(OTHER_QUEUE),
        redrive("https://sqs.us-east-1.amazonaws.com/111122223333/platform-jobs", "arn:aws:sqs:us-east-1:111122223333:platform-jobs-dlq"),
        schedule(OTHER_QUEUE),
        r(
          "aws:sns/topicSubscription:TopicSubscription",
          { topic: "arn:aws:sns:us-east-1:111122223333:platform", protocol: "email", endpoint: "ops@example.com" },
          "sub",
        ),
        r("aws:s3/bucketOwnershipControls:BucketOwnershipControls", { bucket: BUCKET, rule: { objectOwnership: "BucketOwnerEnforced" } }, "oc"),
        r(
          "aws:s3control/accessGrantsLocation:AccessGrantsLocation",
          { iamRoleArn: "arn:aws:iam::111122223333:role/ag", locationScope: "s3://platform-data/" },
          "loc",
        ),
        r(
          "aws:s3control/accessGrant:AccessGrant",
          { accessGrantsLocationId: UNKNOWN, permission: "READ", grantee: { granteeType: "IAM", granteeIdentifier: FOREIGN } },
          "grant",
          { dependsOn: { accessGrantsLocationId: ["loc"] } },
        ),
        r(
          "aws:lakeformation/permissions:Permissions",
          { principal: FOREIGN, permissions: ["DATA_LOCATION_ACCESS"], dataLocation: { arn: "arn:aws:s3:::platform-data" } },
          "lf",
        ),
        scp(["logs:DeleteLogGroup", "cloudtrail:StopLogging"]),
        r("aws:organizations/delegatedAdministrator:DelegatedAdministrator", { accountId: "999999999999", servicePrincipal: "guardduty.amazonaws.com" }, "da"),
        table({ restoreSourceName: "platform-jobs", restoreToLatestTime: true }),
        r(
          "aws:dynamodb/table:Table",
          { name: "platform-import", hashKey: "id", importTable: { inputFormat: "CSV", s3BucketSource: { bucket: BUCKET, keyPrefix: "archive/" } } },
          "imp",
        ),
        r("aws:dynamodb/table:Table", { name: "platform-jobs", hashKey: "id", replicas: [{ regionName: "eu-west-1" }] }, "jobs-table"),
        r("aws:dynamodb/table:Table", { name: TABLE, hashKey: "id" }, "agent-table"),
      ]),
    );
    expect(rules).not.toContain(COPY);
    expect(rules).not.toContain("stack/audit-trail");
  });

  it(
    "lets a redrive policy and an event source mapping between one agent's own queues and function through, and a queue's dead-letter queue read from the queue it came from",
    { timeout: 120_000 },
    async () => {
      const rules = ruleIds(
        await runPack([
          ...alsoOwns(OWN_DLQ, OWN_FUNCTION),
          redrive(QUEUE_URL, OWN_DLQ),
          r("aws:lambda/eventSourceMapping:EventSourceMapping", { eventSourceArn: QUEUE, functionName: `${OWN_FUNCTION}:live` }, "own-esm"),
          r("aws:sqs/queue:Queue", { name: "platform-jobs-dlq" }, "dlq"),
          r("aws:sqs/queue:Queue", { name: "platform-jobs", redrivePolicy: UNKNOWN }, "jobs", { dependsOn: { redrivePolicy: ["dlq"] } }),
        ]),
      );
      expect(rules).not.toContain(COPY);
    },
  );

  it("lets a flow the security team declared in `shares` through, and no other", { timeout: 120_000 }, async () => {
    const share = {
      name: "tickets-dlq",
      principal: "resource:aws:sqs/redrivePolicy:RedrivePolicy/rdp",
      resources: [QUEUE],
      destinations: [OTHER_QUEUE],
      reason: "the ops team reads failed tickets",
    };
    const flow = [...base, redrive(QUEUE_URL, OTHER_QUEUE)];
    expect(ruleIds(await runPack(flow, undefined, { shares: [share] }))).not.toContain(COPY);
    expect(ruleIds(await runPack(flow, undefined, { shares: [{ ...share, principal: "resource:aws:sqs/redrivePolicy:RedrivePolicy/other" }] }))).toContain(
      COPY,
    );
    // The same declared flow re-pointed at another queue.
    const elsewhere = "arn:aws:sqs:us-east-1:999988887777:exfil";
    const swapped = (await runPack([...base, redrive(QUEUE_URL, elsewhere)], undefined, { shares: [share] })).find((v) => ofRule(v, COPY));
    expect(swapped?.message).toMatch(new RegExp(`it does not name the destination ${elsewhere}: if intended, the security team adds destinations`));
  });

  it("refuses a table imported from a bucket under an agent's table name, and not under a name of its own", { timeout: 120_000 }, async () => {
    const imported = (name: string) =>
      r(
        "aws:dynamodb/table:Table",
        { name, hashKey: "id", attributes: [{ name: "id", type: "S" }], importTable: { inputFormat: "CSV", s3BucketSource: { bucket: "ci-artifacts" } } },
        "imported",
      );
    expect(ruleIds(await runPack([...base, imported("acme-dev-payouts")]))).toContain(COPY);
    expect(ruleIds(await runPack([...base, imported("ci-builds")]))).not.toContain(COPY);
  });

  it(
    "refuses a Storage Lens export that includes no bucket list (every bucket of the account), and not one without an export",
    { timeout: 120_000 },
    async () => {
      const lens = (config: Record<string, unknown>) =>
        r(
          "aws:s3control/storageLensConfiguration:StorageLensConfiguration",
          { configId: "x", storageLensConfiguration: { enabled: true, accountLevel: { bucketLevel: {} }, ...config } },
          "lens",
        );
      const exported = {
        dataExport: { s3BucketDestination: { accountId: "999988887777", arn: "arn:aws:s3:::exfil", format: "CSV", outputSchemaVersion: "V_1" } },
      };
      expect(ruleIds(await runPack([...base, lens(exported)]))).toContain(COPY);
      expect(ruleIds(await runPack([...base, lens({})]))).not.toContain(COPY);
    },
  );

  it("names a replication's destination bucket and account for a declared copy", { timeout: 120_000 }, async () => {
    const replication = (bucket: string, account: string) =>
      r(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        {
          bucket: "acme-invoices-dev",
          role: "arn:aws:iam::111122223333:role/s3-replication",
          rules: [{ id: "all", status: "Enabled", destination: { bucket, account } }],
        },
        "invoices-backup",
      );
    const share = {
      name: "backup",
      principal: "resource:aws:s3/bucketReplicationConfig:BucketReplicationConfig/invoices-backup",
      resources: ["arn:aws:s3:::acme-invoices-dev/incoming/*"],
      destinations: ["arn:aws:s3:::acme-invoices-dr", "111122223333"],
      reason: "backup replication to the DR bucket",
    };
    const copies = async (bucket: string, account: string, config: object) =>
      ruleIds(await runPack([...base, replication(bucket, account)], undefined, config)).includes(COPY);
    expect(await copies("arn:aws:s3:::acme-invoices-dr", "111122223333", { shares: [share] })).toBe(false);
    expect(await copies("arn:aws:s3:::exfil", "111122223333", { shares: [share] })).toBe(true);
    expect(await copies("arn:aws:s3:::acme-invoices-dr", "999988887777", { shares: [share] })).toBe(true);
    const withoutDestinations: Partial<typeof share> = { ...share };
    delete withoutDestinations.destinations;
    expect(await copies("arn:aws:s3:::acme-invoices-dr", "111122223333", { shares: [withoutDestinations] })).toBe(true);
  });

  it("reads a copy's bucket unknown at preview from the bucket of the stack it came from", { timeout: 120_000 }, async () => {
    const firehose = (bucket: string) => [
      r("aws:s3/bucketV2:BucketV2", { bucket }, "sink"),
      r(
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        { name: "f", destination: "extended_s3", extendedS3Configuration: { bucketArn: UNKNOWN, roleArn: "r" } },
        "f",
        {
          dependsOn: { extendedS3Configuration: ["sink"] },
        },
      ),
    ];
    expect(ruleIds(await runPack([...base, ...firehose("platform-archive")]))).not.toContain(COPY);
    expect(ruleIds(await runPack([...base, ...firehose(BUCKET)]))).toContain(COPY);
  });

  it("keeps an audit log group encrypted with a key of the stack", { timeout: 120_000 }, async () => {
    const resources = [
      ...editBase(auditGroup, (p) => ({ ...p, kmsKeyId: UNKNOWN })).map((x) => (auditGroup(x) ? { ...x, dependsOn: { kmsKeyId: ["audit-key"] } } : x)),
      r("aws:kms/key:Key", { description: "audit" }, "audit-key"),
    ];
    expect(ruleIds(await runPack(resources))).not.toContain("stack/audit-log-group");
  });

  it("refuses a stack key for an audit log group whose policy lets another account control it", { timeout: 120_000 }, async () => {
    const statement = (principal: object) => ({ Effect: "Allow", Principal: principal, Action: "kms:*", Resource: "*" });
    const keyed = (policy: object[]) => [
      ...editBase(auditGroup, (p) => ({ ...p, kmsKeyId: UNKNOWN })).map((x) => (auditGroup(x) ? { ...x, dependsOn: { kmsKeyId: ["audit-key"] } } : x)),
      r("aws:kms/key:Key", { description: "audit", policy: JSON.stringify({ Version: "2012-10-17", Statement: policy }) }, "audit-key"),
    ];
    const own = statement({ AWS: "arn:aws:iam::111122223333:root" });
    // The logs service under its context condition (AWS's documented shape; audit-keys.ts).
    const logs = {
      ...statement({ Service: "logs.us-east-1.amazonaws.com" }),
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*" } },
    };
    expect(ruleIds(await runPack(keyed([own, logs])))).not.toContain("stack/audit-log-group");
    expect(ruleIds(await runPack(keyed([own, logs, statement({ AWS: "arn:aws:iam::999988887777:root" })])))).toContain("stack/audit-log-group");
    expect(ruleIds(await runPack(keyed([own, statement({ AWS: "*" })])))).toContain("stack/audit-log-group");
  });

  describe("reads a KeyPolicy or grant on the stack key of an audit log group with the key", () => {
    const statement = (principal: object) => ({ Effect: "Allow", Principal: principal, Action: "kms:*", Resource: "*" });
    const own = statement({ AWS: "arn:aws:iam::111122223333:root" });
    // The logs service under its context condition (AWS's documented shape; audit-keys.ts).
    const logs = {
      ...statement({ Service: "logs.us-east-1.amazonaws.com" }),
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*" } },
    };
    const keyed = (...extra: Resource[]) => [
      ...editBase(auditGroup, (p) => ({ ...p, kmsKeyId: UNKNOWN })).map((x) => (auditGroup(x) ? { ...x, dependsOn: { kmsKeyId: ["audit-key"] } } : x)),
      r("aws:kms/key:Key", { description: "audit", policy: doc([own, logs]) }, "audit-key"),
      ...extra,
    ];
    const onKey = { dependsOn: { keyId: ["audit-key"] } };
    const keyPolicy = (policy: object[], extra: Partial<Resource> = onKey) =>
      r("aws:kms/keyPolicy:KeyPolicy", { keyId: UNKNOWN, policy: doc(policy) }, "kp", extra);
    const grant = (props: Record<string, unknown>, extra: Partial<Resource> = onKey) =>
      r(
        "aws:kms/grant:Grant",
        { keyId: UNKNOWN, granteePrincipal: "logs.us-east-1.amazonaws.com", operations: ["Encrypt", "GenerateDataKey"], ...props },
        "kg",
        extra,
      );
    const AUDIT_RULE = "stack/audit-log-group";

    it("keeps a KeyPolicy of the account and the logs service, and a grant to the logs service", { timeout: 120_000 }, async () => {
      expect(ruleIds(await runPack(keyed(keyPolicy([own, logs]), grant({}))))).not.toContain(AUDIT_RULE);
    });

    it.each<[string, Resource]>([
      ["a KeyPolicy letting another account control the key", keyPolicy([own, logs, statement({ AWS: "arn:aws:iam::999988887777:root" })])],
      [
        "a KeyPolicy bypassing the lockout check",
        { ...keyPolicy([own, logs]), props: { keyId: UNKNOWN, policy: doc([own, logs]), bypassPolicyLockoutSafetyCheck: true } },
      ],
      ["a KeyPolicy whose key id is unknown at preview and from no resource", keyPolicy([own, logs, statement({ AWS: "*" })], {})],
      ["a grant to a role", grant({ granteePrincipal: "arn:aws:iam::111122223333:role/ops" })],
      ["a grant to the logs service that another principal may retire", grant({ retiringPrincipal: "arn:aws:iam::111122223333:role/ops" })],
      ["a grant whose grantee is unknown at preview", grant({ granteePrincipal: UNKNOWN })],
    ])("refuses %s", { timeout: 120_000 }, async (_name, extra) => {
      expect(ruleIds(await runPack(keyed(extra)))).toContain(AUDIT_RULE);
    });

    it("does not read a KeyPolicy on another key of the stack as the audit key's", { timeout: 120_000 }, async () => {
      const other = r("aws:kms/key:Key", { description: "other" }, "other-key");
      const foreign = keyPolicy([own, logs, statement({ AWS: "arn:aws:iam::999988887777:root" })], { dependsOn: { keyId: ["other-key"] } });
      expect(ruleIds(await runPack(keyed(other, foreign)))).not.toContain(AUDIT_RULE);
    });
  });
});
