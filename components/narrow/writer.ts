/**
 * Writes the narrowed stack file. The original text is parsed with the `yaml` package's Document
 * API, which finds each node to remove and its exact source range; the removals are then cut out
 * of the original text, so every comment, alignment, quoting and flow layout elsewhere stays byte
 * for byte. It only deletes sequence items (actions, resources, statements, tools), never adds or
 * rewrites a value, and the result is parsed again to prove it is still one valid document.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import { readAgentIdentityKeys } from "../core/stack-config";
import type { Proposal } from "./proposal";

export class NarrowWriteError extends Error {}

/** Text to cut, and what to put in its place (only ever `: []` for a tool list emptied whole). */
type Span = readonly [number, number, string?];

function seqAt(node: unknown, key: string): YAMLSeq | null {
  if (!isMap(node)) return null;
  const value = (node as YAMLMap).get(key, true);
  return isSeq(value) ? value : null;
}

const nameOf = (node: unknown): unknown => (isMap(node) ? (node as YAMLMap).get("name") : undefined);

/** The lines to cut to remove item `at` of a block sequence. */
function itemSpan(text: string, seq: YAMLSeq, at: number): Span {
  const item = seq.items[at] as Node;
  const range = item.range!;
  // A block item: its whole lines, from the line holding its `- ` to the end of its last line.
  const start = text.lastIndexOf("\n", range[0] - 1) + 1;
  let end = range[2];
  if (end > 0 && text[end - 1] !== "\n") {
    const newline = text.indexOf("\n", end);
    end = newline < 0 ? text.length : newline + 1;
  }
  return [start, end];
}

/** The narrowed text of `original`, or the same text when there is nothing to remove. */
export function writeNarrowed(original: string, proposal: Proposal): { readonly text: string; readonly removed: number } {
  const document = parseDocument(original);
  if (document.errors.length) throw new NarrowWriteError(`the stack file does not parse: ${document.errors[0].message}`);
  const config = document.get("config", true);
  if (!isMap(config)) throw new NarrowWriteError("the stack file has no `config:` map");
  const written = (config as YAMLMap).items.flatMap((pair) => (isScalar(pair.key) && typeof pair.key.value === "string" ? [pair.key.value] : []));
  const { keys } = readAgentIdentityKeys(written, (key) => (config as YAMLMap).get(key));
  const agentsKey = keys.get("agents");
  const agents = agentsKey ? seqAt(config, agentsKey) : null;
  if (!agents) return { text: original, removed: 0 };
  const spans: Span[] = [];
  const cut = (seq: YAMLSeq, wanted: readonly number[]) => {
    // Never the last item (a statement's last action or resource goes with the statement).
    const indexes = [...new Set(wanted)].sort((a, b) => a - b);
    if (indexes.length >= seq.items.length) throw new NarrowWriteError("refusing to empty a sequence");
    if (!seq.flow) {
      for (const at of indexes) spans.push(itemSpan(original, seq, at));
      return;
    }
    // Flow items: each run of adjacent items is one cut, against its kept neighbours.
    for (let i = 0; i < indexes.length;) {
      let j = i;
      while (j + 1 < indexes.length && indexes[j + 1] === indexes[j] + 1) j++;
      const first = seq.items[indexes[i]] as Node;
      const last = seq.items[indexes[j]] as Node;
      const next = seq.items[indexes[j] + 1] as Node | undefined;
      const previous = seq.items[indexes[i] - 1] as Node | undefined;
      spans.push(next ? [first.range![0], next.range![0]] : [previous!.range![1], last.range![1]]);
      i = j + 1;
    }
  };
  for (const finding of proposal.agents) {
    const agentNode = agents.items.find((item) => nameOf(item) === finding.agent);
    const tools = agentNode ? seqAt(agentNode, "tools") : null;
    if (!tools) continue;
    const toolCuts: number[] = [];
    for (const tool of finding.tools) {
      const at = tools.items.findIndex((item) => nameOf(item) === tool.name);
      if (at < 0) continue;
      if (tool.remove) {
        toolCuts.push(at);
        continue;
      }
      const statements = seqAt(tools.items[at], "aws");
      if (!statements) continue;
      const statementCuts: number[] = [];
      for (const statement of tool.statements) {
        const node = statements.items[statement.index];
        if (!node) continue;
        if (statement.removeStatement) {
          statementCuts.push(statement.index);
          continue;
        }
        for (const [key, values] of [
          ["actions", statement.removeActions],
          ["resources", statement.removeResources],
        ] as const) {
          const seq = seqAt(node, key);
          if (!seq || !values.length) continue;
          const indexes = seq.items.flatMap((item, i) => (isScalar(item) && typeof item.value === "string" && values.includes(item.value) ? [i] : []));
          if (indexes.length) cut(seq, indexes);
        }
      }
      if (statementCuts.length) cut(statements, statementCuts);
    }
    if (toolCuts.length && toolCuts.length === tools.items.length) {
      // Every tool unused: `tools: []`, when nothing but the colon and blanks sits between the key and its list.
      const pair = (agentNode as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === "tools");
      const keyEnd = (pair?.key as Node | undefined)?.range?.[1];
      const between = keyEnd === undefined ? "" : original.slice(keyEnd, tools.range![0]);
      if (keyEnd === undefined || !/^[ \t]*:[ \t]*(\r?\n[ \t]*)*$/.test(between) || tools.flow) {
        cut(tools, toolCuts.slice(1));
        continue;
      }
      const end = itemSpan(original, tools, tools.items.length - 1)[1];
      spans.push([keyEnd, end, ": []\n"]);
    } else if (toolCuts.length) cut(tools, toolCuts);
  }
  if (!spans.length) return { text: original, removed: 0 };
  spans.sort((a, b) => b[0] - a[0]);
  let text = original;
  let floor = Number.POSITIVE_INFINITY;
  for (const [start, end, insert = ""] of spans) {
    // Spans come from distinct nodes; an overlap would mean a bug here, never a silent rewrite.
    if (end > floor) throw new NarrowWriteError("overlapping removals");
    text = text.slice(0, start) + insert + text.slice(end);
    floor = start;
  }
  const check = parseDocument(text);
  if (check.errors.length) throw new NarrowWriteError(`the narrowed text does not parse (${check.errors[0].message}); nothing written`);
  return { text, removed: spans.length };
}
