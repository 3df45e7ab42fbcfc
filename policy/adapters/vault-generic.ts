/**
 * Raw writes to any Vault path (`vault.generic.Endpoint`, `vault.generic.Secret`). Per resource:
 * the path must be plain secret data, never under sys/, auth/ or identity/ or a secrets engine's
 * roles, config or credentials. Across the stack: data naming an agent's policy (vault-policy-use).
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";

export const VAULT_GENERIC_TYPES = {
  vaultGenericEndpoint: "vault:generic/endpoint:Endpoint",
  vaultGenericSecret: "vault:generic/secret:Secret",
} as const;

/**
 * Vault paths a generic write must not touch (allowlist: only plain secret data passes). Anything
 * under `sys/`, `auth/` or `identity/` hands out policies, tokens, logins or mounts: token creation
 * (`auth/token/create…`), cert and GitHub/LDAP maps, policies, entities... Vault Enterprise
 * namespaces prefix any path (`acme/team/sys/policies/acl/x`), so such a root at any depth counts.
 * A secrets engine's roles and config (what credentials it mints) are refused at any depth too,
 * except inside KV v2 secret data (`<mount>/data/…`), which holds only values.
 */
const CONTROL_ROOTS = new Set(["sys", "auth", "identity"]);
// creds/, sts/, static-creds/: a write there mints credentials (an AWS tool session, a database
// user) into the deployment's state for whoever runs it.
const ENGINE_CONTROL = new Set(["role", "roles", "static-role", "static-roles", "roleset", "rolesets", "config", "creds", "sts", "static-creds"]);
const KV_CONTROL = new Set(["metadata", "delete", "undelete", "destroy"]);
function genericWriteRefused(path: string): boolean {
  if (path.length > 1024) return true;
  // Vault matches paths case-sensitively, but lower-casing here only refuses more.
  const segments = path
    .toLowerCase()
    .split("/")
    .filter((segment) => segment !== "");
  if (segments.length === 0) return true;
  if (segments.some((segment) => CONTROL_ROOTS.has(segment))) return true;
  const data = segments.indexOf("data");
  const controlled = segments.slice(1, data > 0 ? data : undefined);
  // KV v2 control paths (a secret's metadata, soft and hard deletes) before any data/ segment: only secret data passes.
  return controlled.some((segment) => ENGINE_CONTROL.has(segment) || KV_CONTROL.has(segment));
}

export const vaultGeneric: Adapter = {
  family: "vault-generic",
  holdings: "none: a write is judged by its path; data naming an agent's policy by vault/agent-policy-use",
  types: [
    {
      type: VAULT_GENERIC_TYPES.vaultGenericEndpoint,
      key: "vaultGenericEndpoint",
      route: "raw writes to any Vault path",
      required: ["path"],
      checkedBy: ["vault/generic-write", "vault/agent-policy-use", "stack/unknown-input"],
    },
    {
      type: VAULT_GENERIC_TYPES.vaultGenericSecret,
      key: "vaultGenericSecret",
      route: "raw writes to any Vault path",
      required: ["path"],
      checkedBy: ["vault/generic-write", "vault/agent-policy-use", "stack/unknown-input"],
    },
  ],
  check: (resource, inputs) => {
    const v = inputs.value;
    const path = asString(v.path);
    return path !== undefined && genericWriteRefused(path)
      ? [
          {
            rule: "vault/generic-write",
            message: `${resource.type} ${resource.name} writes Vault path "${path}", which is under sys/, auth/ or identity/ (at any namespace depth) or a secrets engine's roles, config or credentials: it may define policies, tokens, logins, identities or mounts, or mint credentials`,
            fix: "use vault.Policy, vault.kubernetes.AuthBackendRole and the other typed resources, which the pack checks; write only secret data with vault.generic.Secret",
          },
        ]
      : [];
  },
};
