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
 * IAM globs run P as a nondeterministic automaton over Q's symbols, keeping the set of P
 * positions reachable so far (no backtracking): at most |P| × |Q| steps, whatever the input.
 * Vault paths compare segment by segment: at most |P| + |Q| steps. `matcherSteps` counts them so
 * a test can hold the bounds on adversarial inputs.
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

/**
 * A Vault policy path as Vault's ACL reads it: `/`-separated segments, where a segment that is
 * exactly `+` matches any one non-empty segment (a `+` inside a longer segment is literal), and a
 * trailing `*` makes the last segment a prefix of anything that follows, more segments included.
 */
interface VaultPattern {
  readonly segments: readonly string[];
  /** Ends with `*`: the last segment (without the `*`) is a prefix. */
  readonly tail: boolean;
}

function vaultPattern(path: string): VaultPattern {
  const tail = path.endsWith("*");
  return { segments: (tail ? path.slice(0, -1) : path).split("/"), tail };
}

/** One segment of `wide` (not the prefix one) matches every value of `narrow`'s segment. */
function segmentCovers(wide: string, narrow: string): boolean {
  matcherSteps.count += Math.max(1, Math.min(wide.length, narrow.length));
  if (wide === "+") return narrow.length > 0;
  return narrow !== "+" && wide === narrow;
}

/**
 * Does Vault path pattern `wide` match every path `narrow` matches? Segment by segment, so the
 * cost is linear in the two lengths (`matcherSteps` counts it): a long path, or hundreds of
 * paths compared pairwise, stay cheap. Sound: a "yes" is always true; a "no" on an exotic pair
 * only shows as an add plus a remove.
 */
export function vaultPathSubsumes(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  const [w, q] = [vaultPattern(wide), vaultPattern(narrow)];
  if (!w.tail) {
    // A fixed number of segments: the narrow side must have as many, and no open tail.
    if (q.tail || q.segments.length !== w.segments.length) return false;
    return w.segments.every((segment, i) => segmentCovers(segment, q.segments[i]));
  }
  const full = w.segments.length - 1;
  if (q.segments.length < full + 1) return false;
  for (let i = 0; i < full; i++) if (!segmentCovers(w.segments[i], q.segments[i])) return false;
  // The rest of the narrow path must start with the wide prefix, in literal characters only.
  let prefix = w.segments[full];
  for (let i = full; i < q.segments.length && prefix.length > 0; i++) {
    const segment = q.segments[i];
    const last = i === q.segments.length - 1;
    matcherSteps.count += Math.max(1, Math.min(prefix.length, segment.length + 1));
    if (segment === "+") return false;
    const piece = last ? segment : `${segment}/`;
    if (prefix.length <= piece.length) return piece.startsWith(prefix);
    if (!prefix.startsWith(piece)) return false;
    // A narrow tail here matches paths that stop short of the prefix.
    if (last) return false;
    prefix = prefix.slice(piece.length);
  }
  return prefix.length === 0;
}
