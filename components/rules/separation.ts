/**
 * Separation of duties: what each of an agent's three identities may hold, and that no grant of
 * one agent reaches another agent's resources. The checks take plain grant sets so the policy pack
 * can build them from stack resources and call the same functions.
 */
import { AUDIT_TAMPER_ACTIONS, AUDIT_WRITE_ACTIONS } from "../core/compile";
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import { parseArn } from "../core/iam-catalog";
import type { IdentityKind } from "../core/names";
import { globMatches, grantsIntersect } from "../core/patterns";
import type { AgentPlan, IdentityPlan } from "../core/plan-types";
import { TOKEN_SELF_PATHS } from "../core/vault-policy";
import { attribute, familyRules, meta, type Problem, type RuleFinding } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const DUTIES = standards(["NHI5", "NHI9"], ["ASI03"], ["L3 Agent Frameworks", "L6 Security & Compliance"], ["GOVERN 1.4", "MEASURE 2.7"]);
const AUDIT = standards(["NHI5"], ["ASI03", "ASI10"], ["L5 Evaluation & Observability", "L6 Security & Compliance"], ["MEASURE 2.8", "MANAGE 2.4"]);
const ISOLATION = standards(["NHI5", "NHI9"], ["ASI03", "ASI08"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["GOVERN 1.4", "MEASURE 2.7"]);

export const SEPARATION_RULES: readonly RuleMeta[] = [
  meta("separation/orchestration-models-only", "separation", "error", "The orchestration identity may only invoke Bedrock models: no tool grants, no secrets.", DUTIES),
  meta("separation/audit-write-only", "separation", "error", "The audit identity may only create streams in and write to its own log group.", AUDIT),
  meta("separation/audit-tamper-deny", "separation", "error", "The audit identity explicitly denies deleting log groups and streams and changing retention.", AUDIT),
  meta("separation/execution-no-audit-sink", "separation", "error", "The execution identity may not touch any agent's audit log group.", AUDIT),
  meta("separation/cross-agent-grant", "separation", "error", "No resource, Vault path or role ARN granted to one agent is granted to or owned by another.", ISOLATION),
  meta("separation/prefix-sibling", "separation", "error", "No prefix wildcard without a trailing `/` that also matches a sibling agent's resources (`agent-a*` vs `agent-ab/`).", ISOLATION),
];

export const ORCHESTRATION_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;
const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));

const lower = (values: readonly string[]) => values.map((value) => value.toLowerCase());

/** What one identity holds, in the shapes both the plan and the pack can produce. */
export interface IdentityGrants {
  readonly kind: IdentityKind;
  readonly policies: readonly PolicyDocument[];
  readonly vaultPaths: readonly string[];
  readonly secretRoles: number;
  /** The agent's own audit log group ARN, when known. */
  readonly ownLogGroupArn?: string;
  /** Every agent's audit log group ARN (the execution identity may touch none). */
  readonly auditLogGroupArns: readonly string[];
}

const allowStatements = (policies: readonly PolicyDocument[]) => policies.flatMap((doc) => doc.Statement.filter((s) => s.Effect === "Allow"));

function onlyActions(statement: PolicyStatement, allowed: readonly string[]): string[] {
  const permitted = new Set(lower(allowed));
  return [...asList(statement.Action).filter((action) => !permitted.has(action.toLowerCase())), ...asList(statement.NotAction).map((a) => `NotAction ${a}`)];
}

function extraVaultPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => !SELF_PATHS.has(path));
}

function touchesLogGroup(resource: string, group: string): boolean {
  return grantsIntersect(resource, group) || grantsIntersect(resource, `${group}:*`);
}

