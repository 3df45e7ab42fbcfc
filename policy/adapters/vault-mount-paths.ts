/**
 * Where the stack mounts Vault engines and auth methods (vault/mount-path), in a stack with agents.
 *
 * A policy cannot tell a mount the stack creates from an existing one it imports: the `import`
 * resource option is not among the options a policy sees, and since pulumi/pulumi PR #19339 an import
 * whose inputs differ imports the object and then updates it. For a mount that update is more than a
 * tune: terraform-provider-vault moves a mount whose `path` changes with sys/remount, with every
 * secret, role and connection on it: `vault_mount` always (`updateMount` in vault/resource_mount.go:
 * `path` is not ForceNew, `RemountWithContext` on a change), the typed engines and auth methods on
 * Vault 1.10+ unless `disable_remount` (`getMountCustomizeDiffFunc` and `util.Remount` in
 * vault/resource_aws_secret_backend.go, the mount-migration schema they share). So a `vault.Mount` at any path may be the agents' KV mount,
 * or their AWS or database engine, moved there with their secrets and credential roles, out from under
 * the paths their policies name and the pack judges (vault/agent-path-reach); and an imported mount
 * keeps every role and secret already on it, which no resource of the stack shows. (`type` is
 * ForceNew, and an imported resource whose diff needs a replacement is refused by the engine: "previously-imported
 * resources that still specify an ID may not be replaced", pulumi/pulumi #20486, #20762. A twin
 * therefore keeps its type; only its path and settings move.)
 *
 * Closed world: a mount is admitted only at a path an agent's own resources use, and of the engine
 * that use needs: a KV mount where agents' policies hold `<mount>/data/…`, an AWS or database engine
 * where they hold `<mount>/sts|creds|static-creds/<role>`, a Kubernetes auth method where an agent's
 * Kubernetes-auth role lives. There it can only be that mount: adopted in place (its settings judged
 * as any mount's, vault-platform.ts), never moved away (the path is the agents'), and a second
 * resource on the same path is refused. Elsewhere an AWS engine or auth method with `disableRemount`
 * true is admitted too: a changed path then forces a replacement, which the engine refuses for an
 * imported resource, so it is the mount at the path it names, no agent's (AgentPlatform sets it on
 * its own, whose AWS engine or a cluster's auth mount may not be used by any agent yet). A Kubernetes auth config (`AuthBackendConfig`, written over
 * whatever config the mount had, created or imported alike) is admitted only on an agent's auth mount:
 * pointed at the agents' cluster, an existing mount's own roles (outside the stack) would accept the
 * agents' ServiceAccount tokens. Anything else is refused unless the security team declares the
 * resource (kubernetesPlatformResources, by URN and inputs digest); a path unknown at preview fails
 * closed. Typed auth methods with trust roots (`vault.jwt.AuthBackend` ...) and the Kubernetes secrets
 * engine are refused unless declared by vault/auth-trust-root and vault/kubernetes-secrets-engine.
 */
import { IDENTITY_KINDS } from "../../components/core/names";
import { asString } from "../inputs";
import { cleanVaultPath } from "../vault-paths";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, readOfType, type Read } from "./shared";

const RULE = "vault/mount-path";

export const VAULT_MOUNT_PATH_TYPES = {
  mount: "vault:index/mount:Mount",
  databaseMount: "vault:database/secretsMount:SecretsMount",
  awsEngine: "vault:aws/secretBackend:SecretBackend",
  authBackend: "vault:index/authBackend:AuthBackend",
  kubernetesAuthConfig: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
} as const;

/**
 * Every other @pulumi/vault 7.x type that creates a mount (it calls sys/mounts or sys/auth in
 * terraform-provider-vault): the field naming its path, the provider's default path (the schema
 * `Default`; `undefined` where the path is required), whether it is an auth method (keyed under
 * `auth/`), and whether a path change remounts. Found as the types with the mount schema's inputs
 * (`disableRemount`, `sealWrap`, `externalEntropyAccess`); `vault.mongodbatlas.SecretBackend` is not
 * one (it writes `<mount>/config` on an existing mount, an engine object vault/agent-mount-object
 * judges). Remounting: the types with `disable_remount` move on a path change unless it is true
 * (`getMountCustomizeDiffFunc`, `util.Remount`); `vault.kubernetes.SecretBackend` always moves
 * (`updateMount` without skipRemount, as `vault.Mount`); `vault.saml.AuthBackend`'s path is ForceNew
 * (resource_saml_auth_backend.go), so it never moves.
 */
