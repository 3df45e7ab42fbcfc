/**
 * Plan × plan → identity diff. Pure and deterministic: the same two plans always give the same
 * changes in the same order, whatever order the plans list agents, statements or actions in.
 */
import { stackConfigChanges } from "./stack-config-changes";
import type { ActionCatalog } from "./access-level";
import { renamedAgent } from "./read-plan";
import { agentFieldChanges, describeAgent, local, renameNote, renamePairs, roles, vaultRoles } from "./agent-changes";
import { compareText } from "./conditions";
import type { LocalChange } from "./entry-changes";
import { genericChanges, sameJson } from "./generic-changes";
import { identityChanges } from "./identity-changes";
import type { Agent, Plan } from "./model";
import { platformChanges } from "./platform-changes";
import { toolClassChanges } from "./tool-classes";
import {
  CHANGE_KINDS,
  PLATFORM_AGENT,
  type Change,
  type Classification,
  type DiffSide,
  type FlaggedItem,
  type HeadPlanResult,
  type IdentityDiff,
  type ProjectSide,
} from "./types";

const IDENTITY_ORDER = ["orchestration", "execution", "audit"];

type Placed = { identity: string | null; change: LocalChange };

function agentChanges(base: Agent | undefined, head: Agent | undefined, catalog: ActionCatalog, renames: Map<string, Agent>): Placed[] {
  const atAgent = (changes: LocalChange[]): Placed[] => changes.map((change) => ({ identity: null, change }));
  if (!head) {
    const partner = renames.get(base!.name);
    const notes = [
      `deletes IAM roles ${roles(base!)} and Vault roles ${vaultRoles(base!)}`,
      "Vault leases already issued are not revoked by deleting the declaration: declare `revoked:` first to get the lease revoke commands",
      ...(partner ? [renameNote(base!, partner)] : []),
    ];
    return atAgent([local("agent-removed", "narrows", base!.name, describeAgent(base!), null, notes)]);
  }
  if (base && (base === head || sameJson(base.raw, head.raw))) return [];
  const out = base ? atAgent([...agentFieldChanges(base, head), ...toolClassChanges(base.raw, head.raw)]) : [];
  // Every leaf without a dedicated comparison, classified by its rule (classification-rules.ts).
  if (base) out.push(...genericChanges("agents[]", base.raw, head.raw));
  if (!base) {
    const partner = renames.get(head.name);
    out.push(...atAgent([local("agent-added", "widens", head.name, null, describeAgent(head), partner ? [renameNote(partner, head)] : [])]));
    if (partner) {
      // A likely rename: what the new agent holds beyond the removed one's, as changes of its own.
      const beyond = agentChanges(renamedAgent(partner, head.name), head, catalog, new Map()).filter(({ change }) => change.classification === "widens");
      for (const { identity, change } of beyond)
        out.push({
          identity,
          change: {
            ...change,
            detail: { ...change.detail, beyondRenameOf: partner.name, notes: [`beyond the rename of ${partner.name}`, ...change.detail.notes] },
          },
        });
    }
  }
  const kinds = new Set([...(base?.identities ?? []), ...head.identities].map((i) => i.kind));
  for (const kind of kinds) {
    const before = base?.identities.find((i) => i.kind === kind) ?? null;
    const after = head.identities.find((i) => i.kind === kind) ?? null;
    if (before && after && sameJson(before.raw, after.raw)) continue;
    for (const change of identityChanges(before, after, catalog, head.revoked !== null)) out.push({ identity: kind, change });
  }
  return out;
}

const KIND_ORDER = new Map<string, number>(CHANGE_KINDS.map((kind, index) => [kind, index]));

/** Agent-level changes first, then the three identities in their usual order, then any other. */
function identityRank(identity: string | null): string {
  if (identity === null) return "0";
  const index = IDENTITY_ORDER.indexOf(identity);
  return index >= 0 ? `1${index}` : `2${identity}`;
}

/** One sort key per change (computed once: a large diff sorts thousands of changes). */
function sortKey(c: Change): string {
  const kind = String(KIND_ORDER.get(c.kind)!).padStart(3, "0");
  const d = c.detail;
  return [c.agent, identityRank(c.identity), kind, d.subject, d.field ?? "", c.before ?? "", c.after ?? "", d.effect ?? "", d.conditions ?? ""].join("\u0000");
}

function sortChanges(changes: Change[]): Change[] {
  return changes
    .map((change) => ({ change, key: sortKey(change) }))
    .sort((a, b) => compareText(a.key, b.key))
    .map(({ change }) => change);
}

/** The resources a permission change applies to, wherever the change keeps them. */
function whereApplies(change: Change): string {
  if (change.detail.field === "action") return change.detail.subject;
  if (change.detail.field === "condition" || change.detail.field === "effect") return change.detail.target ?? "";
  return change.after ?? "";
}

