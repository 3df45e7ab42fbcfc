/**
 * CloudWatch cross-account observability and CloudWatch Observability Admin (stack/audit-log-group),
 * in a stack with agents: settings that hand every log group of the account, or of the organisation,
 * the agents' audit log groups included, to another account, without naming any group.
 *
 * - An `aws.oam.Link` is the source account's side of cross-account observability: it shares the
 *   telemetry types in `resourceTypes` with the monitoring account that owns the sink
 *   (`sinkIdentifier`). With `AWS::Logs::LogGroup` that account can "search, visualize, and analyze"
 *   the log groups "as if it were native" (AWS CloudWatch User Guide, "CloudWatch cross-account
 *   observability"): Logs Insights queries and Live Tail over the agents' audit trail. The only
 *   narrowing, `linkConfiguration.logGroupConfiguration.filter`, is written by whoever writes the link.
 *   Closed world over `resourceTypes`: only the types in HARMLESS_LINK_TYPES are admitted without a
 *   declaration; any other, or a list unknown at preview, is refused unless the security team declares
 *   the link (kubernetesPlatformResources, by URN and inputs digest, which pins its types, filter and sink).
 * - CloudWatch Observability Admin rules act on every account of the organisation (or every resource
 *   of the account): a centralization rule copies log groups (`logGroupSelectionCriteria`) into a
 *   destination account (AWS CloudWatch Logs User Guide, "Cross-account cross-Region log
 *   centralization"); a telemetry rule turns on telemetry and picks its destination and retention for
 *   the resources it selects; a telemetry pipeline processes and forwards telemetry. Their selection
 *   languages are not read: each is refused unless declared. Evaluation and enrichment only read or
 *   tag telemetry settings, and an S3 Tables integration copies nothing until a data source is
 *   associated with it (aws.cloudwatch.LogS3TableIntegrationSource, read by log-groups.ts): those are
 *   out of scope (out-of-scope.ts).
 * - Organisation centralization rules "can only be called by the organization's management account or
 *   a delegated administrator account" (Observability Admin API, CreateCentralizationRuleForOrganization):
 *   an aws.organizations.DelegatedAdministrator for `observabilityadmin.amazonaws.com` lets that account
 *   write them, so it is refused too unless declared (audit-control.ts judges CloudTrail's).
 */
import { asStrings } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { auditGroupsOf } from "./audit-log-group-refs";
import { declarablePlatformFinding, isUnknown, readOfType } from "./shared";

const RULE = "stack/audit-log-group";

export const OBSERVABILITY_SHARING_TYPES = {
  oamLink: "aws:oam/link:Link",
  centralizationRuleForOrganization: "aws:observabilityadmin/centralizationRuleForOrganization:CentralizationRuleForOrganization",
  telemetryRule: "aws:observabilityadmin/telemetryRule:TelemetryRule",
  telemetryRuleForOrganization: "aws:observabilityadmin/telemetryRuleForOrganization:TelemetryRuleForOrganization",
  telemetryPipeline: "aws:observabilityadmin/telemetryPipeline:TelemetryPipeline",
} as const;
const T = OBSERVABILITY_SHARING_TYPES;
const DELEGATED_ADMIN = "aws:organizations/delegatedAdministrator:DelegatedAdministrator";
const OBSERVABILITY_ADMIN_SERVICE = "observabilityadmin.amazonaws.com";

/**
 * Link resource types that share no log events: metrics are numbers under names and dimensions, and an
 * agent's audit log group feeds none (a metric filter or contributor rule naming it is refused by
 * audit-log-group-refs.ts). The other types AWS lists (AWS::Logs::LogGroup, AWS::XRay::Trace,
 * AWS::ApplicationSignals::Service and ::ServiceLevelObjective, AWS::ApplicationInsights::Application,
 * AWS::InternetMonitor::Monitor; AWS CloudWatch User Guide, "CloudWatch cross-account observability")
 * carry log events, or request data and findings derived from logs and traces: declared only.
 */
export const HARMLESS_LINK_TYPES: ReadonlySet<string> = new Set(["AWS::CloudWatch::Metric"]);

