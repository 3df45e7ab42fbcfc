/**
 * `--format markdown`: one pull-request comment. A hidden marker lets CI find and update the same
 * comment; a one-screen summary and the flagged actions come first, then details by agent.
 */
import { actionLevels, agentsSummary, changeLabel, flagText, pluralise } from "./describe";
import { mdCode, mdCodeBlock, mdRow, mdText } from "./markdown";
import type { Change, IdentityDiff } from "./types";

export const DIFF_COMMENT_MARKER = "<!-- agent-identity:identity-diff -->";
/** GitHub rejects comments over 65,536 characters; leave room for the marker and the tail note. */
const COMMENT_BUDGET = 60_000;
const FLAGGED_SHOWN = 20;

const CLASS = { widens: "**widens**", narrows: "narrows", neutral: "neutral" } as const;

function what(change: Change): string {
  const effect = change.detail.effect ? `${change.detail.effect} ` : "";
  const target = change.detail.target ? ` on ${mdCode(change.detail.target)}` : "";
  const parts = [
    `${mdText(changeLabel(change))}: ${mdText(effect)}${mdCode(change.detail.subject)}${target}`,
    change.detail.conditions ? `if ${mdCode(change.detail.conditions)}` : "",
    change.detail.actions?.length ? `access: ${mdText(actionLevels(change))}` : "",
    ...change.detail.notes.map((note) => `_${mdText(note)}_`),
  ];
  return parts.filter(Boolean).join(" · ");
}

const value = (v: string | null) => (v === null ? "—" : mdCode(v));

function agentSection(agent: string, changes: readonly Change[]): string {
  const lines = [
    `##### ${mdText(agent)}`,
    "",
    mdRow(["Privilege", "Identity", "Change", "Before", "After"]),
    mdRow(["---", "---", "---", "---", "---"]),
    ...changes.map((c) => mdRow([CLASS[c.classification], mdText(c.identity ?? "(agent)"), what(c), value(c.before), value(c.after)])),
  ];
  const commands = changes.flatMap((c) => c.detail.commands ?? []);
  if (commands.length > 0) lines.push("", `After \`pulumi up\`, end the leases ${mdText(agent)} already holds:`, "", mdCodeBlock(commands, "sh"));
  return lines.join("\n");
}

export function renderMarkdown(diff: IdentityDiff): string {
  const sides = `${mdCode(diff.base.label)} → ${mdCode(diff.head.label)}`;
  if (diff.changes.length === 0) {
    return `${DIFF_COMMENT_MARKER}\n**No identity changes** for stack ${mdCode(diff.head.stack)} (${sides}).\n`;
  }
  const { summary } = diff;
  const out = [
    DIFF_COMMENT_MARKER,
    `### Agent identity changes: stack ${mdCode(diff.head.stack)}`,
    "",
    sides,
    "",
    mdRow(["Agents changed", "Widening", "Narrowing", "Neutral", "Flagged actions"]),
    mdRow(["---", "---:", "---:", "---:", "---:"]),
    mdRow([mdText(agentsSummary(diff)), String(summary.widening), String(summary.narrowing), String(summary.neutral), String(summary.flagged)]),
    "",
  ];
  if (diff.flagged.length > 0) {
    out.push(
      "#### ⚠️ Flagged: privilege escalation or permissions management",
      "",
      mdRow(["Agent", "Identity", "Action", "Access level", "Why", "On"]),
      mdRow(["---", "---", "---", "---", "---", "---"]),
      ...diff.flagged
        .slice(0, FLAGGED_SHOWN)
        .map((f) => mdRow([mdText(f.agent), mdText(f.identity ?? "(agent)"), mdCode(f.action), mdText(f.accessLevel), mdText(flagText(f)), mdCode(f.resource)])),
    );
    if (diff.flagged.length > FLAGGED_SHOWN) out.push("", `…and ${diff.flagged.length - FLAGGED_SHOWN} more: see the details below.`);
    out.push("");
  }
  out.push(`#### Details: ${pluralise(summary.changes, "change")}`, "");

  const agents = [...new Set(diff.changes.map((c) => c.agent))];
  let used = out.join("\n").length;
  for (const [index, agent] of agents.entries()) {
    const section = agentSection(agent, diff.changes.filter((c) => c.agent === agent));
    if (used + section.length > COMMENT_BUDGET) {
      out.push(`_${agents.length - index} more agent(s) not shown (comment size limit): run \`npm run cli -- diff\` locally or use \`--format json\`._`, "");
      break;
    }
    out.push(section, "");
    used += section.length + 1;
  }
  return `${out.join("\n").trimEnd()}\n`;
}
