/**
 * IAM-style glob patterns (`*` any run of characters, `?` one character), as used in IAM actions,
 * resource ARNs and condition values. Two patterns "intersect" when some string matches both: that
 * is how we decide whether a grant of one agent could reach a resource of another.
 *
 * Every function here runs in linear time with no backtracking: a pattern is compiled once into
 * the literal segments between its stars, and matching places each segment at its leftmost fit,
 * never revisiting an earlier one, scanning the text once. A segment without `?` is found with the
 * engine's string search; one with `?` with a bit-parallel scan (shift-and), ⌈|segment|/31⌉ word
 * operations a character. Two patterns that both hold a star intersect exactly when their heads
 * (before the first star) and tails (after the last) agree, which is read in one pass. So
 * `globMatches` and `globsIntersect` cost at most (|a|+|b|)·(1+⌈|a|/31⌉) steps — with every
 * declared string bounded (components/core/grammar), a fixed multiple of the input's length.
 * `matcherSteps()` lets the tests prove the bound by counting, not by timing.
 */
export function hasWildcard(value: string): boolean {
  return value.includes("*") || value.includes("?");
}

let steps = 0;

/** Work done by the matchers since the last reset (characters compared or scanned; word operations of a scan), for step-budget tests and the bench. */
export function matcherSteps(): number {
  return steps;
}

export function resetMatcherSteps(): void {
  steps = 0;
}

const QUESTION = 63; // "?"
/** Bits a scan word holds: 31 keeps every value a small integer. */
const WORD = 31;

/**
 * A literal segment between stars; `scan` is built on first use when it holds a `?`. `lead` and
 * `core` are set when every `?` sits at its ends (`??abc?`, as `${Variable}` templates compile):
 * its leftmost fit is then the leftmost `core` found `lead` characters in, by string search.
 */
interface Segment {
  readonly text: string;
  readonly lead: number;
  readonly core: string | undefined;
  scan?: ShiftAnd;
}

/** A pattern split at its stars: `head*mid1*mid2*tail`; `starred` is false when it has no star at all. */
interface CompiledGlob {
  readonly head: string;
  readonly middle: readonly Segment[];
  readonly tail: string;
  readonly starred: boolean;
}

function segment(text: string): Segment {
  const lead = text.length - text.replace(/^\?+/, "").length;
  const core = text.slice(lead).replace(/\?+$/, "");
  return { text, lead, core: core.includes("?") ? undefined : core };
}

function compileGlob(pattern: string): CompiledGlob {
  const parts = pattern.split("*");
  if (parts.length === 1) return { head: pattern, middle: [], tail: "", starred: false };
  // Consecutive stars leave empty segments, which match anywhere: drop them.
  return {
    head: parts[0],
    middle: parts
      .slice(1, -1)
      .filter((part) => part !== "")
      .map(segment),
    tail: parts[parts.length - 1],
    starred: true,
  };
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

const compatible = (x: number, y: number) => x === y || x === QUESTION || y === QUESTION;

/** Does the segment fit `text` at `at`, position by position (`?` on either side fits anything)? Costs at most |segment| steps. */
function segmentAt(segment: string, text: string, at: number): boolean {
  for (let k = 0; k < segment.length; k++) {
    steps++;
    if (!compatible(segment.charCodeAt(k), text.charCodeAt(at + k))) return false;
  }
  return true;
}

/**
 * Shift-and over one segment: bit k of the state says "the segment's first k+1 characters fit the
 * text ending here". One mask per character the segment holds, the `?` positions set in all.
 */
interface ShiftAnd {
  readonly words: number;
  readonly last: number;
  readonly masks: Map<number, Uint32Array>;
  /** Positions holding `?`: the mask of a character the segment does not hold. */
  readonly other: Uint32Array;
  /** Every position: the mask of a `?` in the text (it fits whatever the segment holds). */
  readonly any: Uint32Array;
}

function shiftAnd(text: string): ShiftAnd {
  const words = Math.ceil(text.length / WORD);
  const other = new Uint32Array(words);
  const any = new Uint32Array(words);
  for (let k = 0; k < text.length; k++) {
    any[(k / WORD) | 0] |= 1 << (k % WORD);
    if (text.charCodeAt(k) === QUESTION) other[(k / WORD) | 0] |= 1 << (k % WORD);
  }
  // `other` is complete before the first mask copies it: every mask starts with the `?` positions.
  const masks = new Map<number, Uint32Array>();
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === QUESTION) continue;
    let mask = masks.get(c);
    if (!mask) {
      mask = Uint32Array.from(other);
      masks.set(c, mask);
      steps += words;
    }
    mask[(k / WORD) | 0] |= 1 << (k % WORD);
  }
  steps += 2 * text.length;
  return { words, last: text.length - 1, masks, other, any };
}

/**
 * The leftmost position in [from, end - |segment|] where the segment fits `subject`, or -1.
 * `subjectWild`: the subject holds `?` (one pattern read against another).
 */
