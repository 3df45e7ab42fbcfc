/**
 * Resources that forward, deliver, crawl or route an agent's data or audit events to somewhere its
 * own identities do not decide: CloudWatch Logs vended-log deliveries and destinations, Kinesis
 * Firehose streams, Glue crawlers, EventBridge rules, and AWS Backup plans that copy recovery points
 * of what a selection backs up. Across the stack each is compared with what agents own and hold (the
 * holdings model, policy/aws-reach.ts), as aws-data.ts does for copies; a declared share
 * (`shares`, principal `resource:<type>/<name>`) lets one through.
 */
import { agentResources } from "../aws-reach";
import { asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, StackPass } from "../types";
import { AWS_DATA_TYPES, reportCopies, reportReached, toReaches, type Copy } from "./aws-data";
import { anyArns, bucketArns, s3UrlArns, tableArns } from "./aws-arns";
import { deps, isUnknown, readOfType } from "./shared";

export const AWS_FORWARDING_TYPES = {
  logDeliverySource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  logDeliveryDestination: "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  logDestination: "aws:cloudwatch/logDestination:LogDestination",
  firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  glueCrawler: "aws:glue/crawler:Crawler",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  backupPlan: "aws:backup/plan:Plan",
} as const;

const COPY = "separation/agent-data-copy";
const T = AWS_FORWARDING_TYPES;

/** A name an event pattern may match on: every ARN type agents own whose name it could be. */
function eventNameArns(value: string): string[] {
  if (value.startsWith("arn:")) return anyArns(value);
  return [
    ...bucketArns(value),
    ...tableArns(value),
    `arn:*:logs:*:*:log-group:${value}`,
    `arn:*:sqs:*:*:${value}`,
    `arn:*:sns:*:*:${value}`,
    `arn:*:lambda:*:*:function:${value}`,
    `arn:*:iam::*:role/${value}`,
  ];
}

const FORWARDS: readonly Copy[] = [
  { type: T.logDeliverySource, field: "resourceArn", arns: anyArns, does: "sends the vended logs of" },
  {
    type: T.logDeliveryDestination,
    field: "deliveryDestinationConfiguration.destinationResourceArn",
    arns: anyArns,
    does: "delivers other resources' vended logs into",
  },
  { type: T.logDestination, field: "targetArn", arns: anyArns, does: "sends subscribed log events (of any account its policy admits) into" },
  { type: T.firehose, field: "kinesisSourceConfiguration.kinesisStreamArn", arns: anyArns, does: "delivers every record of" },
  { type: T.firehose, field: "mskSourceConfiguration.mskClusterArn", arns: anyArns, does: "delivers every record of" },
  { type: T.firehose, field: "extendedS3Configuration.bucketArn", arns: anyArns, does: "writes delivered records into" },
  { type: T.glueCrawler, field: "s3Targets[].path", arns: s3UrlArns, does: "crawls (reads the schema and samples of)" },
  { type: T.glueCrawler, field: "dynamodbTargets[].path", arns: tableArns, does: "crawls (reads the schema and samples of)" },
];

/** Keys of an event pattern that say where events come from, not which resource. */
const ORIGIN_KEYS = new Set(["source", "detail-type", "account", "region", "version"]);
const MAX_PATTERN_STRINGS = 2_000;

/** The resource names an event pattern matches on, and the AWS services of its `source` (`*` for any). */
function readEventPattern(text: string): { names: string[]; services: string[] } | undefined {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!pattern || typeof pattern !== "object" || Array.isArray(pattern)) return undefined;
  const names: string[] = [];
  const walk = (value: unknown, top: string | undefined): void => {
    if (names.length > MAX_PATTERN_STRINGS) return;
    if (typeof value === "string") {
      if (top === undefined || !ORIGIN_KEYS.has(top)) names.push(value);
    } else if (Array.isArray(value)) for (const item of value) walk(item, top);
    else if (value && typeof value === "object")
      for (const [key, item] of Object.entries(value)) {
        // Content filters ({prefix: ...}, {wildcard: ...}) match names by pattern: read as a name with `*`.
        if (key === "prefix" && typeof item === "string") names.push(`${item}*`);
        else if (key === "wildcard" && typeof item === "string") names.push(item);
        else walk(item, top ?? key);
      }
  };
  walk(pattern, undefined);
  const sources = (pattern as Record<string, unknown>).source;
  const list = Array.isArray(sources) ? sources : sources === undefined ? [] : [sources];
  const services = sources === undefined ? ["*"] : list.map((s) => (typeof s === "string" && /^aws\.[a-z0-9-]+$/.test(s) ? s.slice(4) : "*"));
  return { names, services };
}

/**
 * An EventBridge rule matching events of an agent's resources forwards them to its targets. A rule
 * that names no resource matches every resource of its sources' services: agents' included.
 */
