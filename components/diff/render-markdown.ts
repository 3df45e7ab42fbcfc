/**
 * `--format markdown`: one pull-request comment per stack. A hidden marker naming the stack lets CI
 * find and update that stack's comment; a one-screen summary (with the head's `plan` result) and
 * the flagged actions come first, then details by agent, each with its owner and sponsor. A new
 * agent is one summary row with its grants folded away.
 *
 * Size: GitHub refuses comments over 65,536 characters; each comment stays under COMMENT_BUDGET.
 * A widening row is never dropped: neutral rows go first, then narrowing ones, then the folded
 * grants of new agents, then widening rows are shortened; what was left out is counted and the
 * full report named.
 */
import { actionLevels, agentsSummary, changeLabel, flagText, pluralise } from "./describe";
import { mdCode, mdCodeBlock, mdRow, mdText } from "./markdown";
import { PLATFORM_AGENT, type AgentOwner, type Change, type IdentityDiff } from "./types";

/** Start of every comment's hidden marker; the full marker names the stack (`commentMarker`). */
export const DIFF_COMMENT_MARKER = "<!-- agent-identity:identity-diff";
/** GitHub rejects comments over 65,536 characters; every comment stays under this. */
export const COMMENT_BUDGET = 60_000;
/** The flagged table may take at most this share of the budget: it repeats rows shown below. */
const FLAGGED_SHARE = 0.25;
/** Length of a value in a shortened (1) or minimal (2) widening row. */
const SHORT_VALUE = [Infinity, 160, 60];

/** `<!-- agent-identity:identity-diff stack=dev -->`: one comment per stack. */
export function commentMarker(stack: string): string {
  return `${DIFF_COMMENT_MARKER} stack=${stack.replace(/[^A-Za-z0-9_.-]/g, "_")} -->`;
}

const CLASS = { widens: "**widens**", narrows: "narrows", neutral: "neutral" } as const;
type Short = 0 | 1 | 2;
const cut = (value: string, short: Short) => (value.length > SHORT_VALUE[short] ? `${value.slice(0, SHORT_VALUE[short])}… (shortened)` : value);

function what(change: Change, short: Short): string {
  const effect = change.detail.effect ? `${change.detail.effect} ` : "";
  const target = change.detail.target ? ` on ${mdCode(cut(change.detail.target, short))}` : "";
  const parts = [
    `${mdText(changeLabel(change))}: ${mdText(effect)}${mdCode(cut(change.detail.subject, short))}${target}`,
    change.detail.conditions ? `if ${mdCode(cut(change.detail.conditions, short))}` : "",
    change.detail.actions?.length && short < 2 ? `access: ${mdText(actionLevels(change))}` : "",
    ...(short === 2 ? [] : change.detail.notes.map((note) => `_${mdText(cut(note, short))}_`)),
  ];
  return parts.filter(Boolean).join(" · ");
}

const value = (v: string | null, short: Short) => (v === null ? "—" : mdCode(cut(v, short)));
const scope = (c: Change) => (c.agent === PLATFORM_AGENT ? "(platform)" : (c.identity ?? "(agent)"));
const changeRow = (c: Change, short: Short) =>
  mdRow([CLASS[c.classification], mdText(scope(c)), what(c, short), value(c.before, short), value(c.after, short)]);
const DETAIL_HEADER = [mdRow(["Privilege", "Identity", "Change", "Before", "After"]), mdRow(["---", "---", "---", "---", "---"])];

export interface MarkdownOptions {
  /** The command that prints every change, named when the comment is cut. */
  readonly rerun?: string;
  /** @default COMMENT_BUDGET */
  readonly budget?: number;
}

/** What one rendering includes; tried from the fullest to the most compact until it fits. */
interface Level {
  readonly neutral: boolean;
  readonly narrowing: boolean;
  readonly folds: boolean;
  readonly short: Short;
}
const LEVELS: readonly Level[] = [
  { neutral: true, narrowing: true, folds: true, short: 0 },
  { neutral: false, narrowing: true, folds: true, short: 0 },
  { neutral: false, narrowing: false, folds: true, short: 0 },
  { neutral: false, narrowing: false, folds: false, short: 0 },
  { neutral: false, narrowing: false, folds: false, short: 1 },
  { neutral: false, narrowing: false, folds: false, short: 2 },
];

