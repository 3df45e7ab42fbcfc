/**
 * Resources that move messages or records from one resource to another: Lambda event source
 * mappings, EventBridge Pipes, SQS redrive (dead-letter) policies, SNS subscriptions, EventBridge
 * Scheduler schedules, EventBridge targets, Kinesis stream consumers and Lambda invocation
 * destinations, and the services that copy, sync, transfer or ingest data with a role of their own
 * (aws-flows-services.ts). One table names, per type, the inputs holding each end of the flow (a
 * source it reads, a sink it writes) and the docs page saying what they mean. Across the stack each end is compared with what agents own and hold
 * (the holdings model, policy/aws-reach.ts): a flow touching an agent's resource is
 * `separation/agent-data-copy` (declarable in `shares`, principal `resource:<type>/<name>`), unless
 * every end is a resource one agent owns (its queue into its own dead-letter queue). An end unknown
 * at preview is read from the resource of the stack it came from, or refused. An S3 access point or
 * alias is the bucket behind it (every bucket when the stack does not create it).
 */
import { agentResources, type AgentResources } from "../aws-reach";
import { globMatches, arnComponents } from "../../components/core/patterns";
import type { StackIndex } from "../stack-index";
import type { Adapter, StackPass } from "../types";
import { reportReached, stringsAt, toReaches } from "./aws-data";
import { arnsOfDependencies, dataArns, everyOf, functionArns, queueArns } from "./aws-arns";
import { deps, isUnknown, readOfType, type Read } from "./shared";
import { registry, type End, type Flow } from "./aws-flow-ends";
import { SERVICE_FLOWS } from "./aws-flows-services";

export const AWS_FLOW_TYPES = {
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  pipe: "aws:pipes/pipe:Pipe",
  queue: "aws:sqs/queue:Queue",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  redriveAllowPolicy: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  schedule: "aws:scheduler/schedule:Schedule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  streamConsumer: "aws:kinesis/streamConsumer:StreamConsumer",
  functionEventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
} as const;
const T = AWS_FLOW_TYPES;
const COPY = "separation/agent-data-copy";

/** An ARN (or a name the service resolves in the account) as what it reaches. */
const arnOrAny = (service: string) => (value: string) => (value.startsWith("arn:") ? dataArns(value) : everyOf(service));

