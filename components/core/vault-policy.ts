import type { VaultPathRule } from "./plan-types";

/** Token self-service paths every identity gets (the default policy is not attached). */
export const TOKEN_SELF_PATHS: readonly VaultPathRule[] = [
  { path: "auth/token/lookup-self", capabilities: ["read"] },
  { path: "auth/token/renew-self", capabilities: ["update"] },
  // So an agent can end its own token as soon as its task ends.
  { path: "auth/token/revoke-self", capabilities: ["update"] },
];

/** Render path rules as Vault policy HCL (the `policy` input of `vault.Policy`). */
export function renderVaultPolicy(paths: readonly VaultPathRule[]): string {
  return paths
    .map((rule) => `path ${JSON.stringify(rule.path)} {\n  capabilities = [${rule.capabilities.map((c) => JSON.stringify(c)).join(", ")}]\n}\n`)
    .join("\n");
}

export interface ParsedVaultPolicy {
  readonly paths: VaultPathRule[];
  /** Text we could not read as path rules; a rule that cannot read a policy must not pass it. */
  readonly unreadable: string | null;
}

/**
 * Read the path rules of a Vault policy (HCL `path "..." { capabilities = [...] }` blocks, or the
 * JSON form). Other attributes inside a block (parameters, wrapping TTLs) only narrow a grant and
 * are ignored; anything outside path blocks is reported as unreadable.
 */
export function parseVaultPolicy(text: string): ParsedVaultPolicy {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return parseJsonPolicy(trimmed);
  const withoutComments = text.replace(/^\s*(#|\/\/).*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
  const paths: VaultPathRule[] = [];
  const block = /path\s+"((?:[^"\\]|\\.)*)"\s*\{([^{}]*)\}/g;
  const rest = withoutComments.replace(block, (_whole, path: string, body: string) => {
    const capabilities = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body);
    const list = capabilities ? [...capabilities[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]) : [];
    paths.push({ path: JSON.parse(`"${path}"`) as string, capabilities: list });
    return "";
  });
  return { paths, unreadable: rest.trim() === "" ? null : rest.trim().slice(0, 80) };
}

function parseJsonPolicy(text: string): ParsedVaultPolicy {
  try {
    const parsed = JSON.parse(text) as { path?: Record<string, { capabilities?: unknown }> };
    const entries = Object.entries(parsed.path ?? {});
    const extra = Object.keys(parsed).filter((key) => key !== "path");
    return {
      paths: entries.map(([path, body]) => ({
        path,
        capabilities: Array.isArray(body?.capabilities) ? body.capabilities.map(String) : [],
      })),
      unreadable: extra.length ? extra.join(", ") : null,
    };
  } catch {
    return { paths: [], unreadable: text.slice(0, 80) };
  }
}
