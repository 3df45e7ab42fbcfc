/**
 * Vault paths as Vault's ACL reads them, pure functions shared by the pack's Vault checks: how a
 * request path is cleaned, how a policy path pattern (`*` prefix, `+` segment, identity templates)
 * matches a concrete path, and which paths serve or control the same secret (KV v2's API prefixes,
 * an engine's credentials and role definition).
 */

/** Every KV v2 API prefix of one secret (hashicorp/vault-plugin-secrets-kv: data, metadata, subkeys, delete, undelete, destroy). */
export const KV_VERBS = ["data", "metadata", "subkeys", "delete", "undelete", "destroy"];
/** Longest path the matcher reads (a policy path is bounded by the policy text; this bounds the regex work). */
const MAX_PATH = 1024;

/**
 * A path as Vault's ACL sees it. Vault's HTTP listener is Go's http.ServeMux, which answers a request
 * whose path has repeated slashes or `.`/`..` segments with a redirect to path.Clean of it
 * (hashicorp/vault#9889, #18062, #3049), so the ACL only ever matches cleaned paths; a policy path
 * is read cleaned the same way (leading `/` dropped as vault/policy.go does, trailing `/` kept).
 */
export function cleanVaultPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  const joined = out.join("/");
  return path.endsWith("/") && joined !== "" ? `${joined}/` : joined;
}

/** Whether a policy path holds an identity template (`{{identity.entity.…}}`), which Vault fills per token. */
export const isTemplated = (path: string) => path.includes("{{");

/** A templated pattern as a regular expression: each template any text (slashes too), `+` one segment, a final `*` any suffix. */
function templatedRegex(pattern: string): RegExp {
  const prefix = pattern.endsWith("*");
  const body = prefix ? pattern.slice(0, -1) : pattern;
  let source = "";
  for (const piece of body.split(/(\{\{[^}]*\}\})/)) {
    if (piece.startsWith("{{")) source += "[\\s\\S]*";
    else
      source += piece
        .split("/")
        .map((segment) => (segment === "+" ? "[^/]*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
  }
  return new RegExp(`^${source}${prefix ? "[\\s\\S]*" : ""}$`);
}

/** Whether a policy path pattern matches a concrete path, as Vault's ACL does (vault/acl.go: prefix `*`, segment `+`). */
export function vaultPathMatches(pattern: string, path: string): boolean {
  if (isTemplated(pattern)) {
    // Past a few templates (or a long path) the regular expression's backtracking grows: count it as reaching everything.
    if (pattern.length > MAX_PATH || path.length > MAX_PATH || pattern.split("{{").length > 5) return true;
    return templatedRegex(pattern).test(path);
  }
  const prefix = pattern.endsWith("*");
  const body = prefix ? pattern.slice(0, -1) : pattern;
  if (!body.includes("+")) return prefix ? path.startsWith(body) : path === body;
  const wanted = body.split("/");
  const got = path.split("/");
  if (prefix ? got.length < wanted.length : got.length !== wanted.length) return false;
  for (let i = 0; i < wanted.length; i++) {
    const last = i === wanted.length - 1;
    if (wanted[i] === "+") continue;
    // The last segment of a prefix pattern is itself a prefix (`kv/+/ab*` matches `kv/x/abc`).
    if (prefix && last ? !got[i].startsWith(wanted[i]) : got[i] !== wanted[i]) return false;
  }
  return true;
}

/** Every path serving or controlling what an exact held path gives. */
export function pathFamily(path: string): string[] {
  const segments = path.split("/");
  const out = new Set([path]);
  // KV v2: <mount>/data/<secret> and its siblings (the mount may be nested: find the verb).
  const verb = segments.findIndex((s, i) => i > 0 && s === "data");
  if (verb > 0 && verb < segments.length - 1) for (const other of KV_VERBS) out.add([...segments.slice(0, verb), other, ...segments.slice(verb + 1)].join("/"));
  // An engine's credentials: <mount>/(sts|creds|static-creds)/<role>, minted by <mount>/(roles|static-roles)/<role>.
  const at = segments.length - 2;
  if (at > 0 && ["sts", "creds", "static-creds"].includes(segments[at])) {
    const head = segments.slice(0, at).join("/");
    const name = segments[at + 1];
    for (const other of ["sts", "creds", "roles", "role"]) out.add(`${head}/${other}/${name}`);
    if (segments[at] === "static-creds") out.add(`${head}/static-roles/${name}`);
  }
  return [...out];
}

/** One piece of a policy path pattern as Vault's ACL reads it: a literal character, a `+` segment, or text of any length. */
type Piece = { readonly lit: string } | { readonly seg: true } | { readonly any: true };

/** A pattern as pieces: `+` whole segments match one segment's text, a final `*` and every `{{template}}` match any text (slashes too). */
function pieces(pattern: string): Piece[] {
  const prefix = pattern.endsWith("*");
  const body = prefix ? pattern.slice(0, -1) : pattern;
  const out: Piece[] = [];
  for (const part of body.split(/(\{\{[^}]*\}\})/)) {
    if (part.startsWith("{{")) {
      out.push({ any: true });
      continue;
    }
    part.split("/").forEach((segment, i) => {
      if (i > 0) out.push({ lit: "/" });
      if (segment === "+") out.push({ seg: true });
      else for (const ch of segment) out.push({ lit: ch });
    });
  }
  if (prefix) out.push({ any: true });
  return out;
}

/**
 * Whether some request path matches both patterns (each read as vaultPathMatches reads it): a search
 * over pairs of positions in the two patterns, so an intersection is found without enumerating paths.
 * Used to ask whether a platform policy's path may reach a guarded part of Vault whatever globs it uses.
 */
export function vaultPatternsOverlap(a: string, b: string): boolean {
  if (a.length > MAX_PATH || b.length > MAX_PATH) return true;
  const pa = pieces(a);
  const pb = pieces(b);
  const loops = (p: Piece | undefined) => p !== undefined && !("lit" in p);
  const accepts = (p: Piece, ch: string) => ("lit" in p ? p.lit === ch : "any" in p || ch !== "/");
  const seen = new Set<number>();
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const key = i * (pb.length + 1) + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === pa.length && j === pb.length) return true;
    const x = pa[i];
    const y = pb[j];
    // A loop may match nothing.
    if (loops(x)) stack.push([i + 1, j]);
    if (loops(y)) stack.push([i, j + 1]);
    // One character both accept, moving past each literal (a loop stays where it is).
    if (x && y && "lit" in x && accepts(y, x.lit)) stack.push([i + 1, "lit" in y ? j + 1 : j]);
    if (x && y && !("lit" in x) && "lit" in y && accepts(x, y.lit)) stack.push([i, j + 1]);
  }
  return false;
}
