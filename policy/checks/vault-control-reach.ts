/**
 * Vault paths that control what agents get, judged as reaching the agents (attack round 11, E): a
 * policy no agent identity's own auth role carries may reach, on the parts of Vault agents depend
 * on, only an allowlist. The parts, each with what a platform policy may reach there:
 * - the identity engine (`identity/`): entities, aliases, groups, lookups and OIDC tokens decide
 *   which policies an agent's entity carries and which identity tokens are minted. Allowed: the two
 *   self-reads of Vault's built-in `default` policy (vault/policy_store.go, read only).
 * - every secrets mount an agent's held path or secret role uses: allowed are the paths that issue
 *   a secret, never a mount's config, roles or rotation (`aws/config/root` re-points the agents' AWS
 *   engine; `database/config/<connection>` re-points a connection, so Vault sends its stored root
 *   password to any host). Issuing paths an agent holds are judged by checkVaultPathReach.
 * - the Kubernetes auth mounts the agents log in through, and `sys/`: a literal `auth/…` or `sys/…`
 *   path is vault/policy-system-path's on every policy; a glob reaching them (`*`, `+/kubernetes/…`)
 *   is judged here. Allowed on an agent's auth mount: `login`.
 * Globs, `+` segments and identity templates are read as Vault's ACL reads them
 * (vaultPatternsOverlap in policy/vault-paths.ts).
 */
import { IDENTITY_KINDS, type IdentityKind } from "../../components/core/names";
import { asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { PackFinding } from "../types";
import { KV_VERBS, cleanVaultPath, vaultPatternsOverlap } from "../vault-paths";
import { PLATFORM_TYPES as TYPES } from "./platform-types";
import type { PathHolder } from "./vault-secret-reach";

const RULE = "vault/agent-path-reach";

/** Vault's built-in `default` policy reads a token's own entity (vault/policy_store.go defaultPolicy); nothing else under identity/ is a platform policy's. */
const IDENTITY_SELF_READS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["identity/entity/id/{{identity.entity.id}}", new Set(["read"])],
  ["identity/entity/name/{{identity.entity.name}}", new Set(["read"])],
]);

/** The first segments under a secrets mount that issue secrets, by engine (KV v2's API prefixes; AWS sts/creds; database creds/static-creds). */
const ISSUING: Readonly<Record<Engine, ReadonlySet<string>>> = {
  kv: new Set(KV_VERBS),
  aws: new Set(["creds", "sts"]),
  database: new Set(["creds", "static-creds"]),
  engine: new Set(["creds", "sts", "static-creds"]),
};
type Engine = "kv" | "aws" | "database" | "engine";

/** A part of Vault agents depend on: its path prefix, what a platform policy may reach under it, and whom it affects. */
interface Guarded {
  readonly mount: string;
  /** First segments under the mount a platform policy may reach; an exact path list instead for identity/. */
  readonly allowed: ReadonlySet<string>;
  readonly what: string;
  /** Only patterns not literally under this first segment (a literal `sys/`/`auth/` path is vault/policy-system-path's). */
  readonly globOnly: boolean;
  readonly affects: ReadonlyArray<{ readonly agent: string; readonly identity: IdentityKind | null }>;
}

const trim = (path: string | undefined) => (path ?? "").replace(/^\/+|\/+$/g, "");
const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/** The secrets mounts agents use, each with its engine and the agent identities using it. */
function agentMounts(ix: StackIndex, held: ReadonlyMap<string, readonly PathHolder[]>) {
  const mounts = new Map<string, { engines: Set<Engine>; affects: Map<string, { agent: string; identity: IdentityKind }> }>();
  const add = (mount: string, engine: Engine, holders: readonly PathHolder[]) => {
    if (mount === "") return;
    const entry = mounts.get(mount) ?? mounts.set(mount, { engines: new Set(), affects: new Map() }).get(mount)!;
    entry.engines.add(engine);
    for (const h of holders) entry.affects.set(`${h.agent}\u0000${h.identity}`, { agent: h.agent, identity: h.identity });
  };
  for (const role of ix.secretRoles) {
    const holders = held.get(role.path) ?? [];
    if (holders.length) add(trim(asString(role.v.backend)), role.resource.type === TYPES.vaultAwsRole ? "aws" : "database", holders);
  }
  for (const [path, holders] of held) {
    const segments = path.split("/");
    // The path an agent's own policy grants (not its family): KV v2 `<mount>/data/<secret>`, or `<mount>/(sts|creds|static-creds)/<role>`.
    if (!holders.some((h) => cleanVaultPath(h.held) === path)) continue;
    const data = segments.findIndex((s, i) => i > 0 && s === "data");
    if (data > 0 && data < segments.length - 1) add(segments.slice(0, data).join("/"), "kv", holders);
    const at = segments.length - 2;
    if (at > 0 && ["sts", "creds", "static-creds"].includes(segments[at])) add(segments.slice(0, at).join("/"), "engine", holders);
  }
  return mounts;
}

