/**
 * An agent's audit log group as a closed world (policy/adapters/log-groups.ts,
 * audit-log-group-refs.ts, log-selection.ts): the dev stack's components pass; each case adds one
 * resource naming payout-approver's audit log group, or changes one setting of the group, and is
 * refused under stack/audit-log-group. The controls name another log group, or are allowlisted.
 * The key of an audit log group is a closed world too (audit-keys.ts): only the account root and the
 * logs service (for what it uses, under the log-group context condition) act on it, unless the key or
 * key policy is declared, and it stays an enabled symmetric key held in KMS.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { selectionCovers } from "../../policy/adapters/log-selection";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { TODAY } from "../helpers/fixtures";
import { declaring, runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "stack/audit-log-group";
const AUDIT = "/acme/dev/agents/payout-approver/audit";
const OTHER = "/platform/app";
const arn = (name: string) => `arn:aws:logs:us-east-1:111122223333:log-group:${name}`;
const r = (type: string, props: Record<string, unknown>, name = "x", extra: Partial<Resource> = {}): Resource => ({ type, name, props, ...extra });

/** Resources that name a log group, built for either group. */
const NAMING: Array<[string, (group: string) => Resource]> = [
  ["a log stream", (g) => r("aws:cloudwatch/logStream:LogStream", { logGroupName: g, name: "forged" })],
  [
    "a metric filter",
    (g) =>
      r("aws:cloudwatch/logMetricFilter:LogMetricFilter", {
        logGroupName: g,
        name: "m",
        pattern: "",
        metricTransformation: { name: "m", namespace: "n", value: "1" },
      }),
  ],
  ["a field index policy", (g) => r("aws:cloudwatch/logIndexPolicy:LogIndexPolicy", { logGroupName: g, policyDocument: JSON.stringify({ Fields: ["a"] }) })],
  ["an anomaly detector", (g) => r("aws:cloudwatch/logAnomalyDetector:LogAnomalyDetector", { logGroupArnLists: [arn(g)], enabled: true })],
  [
    "a contributor insight rule",
    (g) =>
      r("aws:cloudwatch/contributorInsightRule:ContributorInsightRule", { ruleName: "c", ruleDefinition: JSON.stringify({ LogGroupNames: [g], Schema: {} }) }),
  ],
  [
    "a log resource policy letting a service write",
    (g) =>
      r("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", {
        policyName: "p",
        policyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "logs:PutLogEvents", Resource: `${arn(g)}:*` }],
        }),
      }),
  ],
  [
    "a trail delivering into it",
    (g) =>
      r("aws:cloudtrail/trail:Trail", {
        name: "t",
        s3BucketName: "acme-trail",
        isMultiRegionTrail: true,
        enableLogFileValidation: true,
        cloudWatchLogsGroupArn: `${arn(g)}:*`,
        cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/trail-logs",
      }),
  ],
  [
    "a Lambda function logging into it",
    (g) => r("aws:lambda/function:Function", { name: "f", role: "arn:aws:iam::111122223333:role/f", loggingConfig: { logFormat: "JSON", logGroup: g } }),
  ],
];

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});
const rulesOf = async (resources: Resource[]) => ruleIds(await runPack(resources));
const editAudit = (change: (props: Record<string, unknown>) => void): Resource[] =>
  base.map((x) => {
    if (x.type !== "aws:cloudwatch/logGroup:LogGroup" || x.props.name !== AUDIT) return x;
    const props = JSON.parse(JSON.stringify(x.props)) as Record<string, unknown>;
    change(props);
    return { ...x, props };
  });

describe("an agent's audit log group is named by nothing but the components", () => {
  it("passes the components alone", { timeout: 120_000 }, async () => {
    expect(await rulesOf(base)).not.toContain(RULE);
  });

  for (const [what, make] of NAMING) {
    it(`refuses ${what} on an agent's audit log group`, { timeout: 120_000 }, async () => {
      expect(await rulesOf([...base, make(AUDIT)])).toContain(RULE);
    });
    it(`lets ${what} on another log group through`, { timeout: 120_000 }, async () => {
      expect(await rulesOf([...base, make(OTHER)])).not.toContain(RULE);
    });
  }

  it("refuses a log-group ARN pattern over the agents' audit name space", { timeout: 120_000 }, async () => {
    expect(await rulesOf([...base, r("aws:cloudwatch/logAnomalyDetector:LogAnomalyDetector", { logGroupArnLists: [arn("/acme/dev/agents/*")] })])).toContain(
      RULE,
    );
  });

  it("refuses a log group name unknown at preview that came from an agent's audit log group", { timeout: 120_000 }, async () => {
    const stream = r("aws:cloudwatch/logStream:LogStream", { logGroupName: UNKNOWN, name: "s" }, "s", {
      dependsOn: { logGroupName: ["platform-payout-approver-audit-log"] },
    });
    expect(await rulesOf([...base, stream])).toContain(RULE);
  });

  it("lets a saved query name it (allowlisted: text only)", { timeout: 120_000 }, async () => {
    expect(
      await rulesOf([...base, r("aws:cloudwatch/queryDefinition:QueryDefinition", { name: "q", queryString: "fields @message", logGroupNames: [AUDIT] })]),
    ).not.toContain(RULE);
  });
});

