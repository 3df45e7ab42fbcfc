/**
 * Vault judged by path, not by name: a policy that no agent identity's own auth role carries (a CI
 * runner's Kubernetes-auth role, an AppRole, a JWT role, a token, an entity or group: whatever
 * holds it) must not reach a path an agent identity holds. What an identity holds is read from the
 * policies its own auth role carries, widened to every path that serves or controls the same thing:
 * a KV v2 secret's data, metadata, delete, undelete and destroy paths; an AWS role's sts/ and creds/;
 * a secret role's definition under roles/. Reach follows Vault's policy path matching: `*` only as
 * the last character (a prefix), `+` as one whole path segment.
 */
import { IDENTITY_KINDS, type IdentityKind } from "../../components/core/names";
import { TOKEN_SELF_PATHS } from "../../components/core/vault-policy";
import { asString, asStrings } from "../inputs";
import { PLATFORM_TYPES as TYPES } from "./platform-types";
import type { PackFinding } from "../types";
import { inListOrder, type StackIndex } from "../stack-index";
import { sessionTagsOf } from "../tool-roles";

const RULE = "vault/agent-path-reach";
const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));
const KV_VERBS = ["data", "metadata", "delete", "undelete", "destroy"];

/** Whether a policy path pattern matches a concrete path, as Vault's ACL does (vault/acl.go: prefix `*`, segment `+`). */
export function vaultPathMatches(pattern: string, path: string): boolean {
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

interface Holder {
  readonly agent: string;
  readonly identity: IdentityKind;
  readonly held: string;
}

const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/** Every path an agent identity holds (and its family), with the identity and the path it holds. */
export function heldPaths(ix: StackIndex): Map<string, Holder[]> {
  const out = new Map<string, Holder[]>();
  for (const role of ix.authRoles) {
    const agent = role.meta.agent;
    const identity = role.meta.identity;
    if (!agent || !isKind(identity)) continue;
    for (const policy of inListOrder([...new Set(role.policies)].map((name) => ix.by.vaultPoliciesNamed.get(name))))
      for (const rule of policy.paths) {
        if (SELF_PATHS.has(rule.path) || rule.capabilities.every((c) => c === "deny")) continue;
        for (const path of pathFamily(rule.path)) {
          const list = out.get(path) ?? [];
          if (!list.some((h) => h.agent === agent && h.identity === identity)) list.push({ agent, identity, held: rule.path });
          out.set(path, list);
        }
      }
  }
  return out;
}

/** Vault policies no agent identity's own auth role carries, reaching a path one holds. */
export function checkVaultPathReach(ix: StackIndex): PackFinding[] {
  const held = heldPaths(ix);
  if (held.size === 0) return [];
  const agentCarried = new Set(ix.authRoles.filter((r) => r.meta.agent && isKind(r.meta.identity)).flatMap((r) => r.policies));
  const findings: PackFinding[] = [];
  for (const policy of ix.vaultPolicies) {
    if (policy.name !== undefined && agentCarried.has(policy.name)) continue;
    for (const rule of policy.paths) {
      if (rule.capabilities.every((c) => c === "deny")) continue;
      const glob = rule.path.endsWith("*") || rule.path.includes("+");
      const hits = glob
        ? [...held.entries()].filter(([path]) => vaultPathMatches(rule.path, path))
        : held.has(rule.path)
          ? [[rule.path, held.get(rule.path)!] as const]
          : [];
      const reported = new Set<string>();
      for (const [path, holders] of hits)
        for (const holder of holders) {
          const key = JSON.stringify([holder.agent, holder.identity]);
          if (reported.has(key)) continue;
          reported.add(key);
          findings.push({
            rule: RULE,
            agent: holder.agent,
            identity: holder.identity,
            urn: policy.resource.urn,
            message: `Vault policy ${policy.name ?? policy.resource.name}, which no identity's own Kubernetes-auth role carries, grants ${rule.capabilities.join(", ")} on "${rule.path}", reaching ${path} (${holder.agent}/${holder.identity} holds ${holder.held}): whatever carries it (an auth role, AppRole, JWT role, token, entity or group) gets the agent's credentials or data`,
            fix: "share an agent's path only through a declared platform.shared entry (checked by plan); otherwise narrow the policy to paths no agent holds",
          });
        }
    }
  }
  return findings;
}

/** Two AWS secret roles minting the same session (same role, same session tags): the second is a copy of an agent's tool session. */
export function checkToolSessionCopies(ix: StackIndex): PackFinding[] {
  const groups = new Map<string, Array<StackIndex["secretRoles"][number]>>();
  for (const role of ix.secretRoles) {
    if (role.resource.type !== TYPES.vaultAwsRole) continue;
    const tags = sessionTagsOf(role.v);
    if (!tags) continue;
    const key = JSON.stringify([
      [...role.roleArns].sort(),
      Object.entries(tags)
        .map(([k, v]) => [k.toLowerCase(), v])
        .sort(),
    ]);
    groups.set(key, [...(groups.get(key) ?? []), role]);
  }
  const findings: PackFinding[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    for (const role of list) {
      const tags = sessionTagsOf(role.v) ?? {};
      const agent = asString(tags["agent-identity:agent"]) ?? asString(role.v.name) ?? role.resource.name;
      findings.push({
        rule: RULE,
        agent,
        identity: "execution",
        urn: role.resource.urn,
        message: `AWS secret roles ${list.map((r) => r.path).join(", ")} mint the same tool session (${asStrings(role.v.roleArns).join(", ")} with the same session tags): a policy reading the copy gets the agent's tool credentials without reaching its path`,
        fix: "keep one secret role per tool session, the one the Agent component creates",
      });
    }
  }
  return findings;
}