/** What each Observability Admin type does to the telemetry it selects. */
const ADMIN_DOES: ReadonlyArray<readonly [string, string]> = [
  [
    T.centralizationRuleForOrganization,
    "copies the log groups it selects, in every account and Region of the organisation it names, into a destination account (CloudWatch Logs centralization)",
  ],
  [T.telemetryRule, "turns on telemetry for every resource of the account it selects and chooses where it goes and how long it is kept"],
  [
    T.telemetryRuleForOrganization,
    "turns on telemetry for every resource it selects across the organisation and chooses where it goes and how long it is kept",
  ],
  [T.telemetryPipeline, "processes and forwards telemetry from its sources to its sinks, in a configuration language the pack does not read"],
];

/** A stack with agents: an agent's audit log group or an agent's namespace. */
const hasAgents = (ix: StackIndex) => auditGroupsOf(ix).groups.length > 0 || agentNamespaces(ix).size > 0;

export const observabilitySharing: Adapter = {
  family: "observability-sharing",
  holdings: "none: these settings hand the account's or organisation's telemetry to another account without naming a resource of the holdings model",
  types: [
    {
      type: T.oamLink,
      key: "oamLink",
      route: `shares the source account's telemetry of resourceTypes with the sink's monitoring account; with AWS::Logs::LogGroup every log group, agents' audit groups included (only ${[...HARMLESS_LINK_TYPES].join(", ")} without a declaration)`,
      checkedBy: [RULE],
    },
    ...ADMIN_DOES.map(([type, does]) => ({
      type,
      key: Object.entries(T).find(([, t]) => t === type)![0],
      route: `${does}: agents' audit log groups included, unless declared`,
      checkedBy: [RULE],
    })),
    {
      type: DELEGATED_ADMIN,
      route: `for ${OBSERVABILITY_ADMIN_SERVICE}, lets another account write the organisation's centralization and telemetry rules (agents' audit log groups included)`,
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (![...Object.values(T), DELEGATED_ADMIN].some((type) => ix.inputsOfType(type).length > 0) || !hasAgents(ix)) return;
    const fix = "share only AWS::CloudWatch::Metric, or link the account from a stack without agents";
    const adminFix = "create centralization and telemetry rules and pipelines from a stack without agents (the organisation's observability stack)";
    for (const r of readOfType(ix, T.oamLink)) {
      const unknown = isUnknown(r, "resourceTypes");
      const shared = unknown ? [] : asStrings(r.v.resourceTypes).filter((type) => !HARMLESS_LINK_TYPES.has(type));
      if (!unknown && shared.length === 0) continue;
      const logs = shared.includes("AWS::Logs::LogGroup");
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `${r.resource.type} ${r.resource.name} shares ${unknown ? "telemetry types unknown at preview" : shared.join(", ")} with the monitoring account of sink ${isUnknown(r, "sinkIdentifier") ? "(unknown at preview)" : String(r.v.sinkIdentifier ?? "(none)")}${logs ? ": that account can query and tail every log group of this account, the agents' audit log groups included (its log group filter is this link's own choice)" : ": beyond metrics, only the security team decides which telemetry another account sees"}`,
          fix,
        ),
      );
    }
    for (const [type, does] of ADMIN_DOES)
      for (const r of readOfType(ix, type))
        pass.findings.push(
          declarablePlatformFinding(
            r.resource,
            RULE,
            `${r.resource.type} ${r.resource.name} ${does}, in a stack with agents: it may reach the agents' audit log groups, and the pack does not read its selection`,
            adminFix,
          ),
        );
    // An unknown service principal is audit-control's (stack/audit-trail), refused there.
    for (const r of readOfType(ix, DELEGATED_ADMIN).filter((x) => x.v.servicePrincipal === OBSERVABILITY_ADMIN_SERVICE))
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `${r.resource.type} ${r.resource.name} makes account ${String(r.v.accountId ?? "(unknown at preview)")} the delegated administrator of ${OBSERVABILITY_ADMIN_SERVICE}, in a stack with agents: that account can create centralization rules copying every account's log groups, the agents' audit log groups included, into an account of its choice`,
          "delegate CloudWatch Observability Admin from the organisation's management stack, which holds no agents",
        ),
      );
  },
};