describe("an agent's audit log group keeps the component's settings", () => {
  for (const logClass of ["DELIVERY", "INFREQUENT_ACCESS"])
    it(`refuses class ${logClass}`, { timeout: 120_000 }, async () => {
      expect(await rulesOf(editAudit((p) => (p.logGroupClass = logClass)))).toContain(RULE);
    });

  it("lets class STANDARD through", { timeout: 120_000 }, async () => {
    expect(await rulesOf(editAudit((p) => (p.logGroupClass = "STANDARD")))).not.toContain(RULE);
  });

  it("refuses a cw: data-source tag (routes it into an S3 Tables integration)", { timeout: 120_000 }, async () => {
    expect(await rulesOf(editAudit((p) => ((p.tags as Record<string, string>)["cw:datasource:name"] = "audit")))).toContain(RULE);
  });
});

describe("account-wide log settings do not reach agents' audit log groups", () => {
  const indexPolicy = (selectionCriteria?: string) =>
    r("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", {
      policyName: "idx",
      policyType: "FIELD_INDEX_POLICY",
      policyDocument: JSON.stringify({ Fields: ["a"] }),
      ...(selectionCriteria ? { selectionCriteria } : {}),
    });
  it("refuses an account field index policy over every log group", { timeout: 120_000 }, async () => {
    expect(await rulesOf([...base, indexPolicy()])).toContain(RULE);
  });
  it("lets an account field index policy selecting other prefixes through", { timeout: 120_000 }, async () => {
    expect(await rulesOf([...base, indexPolicy('LogGroupNamePrefix IN ["/platform/"]')])).not.toContain(RULE);
  });
  it(
    "forwards (separation/agent-data-copy) with an account subscription filter policy unless it leaves out every agent's log group",
    { timeout: 120_000 },
    async () => {
      const groups = base.filter((x) => x.type === "aws:cloudwatch/logGroup:LogGroup").map((x) => x.props.name as string);
      const subscription = (excluded: string[]) =>
        r("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", {
          policyName: "sub",
          policyType: "SUBSCRIPTION_FILTER_POLICY",
          policyDocument: JSON.stringify({ DestinationArn: "arn:aws:lambda:us-east-1:999999999999:function:x", FilterPattern: "" }),
          selectionCriteria: `LogGroupName NOT IN ${JSON.stringify(excluded)}`,
        });
      expect(await rulesOf([...base, subscription(groups)])).not.toContain("separation/agent-data-copy");
      expect(await rulesOf([...base, subscription(groups.filter((g) => g !== AUDIT))])).toContain("separation/agent-data-copy");
    },
  );
  it("refuses an S3 Tables integration source for every data source, and lets a named one through", { timeout: 120_000 }, async () => {
    const source = (name: string, type: string) =>
      r("aws:cloudwatch/logS3TableIntegrationSource:LogS3TableIntegrationSource", {
        integrationArn: "arn:aws:logs:us-east-1:111122223333:integration:x",
        dataSource: { name, type },
      });
    expect(await rulesOf([...base, source("*", "*")])).toContain(RULE);
    expect(await rulesOf([...base, source("myapp", "events")])).not.toContain(RULE);
  });
  it("refuses an account storage tier other than STANDARD", { timeout: 120_000 }, async () => {
    const tier = (storageTier: string) => r("aws:cloudwatch/logStorageTierPolicy:LogStorageTierPolicy", { storageTier });
    expect(await rulesOf([...base, tier("INTELLIGENT_TIERING")])).toContain(RULE);
    expect(await rulesOf([...base, tier("STANDARD")])).not.toContain(RULE);
  });
});

