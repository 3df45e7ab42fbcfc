/**
 * The pack's policies: one CrossGuard policy per rule id (so an organisation can see, configure and
 * report each rule by name), all running the shared checks. Errors are mandatory, warnings advisory.
 */
import type { EnforcementLevel, Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ALL_RULES, RESOURCE_ONLY_RULES, formatViolation, type RuleMeta } from "../components/rules";
import { checkResource, type PackContext, type PackFinding, type PackResource } from "./resources";
import { checkStack } from "./stack";

/** Which rules the pack can evaluate, and where (per resource, or across the stack). */
export const PACK_COVERAGE: Readonly<Record<string, { readonly resource?: true; readonly stack?: true }>> = {
  "iam/action-wildcard": { resource: true },
  "iam/service-wildcard": { resource: true },
  "iam/action-pattern": { resource: true },
  "iam/resource-wildcard": { resource: true },
  "iam/account-wide-write": { resource: true },
  "iam/not-action": { resource: true },
  "iam/not-resource": { resource: true },
  "iam/privilege-escalation": { resource: true },
  "iam/passrole-wildcard": { resource: true },
  "iam/passrole-compute": { resource: true },
  "iam/assume-agent-role": { stack: true },
  "iam/managed-admin-policy": { resource: true },
  "iam/unknown-action": { resource: true },
  "iam/malformed-arn": { resource: true },
  "iam/resource-type": { resource: true },
  "iam/permissions-management": { resource: true },
  "iam/tagging": { resource: true },
  "iam/credentials-exposure": { resource: true },
  "iam/code-execution": { resource: true },
  "iam/resource-exposure": { resource: true },
  "iam/defence-evasion": { resource: true },
  "iam/data-exfiltration": { resource: true },
  "separation/orchestration-models-only": { stack: true },
  "separation/audit-write-only": { stack: true },
  "separation/audit-tamper-deny": { stack: true },
  "separation/execution-no-audit-sink": { stack: true },
  "separation/cross-agent-grant": { stack: true },
  "separation/prefix-sibling": { stack: true },
  "trust/single-statement": { resource: true },
  "trust/web-identity-only": { resource: true },
  "trust/principal-wildcard": { resource: true },
  "trust/account-principal": { resource: true },
  "trust/service-principal": { resource: true },
  "trust/single-provider": { resource: true },
  "trust/string-equals": { resource: true },
  "trust/no-wildcards": { resource: true },
  "trust/own-service-account": { resource: true, stack: true },
  "kubernetes/automount-token": { resource: true },
  "kubernetes/default-service-account": { resource: true },
  "kubernetes/system-namespace": { resource: true },
  "kubernetes/cluster-role-binding": { stack: true },
  "kubernetes/rbac-wildcard": { stack: true },
  "kubernetes/rbac-escalation": { stack: true },
  "kubernetes/rbac-pod-exec": { stack: true },
  "kubernetes/rbac-pod-create": { stack: true },
  "kubernetes/rbac-token-request": { stack: true },
  "kubernetes/rbac-secrets": { stack: true },
  "kubernetes/shared-namespace-pod-create": { stack: true },
  "vault/bound-exact": { resource: true },
  "vault/bound-own-service-account": { stack: true },
  "vault/audience": { resource: true },
  "vault/default-policy": { resource: true },
  "vault/token-period": { resource: true },
  "vault/token-max-ttl": { resource: true },
  "vault/policy-sudo": { resource: true },
  "vault/policy-system-path": { resource: true },
  "vault/policy-glob": { resource: true },
  "vault/policy-unreadable": { resource: true },
  "vault/secret-credential-type": { resource: true },
  "vault/sts-ttl": { resource: true },
  "vault/secret-role-arns": { resource: true },
  "vault/unique-path": { stack: true },
  "limits/role-name-length": { resource: true },
  "limits/inline-policy-size": { resource: true, stack: true },
  "limits/trust-policy-size": { resource: true },
  "limits/session-duration": { resource: true },
  "limits/vault-ttl-order": { resource: true },
  "limits/secret-ttl": { resource: true },
  "limits/sts-ttl-minimum": { resource: true },
  "stack/no-shared-identity": { stack: true },
  "stack/three-identities": { stack: true },
  "stack/unknown-input": { resource: true, stack: true },
  // Lifecycle and context, from role tags, ServiceAccount labels/annotations and Vault alias metadata.
  "lifecycle/expired": { resource: true },
  "lifecycle/expiring-soon": { resource: true },
  "lifecycle/ownership-tags": { resource: true },
  "context/permissions-boundary-required": { resource: true },
  "context/traceable-sessions": { resource: true },
  "context/session-name-room": { resource: true },
  "context/data-class-tier": { resource: true },
  "context/own-namespace-required": { stack: true },
  "context/region-bound": { stack: true },
  "context/foreign-account": { stack: true },
  // Database statements, read from each vault.database.SecretBackendRole with the same check.
  "database/sql-parse": { resource: true },
  "database/statement-allowlist": { resource: true },
  "database/role-attributes": { resource: true },
  "database/own-role": { resource: true },
  "database/role-membership": { resource: true },
  "database/grant-scope": { resource: true },
  "database/valid-until": { resource: true },
  "database/revocation-drops-role": { resource: true },
};