const shown = (c: Change, level: Level) => c.classification === "widens" || (c.classification === "narrows" ? level.narrowing : level.neutral);

function planLine(diff: IdentityDiff): string[] {
  const result = diff.headPlan;
  if (!result.checked) return ["`plan` on the head: not run (the head is a plan file; run `agent-identity plan` on its stack file)", ""];
  if (result.passed) return ["`plan` on the head: ✅ passes (least-privilege rules)", ""];
  return [
    `\`plan\` on the head: ❌ fails: ${pluralise(result.findings.length, "error")} shown below; the deployment would be refused`,
    "",
    "<details><summary>plan errors</summary>",
    "",
    mdCodeBlock(result.findings),
    "",
    "</details>",
    "",
  ];
}

function agentHeading(agent: string, owner: AgentOwner | undefined): string {
  if (!owner) return `##### ${mdCode(agent, false)}`;
  const sponsor = owner.sponsor ? `, sponsor ${mdCode(owner.sponsor, false)}` : ", no sponsor";
  return `##### ${mdCode(agent, false)} (${owner.status}) · owner ${mdCode(owner.owner, false)}${sponsor}`;
}

function newAgentRow(agent: string, changes: readonly Change[]): string {
  const added = changes.find((c) => c.kind === "agent-added");
  const grants = changes.filter((c) => c.kind !== "agent-added");
  const flagged = grants.filter((c) => c.detail.actions?.some((a) => a.flag !== null)).length;
  const summary = `${mdText(`new agent: ${pluralise(grants.length, "grant")}`)}${flagged ? ` · **${flagged} flagged**` : ""}${added?.detail.notes.length ? ` · ${added.detail.notes.map((n) => `_${mdText(n)}_`).join(" · ")}` : ""}`;
  return mdRow([CLASS.widens, "(agent)", summary, "—", added?.after ? mdCode(added.after) : mdCode(agent)]);
}

