/**
 * Context binding: the agent's tier, the data it touches and its environment shape its grants.
 * Checks take one artifact (a role, a trust or permission policy, a namespace placement) and the
 * tier's requirements, so the plan rules and the policy pack (which reads the tier from the role's
 * tags) share them.
 */
import { isPodIdentityStatement } from "./trust";
import { tierPolicyFor } from "../core/compile";
import { asList, type PolicyDocument } from "../core/iam-document";
import { boundaryProblem } from "../core/platform-fields";
import { identityRoles } from "../core/identity-roles";
import { agentsSharingNamespace } from "../core/derived-names";
import { POD_UID_LENGTH, SESSION_PREFIX_MAX, STS_SESSION_NAME_MAX, sessionNamePrefix, type IdentityKind } from "../core/names";
import { dataClassRank, type DataClass, type TierPolicy } from "../core/tiers";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK, planOnly } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const TIER = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MAP 3.5", "MANAGE 2.4"]);
const DATA = standards(["NHI5"], ["ASI03"], ["L2 Data Operations", "L6 Security & Compliance"], ["MAP 4.1", "MEASURE 2.10"]);
const ENVIRONMENT = standards(["NHI8", "NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MANAGE 2.4"]);
const TRACE = standards(["NHI4"], ["ASI03"], ["L5 Evaluation & Observability"], ["MEASURE 2.8", "MANAGE 4.1"]);

export const CONTEXT_RULES: readonly RuleMeta[] = [
  meta(
    "context/permissions-boundary-required",
    "context",
    "error",
    "High-risk agents (or every agent, when the organisation requires it) have a permissions boundary on every role; any boundary names one concrete customer managed policy.",
    TIER,
    PACK.resource,
  ),
  meta("context/own-namespace-required", "context", "error", "High-risk agents run in a namespace of their own.", TIER, PACK.stack),
  meta(
    "context/traceable-sessions",
    "context",
    "error",
    "High-risk roles admit only sessions whose `sts:RoleSessionName` names the agent and identity.",
    TRACE,
    PACK.resource,
  ),
  meta(
    "context/session-name-room",
    "context",
    "error",
    "Traceable session names (`<agent>-<kind>-<pod UID>`) fit STS's 64-character limit: the required prefix leaves room for the 36-character pod UID.",
    standards(["NHI4"], ["ASI03"], ["L5 Evaluation & Observability"], ["MEASURE 2.8"]),
    PACK.resource,
  ),
  meta(
    "context/data-class-ceiling",
    "context",
    "error",
    "No tool touches data above its agent's `maxDataClass`.",
    DATA,
    planOnly("a tool's data class is not written to any resource (the role carries the agent's ceiling)"),
  ),
  meta(
    "context/data-class-tier",
    "context",
    "error",
    "An agent's data ceiling is within its tier's (restricted only for high-risk) and the organisation's limit.",
    DATA,
    PACK.resource,
  ),
  meta(
    "context/region-bound",
    "context",
    "error",
    "Every Allow statement is bound to the platform region (or the tool's declared regions) with `aws:RequestedRegion`.",
    ENVIRONMENT,
    PACK.stack,
  ),
  meta(
    "context/foreign-account",
    "context",
    "error",
    "IAM grants name only resources in the platform's own account; other accounts are reached through a `vaultAws` tool.",
    ENVIRONMENT,
    PACK.stack,
  ),
];

export { SESSION_PREFIX_MAX };

/** The 12-digit account of an ARN, or "" when the ARN has none (S3 buckets, global resources). */
export function arnAccount(arn: string): string {
  return arn.split(":")[4] ?? "";
}

/** An IAM role as the tier checks see it. */
export interface TieredRole {
  readonly name: string;
  readonly agent: string;
  readonly kind: IdentityKind;
  readonly tier: string;
  readonly permissionsBoundary: string | null | undefined;
}

/** What the pack passes for a boundary that is set but not yet known at preview. */
export const UNKNOWN_BOUNDARY = "(set, unknown at preview)";