function eventRules(ix: StackIndex, pass: StackPass, agents: ReturnType<typeof agentResources>): void {
  for (const r of readOfType(ix, T.eventRule)) {
    const text = asString(r.v.eventPattern);
    if (text === undefined && !isUnknown(r, "eventPattern")) continue; // a schedule forwards no event
    const read = text === undefined ? undefined : readEventPattern(text);
    if (!read) {
      pass.findings.push({
        rule: COPY,
        agent: r.resource.name,
        identity: null,
        urn: r.resource.urn,
        message: `${r.resource.type} ${r.resource.name}: eventPattern is ${text === undefined ? "unknown at preview" : "not a JSON object"}, so which agent's events it forwards cannot be told`,
        fix: "write the event pattern from known values",
      });
      continue;
    }
    const reaches =
      read.names.length > 0
        ? read.names.flatMap((n) => eventNameArns(n).map((arn) => ({ services: { [arn.split(":")[2]]: "" }, resources: [arn] })))
        : read.services.map((service) => ({ services: { [service]: "" }, resources: ["*"] }));
    reportReached(
      pass,
      r,
      reaches,
      agents,
      read.names.length > 0 ? "forwards the events of" : `forwards the events of every ${read.services.join(", ")} resource, including`,
    );
  }
}

/**
 * A Backup plan's copy actions copy every recovery point of what its selections back up to another
 * vault (another account's too). A plan with copy actions (or rules unknown at preview) is judged
 * by the resources of its selections (by `planId`; when no selection of the stack names it by
 * dependency, every selection counts): the copy is a share of its own, declared apart from the
 * selection's.
 */
function backupCopies(ix: StackIndex, pass: StackPass, agents: ReturnType<typeof agentResources>): void {
  const selections = readOfType(ix, AWS_DATA_TYPES.backupSelection);
  for (const plan of readOfType(ix, T.backupPlan)) {
    const rules = Array.isArray(plan.v.rules) ? plan.v.rules : [];
    const destinations = rules.flatMap((rule) => {
      const actions = rule && typeof rule === "object" ? (rule as Record<string, unknown>).copyActions : undefined;
      return Array.isArray(actions) ? actions : [];
    });
    if (destinations.length === 0 && !isUnknown(plan, "rules")) continue;
    const linked = selections.filter((s) => deps(s, "planId").some((d) => d.urn === plan.resource.urn));
    const unlinked = selections.filter((s) => deps(s, "planId").length === 0);
    const judged = linked.length > 0 ? linked : unlinked;
    const to = destinations.map((d) => asString(asRecord(d).destinationVaultArn) ?? "(unknown)").join(", ") || "(rules unknown at preview)";
    for (const s of judged) {
      const names = Array.isArray(s.v.resources) ? s.v.resources.filter((x): x is string => typeof x === "string") : [];
      const reaches = toReaches(names.flatMap(anyArns));
      reportReached(pass, plan, reaches, agents, `copies to ${to} the recovery points that selection ${s.resource.name} takes of`);
    }
  }
}

export const awsForwarding: Adapter = {
  family: "aws-forwarding",
  holdings:
    "reads what agents own and hold from the holdings model; a resource that forwards, delivers, crawls or routes it is compared with it, not added to it",
  types: [
    { type: T.logDeliverySource, key: "logDeliverySource", route: "sends a resource's vended logs to a delivery destination", checkedBy: [COPY] },
    {
      type: T.logDeliveryDestination,
      key: "logDeliveryDestination",
      route: "receives vended logs into a log group, bucket or stream, which may be an agent's",
      checkedBy: [COPY],
    },
    { type: T.logDestination, key: "logDestination", route: "receives subscribed log events into a stream, which may be an agent's", checkedBy: [COPY] },
    { type: T.firehose, key: "firehose", route: "delivers a stream's records to a bucket, either of which may be an agent's", checkedBy: [COPY] },
    { type: T.glueCrawler, key: "glueCrawler", route: "reads a bucket's or table's schema and samples into the Glue catalog", checkedBy: [COPY] },
    { type: T.eventRule, key: "eventRule", route: "forwards the events it matches (an agent's resources' included) to its targets", checkedBy: [COPY] },
    { type: T.backupPlan, key: "backupPlan", route: "copies recovery points of what its selections back up to other vaults", checkedBy: [COPY] },
  ],
  stack: (ix, pass) => {
    if (!Object.values(T).some((type) => ix.inputsOfType(type).length > 0)) return;
    const agents = agentResources(ix, pass);
    if (agents.byService.size === 0) return;
    reportCopies(ix, pass, agents, FORWARDS);
    eventRules(ix, pass, agents);
    backupCopies(ix, pass, agents);
  },
};
