/**
 * In a stack with agents, every Vault policy a principal carries is one the pack can read
 * (vault/policy-in-stack): a `vault.Policy` of the stack (judged by the paths it reaches:
 * vault/agent-path-reach, vault/policy-system-path) or Vault's built-in `default`. Anything else, an
 * existing `admin`, `ops` or `vault-admin`, has content the pack never sees, which may reach every
 * agent's credentials and data, `sys/` and the audit devices; handing it out (an AppRole, a token, a
 * JWT, LDAP, Okta or GitHub mapping, an entity or group, a token role's allowed policies) is refused
 * unless the security team declares that principal (kubernetesPlatformResources, by URN and inputs
 * digest, which pins the names). The IAM side is the same closed world (iam/attached-policy).
 *
 * `root` is refused even when declared: it is every capability on every path (Vault docs, "Policies":
 * the root policy "cannot be modified or removed"; auth methods refuse to issue it, but a token or a
 * token role written by a root-holding deployer would). A glob (`allowedPoliciesGlobs`, or `*` in
 * a name) may match a policy written later anywhere in Vault, so it is declared too.
 *
 * A policy counts only on the Vault server and namespace it is written to (checks/vault-scope.ts): a
 * stack `ops-ro` in namespace team-a vouches for nothing about the root namespace's `ops-ro`.
 * Names compare as Vault folds them (vault-policy-name.ts). `default` is taken as Vault ships it
 * (hashicorp/vault vault/policy_store.go `defaultPolicy`: the token's self paths, cubbyhole, wrapping,
 * `sys/tools/hash`, the entity self-reads); an operator can edit it, so a platform that does writes it
 * in a stack where it is judged. Names unknown at preview are vault/agent-policy-use's.
 */
import type { Adapter } from "../types";
import { vaultPolicyName } from "../vault-names";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, readOfType, type Read } from "./shared";
import { asString } from "../inputs";
import { describeVaultScope, vaultScope } from "../checks/vault-scope";
import { POLICY_HOLDER_TYPES, policyFields } from "./vault-policy-use";
import { VAULT_POLICY_TYPES } from "./vault-policies";
import { VAULT_GENERIC_TYPES } from "./vault-generic";

const RULE = "vault/policy-in-stack";
/** Generic writes are judged by the path they write (vault/generic-write), not as principals. */
const NOT_PRINCIPALS = new Set<string>([VAULT_POLICY_TYPES.vaultPolicy, VAULT_GENERIC_TYPES.vaultGenericEndpoint, VAULT_GENERIC_TYPES.vaultGenericSecret]);

export const vaultPoliciesInStack: Adapter = {
  family: "vault-policies-in-stack",
  holdings: "none: it refuses a policy name whose content the pack cannot read",
  types: POLICY_HOLDER_TYPES.map((type) => ({
    type,
    route: "hands out Vault policies by name: each is a vault.Policy of the stack or `default`, or the principal is declared",
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    // A policy name means a policy on one Vault server and namespace: written is keyed by both.
    const written = new Set<string>();
    for (const policy of readOfType(ix, VAULT_POLICY_TYPES.vaultPolicy)) {
      const name = isUnknown(policy, "name") ? undefined : vaultPolicyName(asString(policy.v.name));
      const scope = vaultScope(policy);
      if (name !== undefined && scope !== undefined) written.add(`${scope}\u0000${name}`);
    }
    for (const input of ix.inputs) {
      const type = input.resource.type;
      if (!type.startsWith("vault:") || NOT_PRINCIPALS.has(type)) continue;
      const r: Read = { resource: input.resource, v: input.value, unknown: input.unknown };
      const unread: string[] = [];
      const root: string[] = [];
      const scope = vaultScope(r);
      for (const { field, names } of policyFields(r.v)) {
        for (const raw of names) {
          const name = vaultPolicyName(raw)!;
          if (name === "") continue;
          if (name === "root") root.push(`${field}: root`);
          else if (field === "allowedPoliciesGlobs" || name.includes("*"))
            unread.push(`${field}: ${name} (a glob, which matches policies written anywhere in Vault, later ones included)`);
          else if (name !== "default" && (scope === undefined || !written.has(`${scope}\u0000${name}`)))
            unread.push(`${field}: ${name}${scope === undefined ? " (its Vault provider or namespace is unknown at preview)" : ""}`);
        }
      }
      const what = `${type.split(":").pop()} ${r.resource.name}`;
      if (root.length)
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          message: `${what} hands out the root policy (${root.join(", ")}): every capability on every path of Vault, agents' credentials, policies and audit devices included`,
          fix: "never hand out root from a stack; write a vault.Policy with the paths the principal needs",
        });
      if (unread.length)
        pass.findings.push(
          declarablePlatformFinding(
            r.resource,
            RULE,
            `${what} hands out Vault policies this stack does not write on its Vault and namespace (${scope === undefined ? "unknown at preview" : describeVaultScope(scope)}): ${unread.join("; ")}; their content is unknown to the pack, and may reach agents' credentials and data, sys/ or the audit devices`,
            "write each policy as a vault.Policy in this stack, where its paths are judged, or hand out only `default`",
          ),
        );
    }
  },
};