// Round 12 B: aws.oam.Link and CloudWatch Observability Admin rules hand every log group, the audit groups included, to another account.
describe("cross-account observability and log centralization do not reach agents' audit log groups", () => {
  const SINK = "arn:aws:oam:us-east-1:999988887777:sink/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  const link = (props: Record<string, unknown> = {}) =>
    r("aws:oam/link:Link", { labelTemplate: "$AccountName", resourceTypes: ["AWS::Logs::LogGroup"], sinkIdentifier: SINK, ...props }, "link");

  it("lets a link sharing only metrics through", { timeout: 120_000 }, async () => {
    expect(await rulesOf([...base, link({ resourceTypes: ["AWS::CloudWatch::Metric"] })])).not.toContain(RULE);
  });

  it.each<[string, Record<string, unknown>]>([
    ["log groups with another account", {}],
    ["log groups, with its own log group filter", { linkConfiguration: { logGroupConfiguration: { filter: "LogGroupName LIKE '/acme/%'" } } }],
    ["log groups with a sink unknown at preview", { sinkIdentifier: UNKNOWN }],
    ["resource types unknown at preview", { resourceTypes: UNKNOWN }],
    ["traces beside metrics", { resourceTypes: ["AWS::CloudWatch::Metric", "AWS::XRay::Trace"] }],
  ])("refuses a link sharing %s", { timeout: 120_000 }, async (_what, props) => {
    expect(await rulesOf([...base, link(props)])).toContain(RULE);
  });

  it("lets the security team declare a link (its types, filter and sink pinned by the inputs digest)", { timeout: 120_000 }, async () => {
    const declared = link();
    expect(ruleIds(await runPack([...base, declared], TODAY, declaring(declared)))).not.toContain(RULE);
    const changed = link({ sinkIdentifier: SINK.replace("999988887777", "444455556666") });
    expect(ruleIds(await runPack([...base, changed], TODAY, declaring(declared)))).toContain(RULE);
  });

  it("leaves a link in a stack without agents to the platform", { timeout: 120_000 }, async () => {
    expect(await rulesOf([link()])).not.toContain(RULE);
  });

  it.each<[string, Resource]>([
    [
      "an organisation centralization rule",
      r("aws:observabilityadmin/centralizationRuleForOrganization:CentralizationRuleForOrganization", {
        ruleName: "central",
        rule: {
          source: {
            regions: ["us-east-1"],
            scope: "OrganizationId = 'o-abc'",
            sourceLogsConfiguration: { logGroupSelectionCriteria: "*", encryptedLogGroupStrategy: "ALLOW" },
          },
          destination: { account: "999988887777", region: "us-east-1" },
        },
      }),
    ],
    [
      "an account telemetry rule",
      r("aws:observabilityadmin/telemetryRule:TelemetryRule", { ruleName: "t", rule: { resourceType: "AWS::EC2::VPC", telemetryType: "Logs" } }),
    ],
    [
      "an organisation telemetry rule",
      r("aws:observabilityadmin/telemetryRuleForOrganization:TelemetryRuleForOrganization", {
        ruleName: "t",
        rule: { resourceType: "AWS::EC2::VPC", telemetryType: "Logs" },
      }),
    ],
    ["a telemetry pipeline", r("aws:observabilityadmin/telemetryPipeline:TelemetryPipeline", { name: "p", configuration: { body: "pipeline: {}" } })],
  ])("refuses %s unless declared", { timeout: 120_000 }, async (_what, resource) => {
    expect(await rulesOf([...base, resource])).toContain(RULE);
    expect(ruleIds(await runPack([...base, resource], TODAY, declaring(resource)))).not.toContain(RULE);
  });

  it(
    "refuses making another account Observability Admin's delegated administrator (it writes the organisation's centralization rules)",
    { timeout: 120_000 },
    async () => {
      const admin = (servicePrincipal: string) =>
        r("aws:organizations/delegatedAdministrator:DelegatedAdministrator", { accountId: "999988887777", servicePrincipal }, "delegated");
      expect(await rulesOf([...base, admin("observabilityadmin.amazonaws.com")])).toContain(RULE);
      expect(await rulesOf([...base, admin("guardduty.amazonaws.com")])).not.toContain(RULE);
    },
  );

  it("lets telemetry evaluation through (it reads telemetry settings only)", { timeout: 120_000 }, async () => {
    expect(await rulesOf([...base, r("aws:observabilityadmin/telemetryEvaluation:TelemetryEvaluation", {})])).not.toContain(RULE);
  });
});

