/**
 * Every Vault resource that hands out policies (tokens, token roles, AppRole, JWT, LDAP, GitHub,
 * Okta, identity entities and groups ...), and generic writes whose data names a policy. Across the
 * stack: none may hand out an agent identity's policy; only the identity's own Kubernetes-auth role
 * carries it.
 */
import type { IdentityKind } from "../../components/core/names";
import { globMatches } from "../../components/core/patterns";
import { asString, asStrings, readInputs } from "../inputs";
import type { Adapter } from "../types";
import { vaultPolicyName } from "../vault-names";
import { deps, finding, type Read } from "./shared";
import { VAULT_POLICY_TYPES } from "./vault-policies";
import { VAULT_GENERIC_TYPES } from "./vault-generic";

/** Inputs of any Vault resource that hand out policies to whoever logs in or holds the token. */
export const VAULT_POLICY_FIELDS = ["tokenPolicies", "policies", "allowedPolicies", "allowedPoliciesGlobs"] as const;

const POLICY_FIELDS = new Set<string>(VAULT_POLICY_FIELDS);
/** Inputs of Vault auth backends holding nested entries with their own policies (Okta groups and users, ...). */
const POLICY_CONTAINERS = new Set(["groups", "users", "teams"]);

/**
 * Every policy-bearing input of a Vault resource at any depth (`tokenPolicies`, or Okta's
 * `groups[].policies`, ...), with its policy names; a comma-separated string counts as a list.
 */
export function policyFields(value: unknown, depth = 0): Array<{ field: string; names: string[] }> {
  if (!value || typeof value !== "object" || depth > 8) return [];
  const out: Array<{ field: string; names: string[] }> = [];
  for (const [key, child] of Object.entries(value)) {
    if (POLICY_FIELDS.has(key)) out.push({ field: key, names: typeof child === "string" ? child.split(",") : asStrings(child) });
    else out.push(...policyFields(child, depth + 1));
  }
  return out;
}

/** Every string in a generic write's JSON data (bounded: at most 64 KiB of text read). */
function dataStrings(dataJson: unknown): string[] {
  if (typeof dataJson !== "string" || dataJson.length > 64 * 1024) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(dataJson);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") for (const child of Object.values(value)) walk(child);
  };
  walk(parsed);
  return out;
}

/**
 * Every Vault type whose inputs name policies (tokenPolicies, policies, allowedPolicies, ...), from
 * the installed @pulumi/vault; the type-classification test fails when a new one appears unlisted.
 * The stack check reads these fields on any `vault:` type, listed or not.
 */
export const POLICY_HOLDER_TYPES: readonly string[] = [
  "vault:alicloud/authBackendRole:AuthBackendRole",
  "vault:appRole/authBackendLogin:AuthBackendLogin",
  "vault:appRole/authBackendRole:AuthBackendRole",
  "vault:aws/authBackendLogin:AuthBackendLogin",
  "vault:aws/authBackendRole:AuthBackendRole",
  "vault:aws/authBackendRoleTag:AuthBackendRoleTag",
  "vault:azure/authBackendRole:AuthBackendRole",
  "vault:consul/secretBackendRole:SecretBackendRole",
  "vault:gcp/authBackendRole:AuthBackendRole",
  "vault:github/authBackend:AuthBackend",
  "vault:github/team:Team",
  "vault:github/user:User",
  "vault:identity/entity:Entity",
  "vault:identity/entityPolicies:EntityPolicies",
  "vault:identity/group:Group",
  "vault:identity/groupPolicies:GroupPolicies",
  "vault:index/certAuthBackendRole:CertAuthBackendRole",
  "vault:index/nomadSecretRole:NomadSecretRole",
  "vault:index/ociAuthBackendRole:OciAuthBackendRole",
  "vault:index/scepAuthBackendRole:ScepAuthBackendRole",
  "vault:index/token:Token",
  "vault:jwt/authBackendRole:AuthBackendRole",
  "vault:kubernetes/authBackendRole:AuthBackendRole",
  "vault:ldap/authBackend:AuthBackend",
  "vault:ldap/authBackendGroup:AuthBackendGroup",
  "vault:ldap/authBackendUser:AuthBackendUser",
  "vault:okta/authBackend:AuthBackend",
  "vault:okta/authBackendGroup:AuthBackendGroup",
  "vault:okta/authBackendUser:AuthBackendUser",
  "vault:saml/authBackendRole:AuthBackendRole",
  "vault:tokenauth/authBackendRole:AuthBackendRole",
];

