/**
 * The narrowing report as text, markdown (values escaped by the diff's markdown rules:
 * components/diff/markdown.ts) or JSON. Per agent and tool: granted vs used actions and resources,
 * unused tools, Vault paths, denied calls (needs), and the time window the evidence covers.
 */
import { mdCode, mdRow, mdText, oneLine } from "../diff/markdown";
import type { NarrowResult } from "./narrow";
import type { AgentFinding } from "./proposal";

const window = (w: { first: string | null; last: string | null }) => (w.first ? `${w.first} .. ${w.last}` : "no events");

function coverageLines(result: NarrowResult): string[] {
  const { evidence } = result;
  const data = [...evidence.options.dataEvents].sort();
  return [
    `Evidence: ${evidence.trailEvents} CloudTrail event(s) in ${result.stats.files} file(s)${evidence.options.vaultAudit ? `, ${evidence.vaultRequests} Vault audit entr(ies)` : ", no Vault audit log"}; window ${window(evidence)}${evidence.outsideWindow ? ` (${evidence.outsideWindow} outside --since/--until)` : ""}.`,
    `Data events covered: ${data.length ? data.join(", ") : "none"} (management events are always taken as recorded; a data action of another service has no evidence, never "unused").`,
    ...(evidence.accountEvents === 0
      ? [`No event of account ${evidence.account} in the window: such a trail proves nothing about this stack, so nothing is removed.`]
      : []),
  ];
}

function actionMark(status: string): string {
  return status === "used" ? "used" : status === "unused" ? "UNUSED" : status;
}

export function renderText(result: NarrowResult): string {
  const lines: string[] = [`narrow: ${oneLine(result.stack)}`, ...coverageLines(result), ""];
  for (const agent of result.proposal.agents) {
    lines.push(`${oneLine(agent.agent)}${agent.revoked ? " (revoked: nothing proposed)" : ""}: ${window(agent.window)}; calls ${identityText(agent)}`);
    for (const tool of agent.tools) {
      lines.push(
        `  tool ${oneLine(tool.name)} (${tool.kind}): ${tool.status}${tool.remove ? " -> remove tool" : ""}${tool.vaultRequests !== null ? `; Vault requests ${tool.vaultRequests}` : ""}`,
      );
      for (const s of tool.statements) {
        lines.push(`    statement ${s.index}${s.removeStatement ? " -> remove statement" : ""}`);
        for (const a of s.actions)
          lines.push(
            `      ${oneLine(a.action)}: ${actionMark(a.status)}${a.calls ? ` (${a.calls} calls)` : ""}${a.reason ? ` - ${a.reason}` : ""}${s.removeActions.includes(a.action) ? " -> remove" : ""}`,
          );
        for (const r of s.resources)
          lines.push(
            `      resource ${oneLine(r.resource)}: ${r.used === null ? "not judged" : r.used ? "used" : "UNUSED"}${s.removeResources.includes(r.resource) ? " -> remove" : ""}`,
          );
      }
    }
    if (agent.untaggedToolCalls)
      lines.push(`  ${agent.untaggedToolCalls} tool-role call(s) without their AssumeRole in the trail: counted for every tool that grants them`);
    for (const o of agent.otherCalls) lines.push(`  ${o.identity} called ${oneLine(o.action)} ${o.calls}x (not a tool grant)`);
    for (const n of agent.needs)
      lines.push(
        `  NEED (denied ${n.count}x, ${oneLine(n.errorCode)}): ${n.identity}${n.tool ? `/${oneLine(n.tool)}` : ""} ${oneLine(n.action)}${n.resource ? ` on ${oneLine(n.resource)}` : ""} - not added; a person decides`,
      );
    for (const p of agent.vaultPaths) lines.push(`  Vault ${oneLine(p.path)}: ${p.requests} request(s)`);
  }
  lines.push("", ...footer(result));
  return `${lines.join("\n")}\n`;
}

function identityText(agent: AgentFinding): string {
  const parts = Object.entries(agent.identityCalls).map(([identity, n]) => `${identity} ${n}`);
  return parts.length ? parts.join(", ") : "none";
}

