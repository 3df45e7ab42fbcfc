/**
 * An agent's audit log group as a closed world (policy/adapters/log-groups.ts,
 * audit-log-group-refs.ts, log-selection.ts): the dev stack's components pass; each case adds one
 * resource naming payout-approver's audit log group, or changes one setting of the group, and is
 * refused under stack/audit-log-group. The controls name another log group, or are allowlisted.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { selectionCovers } from "../../policy/adapters/log-selection";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

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