export const OTHER_MOUNT_TYPES: Readonly<
  Record<string, { field: "path" | "backend"; default?: string; auth: boolean; remount: "switch" | "always" | "never" }>
> = {
  "vault:ad/secretBackend:SecretBackend": { field: "backend", default: "ad", auth: false, remount: "switch" },
  "vault:azure/backend:Backend": { field: "path", default: "azure", auth: false, remount: "switch" },
  "vault:consul/secretBackend:SecretBackend": { field: "path", default: "consul", auth: false, remount: "switch" },
  "vault:gcp/secretBackend:SecretBackend": { field: "path", default: "gcp", auth: false, remount: "switch" },
  "vault:kmip/secretBackend:SecretBackend": { field: "path", auth: false, remount: "switch" },
  "vault:kubernetes/secretBackend:SecretBackend": { field: "path", auth: false, remount: "always" },
  "vault:ldap/secretBackend:SecretBackend": { field: "path", default: "ldap", auth: false, remount: "switch" },
  "vault:index/nomadSecretBackend:NomadSecretBackend": { field: "backend", default: "nomad", auth: false, remount: "switch" },
  "vault:rabbitMq/secretBackend:SecretBackend": { field: "path", default: "rabbitmq", auth: false, remount: "switch" },
  "vault:terraformcloud/secretBackend:SecretBackend": { field: "backend", default: "terraform", auth: false, remount: "switch" },
  "vault:gcp/authBackend:AuthBackend": { field: "path", default: "gcp", auth: true, remount: "switch" },
  "vault:github/authBackend:AuthBackend": { field: "path", default: "github", auth: true, remount: "switch" },
  "vault:jwt/authBackend:AuthBackend": { field: "path", default: "jwt", auth: true, remount: "switch" },
  "vault:ldap/authBackend:AuthBackend": { field: "path", default: "ldap", auth: true, remount: "switch" },
  "vault:index/ociAuthBackend:OciAuthBackend": { field: "path", default: "oci", auth: true, remount: "switch" },
  "vault:okta/authBackend:AuthBackend": { field: "path", default: "okta", auth: true, remount: "switch" },
  "vault:saml/authBackend:AuthBackend": { field: "path", default: "saml", auth: true, remount: "never" },
};

/** What an agent does through a mount: read KV secrets, mint credentials of an engine, or log in. */
type Use = "kv" | "aws" | "database" | "aws-or-database" | "kubernetes-auth";

/** The engine a mount resource puts at its path: one of the uses, or something no agent uses. */
function engineOf(r: Read): Use | "other" {
  switch (r.resource.type) {
    case VAULT_MOUNT_PATH_TYPES.databaseMount:
      return "database";
    case VAULT_MOUNT_PATH_TYPES.awsEngine:
      return "aws";
    case VAULT_MOUNT_PATH_TYPES.authBackend:
      return asString(r.v.type) === "kubernetes" ? "kubernetes-auth" : "other";
    case VAULT_MOUNT_PATH_TYPES.mount: {
      const type = asString(r.v.type);
      if (type === "kv" || type === "kv-v2") return "kv";
      if (type === "aws" || type === "database") return type;
      return "other";
    }
    default:
      // An engine or auth method of another type (OTHER_MOUNT_TYPES): no agent uses it.
      return "other";
  }
}

const admits = (use: Use, engine: Use | "other") =>
  engine !== "other" && (use === engine || (use === "aws-or-database" && (engine === "aws" || engine === "database")));

/** A mount path as Vault keys it (slashes trimmed), auth methods under `auth/`. */
export const mountKey = (path: string, auth: boolean) => `${auth ? "auth/" : ""}${cleanVaultPath(path).replace(/\/+$/, "")}`;