export function checkPermissionsBoundary(role: TieredRole, tier: TierPolicy): Problem[] {
  const boundary = role.permissionsBoundary;
  const wrong = boundary && boundary !== UNKNOWN_BOUNDARY ? boundaryProblem(boundary) : null;
  if (wrong) {
    return [
      {
        rule: "context/permissions-boundary-required",
        message: `role ${role.name} has permissions boundary "${boundary}": ${wrong}`,
        fix: "set `agent-identity:platform.aws.permissionsBoundaryArn` to one customer managed policy of the platform account, without wildcards",
      },
    ];
  }
  if (!tier.requiresPermissionsBoundary || boundary) return [];
  return [
    {
      rule: "context/permissions-boundary-required",
      message: `tier ${role.tier} requires a permissions boundary and role ${role.name} has none`,
      fix: "set `agent-identity:platform.aws.permissionsBoundaryArn` to the organisation's agent boundary policy",
    },
  ];
}

/**
 * Every Allow statement must pin the session name; a Deny (a revoked role) admits no session to trace.
 * EKS Pod Identity names the session itself (a RoleSessionName condition would refuse it); its
 * statements are traced by the session tags EKS sets (pod name and UID in CloudTrail), which the
 * trust rules require it to carry, so they are not held to a session name here.
 */
export function checkTraceableSessions(role: TieredRole, trust: PolicyDocument, tier: TierPolicy): Problem[] {
  if (!tier.requiresTraceableSessions) return [];
  const wanted = `${sessionNamePrefix(role.agent, role.kind)}*`;
  const pinned = (values: string[]) => values.length === 1 && values[0] === wanted;
  const allows = trust.Statement.filter((s) => s.Effect !== "Deny" && !isPodIdentityStatement(s));
  if (allows.every((s) => pinned(asList(s.Condition?.StringLike?.["sts:RoleSessionName"])))) return [];
  return [
    {
      rule: "context/traceable-sessions",
      message: `trust policy of ${role.name} does not require sts:RoleSessionName "${wanted}"`,
      fix: "let the Agent component build the trust policy; run workloads with `agent.workload(kind)` so the session name is set",
    },
  ];
}

/** The prefixes a trust policy requires session names to start with (`StringLike` `"<prefix>*"`). */
export function sessionNamePrefixes(trust: PolicyDocument): string[] {
  return trust.Statement.flatMap((s) => asList(s.Condition?.StringLike?.["sts:RoleSessionName"]))
    .filter((p) => p.endsWith("*"))
    .map((p) => p.slice(0, -1));
}

export function checkSessionNameRoom(prefix: string): Problem[] {
  if (prefix.length <= SESSION_PREFIX_MAX) return [];
  return [
    {
      rule: "context/session-name-room",
      message: `session name prefix "${prefix}" is ${prefix.length} characters; with the ${POD_UID_LENGTH}-character pod UID the session name exceeds STS's ${STS_SESSION_NAME_MAX}`,
      fix: `require a prefix of at most ${SESSION_PREFIX_MAX} characters (the Agent component's trust policy does; run pods with \`agent.workload(kind)\`)`,
    },
  ];
}

/** Where an agent runs: `ownNamespace` is false when its namespace is shared with other agents. */
export function checkOwnNamespace(agent: { readonly tier: string; readonly namespace: string; readonly ownNamespace: boolean }, tier: TierPolicy): Problem[] {
  if (!tier.requiresOwnNamespace || agent.ownNamespace) return [];
  return [
    {
      rule: "context/own-namespace-required",
      message: `tier ${agent.tier} requires its own namespace but shares "${agent.namespace}"`,
      fix: "set `agent-identity:platform.kubernetes.namespacePerAgent: true`, or run this agent on a platform that does",
    },
  ];
}

export function checkDataClassCeiling(tool: { readonly name: string; readonly dataClass: DataClass }, ceiling: DataClass): Problem[] {
  if (dataClassRank(tool.dataClass) <= dataClassRank(ceiling)) return [];
  return [
    {
      rule: "context/data-class-ceiling",
      message: `tool ${tool.name} touches ${tool.dataClass} data, above the agent's ceiling ${ceiling}`,
      fix: `remove the tool, or raise \`maxDataClass\` to ${tool.dataClass} if the tier allows it (restricted needs high-risk)`,
    },
  ];
}