function flaggedOf(changes: readonly Change[]): FlaggedItem[] {
  return changes.flatMap((change) =>
    change.classification !== "widens"
      ? []
      : (change.detail.actions ?? []).flatMap((label) =>
          label.flag === null
            ? []
            : [
                {
                  agent: change.agent,
                  identity: change.identity,
                  action: label.action,
                  accessLevel: label.accessLevel,
                  flag: label.flag,
                  resource: whereApplies(change),
                },
              ],
        ),
  );
}

export interface DiffLabels {
  readonly base: string;
  readonly head: string;
  /** The base side has no stack file: an empty fleet stands in for it. */
  readonly newStack?: boolean;
  /** Pulumi.yaml on each side (stack files only): a change moves where stack files are read. */
  readonly project?: { readonly base: ProjectSide; readonly head: ProjectSide };
  /** `plan` on the head, when the caller ran it. */
  readonly headPlan?: HeadPlanResult;
  /** Each side's stack file as parsed (stack files only; base null when it is new): its other settings are compared. */
  readonly stackSettings?: { readonly base: Readonly<Record<string, unknown>> | null; readonly head: Readonly<Record<string, unknown>> };
}

/** Top-level keys of the project file whose values differ (`main`, `config`, `runtime`, …). */
function changedProjectKeys(base: ProjectSide, head: ProjectSide): string[] {
  const [a, b] = [base.document ?? {}, head.document ?? {}];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareText);
  return keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/**
 * Any change to the project file's text widens: it moves where every stack file is read (a pull
 * request could point `stackConfigDir` at a folder of its own), and `main`, project-level
 * `config` and `runtime.options` decide what program runs with which settings.
 */
function projectChanges(project: DiffLabels["project"]): Change[] {
  if (!project) return [];
  if (project.base.file === project.head.file && project.base.text === project.head.text) return [];
  const text = (p: ProjectSide) => (p.file === null ? "(no project file)" : `${p.file}: name ${p.name}, stackConfigDir ${p.stackConfigDir ?? "(none)"}`);
  const keys = changedProjectKeys(project.base, project.head);
  return [
    {
      agent: PLATFORM_AGENT,
      identity: null,
      kind: "project-changed",
      classification: "widens",
      before: text(project.base),
      after: text(project.head),
      detail: {
        subject: keys.length ? `changed keys ${keys.join(", ")}` : "text changed (comments or layout only)",
        notes: ["the project file decides which program runs, with which settings, and which stack files are read: any change to it is treated as widening"],
      },
    },
  ];
}

export function diffPlans(base: Plan, head: Plan, catalog: ActionCatalog, labels: DiffLabels = { base: "base", head: "head" }): IdentityDiff {
  const baseAgents = new Map(base.agents.map((a) => [a.name, a]));
  const headAgents = new Map(head.agents.map((a) => [a.name, a]));
  const names = [...new Set([...baseAgents.keys(), ...headAgents.keys()])].sort(compareText);
  const removed = base.agents.filter((a) => !headAgents.has(a.name));
  const added = head.agents.filter((a) => !baseAgents.has(a.name));
  const renames = renamePairs(removed, added);

  const changes = sortChanges(
    names.flatMap((name) =>
      agentChanges(baseAgents.get(name), headAgents.get(name), catalog, renames).map(({ identity, change }) => ({ agent: name, identity, ...change })),
    ),
  );
  const platform: Change[] = [
    ...projectChanges(labels.project),
    ...(labels.stackSettings ? stackConfigChanges(labels.stackSettings.base, labels.stackSettings.head) : []),
    ...platformChanges(base.platform, head.platform).map((change) => ({ agent: PLATFORM_AGENT, identity: null, ...change })),
  ];
  const all = [...platform, ...changes];
  const count = (c: Classification) => all.filter((x) => x.classification === c).length;
  const flagged = flaggedOf(changes);
  const side = (plan: Plan, label: string, newStack: boolean): DiffSide => ({ label, stack: plan.stack, newStack });
  return {
    base: side(base, labels.base, labels.newStack === true),
    head: side(head, labels.head, false),
    summary: {
      platformChanges: platform.length,
      agentsChanged: new Set(changes.map((c) => c.agent)).size,
      agentsAdded: added.length,
      agentsRemoved: removed.length,
      agentsRevoked: changes.filter((c) => c.kind === "agent-revoked" && c.before === null).length,
      changes: all.length,
      widening: count("widens"),
      narrowing: count("narrows"),
      neutral: count("neutral"),
      flagged: flagged.length,
    },
    headPlan: labels.headPlan ?? { checked: false, passed: null, findings: [] },
    agents: [...new Set(changes.map((c) => c.agent))].map((name) => {
      const agent = headAgents.get(name) ?? baseAgents.get(name)!;
      const status = !baseAgents.has(name) ? "added" : !headAgents.has(name) ? "removed" : "changed";
      return { agent: name, owner: agent.owner, sponsor: agent.sponsor, status };
    }),
    flagged,
    platform,
    changes,
  };
}
