/**
 * Vault judged by path, not by name: a policy that no agent identity's own auth role carries (a CI
 * runner's Kubernetes-auth role, an AppRole, a JWT role, a token, an entity or group: whatever
 * holds it) must not reach a path an agent identity holds. What an identity holds is read from the
 * policies its own auth role carries, widened to every path that serves or controls the same thing:
 * a KV v2 secret's data, metadata, delete, undelete and destroy paths; an AWS role's sts/ and creds/;
 * a secret role's definition under roles/. Reach follows Vault's policy path matching: `*` only as
 * the last character (a prefix), `+` as one whole path segment; a templated segment
 * (`{{identity.entity.metadata.agent}}`) matches every value, since whoever can set the entity's
 * metadata or alias picks it. Paths are compared cleaned, as Vault sees requests (see cleanVaultPath).
 */
import { IDENTITY_KINDS, type IdentityKind } from "../../components/core/names";
import { TOKEN_SELF_PATHS } from "../../components/core/vault-policy";
import { cleanVaultPath, isTemplated, pathFamily, vaultPathMatches } from "../vault-paths";
import { asString, asStrings } from "../inputs";
import { PLATFORM_TYPES as TYPES } from "./platform-types";
import type { PackFinding } from "../types";
import { inListOrder, type StackIndex } from "../stack-index";
import { sessionTagsOf } from "../tool-roles";
import type { PathHolder } from "./vault-secret-reach";

export { cleanVaultPath, isTemplated, pathFamily, vaultPathMatches } from "../vault-paths";

const RULE = "vault/agent-path-reach";
const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));
type Holder = PathHolder;

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
        for (const path of pathFamily(cleanVaultPath(rule.path))) {
          const list = out.get(path) ?? [];
          if (!list.some((h) => h.agent === agent && h.identity === identity)) list.push({ agent, identity, held: rule.path });
          out.set(path, list);
        }
      }
  }
  return out;
}

/** Vault policies no agent identity's own auth role carries, reaching a path one holds. */
export function checkVaultPathReach(ix: StackIndex, held: ReadonlyMap<string, readonly Holder[]> = heldPaths(ix)): PackFinding[] {
  if (held.size === 0) return [];
  const agentCarried = new Set(ix.authRoles.filter((r) => r.meta.agent && isKind(r.meta.identity)).flatMap((r) => r.policies));
  const findings: PackFinding[] = [];
  for (const policy of ix.vaultPolicies) {
    if (policy.name !== undefined && agentCarried.has(policy.name)) continue;
    for (const rule of policy.paths) {
      if (rule.capabilities.every((c) => c === "deny")) continue;
      const pattern = cleanVaultPath(rule.path);
      const glob = pattern.endsWith("*") || pattern.includes("+") || isTemplated(pattern);
      const hits = glob
        ? [...held.entries()].filter(([path]) => vaultPathMatches(pattern, path))
        : held.has(pattern)
          ? [[pattern, held.get(pattern)!] as const]
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