/** What a platform policy may not reach beyond the allowlists, for a stack whose agents hold these paths and roles. */
export function guardedParts(ix: StackIndex, held: ReadonlyMap<string, readonly PathHolder[]>): Guarded[] {
  const agentRoles = ix.authRoles.filter((r) => r.meta.agent && isKind(r.meta.identity));
  if (agentRoles.length === 0) return [];
  const everyAgent = [...new Set(agentRoles.map((r) => r.meta.agent!))].map((agent) => ({ agent, identity: null }));
  const parts: Guarded[] = [
    {
      mount: "identity",
      allowed: new Set(),
      what: "the identity engine (entities, aliases, groups, lookups and identity tokens decide every agent entity's policies)",
      globOnly: false,
      affects: everyAgent,
    },
    { mount: "sys", allowed: new Set(), what: "sys/ (policies, mounts and audit of every agent)", globOnly: true, affects: everyAgent },
  ];
  const authMounts = new Map<string, Map<string, { agent: string; identity: IdentityKind }>>();
  for (const role of agentRoles) {
    const mount = `auth/${trim(asString(role.v.backend)) || "kubernetes"}`;
    const affects = authMounts.get(mount) ?? authMounts.set(mount, new Map()).get(mount)!;
    affects.set(`${role.meta.agent}\u0000${role.meta.identity}`, { agent: role.meta.agent!, identity: role.meta.identity as IdentityKind });
  }
  for (const [mount, affects] of authMounts)
    parts.push({
      mount,
      allowed: new Set(["login"]),
      what: `the agents' auth mount ${mount} (its config and roles decide who logs in as an agent)`,
      globOnly: true,
      affects: [...affects.values()],
    });
  for (const [mount, { engines, affects }] of agentMounts(ix, held)) {
    // A held sts/creds path says only "some engine"; a secret role of the stack on the mount names it.
    if (engines.size > 1) engines.delete("engine");
    // Closed world: a mount read as two engines allows only what both allow.
    const allowed = new Set([...ISSUING[[...engines][0]]].filter((segment) => [...engines].every((engine) => ISSUING[engine].has(segment))));
    parts.push({
      mount,
      allowed,
      what: `the agents' ${[...engines].join("/")} mount ${mount} (beyond ${[...allowed].join(", ")}: its config, roles and rotation decide what the agents' credentials are and where Vault sends its own)`,
      globOnly: false,
      affects: [...affects.values()],
    });
  }
  return parts;
}

/**
 * Whether a policy path may reach a guarded part outside its allowlist: some first segment under the
 * mount that is not allowed (the pattern's own literal there, or a fresh one its glob matches) leads
 * to a path the pattern matches. The reached path is returned for the message.
 */
export function reachOutside(pattern: string, part: Pick<Guarded, "mount" | "allowed">): string | undefined {
  const depth = part.mount.split("/").length;
  const segments = pattern.split("/");
  const own = segments[depth];
  const candidates = new Set<string>(["\u0000"]);
  if (own !== undefined && !/[*+]|\{\{/.test(own)) candidates.add(own);
  else if (own !== undefined) candidates.add(`${own.split(/[*+]|\{\{/)[0]}\u0000`);
  for (const segment of candidates) {
    if (part.allowed.has(segment)) continue;
    for (const target of [`${part.mount}/${segment}`, `${part.mount}/${segment}/*`])
      if (vaultPatternsOverlap(pattern, target))
        return `${part.mount}/${segment === "\u0000" || segment.endsWith("\u0000") ? `${segment.replace("\u0000", "")}…` : segment}`;
  }
  return undefined;
}

/** Platform policies (no agent identity's own auth role carries them) reaching what controls the agents. */
export function checkControlReach(ix: StackIndex, held: ReadonlyMap<string, readonly PathHolder[]>): PackFinding[] {
  const parts = guardedParts(ix, held);
  if (parts.length === 0) return [];
  const agentCarried = new Set(ix.authRoles.filter((r) => r.meta.agent && isKind(r.meta.identity)).flatMap((r) => r.policies));
  const findings: PackFinding[] = [];
  for (const policy of ix.vaultPolicies) {
    if (policy.name !== undefined && agentCarried.has(policy.name)) continue;
    const reported = new Set<string>();
    for (const rule of policy.paths) {
      const capabilities = rule.capabilities.filter((c) => c !== "deny");
      if (capabilities.length === 0 || capabilities.length < rule.capabilities.length) continue;
      const pattern = cleanVaultPath(rule.path);
      const selfRead = IDENTITY_SELF_READS.get(pattern);
      if (selfRead && capabilities.every((c) => selfRead.has(c))) continue;
      for (const part of parts) {
        if (part.globOnly && pattern.split("/")[0] === part.mount.split("/")[0]) continue;
        const reached = reachOutside(pattern, part);
        if (!reached) continue;
        for (const { agent, identity } of part.affects) {
          const key = JSON.stringify([rule.path, agent, identity]);
          if (reported.has(key)) continue;
          reported.add(key);
          findings.push({
            rule: RULE,
            agent,
            identity,
            urn: policy.resource.urn,
            message: `Vault policy ${policy.name ?? policy.resource.name}, which no identity's own Kubernetes-auth role carries, grants ${rule.capabilities.join(", ")} on "${rule.path}", reaching ${reached} of ${part.what}: whatever carries it (an auth role, AppRole, JWT role, token, entity or group) changes what agent ${agent} gets`,
            fix: `leave ${part.mount}/ to the security team's own tooling; on it a platform policy may reach only ${part.allowed.size ? [...part.allowed].map((s) => `${part.mount}/${s}/…`).join(", ") : part.mount === "identity" ? "its own entity (read identity/entity/id/{{identity.entity.id}})" : "nothing"}`,
          });
        }
      }
    }
  }
  return findings;
}
