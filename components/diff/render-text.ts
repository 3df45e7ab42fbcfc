/** Terminal text: a summary, the flagged actions, then every change by agent and identity. */
import { actionLevels, agentsSummary, changeLabel, flagText, pluralise } from "./describe";
import type { Change, IdentityDiff } from "./types";

const MARK = { widens: "+", narrows: "-", neutral: "~" } as const;

function changeLines(change: Change): string[] {
  const effect = change.detail.effect ? `${change.detail.effect} ` : "";
  const target = change.detail.target ? ` on ${change.detail.target}` : "";
  const values = change.before === null && change.after === null ? "" : `: ${change.before ?? "(none)"} -> ${change.after ?? "(none)"}`;
  const lines = [
    `    ${MARK[change.classification]} ${change.classification.padEnd(7)} ${changeLabel(change)}: ${effect}${change.detail.subject}${target}${values}`,
  ];
  const extra = [
    change.detail.conditions ? `if ${change.detail.conditions}` : "",
    change.detail.actions?.length ? `access: ${actionLevels(change)}` : "",
    ...change.detail.notes.map((note) => `note: ${note}`),
    ...(change.detail.commands ?? []).map((command) => `run: ${command}`),
  ];
  return [...lines, ...extra.filter(Boolean).map((line) => `              ${line}`)];
}

/** Control characters from the plan (a newline in a name) would forge lines, bidi controls reorder them: show them escaped. */
export function escapeControl(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cf}/gu, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function renderText(diff: IdentityDiff): string {
  const newStack = diff.base.newStack ? [`New stack ${diff.head.stack}: no stack file at ${diff.base.label}; every agent in it is added.`] : [];
  const header = `Identity changes, stack ${diff.head.stack}: ${diff.base.label} -> ${diff.head.label}`;
  if (diff.changes.length === 0 && diff.platform.length === 0) {
    return `${[...newStack, `No identity changes (stack ${diff.head.stack}: ${diff.base.label} -> ${diff.head.label}).`].map(escapeControl).join("\n")}\n`;
  }
  const { summary } = diff;
  const out = [
    ...newStack,
    header,
    `${agentsSummary(diff)}; ${pluralise(summary.platformChanges, "platform change")}; ${pluralise(summary.changes, "change")}: ${summary.widening} widen, ${summary.narrowing} narrow, ${summary.neutral} neutral; ${summary.flagged} flagged`,
    "",
  ];
  if (diff.platform.length > 0) {
    out.push("PLATFORM");
    for (const change of diff.platform) out.push(...changeLines(change));
    out.push("");
  }
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
  return `${out.map(escapeControl).join("\n")}\n`;
}
