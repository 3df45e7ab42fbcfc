/**
 * Writes the narrowed stack file: the original text parsed with the `yaml` package's Document
 * API, the proposal's removals applied node by node, and the document printed back, so comments,
 * key order, flow sequences and quoting of everything else survive. It only deletes sequence items
 * (actions, resources, statements, tools); it never adds or rewrites a value.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from "yaml";
import { readAgentIdentityKeys } from "../core/stack-config";
import type { Proposal } from "./proposal";

export class NarrowWriteError extends Error {}

function seqAt(node: unknown, key: string): YAMLSeq | null {
  if (!isMap(node)) return null;
  const value = (node as YAMLMap).get(key, true);
  return isSeq(value) ? value : null;
}

function nameOf(node: unknown): unknown {
  return isMap(node) ? (node as YAMLMap).get("name") : undefined;
}

/** Remove the items of `seq` whose scalar value is one of `values` (exact strings). */
function removeScalars(seq: YAMLSeq, values: readonly string[]): number {
  let removed = 0;
  for (let i = seq.items.length - 1; i >= 0; i--) {
    const item = seq.items[i];
    if (isScalar(item) && typeof item.value === "string" && values.includes(item.value)) {
      seq.items.splice(i, 1);
      removed++;
    }
  }
  return removed;
}

/** The narrowed text of `original`, or the same text when there is nothing to remove. */
export function writeNarrowed(original: string, proposal: Proposal): { readonly text: string; readonly removed: number } {
  const document: Document.Parsed = parseDocument(original, { keepSourceTokens: false });
  if (document.errors.length) throw new NarrowWriteError(`the stack file does not parse: ${document.errors[0].message}`);
  const config = document.get("config", true);
  if (!isMap(config)) throw new NarrowWriteError("the stack file has no `config:` map");
  const written = (config as YAMLMap).items.flatMap((pair) => (isScalar(pair.key) && typeof pair.key.value === "string" ? [pair.key.value] : []));
  const { keys } = readAgentIdentityKeys(written, (key) => (config as YAMLMap).get(key));
  const agentsKey = keys.get("agents");
  const agents = agentsKey ? seqAt(config, agentsKey) : null;
  if (!agents) return { text: original, removed: 0 };
  let removed = 0;
  for (const finding of proposal.agents) {
    const agentNode = agents.items.find((item) => nameOf(item) === finding.agent);
    const tools = agentNode ? seqAt(agentNode, "tools") : null;
    if (!tools) continue;
    for (const tool of finding.tools) {
      const at = tools.items.findIndex((item) => nameOf(item) === tool.name);
      if (at < 0) continue;
      if (tool.remove) {
        tools.items.splice(at, 1);
        removed++;
        continue;
      }
      const statements = seqAt(tools.items[at], "aws");
      if (!statements) continue;
      // Highest index first, so earlier indexes stay valid.
      for (const statement of [...tool.statements].sort((a, b) => b.index - a.index)) {
        const node = statements.items[statement.index];
        if (!node) continue;
        if (statement.removeStatement) {
          statements.items.splice(statement.index, 1);
          removed++;
          continue;
        }
        const actions = seqAt(node, "actions");
        const resources = seqAt(node, "resources");
        if (actions && statement.removeActions.length) removed += removeScalars(actions, statement.removeActions);
        if (resources && statement.removeResources.length) removed += removeScalars(resources, statement.removeResources);
      }
    }
  }
  if (!removed) return { text: original, removed };
  return { text: document.toString({ lineWidth: 0 }), removed };
}
