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

async function parseOne(text: string): Promise<ParsedVaultPolicy> {
  if (text.length > MAX_POLICY_CHARS) return unreadable(`longer than ${MAX_POLICY_CHARS} characters`);
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
