/**
 * The system paths of Vault's built-in `default` policy, which every token carries unless its role sets
 * `token_no_default_policy`: hashicorp/vault vault/policy_store.go, `defaultPolicy` (the token's own
 * lookup, renewal and revocation, its capabilities on a path, its resultant ACL, lease renewal and
 * lookup by a lease ID the caller already holds, response wrapping, hashing, a control group request's
 * status). A platform policy granting these, with no more than these capabilities, gives nothing a
 * token with `default` lacks, so vault/policy-system-path admits them on a policy no agent carries (an
 * agent's own policy keeps only the token self paths: agents' tokens carry no `default`). The entity
 * self-reads under `identity/` are judged by vault/agent-path-reach; `cubbyhole/` is no system path.
 */
import type { VaultPathRule } from "../../components/core/plan-types";

const DEFAULT_POLICY_SYSTEM_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ["auth/token/lookup-self", ["read"]],
  ["auth/token/renew-self", ["update"]],
  ["auth/token/revoke-self", ["update"]],
  ["sys/capabilities-self", ["update"]],
  ["sys/internal/ui/resultant-acl", ["read"]],
  ["sys/renew", ["update"]],
  ["sys/leases/renew", ["update"]],
  ["sys/leases/lookup", ["update"]],
  ["sys/wrapping/wrap", ["update"]],
  ["sys/wrapping/lookup", ["update"]],
  ["sys/wrapping/unwrap", ["update"]],
  ["sys/tools/hash", ["update"]],
  ["sys/tools/hash/*", ["update"]],
  ["sys/control-group/request", ["update"]],
]);

/** Whether a path rule grants no more than Vault's default policy does on the same path (`deny` is always less). */
export function withinDefaultPolicy(rule: VaultPathRule): boolean {
  const allowed = DEFAULT_POLICY_SYSTEM_PATHS.get(rule.path);
  return allowed !== undefined && rule.capabilities.every((capability) => capability === "deny" || allowed.includes(capability));
}