function renderAt(diff: IdentityDiff, level: Level, options: MarkdownOptions, budget: number): { text: string; hidden: number; folded: number } {
  const out: string[] = [commentMarker(diff.head.stack)];
  const sides = `${mdCode(diff.base.label)} → ${mdCode(diff.head.label)}`;
  if (diff.base.newStack)
    out.push(`**New stack**: ${mdCode(diff.head.stack)} has no stack file at ${mdCode(diff.base.label)}; every agent in it is added.`, "");
  const { summary } = diff;
  out.push(
    `### Agent identity changes: stack ${mdCode(diff.head.stack)}`,
    "",
    sides,
    "",
    ...planLine(diff),
    mdRow(["Agents changed", "Platform changes", "Widening", "Narrowing", "Neutral", "Flagged actions"]),
    mdRow(["---", "---:", "---:", "---:", "---:", "---:"]),
    mdRow([
      mdText(agentsSummary(diff)),
      String(summary.platformChanges),
      String(summary.widening),
      String(summary.narrowing),
      String(summary.neutral),
      String(summary.flagged),
    ]),
    "",
  );
  let hidden = 0;
  let folded = 0;
  const platform = diff.platform.filter((c) => shown(c, level));
  hidden += diff.platform.length - platform.length;
  if (platform.length > 0) out.push("#### Platform", "", ...DETAIL_HEADER, ...platform.map((c) => changeRow(c, level.short)), "");
  if (diff.flagged.length > 0) {
    const limit = budget * FLAGGED_SHARE;
    const rows: string[] = [];
    let size = 0;
    for (const f of diff.flagged) {
      const row = mdRow([
        mdCode(f.agent),
        mdText(f.identity ?? "(agent)"),
        mdCode(f.action),
        mdText(f.accessLevel),
        mdText(flagText(f)),
        mdCode(cut(f.resource, 1)),
      ]);
      if (size + row.length > limit) break;
      rows.push(row);
      size += row.length + 1;
    }
    out.push(
      "#### ⚠️ Flagged: privilege escalation or permissions management",
      "",
      mdRow(["Agent", "Identity", "Action", "Access level", "Why", "On"]),
      mdRow(["---", "---", "---", "---", "---", "---"]),
      ...rows,
      "",
    );
    if (rows.length < diff.flagged.length) out.push(`_${diff.flagged.length - rows.length} more flagged actions: each is a widening row below._`, "");
  }
  const owners = new Map(diff.agents.map((a) => [a.agent, a]));
  out.push(`#### Details: ${pluralise(diff.changes.length, "change")} to agents`, "");
  for (let index = 0; index < diff.changes.length;) {
    const agent = diff.changes[index].agent;
    let end = index;
    while (end < diff.changes.length && diff.changes[end].agent === agent) end++;
    const changes = diff.changes.slice(index, end);
    index = end;
    const owner = owners.get(agent);
    if (owner?.status === "added") {
      // A likely rename: what the new agent holds beyond the removed one's stays outside the fold.
      const beyond = changes.filter((c) => c.detail.beyondRenameOf !== undefined);
      const grants = changes.filter((c) => c.detail.beyondRenameOf === undefined);
      out.push(agentHeading(agent, owner), "", ...DETAIL_HEADER, newAgentRow(agent, grants), ...beyond.map((c) => changeRow(c, level.short)), "");
      if (level.folds)
        out.push(
          "<details><summary>grants of the new agent</summary>",
          "",
          ...DETAIL_HEADER,
          ...grants.map((c) => changeRow(c, level.short)),
          "",
          "</details>",
          "",
        );
      else folded += grants.length;
      continue;
    }
    const rows = changes.filter((c) => shown(c, level));
    hidden += changes.length - rows.length;
    if (rows.length === 0) continue;
    out.push(agentHeading(agent, owner), "", ...DETAIL_HEADER, ...rows.map((c) => changeRow(c, level.short)), "");
    const commands = rows.flatMap((c) => c.detail.commands ?? []);
    if (commands.length > 0) out.push(`After \`pulumi up\`, end the leases ${mdCode(agent)} already holds:`, "", mdCodeBlock(commands, "sh"), "");
  }
  if (hidden > 0 || folded > 0 || level.short > 0) {
    const rerun = options.rerun && options.rerun.length <= 300 ? options.rerun : "agent-identity diff … --format text";
    const parts = [
      hidden > 0 ? `${pluralise(hidden, "neutral or narrowing change")} not shown` : "",
      folded > 0 ? `the grants of new agents (${folded} rows) not unfolded` : "",
      level.short ? `long values shortened${level.short === 2 ? " and notes left out" : ""}` : "",
    ].filter(Boolean);
    out.push(
      `_Comment size limit: ${parts.join("; ")}. Every widening change is listed above. The full report is the \`identity-diff\` artifact of this workflow run, or run ${mdCode(rerun)}._`,
      "",
    );
  }
  return { text: `${out.join("\n").trimEnd()}\n`, hidden, folded };
}

/** A cut comment must not end on a heading or a table header with no rows under it. */
function withoutDanglingTail(text: string): string {
  const lines = text.split("\n");
  const separator = /^\|(\s*:?-+:?\s*\|)+$/;
  for (;;) {
    const last = lines[lines.length - 1];
    if (last === undefined) break;
    if (last.trim() === "" || /^#{1,6} /.test(last)) lines.pop();
    else if (separator.test(last)) lines.splice(-2, 2);
    else break;
  }
  return lines.join("\n");
}

export function renderMarkdown(diff: IdentityDiff, options: MarkdownOptions = {}): string {
  const budget = options.budget ?? COMMENT_BUDGET;
  if (diff.platform.length === 0 && diff.changes.length === 0) {
    const newStack = diff.base.newStack
      ? `**New stack**: ${mdCode(diff.head.stack)} has no stack file at ${mdCode(diff.base.label)}; every agent in it is added.\n\n`
      : "";
    return `${commentMarker(diff.head.stack)}\n${newStack}**No identity changes** for stack ${mdCode(diff.head.stack)} (${mdCode(diff.base.label)} → ${mdCode(diff.head.label)}).\n`;
  }
  let last = "";
  for (const level of LEVELS) {
    last = renderAt(diff, level, options, budget).text;
    if (last.length <= budget) return last;
  }
  // Even at their shortest the widening rows do not fit (hundreds of them): say so plainly, with the
  // count, rather than drop one silently; `--fail-on widen` fails the gate whatever the comment shows.
  const head = last.slice(0, budget - 400);
  return `${withoutDanglingTail(head.slice(0, head.lastIndexOf("\n")))}\n\n_**Not every widening change fits in one comment** (${diff.summary.widening} widen). Read the full report: the \`identity-diff\` artifact of this workflow run._\n`;
}