/** A JSON redrive policy's dead-letter queue; any queue when it does not parse. */
function deadLetterQueue(json: string): string[] {
  try {
    const target = (JSON.parse(json) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    return typeof target === "string" ? queueArns(target) : everyOf("sqs");
  } catch {
    return everyOf("sqs");
  }
}

/** A JSON redrive-allow policy's source queues: every queue unless `denyAll` or `byQueue` with a list. */
function redriveSources(json: string): string[] {
  try {
    const policy = JSON.parse(json) as { redrivePermission?: unknown; sourceQueueArns?: unknown };
    if (policy.redrivePermission === "denyAll") return [];
    if (policy.redrivePermission === "byQueue" && Array.isArray(policy.sourceQueueArns))
      return policy.sourceQueueArns.flatMap((arn) => (typeof arn === "string" ? queueArns(arn) : everyOf("sqs")));
    return everyOf("sqs");
  } catch {
    return everyOf("sqs");
  }
}

/** An EventBridge Scheduler universal target (`arn:aws:scheduler:::aws-sdk:<service>:<api>`) calls an API on any resource of its service. */
const scheduleTarget = (arn: string) => {
  const universal = /^arn:[^:]*:scheduler:::aws-sdk:([a-z0-9-]+):/.exec(arn);
  return universal ? everyOf(universal[1]) : dataArns(arn);
};

const MESSAGE_FLOWS: readonly Flow[] = [
  {
    type: T.eventSourceMapping,
    doc: registry("lambda/eventsourcemapping"),
    ends: [
      { field: "eventSourceArn", role: "source", arns: dataArns },
      { field: "functionName", role: "sink", arns: functionArns },
      { field: "destinationConfig.onFailure.destinationArn", role: "sink", arns: dataArns },
    ],
    does: "has a Lambda function read records",
    route: "has a function read a queue's or stream's records (an agent's included)",
  },
  {
    type: T.pipe,
    doc: registry("pipes/pipe"),
    ends: [
      { field: "source", role: "source", arns: dataArns },
      { field: "enrichment", role: "sink", arns: dataArns },
      { field: "target", role: "sink", arns: dataArns },
    ],
    does: "pipes records",
    route: "moves a queue's or stream's records to a target",
  },
  {
    type: T.queue,
    doc: registry("sqs/queue"),
    ends: [
      { field: "name", role: "source", arns: (name) => [`arn:*:sqs:*:*:${name}`] },
      { field: "redrivePolicy", role: "sink", arns: deadLetterQueue },
    ],
    // A queue without a redrive policy moves nothing.
    endsOf: (r, ends) => (r.v.redrivePolicy === undefined && !isUnknown(r, "redrivePolicy") ? [] : ends),
    does: "moves failed messages",
    route: "a queue whose inline redrive policy moves its failed messages to another queue",
  },
  {
    type: T.redrivePolicy,
    doc: registry("sqs/redrivepolicy"),
    ends: [
      { field: "queueUrl", role: "source", arns: queueArns },
      { field: "redrivePolicy", role: "sink", arns: deadLetterQueue },
    ],
    does: "moves failed messages",
    route: "moves a queue's failed messages to another queue",
  },
  {
    type: T.redriveAllowPolicy,
    doc: registry("sqs/redriveallowpolicy"),
    ends: [
      { field: "queueUrl", role: "sink", arns: queueArns },
      { field: "redriveAllowPolicy", role: "source", arns: redriveSources },
    ],
    does: "lets other queues move their failed messages",
    route: "lets other queues use a queue as their dead-letter queue",
  },
  {
    type: T.topicSubscription,
    doc: registry("sns/topicsubscription"),
    ends: [
      { field: "topic", role: "source", arns: arnOrAny("sns") },
      { field: "endpoint", role: "sink", arns: dataArns },
      { field: "redrivePolicy", role: "sink", arns: deadLetterQueue },
    ],
    does: "delivers a topic's messages",
    route: "delivers a topic's messages to a queue, function or stream",
  },
  {
    type: T.schedule,
    doc: registry("scheduler/schedule"),
    ends: [
      { field: "target.arn", role: "sink", arns: scheduleTarget },
      { field: "target.deadLetterConfig.arn", role: "sink", arns: dataArns },
    ],
    does: "sends scheduled input",
    route: "sends input on a schedule to a target (a queue, function or any API)",
  },
  {
    type: T.eventTarget,
    doc: registry("cloudwatch/eventtarget"),
    ends: [
      { field: "arn", role: "sink", arns: dataArns },
      { field: "deadLetterConfig.arn", role: "sink", arns: dataArns },
    ],
    does: "sends its rule's events",
    route: "sends a rule's events to a target (the rule's event pattern is read by aws-forwarding)",
  },
  {
    type: T.streamConsumer,
    doc: registry("kinesis/streamconsumer"),
    ends: [{ field: "streamArn", role: "source", arns: dataArns }],
    does: "registers an enhanced fan-out consumer reading every record",
    route: "registers a consumer that reads a stream's records",
  },
  {
    type: T.functionEventInvokeConfig,
    doc: registry("lambda/functioneventinvokeconfig"),
    ends: [
      { field: "functionName", role: "source", arns: functionArns },
      { field: "destinationConfig.onSuccess.destination", role: "sink", arns: dataArns },
      { field: "destinationConfig.onFailure.destination", role: "sink", arns: dataArns },
    ],
    // Without destinations it only tunes retries.
    endsOf: (r, ends) => (r.v.destinationConfig === undefined && !isUnknown(r, "destinationConfig") ? [] : ends),
    does: "sends the invocation records (request and response) of a function",
    route: "sends a function's asynchronous invocation records to destinations",
  },
];

/** The flow table: one row per type. */
export const FLOWS: readonly Flow[] = [...MESSAGE_FLOWS, ...SERVICE_FLOWS];

/** True when an unknown path (`a.0.b`) lies on or under the end's field (`a[].b`), or above it. */
function unknownOnPath(r: Read, field: string): boolean {
  const want = field.replace(/\[\]/g, "").split(".");
  return r.unknown.some((path) => {
    const got = path.split(".").filter((part) => !/^\d+$/.test(part));
    const n = Math.min(got.length, want.length);
    for (let i = 0; i < n; i++) if (got[i] !== want[i]) return false;
    return true;
  });
}

/** The ARNs of one end, or "unknown" when it is unknown at preview and not from a named resource of the stack; undefined when unset. */
function endArns(r: Read, end: End): string[] | "unknown" | undefined {
  const top = end.field.split(/[.[]/)[0];
  if (unknownOnPath(r, end.field)) return arnsOfDependencies(deps(r, top)) ?? "unknown";
  const values = end.values ? end.values(r.v) : stringsAt(r.v, end.field);
  return values.length === 0 ? undefined : values.flatMap(end.arns);
}

/** True when one agent owns (declares, not only holds) every ARN: the flow stays inside its own resources. */
function ownedByOneAgent(agents: AgentResources, arns: readonly string[]): boolean {
  let owner: string | undefined;
  for (const arn of arns) {
    const [, service = "", , , named = ""] = arnComponents(arn) ?? [];
    // A version or alias (`:*`) of a function is that function.
    const resource = service === "lambda" ? named.replace(/:\*$/, "") : named;
    const owners = (agents.byService.get(service) ?? [])
      .filter((a) => a.identity === null && globMatches(arnComponents(a.pattern)?.[4] ?? "", resource))
      .map((a) => a.agent);
    if (owner === undefined) owner = owners[0];
    if (owner === undefined || !owners.includes(owner)) return false;
  }
  return owner !== undefined;
}

function reportFlows(ix: StackIndex, pass: StackPass, agents: AgentResources): void {
  for (const flow of FLOWS)
    for (const r of readOfType(ix, flow.type)) {
      const ends = flow.endsOf ? flow.endsOf(r, flow.ends) : flow.ends;
      const read = ends.map((end) => ({ end, arns: endArns(r, end) }));
      for (const { end } of read.filter((x) => x.arns === "unknown"))
        pass.findings.push({
          rule: COPY,
          agent: r.resource.name,
          identity: null,
          urn: r.resource.urn,
          message: `${r.resource.type} ${r.resource.name}: ${end.field} is unknown at preview and not from a resource of this stack whose ARN the pack can tell (policy/adapters/aws-arns.ts), so whether it is an agent's cannot be told`,
          fix: `name the ${end.field} with a known value, or pass it from that resource of this stack`,
        });
      const known = read.flatMap((x) => (Array.isArray(x.arns) ? [{ end: x.end, arns: x.arns }] : []));
      const all = known.flatMap((x) => x.arns);
      if (all.length === 0) continue;
      // Internal only when no end is unknown, and a source and a sink are named (an unset optional end is no end).
      const complete =
        known.length === read.filter((x) => x.arns !== undefined).length &&
        known.some((x) => x.end.role === "source") &&
        known.some((x) => x.end.role === "sink");
      if (complete && ownedByOneAgent(agents, all)) continue;
      const named = (role: End["role"]) =>
        known.filter((x) => x.end.role === role).map((x) => `${x.end.field} ${x.arns.slice(0, 2).join(" | ")}${x.arns.length > 2 ? " ..." : ""}`);
      const from = named("source");
      const to = named("sink");
      const what = [from.length ? `from ${from.join(", ")}` : "", to.length ? `to ${to.join(", ")}` : ""].filter(Boolean).join(" ");
      reportReached(pass, r, toReaches(all), agents, flow.does, what);
    }
}

export const awsFlows: Adapter = {
  family: "aws-flows",
  holdings: "reads what agents own and hold from the holdings model; a resource that moves records between resources is compared with it, not added to it",
  types: FLOWS.map((flow) => {
    const key = Object.entries(T).find(([, type]) => type === flow.type)?.[0];
    return { type: flow.type, ...(key ? { key } : {}), route: flow.route, checkedBy: [COPY] };
  }),
  stack: (ix, pass) => {
    if (!FLOWS.some((flow) => ix.inputsOfType(flow.type).length > 0)) return;
    const agents = agentResources(ix, pass);
    if (agents.byService.size === 0) return;
    reportFlows(ix, pass, agents);
  },
};
