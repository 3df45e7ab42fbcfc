/**
 * Vault policies: what a Vault token may do, read by a real HCL parser. Per resource: unreadable
 * text, sudo and system paths on every policy; globs and writes (vault/policy-glob,
 * vault/policy-read-only, the shape of an agent's own policy) on every policy named as an agent
 * identity's (`<prefix>-<env>-<agent>-<identity>`) or whose name is unknown at preview. Across the
 * stack: the same two on any other policy an agent identity's auth role carries, and two Vault
 * objects on one path. A platform policy no agent carries (CI's `kv/data/ci/*`) is judged by what
 * it reaches instead (vault/agent-path-reach, vault-path-reach.ts): globs and writes outside every
 * agent's paths are the platform's own.
 */
import type { Problem } from "../../components/rules/define";
import { checkVaultPolicy } from "../../components/rules/vault";
import { asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";
import { readVaultPolicy } from "../vault-hcl";
import { cleanVaultPath } from "../vault-paths";
import { goToLower, vaultPolicyName } from "../checks/vault-policy-name";
import { IDENTITY_KINDS } from "../../components/core/names";
import { withinDefaultPolicy } from "../checks/vault-default-policy";

/** Rules on the shape of an agent's own policy, not on what a policy reaches. */
const AGENT_POLICY_RULES: ReadonlySet<string> = new Set(["vault/policy-glob", "vault/policy-read-only"]);

/** Named as an agent identity's policy (components/core/names.ts vaultPolicyName), as Vault folds names; unknown counts as one. */
const agentNamed = (name: string | undefined): boolean => name === undefined || IDENTITY_KINDS.some((kind) => name.endsWith(`-${kind}`));

export const VAULT_POLICY_TYPES = {
  vaultPolicy: "vault:index/policy:Policy",
} as const;

export const vaultPolicies: Adapter = {
  family: "vault-policies",
  holdings: "the paths of the policies an identity's Kubernetes-auth role carries are its Vault grants (IdentityHoldings.vault)",
  types: [
    {
      type: VAULT_POLICY_TYPES.vaultPolicy,
      key: "vaultPolicy",
      route: "what a Vault token may do (HCL read by a real parser)",
      required: ["policy", "name"],
      checkedBy: ["vault/policy-unreadable", "vault/policy-sudo", "vault/policy-system-path", "vault/policy-glob", "vault/unique-path"],
    },
  ],
  check: (resource, inputs) => {
    const v = inputs.value;
    if (typeof v.policy !== "string") return [];
    const parsed = readVaultPolicy(v.policy);
    const unreadable: Problem[] = parsed.unreadable
      ? [
          {
            rule: "vault/policy-unreadable",
            message: `policy ${asString(v.name) ?? resource.name} has text the pack cannot read as path rules: "${parsed.unreadable}"`,
            fix: 'write the policy as path "..." { capabilities = [...] } blocks',
          },
        ]
      : [];
    // Vault's ACL only sees cleaned request paths: a path written otherwise matches nothing as written
    // and everything its clean form does, so it is refused rather than guessed at.
    const unclean: Problem[] = parsed.paths
      .filter((rule) => cleanVaultPath(rule.path) !== rule.path)
      .map((rule) => ({
        rule: "vault/policy-unreadable",
        message: `policy ${asString(v.name) ?? resource.name}: path "${rule.path}" has repeated slashes or . / .. segments; Vault cleans every request path first (Go's http.ServeMux), so it means "${cleanVaultPath(rule.path)}"`,
        fix: `write the path as Vault reads it: "${cleanVaultPath(rule.path)}"`,
      }));
    const agents = agentNamed(vaultPolicyName(asString(v.name)));
    // A policy no agent is named for may hold what Vault's own default policy grants (a platform app renewing its leases).
    const judged = agents ? parsed.paths : parsed.paths.filter((rule) => !withinDefaultPolicy(rule));
    return [...unreadable, ...unclean, ...checkVaultPolicy(judged).filter((problem) => agents || !AGENT_POLICY_RULES.has(problem.rule))];
  },
  stack: (ix, pass) => {
    pass.findings.push(...checkDuplicateVaultPaths(ix), ...checkAgentCarried(ix));
  },
};

/** A policy not named as an agent's but carried by an agent identity's auth role is an agent policy all the same. */
function checkAgentCarried(ix: StackIndex): PackFinding[] {
  const carriers = new Map<string, { agent: string; identity: PackFinding["identity"] }>();
  for (const role of ix.authRoles) {
    const identity = IDENTITY_KINDS.find((kind) => kind === role.meta.identity);
    if (!role.meta.agent || !identity) continue;
    for (const name of role.policies)
      if (name !== undefined && !agentNamed(name) && !carriers.has(name)) carriers.set(name, { agent: role.meta.agent, identity });
  }
  if (carriers.size === 0) return [];
  return ix.vaultPolicies.flatMap((policy) => {
    const carrier = policy.name === undefined ? undefined : carriers.get(policy.name);
    if (!carrier) return [];
    // The default policy's system paths the per-resource check admitted on a platform policy are an agent's system paths here.
    const defaults = checkVaultPolicy(policy.paths.filter(withinDefaultPolicy)).filter((problem) => problem.rule === "vault/policy-system-path");
    return [...checkVaultPolicy(policy.paths).filter((problem) => AGENT_POLICY_RULES.has(problem.rule)), ...defaults].map((problem) => ({
      ...problem,
      agent: carrier.agent,
      identity: carrier.identity,
      urn: policy.resource.urn,
      message: `policy ${policy.name}, carried by agent ${carrier.agent}'s ${carrier.identity} identity: ${problem.message}`,
    }));
  });
}

/** Two Vault resources on one path would overwrite each other: `vault/unique-path`, on each of them. */
function checkDuplicateVaultPaths(ix: StackIndex): PackFinding[] {
  const trim = (path: string | undefined) => (path ?? "").replace(/^\/+|\/+$/g, "");
  const objects = [
    ...ix.vaultPolicies.map((r) => ({ r, path: `sys/policy/${r.name ?? ""}`, agent: r.resource.name })),
    ...ix.authRoles.map((r) => ({
      r,
      // The Kubernetes auth plugin stores a role under strings.ToLower(name) (hashicorp/vault-plugin-auth-kubernetes
      // path_role.go, commit 00a7fa2ebb38eddba900a99014d02f4e5d1b45dc): `DEV-X-EXECUTION` overwrites `dev-x-execution`.
      path: `auth/${trim(asString(r.v.backend))}/role/${goToLower(asString(r.v.roleName) ?? "")}`,
      agent: r.meta.agent ?? r.resource.name,
    })),
    ...ix.secretRoles.map((r) => ({ r, path: `${trim(asString(r.v.backend))}/roles/${asString(r.v.name) ?? ""}`, agent: r.resource.name })),
  ];
  // Grouped by type and path once (not every object against every other).
  const groups = new Map<string, Map<string, typeof objects>>();
  for (const object of objects) {
    const byPath = groups.get(object.r.resource.type) ?? groups.set(object.r.resource.type, new Map()).get(object.r.resource.type)!;
    const group = byPath.get(object.path);
    if (group) group.push(object);
    else byPath.set(object.path, [object]);
  }
  const findings: PackFinding[] = [];
  for (const object of objects) {
    const twins = groups
      .get(object.r.resource.type)!
      .get(object.path)!
      .filter((o) => o !== object);
    if (twins.length === 0) continue;
    findings.push({
      rule: "vault/unique-path",
      agent: object.agent,
      identity: null,
      urn: object.r.resource.urn,
      message: `writes Vault path "${object.path}", as ${twins.map((t) => t.r.resource.name).join(", ")} does`,
      fix: "give every Vault role, policy and secret role a name of its own (the components' names never coincide)",
    });
  }
  return findings;
}
