/**
 * Writes to Vault paths: raw ones (`vault.generic.Endpoint`, `vault.generic.Secret`) and KV secrets
 * (`vault.kv.Secret`, `vault.kv.SecretV2`). Closed world, per resource: a write may only put secret
 * data at a KV v2 data path (`<mount>/data/<key>`), read cleaned as Vault reads it, and never into
 * the agents' tree (`agents/<env>/<agent>/`, where the components keep every agent's KV secrets);
 * everything else (sys/, auth/, identity/, an engine's roles, config, credentials, rotate-root, pki
 * issue, transit export, KV metadata and deletes...) is refused, named or not. Across the stack: a
 * write to a path an agent identity holds (vault-path-reach), data naming an agent's policy
 * (vault-policy-use), and the agents' KV mount keeping Vault's version defaults.
 */
import type { Problem } from "../../components/rules/define";
import { ENGINE_CONTROL_SEGMENTS } from "../../components/rules/vault";
import { asNumber, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";
import { KV_VERBS, cleanVaultPath } from "../vault-paths";

export const VAULT_GENERIC_TYPES = {
  vaultGenericEndpoint: "vault:generic/endpoint:Endpoint",
  vaultGenericSecret: "vault:generic/secret:Secret",
  vaultKvSecret: "vault:kv/secret:Secret",
  vaultKvSecretV2: "vault:kv/secretV2:SecretV2",
  vaultKvBackendV2: "vault:kv/secretBackendV2:SecretBackendV2",
} as const;

const RULE = "vault/generic-write";
const MAX_PATH = 1024;
/** One path segment as the write grammar allows it (Vault KV keys in practice; no templates, no control characters). */
const SEGMENT = /^[A-Za-z0-9._@=,+-]{1,255}$/;
/** Segments that name a system root or an engine's control endpoint: never part of a KV mount's path. */
const CONTROL = new Set(["sys", "auth", "identity", "cubbyhole", ...ENGINE_CONTROL_SEGMENTS, "creds", "sts", "static-creds", ...KV_VERBS]);

/** The Vault path a write resource writes, as Vault reads it (cleaned), or undefined when an input is missing. */
export function writePath(type: string, v: Record<string, unknown>): string | undefined {
  if (type === VAULT_GENERIC_TYPES.vaultKvSecretV2) {
    const mount = asString(v.mount);
    const name = asString(v.name);
    return mount === undefined || name === undefined ? undefined : cleanVaultPath(`${mount}/data/${name}`);
  }
  const path = asString(v.path);
  return path === undefined ? undefined : cleanVaultPath(path);
}

/** Why a (cleaned) path is not a KV v2 secret-data path outside the agents' tree, or null when it is one. */
export function writeRefusal(path: string): string | null {
  if (path.length > MAX_PATH) return `longer than ${MAX_PATH} characters`;
  const segments = path.split("/");
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) return `segment "${bad}" is not a plain key segment`;
  const data = segments.indexOf("data");
  if (data < 1 || data === segments.length - 1) return "not a KV v2 secret-data path <mount>/data/<key>";
  const control = segments.slice(0, data).find((segment) => CONTROL.has(segment.toLowerCase()));
  if (control !== undefined) return `its mount path has "${control}", a system root or an engine's control endpoint`;
  const agents = segments.indexOf("agents", data + 1);
  if (agents === data + 1) {
    const agent = segments[data + 3];
    return `it writes into the agents' KV tree${agent ? ` (agent ${agent}: ${segments.slice(0, data + 4).join("/")}/)` : ""}, where only the agent's own secrets live and the components write none`;
  }
  return null;
}

const fixFor = (type: string) =>
  type === VAULT_GENERIC_TYPES.vaultGenericEndpoint || type === VAULT_GENERIC_TYPES.vaultGenericSecret
    ? "use vault.Policy, vault.kubernetes.AuthBackendRole and the other typed resources, which the pack checks; write only secret data, at <kv-mount>/data/<key> outside agents/"
    : type === VAULT_GENERIC_TYPES.vaultKvSecret
      ? "use vault.kv.SecretV2 on a KV v2 mount (kv.Secret writes any path through the KV v1 API, and the pack cannot tell a v1 mount from another engine), outside the agents' tree"
      : "write secret data outside the agents' tree; an agent's own secrets are put there by its owners, not by a stack";

/** The KV mount each agent-held KV path lives on (`<mount>/data/…`). */
function agentKvMounts(held: ReadonlyMap<string, unknown>): Set<string> {
  const mounts = new Set<string>();
  for (const path of held.keys()) {
    const at = path.split("/").indexOf("data");
    if (at > 0) mounts.add(path.split("/").slice(0, at).join("/"));
  }
  return mounts;
}

