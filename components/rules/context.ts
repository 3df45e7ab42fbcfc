/**
 * Context binding: the agent's tier, the data it touches and its environment shape its grants.
 */
import { tierPolicyFor } from "../core/compile";
import { asList } from "../core/iam-document";
import { dataClassRank } from "../core/tiers";
import { standards } from "./standards";
import type { Finding, PlanRule } from "./types";

const TIER = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MAP 3.5", "MANAGE 2.4"]);
const DATA = standards(["NHI5"], ["ASI03"], ["L2 Data Operations", "L6 Security & Compliance"], ["MAP 4.1", "MEASURE 2.10"]);
const ENVIRONMENT = standards(["NHI8", "NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MANAGE 2.4"]);

/** STS RoleSessionName is at most 64 characters; keep 24 of them for the pod name. */
export const SESSION_PREFIX_MAX = 40;

/** The 12-digit account of an ARN, or "" when the ARN has none (S3 buckets, global resources). */
export function arnAccount(arn: string): string {
  return arn.split(":")[4] ?? "";
}

export const contextRules: PlanRule[] = [
  {
    id: "context/permissions-boundary-required",
    family: "context",
    description: "High-risk agents (or every agent, when the organisation requires it) have a permissions boundary on every role.",
    severity: "error",
    standards: TIER,
    check({ plan }) {
      return plan.agents.flatMap((agent) =>
        tierPolicyFor(plan.platform, agent).requiresPermissionsBoundary
          ? agent.identities
              .filter((identity) => !identity.iamRole.permissionsBoundary)
              .map((identity) => ({
                agent: agent.name,
                identity: identity.kind,
                message: `tier ${agent.tier} requires a permissions boundary and role ${identity.iamRole.name} has none`,
                fix: "set `agent-identity:platform.aws.permissionsBoundaryArn` to the organisation's agent boundary policy",
              }))
          : [],
      );
    },
  },
  {
    id: "context/own-namespace-required",
    family: "context",
    description: "High-risk agents run in a namespace of their own.",
    severity: "error",
    standards: TIER,
    check({ plan }) {
      return plan.agents
        .filter((agent) => tierPolicyFor(plan.platform, agent).requiresOwnNamespace && !agent.namespace.create)
        .map((agent) => ({
          agent: agent.name,
          identity: null,
          message: `tier ${agent.tier} requires its own namespace but shares "${agent.namespace.name}"`,
          fix: "set `agent-identity:platform.kubernetes.namespacePerAgent: true`, or run this agent on a platform that does",
        }));
    },
  },
  {
    id: "context/traceable-sessions",
    family: "context",
    description: "High-risk roles admit only sessions whose `sts:RoleSessionName` names the agent and identity.",
    severity: "error",
    standards: standards(["NHI4"], ["ASI03"], ["L5 Evaluation & Observability"], ["MEASURE 2.8", "MANAGE 4.1"]),
    check({ plan }) {
      return plan.agents.flatMap((agent) =>
        tierPolicyFor(plan.platform, agent).requiresTraceableSessions
          ? agent.identities
              .filter((identity) => {
                const wanted = `${agent.name}-${identity.kind}-*`;
                return !identity.iamRole.trustPolicy.Statement.every((s) => s.Condition?.StringLike?.["sts:RoleSessionName"] === wanted);
              })
              .map((identity) => ({
                agent: agent.name,
                identity: identity.kind,
                message: `trust policy of ${identity.iamRole.name} does not require sts:RoleSessionName "${agent.name}-${identity.kind}-*"`,
                fix: "let the Agent component build the trust policy; run workloads with `agent.workload(kind)` so the session name is set",
              }))
          : [],
      );
    },
  },
  {
    id: "context/session-name-room",
    family: "context",
    description: "Traceable session names (`<agent>-<kind>-<pod>`) leave room for the pod name within STS's 64-character limit.",
    severity: "error",
    standards: standards(["NHI4"], ["ASI03"], ["L5 Evaluation & Observability"], ["MEASURE 2.8"]),
    check({ plan }) {
      return plan.agents.flatMap((agent) =>
        agent.identities
          .filter((identity) => identity.sessionNamePrefix !== null && identity.sessionNamePrefix.length > SESSION_PREFIX_MAX)
          .map((identity) => ({
            agent: agent.name,
            identity: identity.kind,
            message: `session name prefix "${identity.sessionNamePrefix}" is ${identity.sessionNamePrefix!.length} characters; with the pod name it would exceed STS's 64`,
            fix: `shorten the agent name so the prefix is at most ${SESSION_PREFIX_MAX} characters (the rest is for the pod name)`,
          })),
      );
    },
  },
  {
    id: "context/data-class-ceiling",
    family: "context",
    description: "No tool touches data above its agent's `maxDataClass`.",
    severity: "error",
    standards: DATA,
    check({ plan }) {
      return plan.agents.flatMap((agent) =>
        agent.tools
          .filter((tool) => dataClassRank(tool.dataClass) > dataClassRank(agent.maxDataClass))
          .map((tool) => ({
            agent: agent.name,
            identity: "execution" as const,
            message: `tool ${tool.name} touches ${tool.dataClass} data, above the agent's ceiling ${agent.maxDataClass}`,
            fix: `remove the tool, or raise \`maxDataClass\` to ${tool.dataClass} if the tier allows it (restricted needs high-risk)`,
          })),
      );
    },
  },
  {
    id: "context/data-class-tier",
    family: "context",
    description: "An agent's data ceiling is within its tier's (restricted only for high-risk) and the organisation's limit.",
    severity: "error",
    standards: DATA,
    check({ plan }) {
      return plan.agents.flatMap((agent) => {
        const allowed = tierPolicyFor(plan.platform, agent).maxDataClass;
        if (dataClassRank(agent.maxDataClass) <= dataClassRank(allowed)) return [];
        return [
          {
            agent: agent.name,
            identity: null,
            message: `maxDataClass ${agent.maxDataClass} exceeds what tier ${agent.tier} may touch here (${allowed})`,
            fix: agent.maxDataClass === "restricted" ? "restricted data needs tier high-risk (with approval and boundary)" : `lower maxDataClass to ${allowed}`,
          },
        ];
      });
    },
  },
  {
    id: "context/region-bound",
    family: "context",
    description: "Every Allow statement is bound to the platform region (or the tool's declared regions) with `aws:RequestedRegion`.",
    severity: "error",
    standards: ENVIRONMENT,
    check({ plan }) {
      const findings: Finding[] = [];
      for (const agent of plan.agents) {
        for (const identity of agent.identities) {
          for (const policy of identity.iamRole.policies) {
            for (const statement of policy.document.Statement) {
              if (statement.Effect !== "Allow" || statement.Condition?.StringEquals?.["aws:RequestedRegion"] !== undefined) continue;
              findings.push({
                agent: agent.name,
                identity: identity.kind,
                message: `statement ${statement.Sid ?? "(no Sid)"} in ${policy.name} is not bound to a region`,
                fix: "add an aws:RequestedRegion condition (the components add the platform region unless a tool declares `regions`)",
              });
            }
          }
        }
      }
      return findings;
    },
  },
  {
    id: "context/foreign-account",
    family: "context",
    description: "IAM grants name only resources in the platform's own account; other accounts are reached through a `vaultAws` tool.",
    severity: "error",
    standards: ENVIRONMENT,
    check({ plan }) {
      const own = plan.platform.aws.accountId;
      const findings: Finding[] = [];
      for (const agent of plan.agents) {
        for (const identity of agent.identities) {
          for (const statement of identity.iamRole.policies.flatMap((p) => p.document.Statement)) {
            if (statement.Effect !== "Allow") continue;
            for (const resource of asList(statement.Resource)) {
              const account = arnAccount(resource);
              if (account === "" || account === own) continue;
              findings.push({
                agent: agent.name,
                identity: identity.kind,
                message: `grants ${resource} in account ${account}, not the platform account ${own}`,
                fix: "reach other accounts through a `vaultAws` tool (short-lived STS credentials for one role) instead of a direct grant",
              });
            }
          }
        }
      }
      return findings;
    },
  },
];
