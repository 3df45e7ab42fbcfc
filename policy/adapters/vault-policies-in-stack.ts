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
import { asString, asStrings } from "../inputs";
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
    membershipsOutsideStack(ix, pass);
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

const OKTA_GROUP = "vault:okta/authBackendGroup:AuthBackendGroup";
const OKTA_USER = "vault:okta/authBackendUser:AuthBackendUser";
const OKTA_BACKEND = "vault:okta/authBackend:AuthBackend";
const LDAP_GROUP = "vault:ldap/authBackendGroup:AuthBackendGroup";
const LDAP_USER = "vault:ldap/authBackendUser:AuthBackendUser";
const trimMount = (mount: string | undefined, fallback: string) => (mount ?? fallback).replace(/^\/+|\/+$/g, "");

/**
 * An Okta or LDAP auth user's `groups` give it the policies Vault maps to those groups on its mount
 * (auth/<mount>/groups/<name>): a group no resource of the stack defines there has policies the pack
 * never reads (an existing `admins`), so the user is declared. Names compare exactly (fail closed).
 */
function membershipsOutsideStack(ix: Parameters<NonNullable<Adapter["stack"]>>[0], pass: Parameters<NonNullable<Adapter["stack"]>>[1]): void {
  const defined = new Set<string>();
  for (const g of readOfType(ix, OKTA_GROUP)) defined.add(`okta\u0000${trimMount(asString(g.v.path), "okta")}\u0000${asString(g.v.groupName) ?? ""}`);
  for (const g of readOfType(ix, LDAP_GROUP)) defined.add(`ldap\u0000${trimMount(asString(g.v.backend), "ldap")}\u0000${asString(g.v.groupname) ?? ""}`);
  const users: Array<{ r: Read; kind: string; mount: string; groups: unknown; unknown: boolean }> = [];
  for (const b of readOfType(ix, OKTA_BACKEND)) {
    const mount = trimMount(asString(b.v.path), "okta");
    for (const entry of Array.isArray(b.v.groups) ? b.v.groups : [])
      defined.add(`okta\u0000${mount}\u0000${asString((entry as Record<string, unknown>).groupName) ?? ""}`);
    for (const entry of Array.isArray(b.v.users) ? b.v.users : [])
      users.push({ r: b, kind: "okta", mount, groups: (entry as Record<string, unknown>).groups, unknown: isUnknown(b, "users") });
  }
  for (const u of readOfType(ix, OKTA_USER))
    users.push({
      r: u,
      kind: "okta",
      mount: trimMount(asString(u.v.path), "okta"),
      groups: u.v.groups,
      unknown: isUnknown(u, "groups") || isUnknown(u, "path"),
    });
  for (const u of readOfType(ix, LDAP_USER))
    users.push({
      r: u,
      kind: "ldap",
      mount: trimMount(asString(u.v.backend), "ldap"),
      groups: u.v.groups,
      unknown: isUnknown(u, "groups") || isUnknown(u, "backend"),
    });
  for (const { r, kind, mount, groups, unknown } of users) {
    const outside = unknown ? ["(unknown at preview)"] : asStrings(groups).filter((group) => !defined.has(`${kind}\u0000${mount}\u0000${group}`));
    if (outside.length === 0) continue;
    pass.findings.push(
      declarablePlatformFinding(
        r.resource,
        RULE,
        `${r.resource.type.split(":").pop()} ${r.resource.name} joins ${kind} auth groups on mount ${mount} that no resource of this stack defines (${outside.join(", ")}): it takes the policies Vault maps to them, which the pack cannot read`,
        "define each group in this stack (with policies written in it), or have the security team declare the user",
      ),
    );
  }
}
