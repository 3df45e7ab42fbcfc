/**
 * Limits preflight: the AWS and Vault limits a deployment would otherwise hit at `pulumi up` (or,
 * worse, silently accept with a default), checked before anything is created.
 */
import { formatDuration } from "../core/durations";
import { policySize, type PolicyDocument } from "../core/iam-document";
import { IAM_ROLE_NAME_MAX, type IdentityKind } from "../core/names";
import type { SecretRolePlan } from "../core/plan-types";
import { tierPolicyFor } from "../core/compile";
import { identityRoles } from "../core/identity-roles";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const PREFLIGHT = standards(["NHI6"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const LIFETIME = standards(["NHI7"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7", "MANAGE 2.4"]);

export const LIMITS_RULES: readonly RuleMeta[] = [
  meta("limits/role-name-length", "limits", "error", "IAM role names are at most 64 characters of [A-Za-z0-9+=,.@_-].", PREFLIGHT, PACK.resource),
  meta("limits/inline-policy-size", "limits", "error", "A role's inline policies total at most 10,240 characters without whitespace.", PREFLIGHT, PACK.both),
  meta(
    "limits/trust-policy-size",
    "limits",
    "error",
    "A trust policy is at most 2,048 characters without whitespace (the default quota).",
    PREFLIGHT,
    PACK.resource,
  ),
  meta(
    "limits/unique-sid",
    "limits",
    "error",
    "Statement ids (`Sid`) are unique within each policy document (IAM refuses a policy that repeats one).",
    PREFLIGHT,
    PACK.resource,
  ),
  meta("limits/session-duration", "limits", "error", "`maxSessionDuration` is within 3600..43200 seconds and the tier ceiling.", LIFETIME, PACK.resource),
  meta("limits/vault-ttl-order", "limits", "error", "Vault token TTL is set and at most the token max TTL.", LIFETIME, PACK.resource),
  meta(
    "limits/secret-ttl",
    "limits",
    "error",
    "Secret TTLs are set, default <= max, and the max within the identity's token max TTL.",
    LIFETIME,
    PACK.resource,
  ),
  meta(
    "limits/sts-ttl-minimum",
    "limits",
    "error",
    "Vault STS TTLs are at least 15 minutes (AWS's minimum AssumeRole duration is 900 s).",
    PREFLIGHT,
    PACK.resource,
  ),
];

/** AWS quotas (IAM and STS) the rules enforce. */
export const AWS_LIMITS = {
  roleName: IAM_ROLE_NAME_MAX,
  inlinePoliciesPerRole: 10_240,
  trustPolicy: 2_048,
  minSessionDuration: 3_600,
  maxSessionDuration: 43_200,
  minAssumeRoleDuration: 900,
} as const;

export interface RoleLimitsShape {
  readonly name?: string;
  readonly trustPolicy?: PolicyDocument;
  readonly inlinePolicies: readonly PolicyDocument[];
  /** Seconds; AWS defaults to 3600 when unset. */
  readonly maxSessionDuration?: number;
}

/**
 * IAM refuses a policy whose statements repeat a `Sid`. The compiler derives Sids from tool names
 * (`a1` and `a-1` both give `ToolA10`), so a declaration can produce one that `pulumi up` would fail.
 */
export function checkUniqueSids(document: PolicyDocument, label = "policy"): Problem[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const statement of document.Statement) {
    if (statement.Sid === undefined) continue;
    if (seen.has(statement.Sid)) repeated.add(statement.Sid);
    seen.add(statement.Sid);
  }
  return [...repeated].map((sidValue) => ({
    rule: "limits/unique-sid",
    message: `${label} repeats statement id ${sidValue}`,
    fix: "rename one of the tools (or clusters) whose names give the same id, e.g. a1 and a-1",
  }));
}

export function checkRoleLimits(role: RoleLimitsShape, sessionCeiling?: number): Problem[] {
  const problems: Problem[] = [];
  for (const document of role.inlinePolicies) problems.push(...checkUniqueSids(document, "an inline policy"));
  if (role.trustPolicy) problems.push(...checkUniqueSids(role.trustPolicy, "the trust policy"));
  if (role.name !== undefined && (role.name.length > AWS_LIMITS.roleName || !/^[\w+=,.@-]+$/.test(role.name))) {
    problems.push({
      rule: "limits/role-name-length",
      message: `role name "${role.name}" has ${role.name.length} characters or invalid ones`,
      fix: `keep role names to ${AWS_LIMITS.roleName} characters of [A-Za-z0-9+=,.@_-] (the components truncate with a stable hash)`,
    });
  }
  const inline = role.inlinePolicies.reduce((sum, doc) => sum + policySize(doc), 0);
  if (inline > AWS_LIMITS.inlinePoliciesPerRole) {
    problems.push({
      rule: "limits/inline-policy-size",
      message: `inline policies total ${inline} characters, over the ${AWS_LIMITS.inlinePoliciesPerRole} AWS allows per role`,
      fix: "merge statements, drop unused actions, or split the tools across agents",
    });
  }
  if (role.trustPolicy) {
    const trust = policySize(role.trustPolicy);
    if (trust > AWS_LIMITS.trustPolicy) {
      problems.push({
        rule: "limits/trust-policy-size",
        message: `trust policy has ${trust} characters, over the default quota of ${AWS_LIMITS.trustPolicy}`,
        fix: "shorten the OIDC provider path or raise the IAM role trust policy quota",
      });
    }
  }
  const session = role.maxSessionDuration ?? AWS_LIMITS.minSessionDuration;
  const ceiling = Math.min(AWS_LIMITS.maxSessionDuration, sessionCeiling ?? AWS_LIMITS.maxSessionDuration);
  if (session < AWS_LIMITS.minSessionDuration || session > ceiling) {
    problems.push({
      rule: "limits/session-duration",
      message: `maxSessionDuration is ${formatDuration(session)}, outside ${formatDuration(AWS_LIMITS.minSessionDuration)}..${formatDuration(ceiling)}`,
      fix: `use a value from ${AWS_LIMITS.minSessionDuration} to ${ceiling} seconds (platform.limits.maxSessionDuration may not go below 1h)`,
    });
  }
  return problems;
}

export function checkVaultTtls(tokenTtl: number | undefined, tokenMaxTtl: number | undefined): Problem[] {
  if (!tokenTtl || (tokenMaxTtl !== undefined && tokenTtl > tokenMaxTtl)) {
    return [
      {
        rule: "limits/vault-ttl-order",
        message: `token TTL ${tokenTtl ? formatDuration(tokenTtl) : "unset (mount default)"} vs max ${tokenMaxTtl ? formatDuration(tokenMaxTtl) : "unset"}`,
        fix: "set tokenTtl > 0 and at most tokenMaxTtl (platform.limits tokenTtl/tokenMaxTtl)",
      },
    ];
  }
  return [];
}

export function checkSecretTtls(role: SecretRolePlan, tokenMaxTtl: number): Problem[] {
  const problems: Problem[] = [];
  const fix = `declare a tool ttl of at most ${formatDuration(tokenMaxTtl)} (the tier's token max TTL)`;
  if (role.type === "database") {
    if (!role.defaultTtl || role.defaultTtl > role.maxTtl || role.maxTtl > tokenMaxTtl) {
      problems.push({
        rule: "limits/secret-ttl",
        message: `tool ${role.tool}: credential ttl ${formatDuration(role.defaultTtl)}, max ${formatDuration(role.maxTtl)}, token max ${formatDuration(tokenMaxTtl)}`,
        fix,
      });
    }
    return problems;
  }
  if (!role.defaultStsTtl || role.defaultStsTtl > role.maxStsTtl || role.maxStsTtl > tokenMaxTtl) {
    problems.push({
      rule: "limits/secret-ttl",
      message: `tool ${role.tool}: STS ttl ${formatDuration(role.defaultStsTtl)}, max ${formatDuration(role.maxStsTtl)}, token max ${formatDuration(tokenMaxTtl)}`,
      fix,
    });
  }
  problems.push(...checkStsMinimum(role.tool, role.defaultStsTtl, role.maxStsTtl));
  return problems;
}

export function checkStsMinimum(tool: string, defaultStsTtl: number | undefined, maxStsTtl: number | undefined): Problem[] {
  const short = [defaultStsTtl, maxStsTtl].filter((ttl): ttl is number => ttl !== undefined && ttl > 0 && ttl < AWS_LIMITS.minAssumeRoleDuration);
  return short.length
    ? [
        {
          rule: "limits/sts-ttl-minimum",
          message: `tool ${tool}: STS TTL ${short.map(formatDuration).join(", ")} is under AWS's 15m minimum, so AssumeRole fails`,
          fix: "use a ttl of at least 15m (and platform.limits.maxStsTtl at least 15m)",
        },
      ]
    : [];
}

export const limitsRules = familyRules(LIMITS_RULES, ({ plan }) => {
  const findings: RuleFinding[] = [];
  const add = (agent: string, kind: IdentityKind, problems: Problem[]) => findings.push(...attribute(agent, kind, problems));
  for (const agent of plan.agents) {
    const tier = tierPolicyFor(plan.platform, agent);
    for (const identity of agent.identities) {
      for (const role of identityRoles(identity)) {
        add(
          agent.name,
          identity.kind,
          checkRoleLimits(
            {
              name: role.name,
              trustPolicy: role.trustPolicy,
              inlinePolicies: role.policies.map((p) => p.document),
              maxSessionDuration: role.maxSessionDuration,
            },
            tier.maxSessionDuration,
          ),
        );
      }
      if (identity.vault.role) add(agent.name, identity.kind, checkVaultTtls(identity.vault.role.tokenTtl, identity.vault.role.tokenMaxTtl));
      for (const secret of identity.vault.secretRoles) add(agent.name, identity.kind, checkSecretTtls(secret, tier.tokenMaxTtl));
    }
  }
  return findings;
});
