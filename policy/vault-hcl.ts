/**
 * Vault policy text read by a real HCL parser (`@cdktf/hcl2json`: HashiCorp's HCL library compiled
 * to WebAssembly), not by a regex that a comment or a nested brace can fool. The parser is async,
 * so the pack parses every policy text before its (synchronous) checks run and keeps the result.
 *
 * Fail closed: text that does not parse, anything besides `path` blocks, a block key Vault does not
 * document (including the legacy `policy = "sudo"` form), or capabilities that are not a list of
 * strings makes the whole policy unreadable, which `vault/policy-unreadable` refuses.
 */
import { parse } from "@cdktf/hcl2json";
import { parse as parseYaml } from "yaml";
import type { ParsedVaultPolicy } from "../components/core/vault-policy";
import type { VaultPathRule } from "../components/core/plan-types";

/** Vault's policy syntax (developer.hashicorp.com/vault/docs/concepts/policies): keys a path block may hold. */
const BLOCK_KEYS = new Set([
  "capabilities",
  "required_parameters",
  "allowed_parameters",
  "denied_parameters",
  "min_wrapping_ttl",
  "max_wrapping_ttl",
  "control_group",
]);
/** Larger than any policy the components write by orders of magnitude; bounds the parser's work. */
export const MAX_POLICY_CHARS = 256 * 1024;
const MAX_CACHED = 50_000;

const parsed = new Map<string, ParsedVaultPolicy>();

const unreadable = (why: string): ParsedVaultPolicy => ({ paths: [], unreadable: why.slice(0, 160) });

/** Turn the parser's JSON into path rules, refusing anything it does not fully understand. */
export function fromHclJson(json: unknown): ParsedVaultPolicy {
  if (!json || typeof json !== "object" || Array.isArray(json)) return unreadable("not a policy");
  const extra = Object.keys(json).filter((key) => key !== "path");
  if (extra.length) return unreadable(`${extra.join(", ")} outside path blocks`);
  const blocks = (json as { path?: unknown }).path;
  if (blocks === undefined) return { paths: [], unreadable: null };
  if (!blocks || typeof blocks !== "object" || Array.isArray(blocks)) return unreadable("`path` is not a block");
  const paths: VaultPathRule[] = [];
  for (const [label, bodies] of Object.entries(blocks)) {
    // Vault drops a leading `/` (vault/policy.go), so `/kv/data/x` is `kv/data/x`; drop every one (fail closed).
    const path = label.replace(/^\/+/, "");
    // The parser gives each labelled block as a list of bodies (a repeated label appears twice).
    for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
      if (!body || typeof body !== "object" || Array.isArray(body)) return unreadable(`path "${path}" is not a block`);
      const keys = Object.keys(body);
      if (keys.includes("policy")) return unreadable(`path "${path}" uses the legacy \`policy = "..."\` form`);
      const unknown = keys.filter((key) => !BLOCK_KEYS.has(key));
      if (unknown.length) return unreadable(`path "${path}" has ${unknown.join(", ")}`);
      const capabilities = (body as { capabilities?: unknown }).capabilities;
      if (!Array.isArray(capabilities) || !capabilities.every((c) => typeof c === "string")) return unreadable(`path "${path}" has no list of capabilities`);
      paths.push({ path, capabilities: capabilities as string[] });
    }
  }
  return { paths, unreadable: null };
}

/**
 * One `path` block exactly as the components render it (components/core/vault-policy.ts), with a
 * label and capabilities of characters HCL reads literally (no `$`, `%`, braces, backslashes,
 * quotes, spaces or non-ASCII, so no template, escape or directive).
 */
const CANONICAL_BLOCK = /path "([A-Za-z0-9_./*+:@=,-]{1,1024})" \{\n {2}capabilities = \[((?:"[a-z]{1,32}"(?:, "[a-z]{1,32}")*)?)\]\n\}\n/y;

/**
 * The parser's JSON for text made only of canonical blocks (one blank line between them), built
 * without the parser: the same object it returns (labels in Go's sorted key order, one list of
 * bodies per label in file order), so `fromHclJson` reads both alike. Null for any other text,
 * which the parser reads. Parsing each of thousands of agents' policies through the WebAssembly
 * parser was most of the pack's own time.
 */
export function canonicalPolicyJson(text: string): { path: Record<string, { capabilities: string[] }[]> } | null {
  const bodies = new Map<string, { capabilities: string[] }[]>();
  let at = 0;
  while (at < text.length) {
    if (at > 0) {
      if (text[at] !== "\n") return null;
      at++;
    }
    CANONICAL_BLOCK.lastIndex = at;
    const block = CANONICAL_BLOCK.exec(text);
    if (!block) return null;
    const capabilities = block[2] ? block[2].split(", ").map((quoted) => quoted.slice(1, -1)) : [];
    const list = bodies.get(block[1]);
    if (list) list.push({ capabilities });
    else bodies.set(block[1], [{ capabilities }]);
    at = CANONICAL_BLOCK.lastIndex;
  }
  if (bodies.size === 0) return null;
  const path: Record<string, { capabilities: string[] }[]> = {};
  // Go's encoding/json writes map keys sorted by bytes (ASCII here: the same as this sort); defined,
  // not assigned, so a label such as `__proto__` is an own key as JSON.parse makes it.
  for (const label of [...bodies.keys()].sort())
    Object.defineProperty(path, label, { value: bodies.get(label), enumerable: true, writable: true, configurable: true });
  return { path };
}

async function parseOne(text: string): Promise<ParsedVaultPolicy> {
  if (text.length > MAX_POLICY_CHARS) return unreadable(`longer than ${MAX_POLICY_CHARS} characters`);
  const canonical = canonicalPolicyJson(text);
  if (canonical) return fromHclJson(canonical);
  // Vault also accepts the JSON form. JSON.parse keeps only the last of repeated keys, where Vault's
  // HCL reader keeps every one (two `"path"` objects, or one path twice): repeated keys are refused.
  if (text.trim().startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return unreadable(text.trim());
    }
    try {
      parseYaml(text, { uniqueKeys: true, maxAliasCount: 0 });
    } catch (error) {
      const why = /unique/i.test(String(error)) ? "repeats a key (Vault would read every copy)" : "is JSON the duplicate-key check cannot read";
      return unreadable(`the JSON policy ${why}`);
    }
    return fromHclJson(json);
  }
  try {
    return fromHclJson(await parse("policy.hcl", text));
  } catch (error) {
    return unreadable(String(error instanceof Error ? error.message : error).replace(/\s+/g, " "));
  }
}

/** Parse every text not parsed yet (call before the checks that read them). */
export async function prepareVaultPolicies(texts: readonly string[]): Promise<void> {
  for (const text of new Set(texts)) {
    if (parsed.has(text)) continue;
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(text, await parseOne(text));
  }
}

/** A parsed policy; text that was not prepared first is unreadable (fail closed, never a regex fallback). */
export function readVaultPolicy(text: string): ParsedVaultPolicy {
  return parsed.get(text) ?? unreadable("not parsed before the checks ran");
}
