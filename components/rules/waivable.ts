/**
 * Which rules a reviewed exception may waive. One table, so a reviewer sees every waivable rule in
 * one place, and every rule must appear in it: a test fails for a rule that is not classified, and
 * at run time an unclassified rule is not waivable (fail closed).
 *
 * Never waivable: lifecycle (expiry, ownership, approval), trust, separation and stack-wide rules
 * (isolation between agents and identities), database statements (a role's SQL is its privilege), privilege escalation and credential exposure (PassRole,
 * assuming agent roles, RBAC, Vault token and secret lifetimes), and the limits AWS or Vault would
 * reject at `up` anyway. Waivable: rules about how narrowly an allowed grant is written, where the
 * catalogue may lag AWS, and the organisation's own context (data class, region, account).
 */
import type { RuleFamily } from "./types";

/** Families whose rules are never waivable, whatever the table says. */
export const NEVER_WAIVABLE_FAMILIES: ReadonlySet<RuleFamily> = new Set<RuleFamily>(["lifecycle", "trust", "separation", "stack", "limits", "database"]);

export const WAIVABLE: Readonly<Record<string, boolean>> = {
  "iam/action-wildcard": false,
  "iam/service-wildcard": true,
  "iam/action-pattern": true,
  "iam/resource-wildcard": true,
  "iam/not-action": false,
  "iam/not-resource": true,
  "iam/privilege-escalation": false,
  "iam/passrole-wildcard": false,
  "iam/passrole-compute": false,
  "iam/assume-agent-role": false,
  "iam/unknown-action": true,
  "iam/malformed-arn": false,
  "iam/resource-type": true,
  "iam/managed-admin-policy": false,
  "separation/orchestration-models-only": false,
  "separation/audit-write-only": false,
  "separation/audit-tamper-deny": false,
  "separation/execution-no-audit-sink": false,
  "separation/cross-agent-grant": false,
  "separation/prefix-sibling": false,
  "trust/single-statement": false,
  "trust/web-identity-only": false,
  "trust/principal-wildcard": false,
  "trust/account-principal": false,
  "trust/service-principal": false,
  "trust/single-provider": false,
  "trust/string-equals": false,
  "trust/no-wildcards": false,
  "trust/own-service-account": false,
  "kubernetes/automount-token": false,
  "kubernetes/default-service-account": false,
  "kubernetes/system-namespace": false,
  "kubernetes/cluster-role-binding": false,
  "kubernetes/rbac-wildcard": false,
  "kubernetes/rbac-escalation": false,
  "kubernetes/rbac-pod-exec": false,
  "kubernetes/rbac-pod-create": false,
  "kubernetes/rbac-token-request": false,
  "kubernetes/rbac-secrets": false,
  "kubernetes/shared-namespace-pod-create": false,
  "vault/unique-path": false,
  "database/connection-plugin": false,
  "database/sql-parse": false,
  "database/statement-allowlist": false,
  "database/role-attributes": false,
  "database/own-role": false,
  "database/role-membership": false,
  "database/grant-scope": false,
  "database/valid-until": false,
  "database/revocation-drops-role": false,
  "vault/bound-exact": false,
  "vault/bound-own-service-account": false,
  "vault/audience": false,
  "vault/default-policy": false,
  "vault/token-period": false,
  "vault/token-max-ttl": false,
  "vault/policy-sudo": false,
  "vault/policy-system-path": false,
  "vault/policy-glob": false,
  "vault/policy-unreadable": false,
  "vault/secret-credential-type": false,
  "vault/sts-ttl": false,
  "vault/secret-role-arns": false,
  "limits/role-name-length": false,
  "limits/inline-policy-size": false,
  "limits/trust-policy-size": false,
  "limits/session-duration": false,
  "limits/vault-ttl-order": false,
  "limits/secret-ttl": false,
  "limits/sts-ttl-minimum": false,
  "stack/no-shared-identity": false,
  "stack/three-identities": false,
  "stack/unknown-input": false,
  "lifecycle/expired": false,
  "lifecycle/expiring-soon": false,
  "lifecycle/approval-required": false,
  "lifecycle/ownership-tags": false,
  "lifecycle/exception-expiry": false,
  "lifecycle/exception-scope": false,
  "context/permissions-boundary-required": false,
  "context/own-namespace-required": false,
  "context/traceable-sessions": false,
  "context/session-name-room": false,
  "context/data-class-ceiling": true,
  "context/data-class-tier": true,
  "context/region-bound": true,
  "context/foreign-account": true,
};

/** Whether an exception may waive this rule: classified waivable, and not in a never-waivable family. */
export function isWaivable(id: string, family: RuleFamily): boolean {
  return WAIVABLE[id] === true && !NEVER_WAIVABLE_FAMILIES.has(family);
}
