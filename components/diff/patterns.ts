/**
 * Wildcard patterns and "does pattern P match everything pattern Q matches?" (subsumption).
 *
 * IAM actions and resources use `*` (any run of characters, `/` and `:` included) and `?` (one
 * character). Vault policy paths use `+` (one path segment) and a trailing `*` (any suffix).
 * Subsumption is decided symbolically: P must match Q's text where Q's own wildcards count as
 * symbols that only a wildcard at least as broad may absorb. That is sound (a "yes" is always
 * true), so the diff never calls a change narrowing when it is not; an exotic "no" only shows
 * as an add plus a remove, which is the conservative reading.
 */
import { globMatches } from "../core/patterns";

// One IAM glob matcher for the rules and the diff.
export { globMatches };

/** `*?` and `?*` match the same strings: put every `?` of a wildcard run first, then one `*`. */
export function canonicalGlob(pattern: string): string {
  return pattern.replace(/[*?]+/g, (run) => (run.includes("*") ? `${"?".repeat(run.split("?").length - 1)}*` : run));
}

/**
 * Does IAM pattern `wide` match every string `narrow` matches? Equal patterns subsume each other.
 * Actions are case-insensitive in IAM (pass `ignoreCase`); resource ARNs are not.
 */
export function globSubsumes(wide: string, narrow: string, ignoreCase = false): boolean {
  const p = canonicalGlob(ignoreCase ? wide.toLowerCase() : wide);
  const q = canonicalGlob(ignoreCase ? narrow.toLowerCase() : narrow);
  if (p === q || p === "*") return true;
  // seen[i * (q.length + 1) + j]: (i, j) already explored and failed.
  const seen = new Uint8Array((p.length + 1) * (q.length + 1));
  const match = (i: number, j: number): boolean => {
    for (;;) {
      if (i === p.length) return j === q.length;
      const cell = i * (q.length + 1) + j;
      if (seen[cell]) return false;
      seen[cell] = 1;
      const symbol = p[i];
      if (symbol === "*") {
        // `*` absorbs any run of Q's symbols, wildcards included.
        for (let k = j; k <= q.length; k++) if (match(i + 1, k)) return true;
        return false;
      }
      if (j === q.length) return false;
      // `?` absorbs exactly one literal or one `?`; never Q's `*` (which may be empty or long).
      if (symbol === "?" ? q[j] === "*" : q[j] !== symbol) return false;
      i++;
      j++;
    }
  };
  return match(0, 0);
}

/**
 * Does Vault path pattern `wide` match every path `narrow` matches? `+` stands for one non-empty
 * segment, and `*` is only meaningful at the end (a prefix match), as in Vault's ACL syntax.
 */
export function vaultPathSubsumes(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  const match = (i: number, j: number): boolean => {
    if (i === wide.length) return j === narrow.length;
    const symbol = wide[i];
    if (symbol === "*" && i === wide.length - 1) return true;
    if (symbol === "+") {
      // One or more characters of a single segment; Q's own `+` fits, Q's `*` and `/` do not.
      for (let k = j; k < narrow.length && narrow[k] !== "/" && narrow[k] !== "*"; k++) if (match(i + 1, k + 1)) return true;
      return false;
    }
    if (j === narrow.length || narrow[j] !== symbol || narrow[j] === "+" || (narrow[j] === "*" && j === narrow.length - 1)) return false;
    return match(i + 1, j + 1);
  };
  return match(0, 0);
}
