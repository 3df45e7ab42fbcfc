/** Terminal text: a summary, the flagged actions, then every change by agent and identity. */
import { actionLevels, agentsSummary, changeLabel, flagText, pluralise } from "./describe";
import type { Change, IdentityDiff } from "./types";

const MARK = { widens: "+", narrows: "-", neutral: "~" } as const;

function changeLines(change: Change): string[] {
  const effect = change.detail.effect ? `${change.detail.effect} ` : "";
  const target = change.detail.target ? ` on ${change.detail.target}` : "";
  const values = `${change.before ?? "(none)"} -> ${change.after ?? "(none)"}`;
  const lines = [`    ${MARK[change.classification]} ${change.classification.padEnd(7)} ${changeLabel(change)}: ${effect}${change.detail.subject}${target}: ${values}`];
  const extra = [
    change.detail.conditions ? `if ${change.detail.conditions}` : "",
    change.detail.actions?.length ? `access: ${actionLevels(change)}` : "",
    ...change.detail.notes.map((note) => `note: ${note}`),
    ...(change.detail.commands ?? []).map((command) => `run: ${command}`),
  ];
  return [...lines, ...extra.filter(Boolean).map((line) => `              ${line}`)];
}

export function renderText(diff: IdentityDiff): string {
  const header = `Identity changes, stack ${diff.head.stack}: ${diff.base.label} -> ${diff.head.label}`;
  if (diff.changes.length === 0) return `No identity changes (stack ${diff.head.stack}: ${diff.base.label} -> ${diff.head.label}).\n`;
  const { summary } = diff;
  const out = [
    header,
    `${agentsSummary(diff)}; ${pluralise(summary.changes, "change")}: ${summary.widening} widen, ${summary.narrowing} narrow, ${summary.neutral} neutral; ${summary.flagged} flagged`,
    "",
  ];
  if (diff.flagged.length > 0) {
    out.push("FLAGGED: widening access to privilege-escalation or permissions-management actions");
    for (const item of diff.flagged) {
      out.push(`  ! ${item.agent}/${item.identity ?? "*"}  ${item.action} (${item.accessLevel}, ${flagText(item)}) on ${item.resource}`);
    }
    out.push("");
  }
  let agent = "";
  let identity: string | null | undefined;
  for (const change of diff.changes) {
    if (change.agent !== agent) {
      if (agent) out.push("");
      out.push(change.agent);
      agent = change.agent;
      identity = undefined;
    }
    if (change.identity !== identity) {
      out.push(`  ${change.identity ?? "(agent)"}`);
      identity = change.identity;
    }
    out.push(...changeLines(change));
  }
  return `${out.join("\n")}\n`;
}
