/**
 * A Vault policy name as Vault stores and compares it. Vault normalises every name with Go's
 * `strings.ToLower(strings.TrimSpace(name))`: hashicorp/vault vault/policy_store.go,
 * `func (ps *PolicyStore) sanitizeName` (commit 0522303e9a358c99dd335a62c02307f654eb7152), used by
 * SetPolicy, GetPolicy and DeletePolicy; and sdk/helper/policyutil/policyutil.go `SanitizePolicies`
 * (commit 2c7a38baa2de6ff58b3e9893c29df517be725336), which every auth method and token store runs
 * on the policies a role or token carries.
 *
 * JavaScript's trim() and toLowerCase() differ from Go's: Go trims U+0085 (NEL), JavaScript does
 * not (and JavaScript trims U+FEFF, Go does not); Go lower-cases rune by rune with the simple case
 * mapping (U+0130 `İ` → `i`), JavaScript with the full one (`İ` → `i` + U+0307) and a context rule
 * for final sigma. Both are written out here. The case tables are the JavaScript engine's (its
 * Unicode version may differ from the Go release's by a few recently added letters).
 */

/** Go's unicode.IsSpace: Latin-1 spaces and the Unicode White_Space property. */
const GO_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
  0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Go's strings.TrimSpace. */
export function goTrimSpace(text: string): string {
  const points = [...text];
  let start = 0;
  let end = points.length;
  while (start < end && GO_SPACE.has(points[start].codePointAt(0)!)) start++;
  while (end > start && GO_SPACE.has(points[end - 1].codePointAt(0)!)) end--;
  return points.slice(start, end).join("");
}

/** Go's unicode.ToLower on one code point: the simple mapping (one code point to one). */
function goLowerRune(point: string): string {
  const code = point.codePointAt(0)!;
  if (code < 0x80) return point.toLowerCase();
  if (code === 0x130) return "i"; // full mapping gives "i\u0307"; Go's simple mapping gives "i"
  const lower = point.toLowerCase();
  // Where the full mapping expands (no other capital letter does so in lower-casing today), keep the letter.
  return [...lower].length === 1 ? lower : point;
}

/** Go's strings.ToLower (rune by rune, no context: `Σ` is always `σ`). */
export function goToLower(text: string): string {
  let out = "";
  for (const point of text) out += goLowerRune(point);
  return out;
}

/** The name Vault stores a policy under, or compares a carried policy by. */
export function vaultPolicyName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : goToLower(goTrimSpace(name));
}