/** The mount a held policy path is on, and what the agent does there; undefined for paths on no engine (token self paths, globs in the mount). */
function useOf(path: string): { mount: string; use: Use } | undefined {
  const segments = cleanVaultPath(path).split("/");
  const verb = segments.findIndex((s, i) => i > 0 && s === "data");
  const engine = segments.length - 2;
  const [at, use]: [number, Use] | [number, undefined] =
    verb > 0
      ? [verb, "kv"]
      : engine > 0 && segments[engine] === "sts"
        ? [engine, "aws"]
        : engine > 0 && segments[engine] === "static-creds"
          ? [engine, "database"]
          : engine > 0 && segments[engine] === "creds"
            ? [engine, "aws-or-database"]
            : [-1, undefined];
  if (use === undefined) return undefined;
  const mount = segments.slice(0, at);
  if (mount.some((s) => s.includes("*") || s === "+" || s.includes("{{"))) return undefined;
  return { mount: mountKey(mount.join("/"), false), use };
}

/** The mounts an agent's own resources use (its auth roles' mounts, the engines its policies hold paths on), with the uses. */
export function agentMounts(ix: StackIndex): Map<string, Set<Use>> {
  const out = new Map<string, Set<Use>>();
  const add = (mount: string, use: Use) => out.set(mount, (out.get(mount) ?? new Set()).add(use));
  for (const role of ix.authRoles) {
    if (!role.meta.agent || !(IDENTITY_KINDS as readonly string[]).includes(role.meta.identity ?? "")) continue;
    add(mountKey(asString(role.v.backend) ?? "kubernetes", true), "kubernetes-auth");
    for (const name of new Set(role.policies)) {
      for (const policy of ix.by.vaultPoliciesNamed.get(name) ?? [])
        for (const rule of policy.paths) {
          if (rule.capabilities.every((c) => c === "deny")) continue;
          const used = useOf(rule.path);
          if (used) add(used.mount, used.use);
        }
    }
  }
  return out;
}

/** The path a mount resource mounts at (provider defaults: an AuthBackend at its type, an AWS engine at `aws`), or "unknown". */
function pathOf(r: Read): string | "unknown" {
  const other = OTHER_MOUNT_TYPES[r.resource.type];
  const field = other?.field ?? "path";
  if (isUnknown(r, field)) return "unknown";
  const path = asString(r.v[field]);
  if (path !== undefined) return path;
  if (other !== undefined) return other.default ?? "unknown";
  if (r.resource.type === VAULT_MOUNT_PATH_TYPES.awsEngine) return "aws";
  if (r.resource.type === VAULT_MOUNT_PATH_TYPES.authBackend) return isUnknown(r, "type") ? "unknown" : (asString(r.v.type) ?? "unknown");
  return "unknown";
}

/**
 * Mounts whose provider resource has `disable_remount`: set, a path change forces a new resource
 * instead of sys/remount (getMountCustomizeDiffFunc). `vault.Mount` and `vault.database.SecretsMount`
 * have no such input in @pulumi/vault 7.x.
 */
const REMOUNT_SWITCH: ReadonlySet<string> = new Set([
  VAULT_MOUNT_PATH_TYPES.awsEngine,
  VAULT_MOUNT_PATH_TYPES.authBackend,
  ...Object.entries(OTHER_MOUNT_TYPES).flatMap(([type, t]) => (t.remount === "switch" ? [type] : [])),
]);

/** Whether a path change of this mount resource is a replacement (never a remount): disableRemount set, or a path the provider makes ForceNew. */
const staysPut = (r: Read) =>
  OTHER_MOUNT_TYPES[r.resource.type]?.remount === "never" ||
  (REMOUNT_SWITCH.has(r.resource.type) && r.v.disableRemount === true && !isUnknown(r, "disableRemount"));

const isAuthMount = (type: string) => type === VAULT_MOUNT_PATH_TYPES.authBackend || OTHER_MOUNT_TYPES[type]?.auth === true;

const TWIN =
  "a policy cannot tell a mount the stack creates from an existing one it imports (the import option is not sent to policies, and an import with other inputs imports then updates: a changed path remounts the existing mount, with its secrets and roles, at this path)";

