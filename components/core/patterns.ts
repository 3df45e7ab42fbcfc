/**
 * IAM-style glob patterns (`*` any run of characters, `?` one character), as used in IAM actions,
 * resource ARNs and condition values. Two patterns "intersect" when some string matches both: that
 * is how we decide whether a grant of one agent could reach a resource of another.
 *
 * Every function here is polynomial with no backtracking: a pattern is compiled once into the
 * literal segments between its stars, and matching places each segment at its leftmost fit, never
 * revisiting an earlier one. `globMatches` costs at most |text|·|pattern| steps, `globsIntersect`
 * at most (|a|+1)·(|b|+1). A regular expression built from the pattern would backtrack
 * exponentially on inputs such as `ec2:*?*?*?*?*?*?*?*?#`; `matcherSteps()` lets the tests prove
 * the bound by counting, not by timing.
 */
export function hasWildcard(value: string): boolean {
  return value.includes("*") || value.includes("?");
}

let steps = 0;

/** Character comparisons made by the matchers since the last reset (for step-budget tests and the bench). */
export function matcherSteps(): number {
  return steps;
}

export function resetMatcherSteps(): void {
  steps = 0;
}

const QUESTION = 63; // "?"

/** A pattern split at its stars: `head*mid1*mid2*tail`; `starred` is false when it has no star at all. */
interface CompiledGlob {
  readonly head: string;
  readonly middle: readonly string[];
  readonly tail: string;
  readonly starred: boolean;
}

function compileGlob(pattern: string): CompiledGlob {
  const parts = pattern.split("*");
  if (parts.length === 1) return { head: pattern, middle: [], tail: "", starred: false };
  // Consecutive stars leave empty segments, which match anywhere: drop them.
  return { head: parts[0], middle: parts.slice(1, -1).filter((part) => part !== ""), tail: parts[parts.length - 1], starred: true };
}

/** Compiled patterns: the same few patterns are matched many times (rules over fleets, large diffs). */
const compiled = new Map<string, CompiledGlob>();
const MAX_COMPILED = 10_000;

function compiledGlob(pattern: string): CompiledGlob {
  let glob = compiled.get(pattern);
  if (!glob) {
    glob = compileGlob(pattern);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, glob);
  }
  return glob;
}

/** Does the segment (with `?` wildcards) match `text` at `at`? Costs at most |segment| steps. */
function segmentAt(segment: string, text: string, at: number): boolean {
  for (let k = 0; k < segment.length; k++) {
    steps++;
    const c = segment.charCodeAt(k);
    if (c !== QUESTION && c !== text.charCodeAt(at + k)) return false;
  }
  return true;
}

/** Does `pattern` match the literal `text`? IAM actions compare case-insensitively (`ignoreCase`). */
export function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  const glob = compiledGlob(ignoreCase ? pattern.toLowerCase() : pattern);
  const subject = ignoreCase ? text.toLowerCase() : text;
  if (!glob.starred) return glob.head.length === subject.length && segmentAt(glob.head, subject, 0);
  const { head, middle, tail } = glob;
  if (head.length + tail.length > subject.length) return false;
  if (!segmentAt(head, subject, 0) || !segmentAt(tail, subject, subject.length - tail.length)) return false;
  // Each middle segment at its leftmost fit after the previous one: a later fit never helps the
  // segments that follow, so no choice is ever revisited.
  let at = head.length;
  const end = subject.length - tail.length;
  for (const segment of middle) {
    let found = -1;
    for (let start = at; start + segment.length <= end; start++) {
      if (segmentAt(segment, subject, start)) {
        found = start;
        break;
      }
    }
    if (found < 0) return false;
    at = found + segment.length;
  }
  return true;
}

const compatible = (x: number, y: number) => x === y || x === QUESTION || y === QUESTION;
const STAR = 42; // "*"

/**
 * Is there a string that both patterns match? A reachability table over pairs of positions, filled
 * row by row (every move advances at least one side), two rows at a time: (|a|+1)·(|b|+1) steps and
 * O(|b|) memory, with no recursion to overflow the stack on long inputs.
 */
export function globsIntersect(a: string, b: string): boolean {
  if (a === b) return true;
  const aWild = hasWildcard(a);
  const bWild = hasWildcard(b);
  if (!aWild && !bWild) return false;
  if (!aWild) return globMatches(b, a);
  if (!bWild) return globMatches(a, b);
  // Cheap refusals first: the characters before the first star of either, and after the last star
  // of either, sit at fixed positions in every common string.
  for (let k = 0; k < a.length && k < b.length; k++) {
    steps++;
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x === STAR || y === STAR) break;
    if (!compatible(x, y)) return false;
  }
  for (let k = 1; k <= a.length && k <= b.length; k++) {
    steps++;
    const x = a.charCodeAt(a.length - k);
    const y = b.charCodeAt(b.length - k);
    if (x === STAR || y === STAR) break;
    if (!compatible(x, y)) return false;
  }

  const width = b.length + 1;
  let row = new Uint8Array(width);
  let next = new Uint8Array(width);
  row[0] = 1;
  for (let i = 0; i <= a.length; i++) {
    next.fill(0);
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    let any = false;
    for (let j = 0; j <= b.length; j++) {
      steps++;
      if (!row[j]) continue;
      any = true;
      if (i === a.length && j === b.length) return true;
      const cb = j < b.length ? b.charCodeAt(j) : -1;
      // A star may match nothing.
      if (ca === STAR) next[j] = 1;
      if (cb === STAR) row[j + 1] = 1;
      if (ca < 0 || cb < 0) continue;
      if (ca === STAR || cb === STAR || compatible(ca, cb)) {
        // Consume one character on both sides; a star stays where it is and may consume more.
        if (ca === STAR && cb !== STAR) row[j + 1] = 1;
        else if (cb === STAR && ca !== STAR) next[j] = 1;
        else if (ca !== STAR) next[j + 1] = 1;
      }
    }
    if (!any) return false;
    [row, next] = [next, row];
  }
  return false;
}

/** Split an ARN (pattern) into partition, service, region, account and resource; undefined if not one. */
function splitArn(value: string): readonly string[] | undefined {
  if (!value.startsWith("arn:")) return undefined;
  const parts = value.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(1, 5), parts.slice(5).join(":")];
}

const arnCache = new Map<string, readonly string[] | undefined>();

/** Partition, service, region, account and resource of an ARN (pattern), as grantsIntersect compares them; undefined if not one. */
export function arnComponents(value: string): readonly string[] | undefined {
  if (arnCache.has(value)) return arnCache.get(value);
  const components = splitArn(value);
  if (arnCache.size >= MAX_COMPILED) arnCache.clear();
  arnCache.set(value, components);
  return components;
}

/**
 * Do two grant patterns (ARNs or Vault paths) share a match? IAM matches an ARN component by
 * component, so a wildcard never reaches across the partition/service/region/account separators.
 */
export function grantsIntersect(a: string, b: string): boolean {
  const left = arnComponents(a);
  const right = arnComponents(b);
  if (!left || !right) return !left && !right ? globsIntersect(a, b) : a === "*" || b === "*";
  for (let index = 0; index < left.length; index++) if (!globsIntersect(left[index], right[index])) return false;
  return true;
}