function findSegment(seg: Segment, subject: string, from: number, end: number, subjectWild: boolean): number {
  const length = seg.text.length;
  if (from + length > end) return -1;
  if (seg.core !== undefined && !subjectWild) {
    // The leftmost `core` at or after `from + lead`; the `?`s around it fit any character.
    const found = seg.core === "" ? from + seg.lead : subject.indexOf(seg.core, from + seg.lead);
    const start = found - seg.lead;
    const ok = found >= 0 && start + length <= end;
    steps += (ok ? start + length : end) - from;
    return ok ? start : -1;
  }
  const scan = (seg.scan ??= shiftAnd(seg.text));
  const { words, last, masks, other, any } = scan;
  const state = new Uint32Array(words);
  const top = (last / WORD) | 0;
  const topBit = 1 << (last % WORD);
  for (let i = from; i < end; i++) {
    const c = subject.charCodeAt(i);
    const mask = c === QUESTION && subjectWild ? any : (masks.get(c) ?? other);
    // state = ((state << 1) | 1) & mask, carried across words from the lowest.
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const value = state[w];
      const next = ((value << 1) | carry) & ((1 << WORD) - 1);
      carry = value >>> (WORD - 1);
      state[w] = next & mask[w];
    }
    steps += words;
    if (state[top] & topBit) return i - last;
  }
  return -1;
}

/**
 * Does the starred glob fit `subject` (which has no star; with `subjectWild`, its `?` fit anything)?
 * Head and tail at the ends, each middle segment at its leftmost fit after the previous one: a later
 * fit never helps the segments that follow, so no choice is ever revisited.
 */
function fits(glob: CompiledGlob, subject: string, subjectWild: boolean): boolean {
  if (!glob.starred) return glob.head.length === subject.length && segmentAt(glob.head, subject, 0);
  const { head, middle, tail } = glob;
  if (head.length + tail.length > subject.length) return false;
  if (!segmentAt(head, subject, 0) || !segmentAt(tail, subject, subject.length - tail.length)) return false;
  let at = head.length;
  const end = subject.length - tail.length;
  for (const seg of middle) {
    const found = findSegment(seg, subject, at, end, subjectWild);
    if (found < 0) return false;
    at = found + seg.text.length;
  }
  return true;
}

/** Does `pattern` match the literal `text`? IAM actions compare case-insensitively (`ignoreCase`). */
export function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  const glob = compiledGlob(ignoreCase ? pattern.toLowerCase() : pattern);
  const subject = ignoreCase ? text.toLowerCase() : text;
  // A `?` in the text is a literal character here.
  if (!glob.starred) return glob.head.length === subject.length && literalAt(glob.head, subject);
  const { head, tail } = glob;
  if (head.length + tail.length > subject.length) return false;
  if (!literalAt(head, subject.slice(0, head.length)) || !literalAt(tail, subject.slice(subject.length - tail.length))) return false;
  // Middle segments: the text's `?` must not act as a wildcard.
  return subject.includes("?") ? literalFits(glob, subject) : fits(glob, subject, false);
}

/** The pattern's `?` fits any character; the text's characters (a `?` included) are literal. */
function literalAt(segment: string, text: string): boolean {
  for (let k = 0; k < segment.length; k++) {
    steps++;
    const c = segment.charCodeAt(k);
    if (c !== QUESTION && c !== text.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Rare: a literal text holding `?`. Only the pattern's own `?` can match it, so read it as a
 * character the pattern does not hold, and match as usual.
 */
function literalFits(glob: CompiledGlob, subject: string): boolean {
  const pattern = [glob.head, ...glob.middle.map((seg) => seg.text), glob.tail].join("");
  steps += subject.length + pattern.length;
  const stand = ["\u0000", "\uffff", "\ufffe", "\ufffd"].find((c) => !pattern.includes(c));
  // A pattern holding all four is no declared string (the grammar refuses NUL): decide "no match".
  return stand !== undefined && fits(glob, subject.replaceAll("?", stand), false);
}

/** The text before the first star of a pattern and after its last, or undefined when it has none. */
function ends(pattern: string): { head: string; tail: string } | undefined {
  steps += pattern.length; // finding the stars
  const first = pattern.indexOf("*");
  if (first < 0) return undefined;
  return { head: pattern.slice(0, first), tail: pattern.slice(pattern.lastIndexOf("*") + 1) };
}

/**
 * Is there a string that both patterns match? Both starred: exactly when their heads agree over the
 * shorter one and their tails too (a common string puts one head's rest, both middles and one
 * tail's start under the other's stars). One without a star: the starred one must fit it, its `?`
 * fitting anything. Neither: same length, agreeing position by position. Linear in both lengths.
 */
export function globsIntersect(a: string, b: string): boolean {
  if (a === b) return true;
  const aWild = hasWildcard(a);
  const bWild = hasWildcard(b);
  if (!aWild && !bWild) return false;
  const aEnds = ends(a);
  const bEnds = ends(b);
  if (aEnds && bEnds) {
    const heads = Math.min(aEnds.head.length, bEnds.head.length);
    for (let k = 0; k < heads; k++) {
      steps++;
      if (!compatible(aEnds.head.charCodeAt(k), bEnds.head.charCodeAt(k))) return false;
    }
    const tails = Math.min(aEnds.tail.length, bEnds.tail.length);
    for (let k = 1; k <= tails; k++) {
      steps++;
      if (!compatible(aEnds.tail.charCodeAt(aEnds.tail.length - k), bEnds.tail.charCodeAt(bEnds.tail.length - k))) return false;
    }
    return true;
  }
  if (aEnds) return fits(compiledGlob(a), b, bWild);
  if (bEnds) return fits(compiledGlob(b), a, aWild);
  return a.length === b.length && segmentAt(a, b, 0);
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