/** Writes to a path an agent identity holds, and version settings on the agents' KV mount (stack pass). */
export function checkVaultWrites(
  ix: StackIndex,
  held: ReadonlyMap<string, ReadonlyArray<{ agent: string; identity: PackFinding["identity"]; held: string }>>,
): PackFinding[] {
  const findings: PackFinding[] = [];
  for (const type of [
    VAULT_GENERIC_TYPES.vaultGenericEndpoint,
    VAULT_GENERIC_TYPES.vaultGenericSecret,
    VAULT_GENERIC_TYPES.vaultKvSecret,
    VAULT_GENERIC_TYPES.vaultKvSecretV2,
  ])
    for (const entry of ix.inputsOfType(type)) {
      const path = writePath(type, entry.value);
      for (const holder of (path && held.get(path)) || [])
        findings.push({
          rule: "vault/agent-path-reach",
          agent: holder.agent,
          identity: holder.identity,
          urn: entry.resource.urn,
          message: `${type} ${entry.resource.name} writes ${path}, a path of ${holder.agent}/${holder.identity}'s own secret (${holder.held})`,
          fix: fixFor(type),
        });
    }
  const mounts = agentKvMounts(held);
  for (const entry of ix.inputsOfType(VAULT_GENERIC_TYPES.vaultKvBackendV2)) {
    const mount = cleanVaultPath(asString(entry.value.mount) ?? "");
    if (!mounts.has(mount)) continue;
    const set = (["maxVersions", "deleteVersionAfter"] as const).filter((key) => (asNumber(entry.value[key]) ?? 0) !== 0);
    if (set.length)
      findings.push({
        rule: "vault/agent-kv-config",
        agent: "platform",
        identity: null,
        urn: entry.resource.urn,
        message: `kv.SecretBackendV2 ${entry.resource.name} sets ${set.map((key) => `${key} ${String(entry.value[key])}`).join(" and ")} on ${mount}, the mount the agents' KV secrets live on: older versions are dropped or every secret expires, so an agent's secret can be replaced without a trace or lost`,
        fix: "keep Vault's defaults on the agents' KV mount (10 versions, never deleted): leave maxVersions and deleteVersionAfter unset",
      });
  }
  return findings;
}

const WRITE_ENTRY = {
  route: "writes to a Vault path (only KV v2 secret data outside the agents' tree passes)",
  checkedBy: [RULE, "vault/agent-policy-use", "vault/agent-path-reach", "stack/unknown-input"],
};

export const vaultGeneric: Adapter = {
  family: "vault-generic",
  holdings: "none: a write is judged by its path; data naming an agent's policy by vault/agent-policy-use",
  types: [
    { type: VAULT_GENERIC_TYPES.vaultGenericEndpoint, key: "vaultGenericEndpoint", required: ["path"], ...WRITE_ENTRY },
    { type: VAULT_GENERIC_TYPES.vaultGenericSecret, key: "vaultGenericSecret", required: ["path"], ...WRITE_ENTRY },
    { type: VAULT_GENERIC_TYPES.vaultKvSecret, key: "vaultKvSecret", required: ["path"], ...WRITE_ENTRY },
    { type: VAULT_GENERIC_TYPES.vaultKvSecretV2, key: "vaultKvSecretV2", required: ["mount", "name"], ...WRITE_ENTRY },
    {
      type: VAULT_GENERIC_TYPES.vaultKvBackendV2,
      key: "vaultKvBackendV2",
      route: "how many versions a KV mount keeps, and for how long",
      required: ["mount"],
      readIfSet: ["maxVersions", "deleteVersionAfter"],
      checkedBy: ["vault/agent-kv-config", "stack/unknown-input"],
    },
  ],
  check: (resource, inputs) => {
    if (resource.type === VAULT_GENERIC_TYPES.vaultKvBackendV2) return [];
    const path = writePath(resource.type, inputs.value);
    // kv.Secret writes the KV v1 API: its path is read as <mount>/data/<key> would be on a v2 mount, so
    // only a v2-shaped path passes (fail closed: the pack does not know which mounts are v1).
    const why = path === undefined ? null : writeRefusal(path);
    const problems: Problem[] = why
      ? [{ rule: RULE, message: `${resource.type} ${resource.name} writes Vault path "${path}": ${why}`, fix: fixFor(resource.type) }]
      : [];
    return problems;
  },
};