describe("account policy selection criteria", () => {
  it("reads LogGroupName NOT IN and LogGroupNamePrefix IN; anything else selects every group", () => {
    expect(selectionCovers(undefined, AUDIT)).toBe(true);
    expect(selectionCovers(`LogGroupName NOT IN ["${AUDIT}"]`, AUDIT)).toBe(false);
    expect(selectionCovers(`LogGroupName NOT IN ["/other"]`, AUDIT)).toBe(true);
    expect(selectionCovers('LogGroupNamePrefix IN ["/acme/dev/"]', AUDIT)).toBe(true);
    expect(selectionCovers('LogGroupNamePrefix IN ["/platform/"]', AUDIT)).toBe(false);
    expect(selectionCovers('DataSourceName IN ["x"]', AUDIT)).toBe(true);
    expect(selectionCovers("LogGroupNamePrefix IN [not json]", AUDIT)).toBe(true);
  });
});

describe("the KMS key of an agent's audit log group is a closed world", () => {
  const ACCT = "111122223333";
  const root = { Sid: "root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "kms:*", Resource: "*" };
  const logs = {
    Sid: "logs",
    Effect: "Allow",
    Principal: { Service: "logs.us-east-1.amazonaws.com" },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCT}:log-group:/acme/dev/agents/*` } },
  };
  const ciDeployer = (Action: string | string[]) => ({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:role/ci-deployer` }, Action, Resource: "*" });
  const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
  const key = (props: Record<string, unknown> = {}) => r("aws:kms/key:Key", { description: "audit", policy: doc(root, logs), ...props }, "audit-key");
  /** The dev stack with payout-approver's audit log group encrypted by `auditKey`, and `extra` beside it. */
  const keyed = (auditKey: Resource, ...extra: Resource[]) => [
    ...editAudit((p) => (p.kmsKeyId = UNKNOWN)).map((x) =>
      x.type === "aws:cloudwatch/logGroup:LogGroup" && x.props.name === AUDIT ? { ...x, dependsOn: { kmsKeyId: ["audit-key"] } } : x,
    ),
    auditKey,
    ...extra,
  ];
  const keyPolicy = (policy: string) => r("aws:kms/keyPolicy:KeyPolicy", { keyId: UNKNOWN, policy }, "kp", { dependsOn: { keyId: ["audit-key"] } });

  it("keeps the account root and the logs service under its context condition (AWS's documented shape)", { timeout: 120_000 }, async () => {
    expect(await rulesOf(keyed(key()))).not.toContain(RULE);
    expect(await rulesOf(keyed(key({ policy: doc(root) })))).not.toContain(RULE);
    expect(await rulesOf(keyed(key({ policy: doc({ ...root, Principal: { AWS: ACCT } }, logs) })))).not.toContain(RULE);
    expect(await rulesOf(keyed(key(), keyPolicy(doc(root, logs))))).not.toContain(RULE);
  });

  // Round 11 b9 kms-audit-key-inline-{disable,schedule-deletion,putkeypolicy}-same-account-role: a role the stack does not create.
  it.each(["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:UpdateKeyDescription", "kms:Decrypt"])(
    "refuses the key's own policy letting a role of the account hold %s",
    { timeout: 120_000 },
    async (action) => {
      expect(await rulesOf(keyed(key({ policy: doc(root, logs, ciDeployer(action)) })))).toContain(RULE);
    },
  );

  // Round 11 b9 kms-audit-key-disable-via-keypolicy-resource: the key's own policy is the standard one.
  it("refuses a KeyPolicy on the key letting a role of the account disable it", { timeout: 120_000 }, async () => {
    expect(await rulesOf(keyed(key(), keyPolicy(doc(root, logs, ciDeployer("kms:DisableKey")))))).toContain(RULE);
  });

  it.each<[string, object]>([
    ["every action", { ...logs, Action: "kms:*" }],
    ["the documented operations without the context condition", { ...logs, Condition: undefined }],
    ["a context condition that also admits calls without it (IfExists)", { ...logs, Condition: { ArnLikeIfExists: logs.Condition.ArnLike } }],
    ["a context condition naming anything", { ...logs, Condition: { StringLike: { "kms:EncryptionContext:aws:logs:arn": "*" } } }],
  ])("refuses the logs service holding %s", { timeout: 120_000 }, async (_what, statement) => {
    expect(await rulesOf(keyed(key({ policy: doc(root, statement) })))).toContain(RULE);
  });

  it("lets the security team declare the key (its policy pinned by the inputs digest)", { timeout: 120_000 }, async () => {
    const declared = key({ policy: doc(root, logs, ciDeployer("kms:DisableKey")) });
    expect(ruleIds(await runPack(keyed(declared), TODAY, declaring(declared)))).not.toContain(RULE);
    const changed = key({ policy: doc(root, logs, ciDeployer(["kms:DisableKey", "kms:ScheduleKeyDeletion"])) });
    expect(ruleIds(await runPack(keyed(changed), TODAY, declaring(declared)))).toContain(RULE);
  });

  // Round 11 b9 kms-audit-key-pending-window-rotation-off: the stack itself disables the audit key.
  it.each<[string, Record<string, unknown>]>([
    ["disabled", { isEnabled: false }],
    ["enabled-ness unknown at preview", { isEnabled: UNKNOWN }],
    ["an asymmetric spec", { customerMasterKeySpec: "RSA_2048" }],
    ["an HMAC key", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }],
    ["a signing key", { keyUsage: "SIGN_VERIFY" }],
    ["material in an external key store", { customKeyStoreId: "cks-1234", xksKeyId: "xks-1" }],
  ])("refuses an audit key %s", { timeout: 120_000 }, async (_what, props) => {
    expect(await rulesOf(keyed(key(props)))).toContain(RULE);
    // Not declarable: the stack would blind its own trail.
    const k = key(props);
    expect(ruleIds(await runPack(keyed(k), TODAY, declaring(k)))).toContain(RULE);
  });

  it("refuses a grant to the logs service of operations it does not use, and keeps one of those it uses", { timeout: 120_000 }, async () => {
    const grant = (operations: unknown) =>
      r("aws:kms/grant:Grant", { keyId: UNKNOWN, granteePrincipal: "logs.us-east-1.amazonaws.com", operations }, "kg", { dependsOn: { keyId: ["audit-key"] } });
    expect(await rulesOf(keyed(key(), grant(["Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey"])))).not.toContain(RULE);
    expect(await rulesOf(keyed(key(), grant(["Encrypt", "CreateGrant"])))).toContain(RULE);
    expect(await rulesOf(keyed(key(), grant(UNKNOWN)))).toContain(RULE);
  });

  it("keeps an enabled symmetric ENCRYPT_DECRYPT key set explicitly", { timeout: 120_000 }, async () => {
    expect(await rulesOf(keyed(key({ isEnabled: true, keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT" })))).not.toContain(RULE);
  });

  /** A multi-Region primary of this stack, and a replica of it (the audit key) whose primaryKeyArn came from it. */
  const primary = r("aws:kms/key:Key", { description: "primary", multiRegion: true, policy: doc(root, logs) }, "primary-key");
  const replicaOf = (props: Record<string, unknown> = {}) =>
    r("aws:kms/replicaKey:ReplicaKey", { primaryKeyArn: UNKNOWN, policy: doc(root, logs), ...props }, "audit-key", {
      dependsOn: { primaryKeyArn: ["primary-key"] },
    });

  it("keeps a replica of a KMS-generated primary key of this stack", { timeout: 120_000 }, async () => {
    expect(await rulesOf(keyed(replicaOf(), primary))).not.toContain(RULE);
  });

  it("refuses a disabled replica key", { timeout: 120_000 }, async () => {
    expect(await rulesOf(keyed(replicaOf({ enabled: false }), primary))).toContain(RULE);
  });

  // Round 12 v2-audit-key-rotation-on-demand-import (MINOR): the primary's material and policy are unread.
  it("refuses a replica of a primary key outside the stack, even declared", { timeout: 120_000 }, async () => {
    const replica = r("aws:kms/replicaKey:ReplicaKey", { primaryKeyArn: "arn:aws:kms:us-west-2:111122223333:key/mrk-1", policy: doc(root, logs) }, "audit-key");
    expect(ruleIds(await runPack(keyed(replica), TODAY, declaring(replica)))).toContain(RULE);
  });

  // Round 12 c-audit-external-key-expiring (SEVERE) and v2-external-key-no-expiry-material-known (MODERATE).
  it.each<[string, string, Record<string, unknown>]>([
    ["imported material that expires", "aws:kms/externalKey:ExternalKey", { validTo: "2027-01-01T00:00:00Z", keyMaterialBase64: "AAAA" }],
    ["imported material without expiry (deletable at will)", "aws:kms/externalKey:ExternalKey", { keyMaterialBase64: "AAAA" }],
    ["an external replica", "aws:kms/replicaExternalKey:ReplicaExternalKey", { primaryKeyArn: "arn:aws:kms:us-west-2:111122223333:key/mrk-2" }],
  ])("refuses an audit key holding %s, even declared", { timeout: 120_000 }, async (_what, type, props) => {
    const external = r(type, { description: "audit", policy: doc(root, logs), ...props }, "audit-key");
    expect(ruleIds(await runPack(keyed(external), TODAY, declaring(external)))).toContain(RULE);
  });
});
