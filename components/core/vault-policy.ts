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

/** Path rules read back from policy text (by the policy pack's HCL parser, policy/vault-hcl.ts). */
export interface ParsedVaultPolicy {
  readonly paths: VaultPathRule[];
  /** Text we could not read as path rules; a rule that cannot read a policy must not pass it. */
  readonly unreadable: string | null;
}