function footer(result: NarrowResult): string[] {
  const lines = [`Proposed removals: ${result.proposal.removals}.`];
  if (result.evidence.unmapped.size)
    lines.push(`No mapping to IAM actions (no evidence either way): ${[...result.evidence.unmapped].map(([k, n]) => `${oneLine(k)} ${n}x`).join(", ")}`);
  if (result.evidence.unattributed.size)
    lines.push(`Events of principals no agent owns: ${[...result.evidence.unattributed.values()].reduce((a, b) => a + b, 0)}`);
  for (const p of result.problems.slice(0, 50)) lines.push(`warning: ${oneLine(p.file)}: ${oneLine(p.message)}`);
  if (result.problems.length > 50) lines.push(`warning: ${result.problems.length - 50} more`);
  return lines;
}

export function renderMarkdown(result: NarrowResult): string {
  const out: string[] = [`## agent-identity narrow: ${mdCode(result.stack, false)}`, "", ...coverageLines(result).map(mdText), ""];
  for (const agent of result.proposal.agents) {
    out.push(
      `### ${mdCode(agent.agent, false)}${agent.revoked ? " (revoked)" : ""}`,
      "",
      mdText(`Window ${window(agent.window)}; calls ${identityText(agent)}`),
      "",
    );
    out.push(mdRow(["Tool", "Statement", "Granted", "Evidence", "Proposal"]), mdRow(["---", "---", "---", "---", "---"]));
    for (const tool of agent.tools) {
      if (!tool.statements.length || tool.remove)
        out.push(
          mdRow([
            mdCode(tool.name),
            "",
            mdText(tool.kind),
            mdText(`${tool.status}${tool.vaultRequests !== null ? `, ${tool.vaultRequests} Vault requests` : ""}`),
            tool.remove ? "remove tool" : "",
          ]),
        );
      if (tool.remove) continue;
      for (const s of tool.statements) {
        for (const a of s.actions)
          out.push(
            mdRow([
              mdCode(tool.name),
              String(s.index),
              mdCode(a.action),
              mdText(`${a.status}${a.calls ? ` (${a.calls})` : ""}${a.reason ? `: ${a.reason}` : ""}`),
              s.removeActions.includes(a.action) ? "remove" : "",
            ]),
          );
        for (const r of s.resources)
          out.push(
            mdRow([
              mdCode(tool.name),
              String(s.index),
              mdCode(r.resource),
              mdText(r.used === null ? "not judged" : r.used ? "used" : "unused"),
              s.removeResources.includes(r.resource) ? "remove" : "",
            ]),
          );
      }
    }
    if (agent.needs.length) {
      out.push("", "Denied calls (evidence of need, never added):", "");
      for (const n of agent.needs)
        out.push(
          `- ${mdCode(n.action, false)}${n.resource ? ` on ${mdCode(n.resource, false)}` : ""} ${mdText(`${n.identity}${n.tool ? `/${n.tool}` : ""}, ${n.errorCode}, ${n.count}x`)}`,
        );
    }
    if (agent.vaultPaths.length) {
      out.push("", "Vault paths requested:", "");
      for (const p of agent.vaultPaths) out.push(`- ${mdCode(p.path, false)} ${p.requests}x`);
    }
    out.push("");
  }
  out.push(...footer(result).map(mdText));
  return `${out.join("\n")}\n`;
}

export function renderJson(result: NarrowResult): string {
  const { evidence } = result;
  return `${JSON.stringify(
    {
      stack: result.stack,
      window: { first: evidence.first, last: evidence.last },
      dataEvents: [...evidence.options.dataEvents].sort(),
      trailEvents: evidence.trailEvents,
      vaultRequests: evidence.options.vaultAudit ? evidence.vaultRequests : null,
      agents: result.proposal.agents,
      removals: result.proposal.removals,
      unmapped: Object.fromEntries(evidence.unmapped),
      unattributed: [...evidence.unattributed.values()].reduce((a, b) => a + b, 0),
      problems: result.problems,
      out: result.out,
    },
    null,
    2,
  )}\n`;
}