/** Rules the pack cannot judge, and why: what they read is in the declaration only, on no resource. */
export const PLAN_ONLY: Readonly<Record<string, string>> = {
  "lifecycle/approval-required": "approvals are not written to any resource",
  "lifecycle/bounds": "judged against the plan date and the declaration's tier; the pack checks expiry tags (lifecycle/expired) but not how far ahead they are",
  "context/data-class-ceiling": "a tool's data class is not written to any resource (the role carries the agent's ceiling)",
  "lifecycle/exception-expiry": "exceptions live in the declaration, not on resources (the pack waives nothing)",
  "lifecycle/exception-scope": "exceptions live in the declaration, not on resources (the pack waives nothing)",
  "database/connection-plugin":
    "a connection's plugin is configured outside the stack; the pack reads every database role's statements as PostgreSQL, so another plugin's SQL fails database/sql-parse",
  "iam/resource-pattern": "which prefixes an agent owns is in the declaration only (until the pack reads ownership from resources)",
  "separation/unowned-resource": "what an agent owns (`owns`) and the platform shares are in the declaration only; the pack still checks grants against other agents' roles and log groups",
  "separation/shared-access": "platform shares are in the declaration only",
  "separation/bucket-level": "which prefixes an agent owns is in the declaration only",
  "separation/owns-declaration": "`owns` is in the declaration only",
  "separation/share-declaration": "platform shares are in the declaration only",
  "separation/database-connection": "the Vault database role resource does not say which agent's tool it serves",
  "separation/name-collision": "derived names are compared in the plan; on resources, stack/no-shared-identity catches a shared role or ServiceAccount",
};

export const PACK_RULES: readonly RuleMeta[] = [...ALL_RULES, ...RESOURCE_ONLY_RULES].filter((rule) => PACK_COVERAGE[rule.id]);

/** Policy names allow letters, digits, '-' and '_': `iam/service-wildcard` → `iam-service-wildcard`. */
export function policyName(ruleId: string, where: "resource" | "stack"): string {
  const base = ruleId.replace(/\//g, "-");
  return where === "stack" && PACK_COVERAGE[ruleId]?.resource ? `${base}-stack` : base;
}

function assertCovered(findings: readonly PackFinding[], where: "resource" | "stack"): readonly PackFinding[] {
  const stray = findings.find((finding) => !PACK_COVERAGE[finding.rule]?.[where]);
  // A finding under an uncovered id would be dropped by every policy: fail loudly instead.
  if (stray) throw new Error(`policy pack: rule ${stray.rule} reported by ${where} checks but not covered there`);
  return findings;
}

export function resourceFindings(resource: PackResource, context: PackContext): readonly PackFinding[] {
  return assertCovered(checkResource(resource, context), "resource");
}

export function stackFindings(resources: readonly PackResource[]): readonly PackFinding[] {
  return assertCovered(checkStack(resources), "stack");
}

export interface PackOptions {
  /** "Today" for the expiry checks. @default the real current date, read at each validation */
  readonly now?: () => Date;
}

const message = (rule: RuleMeta, finding: PackFinding) => formatViolation({ ...finding, rule: rule.id, severity: rule.severity });
const level = (rule: RuleMeta): EnforcementLevel => (rule.severity === "error" ? "mandatory" : "advisory");

function resourcePolicy(rule: RuleMeta, now: () => Date): ResourceValidationPolicy {
  return {
    name: policyName(rule.id, "resource"),
    description: rule.description,
    enforcementLevel: level(rule),
    validateResource: (args, reportViolation) => {
      for (const finding of resourceFindings(args, { now: now() })) if (finding.rule === rule.id) reportViolation(message(rule, finding));
    },
  };
}

function stackPolicy(rule: RuleMeta): StackValidationPolicy {
  return {
    name: policyName(rule.id, "stack"),
    description: `${rule.description} (across resources)`,
    enforcementLevel: level(rule),
    validateStack: (args, reportViolation) => {
      for (const finding of stackFindings(args.resources)) if (finding.rule === rule.id) reportViolation(message(rule, finding), finding.urn);
    },
  };
}

/** The pack's policies; tests pass a fixed `now` so expiry results are reproducible. */
export function createPolicies(options: PackOptions = {}): Policies {
  const now = options.now ?? (() => new Date());
  return PACK_RULES.flatMap((rule) => [
    ...(PACK_COVERAGE[rule.id].resource ? [resourcePolicy(rule, now)] : []),
    ...(PACK_COVERAGE[rule.id].stack ? [stackPolicy(rule)] : []),
  ]);
}

export const policies: Policies = createPolicies();
