/**
 * Wildcard patterns and "does pattern P match everything pattern Q matches?" (subsumption).
 *
 * IAM actions and resources use `*` (any run of characters, `/` and `:` included) and `?` (one
 * character). Vault policy paths use `+` (one path segment) and a trailing `*` (any suffix).
 * Subsumption is decided symbolically: P must match Q's text where Q's own wildcards count as
 * symbols that only a wildcard at least as broad may absorb. That is sound (a "yes" is always
 * true), so the diff never calls a change narrowing when it is not; an exotic "no" only shows
 * as an add plus a remove, which is the conservative reading.
 *
 * Both checks run P as a nondeterministic automaton over Q's symbols, keeping the set of P
 * positions reachable so far (no backtracking): at most |P| × |Q| steps, whatever the input.
 * `steps` counts them so a test can hold the bound on adversarial inputs.
 */
import { globMatches } from "../core/patterns";

// One IAM glob matcher for the rules and the diff.
export { globMatches };

/** Inner-loop iterations of the matchers since the last `resetSteps()` (for tests and benches). */
export const matcherSteps = { count: 0 };

/** `*?` and `?*` match the same strings: put every `?` of a wildcard run first, then one `*`. */
export function canonicalGlob(pattern: string): string {
  return pattern.replace(/[*?]+/g, (run) => (run.includes("*") ? `${"?".repeat(run.split("?").length - 1)}*` : run));
}

/** Add `i` and every position reachable from it through `*` (which may match nothing). */
function closeOver(p: string, set: Uint8Array, i: number, star: (i: number) => boolean): void {
  for (; i <= p.length; i++) {
    set[i] = 1;
    if (i === p.length || !star(i)) return;
  }
}

/**
 * Does IAM pattern `wide` match every string `narrow` matches? Equal patterns subsume each other.
 * Actions are case-insensitive in IAM (pass `ignoreCase`); resource ARNs are not.
 */
export function globSubsumes(wide: string, narrow: string, ignoreCase = false): boolean {
  const p = canonicalGlob(ignoreCase ? wide.toLowerCase() : wide);
  const q = canonicalGlob(ignoreCase ? narrow.toLowerCase() : narrow);
  if (p === q || p === "*") return true;
  const isStar = (i: number) => p[i] === "*";
  let current = new Uint8Array(p.length + 1);
  let next = new Uint8Array(p.length + 1);
  closeOver(p, current, 0, isStar);
  for (let j = 0; j < q.length; j++) {
    next.fill(0);
    const symbol = q[j];
    let any = false;
    for (let i = 0; i < p.length; i++) {
      matcherSteps.count++;
      if (!current[i]) continue;
      const c = p[i];
      // `*` absorbs any symbol of Q, wildcards included, and stays; `?` absorbs one literal or
      // one `?` (never Q's `*`, which may be empty or long); a literal absorbs only itself.
      if (c === "*") {
        closeOver(p, next, i, isStar);
        any = true;
      } else if (c === "?" ? symbol !== "*" : symbol === c && symbol !== "*" && symbol !== "?") {
        closeOver(p, next, i + 1, isStar);
        any = true;
      }
    }
    if (!any) return false;
    [current, next] = [next, current];
  }
  return current[p.length] === 1;
}

type VaultToken = "lit" | "plus" | "tail";

/** Vault's glob symbols: `+` anywhere, `*` only as the last character; everything else literal. */
function vaultTokens(path: string): VaultToken[] {
  return [...path].map((c, i) => (c === "+" ? "plus" : c === "*" && i === path.length - 1 ? "tail" : "lit"));
}

/**
 * Does Vault path pattern `wide` match every path `narrow` matches? `+` stands for one non-empty
 * segment, and `*` is only meaningful at the end (a prefix match), as in Vault's ACL syntax.
 */
export function vaultPathSubsumes(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  const pt = vaultTokens(wide);
  const qt = vaultTokens(narrow);
  const n = wide.length;
  // State i: before P[i]. State n + 1 + i: inside P's `+` at i, having absorbed at least one symbol.
  const width = 2 * n + 1;
  let current = new Uint8Array(width);
  let next = new Uint8Array(width);
  current[0] = 1;
  for (let j = 0; j < narrow.length; j++) {
    next.fill(0);
    const kind = qt[j];
    const symbol = narrow[j];
    // A `+` absorbs literals other than `/`, and Q's own `+`; never Q's trailing `*`.
    const segment = kind === "plus" || (kind === "lit" && symbol !== "/");
    let any = false;
    for (let i = 0; i < n; i++) {
      matcherSteps.count++;
      const before = current[i] === 1;
      const inside = current[n + 1 + i] === 1;
      if (!before && !inside) continue;
      const token = pt[i];
      if (token === "tail") {
        // P's trailing `*` absorbs all the rest of Q, whatever it is.
        next[i] = 1;
        any = true;
      } else if (token === "plus") {
        if (segment) {
          next[n + 1 + i] = 1;
          any = true;
        }
      } else if (before && kind === "lit" && symbol === wide[i]) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    // Leaving a `+` after at least one symbol: the next P position is reachable without input.
    for (let i = 0; i < n; i++) if (next[n + 1 + i]) next[i + 1] = 1;
    [current, next] = [next, current];
  }
  if (current[n] === 1) return true;
  // Q is used up: P's trailing `*` may still match nothing.
  for (let i = 0; i < n; i++) if (current[i] && pt[i] === "tail") return true;
  return false;
}
