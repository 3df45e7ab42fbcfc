/** Words for changes, shared by the text and Markdown renderers so both say the same thing. */
import type { ActionLabel } from "./access-level";
import type { Change, ChangeKind } from "./types";

const LABELS: Record<ChangeKind, string> = {
  "project-changed": "project file",
  "stack-config-changed": "stack config changed",
  "platform-changed": "platform",
  "limit-changed": "organisation limit",
  "exception-added": "exception added",
  "exception-removed": "exception removed",
  "exception-changed": "exception changed",
  "tool-data-class-changed": "tool data class",
  "attribute-changed": "attribute",
  "derived-changed": "derived fields",
  "agent-added": "agent added",
  "agent-removed": "agent removed",
  "agent-revoked": "agent revoked",
  "agent-reinstated": "revocation lifted",
  "tier-changed": "tier",
  "data-class-changed": "data class ceiling",
  "expiry-changed": "expiry",
  "owner-changed": "owner",
  "sponsor-changed": "sponsor",
  "approval-changed": "approval",
  "namespace-changed": "namespace",
  "audit-retention-changed": "audit log retention",
  "identity-added": "identity added",
  "identity-removed": "identity removed",
  "service-account-changed": "ServiceAccount",
  "iam-role-replaced": "IAM role replaced",
  "permissions-boundary-changed": "permissions boundary",
  "trust-added": "trust added",
  "trust-removed": "trust removed",
  "trust-changed": "trust changed",
  "permission-added": "permission added",
  "permission-removed": "permission removed",
  "permission-changed": "permission changed",
  "vault-role-added": "Vault role added",
  "vault-role-removed": "Vault role removed",
  "vault-policy-removed": "Vault policy removed",
  "vault-role-replaced": "Vault role replaced",
  "vault-binding-changed": "Vault role binding",
  "vault-path-added": "Vault path added",
  "vault-path-removed": "Vault path removed",
  "vault-path-changed": "Vault path changed",
  "secret-role-added": "secret role added",
  "secret-role-removed": "secret role removed",
  "secret-role-changed": "secret role changed",
  "ttl-changed": "TTL",
};

/** `permission changed (resource)`. */
export function changeLabel(change: Change): string {
  return `${LABELS[change.kind]}${change.detail.field ? ` (${change.detail.field})` : ""}`;
}

export function flagText(label: Pick<ActionLabel, "flag">): string {
  return label.flag === "privilege-escalation" ? "privilege escalation" : label.flag === "permissions-management" ? "permissions management" : "";
}

/** `Write, privilege escalation` for one action; `s3:GetObject: Read; iam:PassRole: Write, …` for several. */
export function actionLevels(change: Change): string {
  const labels = change.detail.actions ?? [];
  const level = (label: ActionLabel) => [label.accessLevel, flagText(label)].filter(Boolean).join(", ");
  return labels.length === 1 ? level(labels[0]) : labels.map((label) => `${label.action}: ${level(label)}`).join("; ");
}

export function pluralise(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** `3 agents changed (1 added, 1 revoked)`. */
export function agentsSummary(diff: { summary: { agentsChanged: number; agentsAdded: number; agentsRemoved: number; agentsRevoked: number } }): string {
  const { agentsChanged, agentsAdded, agentsRemoved, agentsRevoked } = diff.summary;
  const parts = [
    agentsAdded ? `${agentsAdded} added` : "",
    agentsRemoved ? `${agentsRemoved} removed` : "",
    agentsRevoked ? `${agentsRevoked} revoked` : "",
  ].filter(Boolean);
  return `${pluralise(agentsChanged, "agent")} changed${parts.length ? ` (${parts.join(", ")})` : ""}`;
}
