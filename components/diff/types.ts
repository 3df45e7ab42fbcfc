/**
 * The identity diff: what changes between two plans, per agent and identity, each change
 * classified by whether it widens privilege. Stable JSON for bots (`diff --format json`).
 */
import type { ActionFlag, ActionLabel } from "./access-level";

export type Classification = "widens" | "narrows" | "neutral";

/** Every kind of change, in the order they are listed within an agent or identity. */
export const CHANGE_KINDS = [
  // platform (agent "(platform)", identity null)
  "project-changed",
  "stack-config-changed",
  "platform-changed",
  "limit-changed",
  "exception-added",
  "exception-removed",
  "exception-changed",
  // agent level (identity null)
  "agent-added",
  "agent-removed",
  "agent-revoked",
  "agent-reinstated",
  "tier-changed",
  "data-class-changed",
  "expiry-changed",
  "owner-changed",
  "sponsor-changed",
  "approval-changed",
  "namespace-changed",
  "audit-retention-changed",
  "tool-data-class-changed",
  // identity level
  "identity-added",
  "identity-removed",
  "service-account-changed",
  "iam-role-replaced",
  "permissions-boundary-changed",
  "trust-added",
  "trust-removed",
  "trust-changed",
  "permission-added",
  "permission-removed",
  "permission-changed",
  "vault-role-added",
  "vault-role-removed",
  "vault-policy-removed",
  "vault-role-replaced",
  "vault-binding-changed",
  "vault-path-added",
  "vault-path-removed",
  "vault-path-changed",
  "secret-role-added",
  "secret-role-removed",
  "secret-role-changed",
  "ttl-changed",
  // any level: leaves classified by their rule (classification-rules.ts)
  "attribute-changed",
  "derived-changed",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangeDetail {
  /** What changed: actions, a Vault path, a field name. */
  readonly subject: string;
  /** For permission and trust changes: the statement effect. */
  readonly effect?: "Allow" | "Deny";
  /** For permission and trust changes: `resource`, `action` or `condition` (what `before`/`after` hold). */
  readonly field?: string;
  /** For a condition change: the resources (or principals) whose statement it is. */
  readonly target?: string;
  /** Conditions of the statement, when they did not change (for people: `StringEquals k=v; …`). */
  readonly conditions?: string;
  /** AWS actions newly allowed (or allowed more widely), with IAM access level and flag. */
  readonly actions?: readonly ActionLabel[];
  /** Why it is classified so, what it replaces, what to do. */
  readonly notes: readonly string[];
  /** Commands an operator runs (lease revocation). */
  readonly commands?: readonly string[];
  /**
   * On a new agent that looks like a rename: the removed agent it was compared with. The change is
   * what the new agent holds beyond that agent's (shown outside the new agent's fold).
   */
  readonly beyondRenameOf?: string;
}

export interface Change {
  readonly agent: string;
  readonly identity: string | null;
  readonly kind: ChangeKind;
  readonly classification: Classification;
  readonly before: string | null;
  readonly after: string | null;
  readonly detail: ChangeDetail;
}

export interface FlaggedItem {
  readonly agent: string;
  readonly identity: string | null;
  readonly action: string;
  readonly accessLevel: string;
  readonly flag: ActionFlag;
  /** Where the action now applies. */
  readonly resource: string;
}

export interface DiffSide {
  /** What was compared: a file, a revision, "working tree". */
  readonly label: string;
  readonly stack: string;
  /** The stack file does not exist on this side (base only): every agent is new. */
  readonly newStack: boolean;
}

/** The Pulumi project file as read on one side: where that side's stack files are. */
export interface ProjectSide {
  /** `Pulumi.yaml`, or null when the side has none (the library's `stacks/` layout). */
  readonly file: string | null;
  readonly name: string | null;
  /** `stackConfigDir` as written, null when absent. */
  readonly stackConfigDir: string | null;
  /** The project file's whole text (null: none): `main`, `config`, `runtime.options` decide what runs, so any change shows. */
  readonly text: string | null;
  /** The parsed document, to name the top-level keys that changed. */
  readonly document: Readonly<Record<string, unknown>> | null;
}

/** Whether `plan` (the least-privilege rules) accepts the head. */
export interface HeadPlanResult {
  /** False when the head is a plan file: rules run on declarations. */
  readonly checked: boolean;
  readonly passed: boolean | null;
  /** The first errors `plan` reports, as it prints them. */
  readonly findings: readonly string[];
}

/** Who answers for an agent the diff touches (from the head, or the base for a removed agent). */
export interface AgentOwner {
  readonly agent: string;
  readonly owner: string;
  readonly sponsor: string | null;
  readonly status: "added" | "removed" | "changed";
}

/** Agent name of platform changes (agent names are DNS labels, so this cannot clash). */
export const PLATFORM_AGENT = "(platform)";

export interface IdentityDiff {
  readonly base: DiffSide;
  readonly head: DiffSide;
  readonly summary: {
    readonly platformChanges: number;
    readonly agentsChanged: number;
    readonly agentsAdded: number;
    readonly agentsRemoved: number;
    readonly agentsRevoked: number;
    readonly changes: number;
    readonly widening: number;
    readonly narrowing: number;
    readonly neutral: number;
    readonly flagged: number;
  };
  /** `plan` on the head. */
  readonly headPlan: HeadPlanResult;
  /** Owner and sponsor of every agent with a change, by name. */
  readonly agents: readonly AgentOwner[];
  /** Privilege-escalation and permissions-management actions that widen, listed first. */
  readonly flagged: readonly FlaggedItem[];
  /** Changes to the platform (mounts, limits, exceptions): agent `(platform)`, identity null. */
  readonly platform: readonly Change[];
  /** Ordered by agent, then identity (agent-level first), then kind, then subject. */
  readonly changes: readonly Change[];
}