export function checkDataClassTier(agent: { readonly tier: string; readonly maxDataClass: DataClass }, tier: TierPolicy): Problem[] {
  const allowed = tier.maxDataClass;
  if (dataClassRank(agent.maxDataClass) <= dataClassRank(allowed)) return [];
  return [
    {
      rule: "context/data-class-tier",
      message: `maxDataClass ${agent.maxDataClass} exceeds what tier ${agent.tier} may touch here (${allowed})`,
      fix: agent.maxDataClass === "restricted" ? "restricted data needs tier high-risk (with approval and boundary)" : `lower maxDataClass to ${allowed}`,
    },
  ];
}

/** Every Allow of one permission policy (named `policyName` on its role) carries `aws:RequestedRegion`. */
export function checkRegionBinding(document: PolicyDocument, policyName: string): Problem[] {
  return document.Statement.filter((s) => s.Effect === "Allow" && s.Condition?.StringEquals?.["aws:RequestedRegion"] === undefined).map((statement) => ({
    rule: "context/region-bound",
    message: `statement ${statement.Sid ?? "(no Sid)"} in ${policyName} is not bound to a region`,
    fix: "add an aws:RequestedRegion condition (the components add the platform region unless a tool declares `regions`)",
  }));
}

/** Every Allow of one permission policy names resources of `ownAccount` (or of no account). */
export function checkAccountBinding(document: PolicyDocument, ownAccount: string): Problem[] {
  return document.Statement.filter((s) => s.Effect === "Allow")
    .flatMap((s) => asList(s.Resource))
    .filter((resource) => arnAccount(resource) !== "" && arnAccount(resource) !== ownAccount)
    .map((resource) => ({
      rule: "context/foreign-account",
      message: `grants ${resource} in account ${arnAccount(resource)}, not the platform account ${ownAccount}`,
      fix: "reach other accounts through a `vaultAws` tool (short-lived STS credentials for one role) instead of a direct grant",
    }));
}

export const contextRules = familyRules(CONTEXT_RULES, ({ plan }) => {
  const findings: RuleFinding[] = [];
  // A namespace of its own also means no other agent's derived namespace is the same name.
  const sharing = agentsSharingNamespace(plan);
  for (const agent of plan.agents) {
    const tier = tierPolicyFor(plan.platform, agent);
    const ownNamespace = agent.namespace.create && !sharing.has(agent.name);
    findings.push(...attribute(agent.name, null, checkOwnNamespace({ tier: agent.tier, namespace: agent.namespace.name, ownNamespace }, tier)));
    findings.push(...attribute(agent.name, null, checkDataClassTier(agent, tier)));
    for (const tool of agent.tools) findings.push(...attribute(agent.name, "execution", checkDataClassCeiling(tool, agent.maxDataClass)));
    for (const identity of agent.identities) {
      const role: TieredRole = {
        name: identity.iamRole.name,
        agent: agent.name,
        kind: identity.kind,
        tier: agent.tier,
        permissionsBoundary: identity.iamRole.permissionsBoundary,
      };
      // Both roles the identity holds (its own and, with tagged sessions, its tool role). Only the own
      // role's trust names sessions: the tool role's is Vault's (trust/tool-role-vault-only).
      const roles = identityRoles(identity);
      const problems = [
        ...roles.flatMap((each) => checkPermissionsBoundary({ ...role, name: each.name, permissionsBoundary: each.permissionsBoundary }, tier)),
        ...checkTraceableSessions(role, identity.iamRole.trustPolicy, tier),
        ...(identity.sessionNamePrefix === null ? [] : checkSessionNameRoom(identity.sessionNamePrefix)),
        ...roles.flatMap((each) => each.policies).flatMap((policy) => checkRegionBinding(policy.document, policy.name)),
        ...roles.flatMap((each) => each.policies).flatMap((policy) => checkAccountBinding(policy.document, plan.platform.aws.accountId)),
      ];
      findings.push(...attribute(agent.name, identity.kind, problems));
    }
  }
  return findings;
});
