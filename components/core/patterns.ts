/**
 * IAM-style glob patterns (`*` any run of characters, `?` one character), as used in IAM actions,
 * resource ARNs and condition values. Two patterns "intersect" when some string matches both: that
 * is how we decide whether a grant of one agent could reach a resource of another.
 */
export function hasWildcard(value: string): boolean {
  return value.includes("*") || value.includes("?");
}

/** Compiled patterns: the same few patterns are matched many times (rules over fleets, large diffs). */
const compiled = new Map<string, RegExp>();

/** Does `pattern` match the literal `text`? IAM actions compare case-insensitively (`ignoreCase`). */
export function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
    regex = new RegExp(`^${source}$`, ignoreCase ? "i" : "");
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, regex);
  }
  return regex.test(text);
}

/** Is there a string that both patterns match? Memoised search over pairs of positions. */
export function globsIntersect(a: string, b: string): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const visit = (i: number, j: number): boolean => {
    const key = i * width + j;
    if (seen.has(key)) return false;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    // A star may match nothing.
    if (i < a.length && a[i] === "*" && visit(i + 1, j)) return true;
    if (j < b.length && b[j] === "*" && visit(i, j + 1)) return true;
    if (i === a.length || j === b.length) return false;
    const ca = a[i];
    const cb = b[j];
    const compatible = ca === "*" || cb === "*" || ca === "?" || cb === "?" || ca === cb;
    // Consume one character on both sides; a star stays where it is and may consume more.
    return compatible && visit(ca === "*" ? i : i + 1, cb === "*" ? j : j + 1);
  };
  return visit(0, 0);
}

/** Split an ARN (pattern) into partition, service, region, account and resource; undefined if not one. */
function arnComponents(value: string): string[] | undefined {
  if (!value.startsWith("arn:")) return undefined;
  const parts = value.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(1, 5), parts.slice(5).join(":")];
}

/**
 * Do two grant patterns (ARNs or Vault paths) share a match? IAM matches an ARN component by
 * component, so a wildcard never reaches across the partition/service/region/account separators.
 */
export function grantsIntersect(a: string, b: string): boolean {
  const left = arnComponents(a);
  const right = arnComponents(b);
  if (!left || !right) return !left && !right ? globsIntersect(a, b) : a === "*" || b === "*";
  return left.every((component, index) => globsIntersect(component, right[index]));
}