export function checkIdentitySeparation(grants: IdentityGrants): Problem[] {
  const problems: Problem[] = [];
  const allows = allowStatements(grants.policies);
  if (grants.kind === "orchestration") {
    const rule = "separation/orchestration-models-only";
    const fix = "declare tools under `tools:` (they go to the execution identity); orchestration only lists models";
    for (const statement of allows) {
      const extra = onlyActions(statement, ORCHESTRATION_ACTIONS);
      if (extra.length) problems.push({ rule, message: `orchestration is allowed ${extra.join(", ")}`, fix });
      const notModels = asList(statement.Resource).filter((resource) => parseArn(resource)?.service !== "bedrock");
      if (notModels.length) problems.push({ rule, message: `orchestration may invoke ${notModels.join(", ")}, which is not a Bedrock model`, fix: "list Bedrock foundation-model or inference-profile ARNs under orchestration.models" });
    }
    const paths = extraVaultPaths(grants.vaultPaths);
    if (paths.length || grants.secretRoles) problems.push({ rule, message: `orchestration holds Vault grants ${[...paths, ...(grants.secretRoles ? [`${grants.secretRoles} secret role(s)`] : [])].join(", ")}`, fix });
  }
  if (grants.kind === "audit") {
    const rule = "separation/audit-write-only";
    const fix = "the audit identity only writes its own log group; give other access to the execution identity";
    for (const statement of allows) {
      const extra = onlyActions(statement, AUDIT_WRITE_ACTIONS);
      if (extra.length) problems.push({ rule, message: `audit is allowed ${extra.join(", ")}`, fix });
      const own = grants.ownLogGroupArn;
      const foreign = asList(statement.Resource).filter((resource) => !own || !(resource === `${own}:log-stream:*` || globMatches(`${own}:log-stream:*`, resource)));
      if (own && foreign.length) problems.push({ rule, message: `audit may write to ${foreign.join(", ")}, outside its own log group ${own}`, fix });
    }
    const paths = extraVaultPaths(grants.vaultPaths);
    if (paths.length || grants.secretRoles) problems.push({ rule, message: `audit holds Vault grants ${[...paths, ...(grants.secretRoles ? [`${grants.secretRoles} secret role(s)`] : [])].join(", ")}`, fix });
    const denies = grants.policies.flatMap((doc) => doc.Statement.filter((s) => s.Effect === "Deny" && asList(s.Resource).includes("*") && !s.Condition));
    const undenied = AUDIT_TAMPER_ACTIONS.filter((action) => !denies.some((s) => asList(s.Action).some((a) => globMatches(a.toLowerCase(), action.toLowerCase()))));
    if (undenied.length) {
      problems.push({ rule: "separation/audit-tamper-deny", message: `audit does not explicitly deny ${undenied.join(", ")} on "*"`, fix: "keep the NeverDeleteOrShortenLogs Deny statement the Agent component generates" });
    }
  }
  if (grants.kind === "execution") {
    for (const resource of allows.flatMap((statement) => asList(statement.Resource))) {
      const groups = grants.auditLogGroupArns.filter((group) => resource !== "*" && touchesLogGroup(resource, group));
      if (groups.length) {
        problems.push({ rule: "separation/execution-no-audit-sink", message: `execution is granted "${resource}", which reaches audit log group(s) ${groups.join(", ")}`, fix: "only the audit identity writes the audit trail; remove the grant from the tool" });
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------- across agents

/** Grants of one identity that must not reach another agent, and what the agent owns. */
export interface AgentGrantSet {
  readonly agent: string;
  readonly identity: IdentityKind;
  /** Allow resources (not `*`, which other rules judge), Vault paths and secret-role ARNs. */
  readonly grants: readonly string[];
}

export interface AgentOwnership {
  readonly agent: string;
  /** Patterns of everything the agent owns: role ARNs, log group, KV prefix. */
  readonly owned: readonly string[];
}

/** A `*` that follows a name character, not a `/` or `:` boundary, also matches longer names. */
function isUnboundedPrefix(pattern: string): boolean {
  return /[^/:*]\*/.test(pattern);
}

/** Vault's `+` matches one path segment; reading it as `*` over-approximates, which is safe here. */
const asGlob = (value: string) => value.replace(/\+/g, "*");

export function checkCrossAgentGrants(sets: readonly AgentGrantSet[], ownership: readonly AgentOwnership[]): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const report = (set: AgentGrantSet, grant: string, other: string, theirs: string, what: string) => {
    const sibling = isUnboundedPrefix(grant) || isUnboundedPrefix(theirs);
    findings.push({
      agent: set.agent,
      identity: set.identity,
      rule: sibling ? "separation/prefix-sibling" : "separation/cross-agent-grant",
      message: `grant "${grant}" overlaps ${what} "${theirs}" of agent ${other}`,
      fix: sibling ? "end prefixes with '/' before the wildcard (agents/a/*, not agents/a*)" : "give each agent resources of its own (isolation between agents cannot be waived)",
    });
  };
  for (const set of sets) {
    for (const grant of set.grants) {
      const g = asGlob(grant);
      const seen = new Set<string>();
      for (const other of sets) {
        if (other.agent === set.agent) continue;
        for (const theirs of other.grants) {
          const key = `${other.agent}\u0000${theirs}`;
          if (!seen.has(key) && grantsIntersect(g, asGlob(theirs))) {
            seen.add(key);
            report(set, grant, other.agent, theirs, "the grant");
          }
        }
      }
      for (const owner of ownership) {
        if (owner.agent === set.agent) continue;
        for (const owned of owner.owned) {
          if (grantsIntersect(g, owned)) report(set, grant, owner.agent, owned, "the resource");
        }
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------- plan adapters

const KV_MARKER = "/data/agents/";

/** Grants of an identity that count for overlap: tool resources, tool Vault paths, secret-role ARNs. */
export function identityGrantSet(agent: string, identity: IdentityPlan): AgentGrantSet {
  // Orchestration models are AWS-owned foundation models that every agent may share.
  const iam = identity.kind === "orchestration" ? [] : allowStatements(identity.iamRole.policies.map((p) => p.document)).flatMap((s) => asList(s.Resource));
  const vault = extraVaultPaths(identity.vault.policy?.paths.map((p) => p.path) ?? []);
  const roleArns = identity.vault.secretRoles.flatMap((role) => (role.type === "aws" ? role.roleArns : []));
  return { agent, identity: identity.kind, grants: [...iam.filter((r) => r !== "*"), ...vault, ...roleArns] };
}

export function agentOwnership(agent: AgentPlan): AgentOwnership {
  const kvPrefixes = agent.identities
    .flatMap((identity) => identity.vault.policy?.paths.map((p) => p.path) ?? [])
    .filter((path) => path.includes(KV_MARKER))
    .map((path) => `${path.slice(0, path.indexOf(KV_MARKER) + KV_MARKER.length)}${path.slice(path.indexOf(KV_MARKER) + KV_MARKER.length).split("/").slice(0, 2).join("/")}/*`);
  return {
    agent: agent.name,
    owned: [...new Set([...agent.identities.map((identity) => identity.iamRole.arn), agent.auditLogGroup.arn, `${agent.auditLogGroup.arn}:*`, ...kvPrefixes])],
  };
}

export const separationRules = familyRules(SEPARATION_RULES, ({ plan }) => {
  const auditLogGroupArns = plan.agents.map((agent) => agent.auditLogGroup.arn);
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      const grants: IdentityGrants = {
        kind: identity.kind,
        policies: identity.iamRole.policies.map((policy) => policy.document),
        vaultPaths: identity.vault.policy?.paths.map((path) => path.path) ?? [],
        secretRoles: identity.vault.secretRoles.length,
        ownLogGroupArn: agent.auditLogGroup.arn,
        auditLogGroupArns,
      };
      findings.push(...attribute(agent.name, identity.kind, checkIdentitySeparation(grants)));
    }
  }
  const sets = plan.agents.flatMap((agent) => agent.identities.map((identity) => identityGrantSet(agent.name, identity)));
  findings.push(...checkCrossAgentGrants(sets, plan.agents.map(agentOwnership)));
  return findings;
});