export const vaultPolicyUse: Adapter = {
  family: "vault-policy-use",
  holdings: "none of its own: a policy it hands out counts as the agent's only through the agent's own auth role",
  types: POLICY_HOLDER_TYPES.map((type) => ({
    type,
    route: "hands out Vault policies to whoever logs in or holds the token",
    checkedBy: ["vault/agent-policy-use"],
  })),
  stack: (ix, pass) => {
    const { findings } = pass;
    const agentPolicies = new Map<string, { agent: string; kind: IdentityKind | null; urn: string }>();
    for (const authRole of ix.authRoles) {
      const kind = (["orchestration", "execution", "audit"] as const).find((k) => k === authRole.meta.identity) ?? null;
      if (authRole.meta.agent) for (const name of authRole.policies) agentPolicies.set(name, { agent: authRole.meta.agent, kind, urn: authRole.resource.urn });
    }
    if (agentPolicies.size) {
      const authRoleByUrn = new Map(ix.authRoles.map((a) => [a.resource.urn, a]));
      const policyOrder = new Map([...agentPolicies.keys()].map((name, at) => [name, at]));
      for (const r of ix.inputs
        .filter((x) => x.resource.type.startsWith("vault:"))
        .map((x): Read => ({ resource: x.resource, v: x.value, unknown: x.unknown }))) {
        const ownRole = authRoleByUrn.get(r.resource.urn);
        // Raw writes whose data names an agent's policy (the path is also judged: vault/generic-write).
        if (r.resource.type === VAULT_GENERIC_TYPES.vaultGenericEndpoint || r.resource.type === VAULT_GENERIC_TYPES.vaultGenericSecret) {
          // Every name the data could mean (a value, or a part of a comma-separated one), looked up,
          // then reported in agentPolicies' order as scanning every agent policy against the data did.
          const named = new Set<string>();
          for (const value of dataStrings(r.v.dataJson)) for (const name of [value, ...value.split(",")]) named.add(vaultPolicyName(name)!);
          const hits = [...named].filter((name) => agentPolicies.has(name)).sort((a, b) => policyOrder.get(a)! - policyOrder.get(b)!);
          for (const policy of hits) {
            const owner = agentPolicies.get(policy)!;
            findings.push(
              finding(
                owner,
                r.resource.urn,
                "vault/agent-policy-use",
                `${r.resource.type} ${r.resource.name} writes data naming ${owner.agent}/${owner.kind ?? "*"}'s Vault policy ${policy}`,
                "only the identity's own Kubernetes-auth role carries its policy",
              ),
            );
          }
        }
        const unknownPolicies = r.unknown.filter((path) =>
          path.split(".").some((segment, i) => POLICY_FIELDS.has(segment) || (i === 0 && POLICY_CONTAINERS.has(segment))),
        );
        // Unknown at preview because it comes from vault.Policy resources of the stack (`tokenPolicies: [policy.name]`):
        // those policies' names are what it hands out, judged below like known ones.
        const fromPolicies = new Map<string, string[]>();
        for (const path of unknownPolicies) {
          const top = path.split(/[.[]/)[0]!;
          const from = deps(r, top);
          const names = from.map((d) =>
            d.type === VAULT_POLICY_TYPES.vaultPolicy ? asString(readInputs(d.props as Record<string, unknown>).value.name) : undefined,
          );
          if (from.length > 0 && names.every((name): name is string => name !== undefined)) fromPolicies.set(top, names);
        }
        const stillUnknown = unknownPolicies.filter((path) => !fromPolicies.has(path.split(/[.[]/)[0]!));
        const traced = [...fromPolicies].map(([field, names]) => ({ field: POLICY_FIELDS.has(field) ? field : "policies", names }));
        if (stillUnknown.length) {
          findings.push(
            finding(
              { agent: r.resource.name, kind: null },
              r.resource.urn,
              "vault/agent-policy-use",
              `${r.resource.type} ${r.resource.name}: ${stillUnknown.join(", ")} unknown at preview, so it may hand out an agent's policy`,
              "name the policies with known values",
            ),
          );
        }
        for (const { field, names } of [...policyFields(r.v), ...traced]) {
          for (const name of names) {
            // Vault trims and lower-cases policy names before it stores or compares them.
            const wanted = vaultPolicyName(name)!;
            const exact = agentPolicies.get(wanted);
            const hits: Array<[string, { agent: string; kind: IdentityKind | null; urn: string }]> =
              field === "allowedPoliciesGlobs" || wanted === "*"
                ? [...agentPolicies.entries()].filter(([policy]) => globMatches(wanted, policy))
                : exact
                  ? [[wanted, exact]]
                  : [];
            for (const [policy, owner] of hits) {
              if (ownRole && ownRole.meta.agent === owner.agent && ownRole.meta.identity === (owner.kind ?? undefined)) continue;
              findings.push(
                finding(
                  owner,
                  r.resource.urn,
                  "vault/agent-policy-use",
                  `${r.resource.type} ${r.resource.name} hands out ${owner.agent}/${owner.kind ?? "*"}'s Vault policy ${policy} (${field})`,
                  "only the identity's own Kubernetes-auth role carries its policy",
                ),
              );
            }
          }
        }
      }
    }
  },
};