function checkMountPaths(ix: StackIndex): PackFinding[] {
  if (agentNamespaces(ix).size === 0) return [];
  const used = agentMounts(ix);
  const findings: PackFinding[] = [];
  const mounts = readOfType(
    ix,
    VAULT_MOUNT_PATH_TYPES.mount,
    VAULT_MOUNT_PATH_TYPES.databaseMount,
    VAULT_MOUNT_PATH_TYPES.awsEngine,
    VAULT_MOUNT_PATH_TYPES.authBackend,
    ...Object.keys(OTHER_MOUNT_TYPES),
  );
  const placed = mounts.map((r) => {
    const path = pathOf(r);
    return { r, key: path === "unknown" ? undefined : mountKey(path, isAuthMount(r.resource.type)) };
  });
  const onKey = new Map<string, number>();
  for (const { key } of placed) if (key !== undefined) onKey.set(key, (onKey.get(key) ?? 0) + 1);
  for (const { r, key } of placed) {
    const label = `${r.resource.type.split(":").pop()} ${r.resource.name}`;
    const engine = engineOf(r);
    let why: string | undefined;
    if (key === undefined) why = `mounts at a path unknown at preview (maybe the agents' own mount, moved)`;
    else if ((onKey.get(key) ?? 0) > 1) why = `mounts ${key}, which another resource of the stack mounts too`;
    else if (!used.has(key)) {
      // Remounting off, a changed path is a replacement, which the engine refuses for an imported
      // resource: it stays at the path it names, which is no agent's, so it cannot carry theirs here.
      if (staysPut(r)) continue;
      why = `mounts ${key}, which no agent's own role or policy uses${REMOUNT_SWITCH.has(r.resource.type) ? ", and may remount (disableRemount is not true)" : ""}`;
    } else if (![...used.get(key)!].every((use) => admits(use, engine)))
      why = `mounts ${key} as ${asString(r.v.type) ?? r.resource.type}, not the engine agents use there (${[...used.get(key)!].join(", ")})`;
    if (why === undefined) continue;
    findings.push(
      declarablePlatformFinding(
        r.resource,
        RULE,
        `${label} ${why}: ${TWIN}, so it may be the agents' KV mount, AWS or database engine or auth method moved out from under the paths their policies name, or another mount adopted with roles and secrets no resource of the stack shows`,
        "mount Vault engines and auth methods in the platform's own stack (AgentPlatform mounts the agents' own)",
      ),
    );
  }
  for (const r of readOfType(ix, VAULT_MOUNT_PATH_TYPES.kubernetesAuthConfig)) {
    const backend = isUnknown(r, "backend") ? undefined : mountKey(asString(r.v.backend) ?? "kubernetes", true);
    if (backend !== undefined && used.get(backend)?.has("kubernetes-auth")) continue;
    findings.push(
      declarablePlatformFinding(
        r.resource,
        RULE,
        `Kubernetes auth config ${r.resource.name} configures ${backend ?? "an auth mount unknown at preview"}, on which no agent's own Kubernetes-auth role lives: pointed at the agents' cluster, the roles already on that mount (outside the stack) would accept the agents' ServiceAccount tokens, and a config write replaces whatever the mount had`,
        "configure only the agents' own Kubernetes auth mounts (AgentPlatform does)",
      ),
    );
  }
  return findings;
}

export const vaultMountPaths: Adapter = {
  family: "vault-mount-paths",
  holdings: "none: where an engine or auth method is mounted decides whether the agents' paths still lead to the agents' own mounts",
  types: [
    {
      type: VAULT_MOUNT_PATH_TYPES.mount,
      route: "mounts a secrets engine, or (imported with another path) moves an existing one, with its secrets and roles, to its path",
      checkedBy: [RULE],
    },
    {
      type: VAULT_MOUNT_PATH_TYPES.databaseMount,
      route: "mounts a database engine, or (imported with another path) moves an existing one, with its connections and roles, to its path",
      checkedBy: [RULE],
    },
    {
      type: VAULT_MOUNT_PATH_TYPES.awsEngine,
      route: "mounts an AWS engine, or (imported with another path) moves an existing one, with its roles, to its path",
      checkedBy: [RULE],
    },
    {
      type: VAULT_MOUNT_PATH_TYPES.authBackend,
      route: "mounts an auth method, or (imported with another path) moves an existing one, with its roles, to its path",
      checkedBy: [RULE],
    },
    ...Object.entries(OTHER_MOUNT_TYPES).map(([type, t]) => ({
      type,
      route: `mounts ${t.auth ? "an auth method" : "a secrets engine"} of another type, or (imported with another path) moves an existing one, with its roles, to its path`,
      checkedBy: [RULE],
    })),
    {
      type: VAULT_MOUNT_PATH_TYPES.kubernetesAuthConfig,
      route: "points a Kubernetes auth mount, and every role on it, at an API server",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    pass.findings.push(...checkMountPaths(ix));
  },
};
