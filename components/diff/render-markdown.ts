/**
 * `--format markdown`: one pull-request comment. A hidden marker lets CI find and update the same
 * comment; a one-screen summary and the flagged actions come first, then details by agent.
 */
import { actionLevels, agentsSummary, changeLabel, flagText, pluralise } from "./describe";
import { mdCode, mdCodeBlock, mdRow, mdText } from "./markdown";
import { PLATFORM_AGENT, type Change, type IdentityDiff } from "./types";

export const DIFF_COMMENT_MARKER = "<!-- agent-identity:identity-diff -->";
/** GitHub rejects comments over 65,536 characters; the whole comment stays under this. */
export const COMMENT_BUDGET = 60_000;
/** Room kept for the closing "not shown" line. */
const TAIL_RESERVE = 600;
/** The flagged table may take at most this share of the budget: details must still show. */
const FLAGGED_SHARE = 0.4;

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
const scope = (c: Change) => (c.agent === PLATFORM_AGENT ? "(platform)" : (c.identity ?? "(agent)"));
const changeRow = (c: Change) => mdRow([CLASS[c.classification], mdText(scope(c)), what(c), value(c.before), value(c.after)]);
const DETAIL_HEADER = [mdRow(["Privilege", "Identity", "Change", "Before", "After"]), mdRow(["---", "---", "---", "---", "---"])];

/** Lines under a character budget: everything added counts, nothing is added past the limit. */
class Budget {
  readonly lines: string[] = [];
  private used = 0;
  constructor(private readonly limit: number) {}
  fits(lines: readonly string[]): boolean {
    return this.used + lines.reduce((n, line) => n + line.length + 1, 0) <= this.limit;
  }
  add(...lines: string[]): boolean {
    if (!this.fits(lines)) return false;
    this.lines.push(...lines);
    this.used += lines.reduce((n, line) => n + line.length + 1, 0);
    return true;
  }
  get size(): number {
    return this.used;
  }
}

export interface MarkdownOptions {
  /** The command that prints every change, named when the comment is cut. */
  readonly rerun?: string;
}

export function renderMarkdown(diff: IdentityDiff, options: MarkdownOptions = {}): string {
  const sides = `${mdCode(diff.base.label)} → ${mdCode(diff.head.label)}`;
  const newStack = diff.base.newStack
    ? `**New stack**: ${mdCode(diff.head.stack)} has no stack file at ${mdCode(diff.base.label)}; every agent in it is added.`
    : "";
  const all = [...diff.platform, ...diff.changes];
  if (all.length === 0) {
    return `${DIFF_COMMENT_MARKER}\n${newStack ? `${newStack}\n\n` : ""}**No identity changes** for stack ${mdCode(diff.head.stack)} (${sides}).\n`;
  }
  const { summary } = diff;
  const budget = new Budget(COMMENT_BUDGET - TAIL_RESERVE);
  budget.add(DIFF_COMMENT_MARKER);
  if (newStack) budget.add(newStack, "");
  budget.add(
    `### Agent identity changes: stack ${mdCode(diff.head.stack)}`,
    "",
    sides,
    "",
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
  let changesShown = 0;
  let flaggedShown = 0;
  if (diff.platform.length > 0) {
    budget.add("#### Platform", "", ...DETAIL_HEADER);
    for (const change of diff.platform) if (budget.add(changeRow(change))) changesShown++;
    budget.add("");
  }
  if (diff.flagged.length > 0) {
    const flaggedLimit = budget.size + (COMMENT_BUDGET - TAIL_RESERVE) * FLAGGED_SHARE;
    budget.add(
      "#### ⚠️ Flagged: privilege escalation or permissions management",
      "",
      mdRow(["Agent", "Identity", "Action", "Access level", "Why", "On"]),
      mdRow(["---", "---", "---", "---", "---", "---"]),
    );
    for (const f of diff.flagged) {
      const row = mdRow([mdText(f.agent), mdText(f.identity ?? "(agent)"), mdCode(f.action), mdText(f.accessLevel), mdText(flagText(f)), mdCode(f.resource)]);
      if (budget.size + row.length > flaggedLimit || !budget.add(row)) break;
      flaggedShown++;
    }
    if (flaggedShown < diff.flagged.length) budget.add("", `_${diff.flagged.length - flaggedShown} more flagged actions not shown here._`);
    budget.add("");
  }
  budget.add(`#### Details: ${pluralise(diff.changes.length, "change")} to agents`, "");
  let index = 0;
  while (index < diff.changes.length) {
    const agent = diff.changes[index].agent;
    let end = index;
    while (end < diff.changes.length && diff.changes[end].agent === agent) end++;
    if (!budget.add(`##### ${mdText(agent)}`, "", ...DETAIL_HEADER)) break;
    const shown: Change[] = [];
    for (let i = index; i < end && budget.add(changeRow(diff.changes[i])); i++) shown.push(diff.changes[i]);
    changesShown += shown.length;
    const commands = shown.flatMap((c) => c.detail.commands ?? []);
    if (commands.length > 0) budget.add("", `After \`pulumi up\`, end the leases ${mdText(agent)} already holds:`, "", mdCodeBlock(commands, "sh"));
    budget.add("");
    if (shown.length < end - index) break;
    index = end;
  }
  const out = budget.lines;
  const hidden = all.length - changesShown;
  if (hidden > 0 || flaggedShown < diff.flagged.length) {
    const rerun = options.rerun ?? "agent-identity diff … --format text";
    out.push(
      `_${pluralise(hidden, "more change")} not shown (comment size limit); run ${mdCode(rerun.length > 300 ? "agent-identity diff … --format text" : rerun)} to see every change._`,
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}
