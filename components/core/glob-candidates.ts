/**
 * The glob entries of one ResourceIndex node, with a filter that skips only entries that cannot
 * intersect a query (issue #11). The policy pack owns roles and log groups as `arn:*:iam::*:role/x`
 * and `arn:*:logs:*:*:log-group:x`: a wildcard in the partition puts every one of them on the same
 * node, and testing each against every grant made the cross-agent check grow with grants × agents.
 *
 * The filter is a necessary condition of `grantsIntersect`, which compares ARNs component by
 * component: two ARNs with different literal services never intersect, and two resource components
 * intersect only if their literal heads (the text before the first `*` or `?`, matched exactly)
 * agree, one being a prefix of the other. Candidates come back in insertion order, so a caller
 * that tests each one gets exactly the entries, in the order, that testing every entry gave.
 */
import { arnComponents, hasWildcard } from "./patterns";

/** Below this many entries, testing each one is as cheap as looking them up. */
const KEYED_FROM = 16;

/** Split after every `:` and `/` (the separator stays on its token); the last token may have none. */
function headTokens(head: string): { complete: string[]; partial: string } {
  const complete: string[] = [];
  let start = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === ":" || head[i] === "/") {
      complete.push(head.slice(start, i + 1));
      start = i + 1;
    }
  }
  return { complete, partial: head.slice(start) };
}

const literalHead = (pattern: string): string => {
  const star = pattern.indexOf("*");
  const question = pattern.indexOf("?");
  const cut = Math.min(star < 0 ? pattern.length : star, question < 0 ? pattern.length : question);
  return pattern.slice(0, cut);
};

/** The service and resource of an ARN pattern, as grantsIntersect reads them; undefined if not an ARN. */
function serviceAndResource(pattern: string): { service: string; resource: string } | undefined {
  const parts = arnComponents(pattern);
  return parts ? { service: parts[1], resource: parts[4] } : undefined;
}

/** Entries by the tokens of their resource's literal head. */
interface HeadNode {
  readonly children: Map<string, HeadNode>;
  /** Positions of entries whose head is exactly this node's tokens. */
  readonly ends: number[];
  /** Entries whose head is this node's tokens plus a last token without a separator. */
  readonly partial: Array<{ readonly rest: string; readonly at: number }>;
}

const headNode = (): HeadNode => ({ children: new Map(), ends: [], partial: [] });

export class GlobCandidates<E extends { readonly pattern: string }> {
  private readonly entries: E[] = [];
  /** Built on the first query of a long list; dropped when an entry is added after it. */
  private keyed: { readonly unkeyed: readonly number[]; readonly byService: ReadonlyMap<string, HeadNode> } | undefined;

  push(entry: E): void {
    this.entries.push(entry);
    this.keyed = undefined;
  }

  /** Every entry, in insertion order. */
  all(): readonly E[] {
    return this.entries;
  }

  /** The entries that may intersect `query` (a normalised pattern), in insertion order. */
  candidates(query: string): readonly E[] {
    if (this.entries.length < KEYED_FROM) return this.entries;
    const target = serviceAndResource(query);
    if (!target || hasWildcard(target.service)) return this.entries;
    const keyed = (this.keyed ??= this.build());
    const found: number[] = [...keyed.unkeyed];
    const root = keyed.byService.get(target.service);
    if (root) collect(root, literalHead(target.resource), found);
    if (found.length === this.entries.length) return this.entries;
    return found.sort((a, b) => a - b).map((at) => this.entries[at]);
  }

  private build() {
    const unkeyed: number[] = [];
    const byService = new Map<string, HeadNode>();
    this.entries.forEach((entry, at) => {
      const parts = serviceAndResource(entry.pattern);
      if (!parts || hasWildcard(parts.service)) {
        unkeyed.push(at);
        return;
      }
      let node = byService.get(parts.service) ?? byService.set(parts.service, headNode()).get(parts.service)!;
      const { complete, partial } = headTokens(literalHead(parts.resource));
      for (const token of complete) node = node.children.get(token) ?? node.children.set(token, headNode()).get(token)!;
      if (partial === "") node.ends.push(at);
      else node.partial.push({ rest: partial, at });
    });
    return { unkeyed, byService };
  }
}

/** Entries whose literal head is a prefix of `head`, or has `head` as a prefix. */
function collect(root: HeadNode, head: string, found: number[]): void {
  const { complete, partial } = headTokens(head);
  let node: HeadNode | undefined = root;
  let consumed = 0;
  for (let depth = 0; node; depth++) {
    const rest = head.slice(consumed);
    // Heads that end here are prefixes of the query's head; a partial last token must agree with what follows.
    found.push(...node.ends);
    for (const entry of node.partial) if (rest.startsWith(entry.rest) || entry.rest.startsWith(rest)) found.push(entry.at);
    if (depth === complete.length) {
      // The query's head ends inside this node's children: every longer head starting with it.
      for (const [token, child] of node.children) if (token.startsWith(partial)) subtree(child, found);
      return;
    }
    consumed += complete[depth].length;
    node = node.children.get(complete[depth]);
  }
}

function subtree(node: HeadNode, found: number[]): void {
  const stack = [node];
  while (stack.length) {
    const current = stack.pop()!;
    found.push(...current.ends, ...current.partial.map((entry) => entry.at));
    for (const child of current.children.values()) stack.push(child);
  }
}
