/**
 * Vault Kubernetes-auth roles: who may log in as which Vault policies. Per resource: exact bindings,
 * audience, default policy, token lifetimes within the tier, lifecycle metadata. Across the stack: one
 * role per identity (per auth mount with several clusters), bound to its own ServiceAccount only,
 * carrying exactly its one policy, defined in the same stack.
 */
import { TIER_POLICIES } from "../../components/core/tiers";
import { VAULT_AUTH_ANNOTATION } from "../../components/core/compile";
import { checkServiceAccountReference } from "../../components/rules/kubernetes";
import { checkVaultTtls } from "../../components/rules/limits";
import { ALIAS_NAME_SOURCE, LOOSEST_TOKEN_MAX_TTL, checkVaultRole } from "../../components/rules/vault";
import { IDENTITY_KINDS } from "../../components/core/names";
import { checkAgentVaultRole } from "../agent-metadata-checks";
import { asBoolean, asNumber, asRecord, asString, asStrings } from "../inputs";
import type { Adapter } from "../types";
import { attributeTo, isKind, only, saKey, sharedIdentity } from "./shared";

export const VAULT_AUTH_ROLE_TYPES = {
  vaultAuthRole: "vault:kubernetes/authBackendRole:AuthBackendRole",
} as const;

function tierCeilings(aliasMetadata: Record<string, string>): { tokenMaxTtl: number; maxStsTtl?: number } {
  const tier = TIER_POLICIES[aliasMetadata.tier as keyof typeof TIER_POLICIES];
  return tier ? { tokenMaxTtl: tier.tokenMaxTtl, maxStsTtl: tier.maxStsTtl } : { tokenMaxTtl: LOOSEST_TOKEN_MAX_TTL };
}

export const vaultAuthRoles: Adapter = {
  family: "vault-auth-roles",
  holdings: "a role whose alias metadata names agent/identity is that identity's way into Vault: the policies it carries give IdentityHoldings.vault",
  types: [
    {
      type: VAULT_AUTH_ROLE_TYPES.vaultAuthRole,
      key: "vaultAuthRole",
      route: "who may log in as which Vault policies",
      required: ["boundServiceAccountNames", "boundServiceAccountNamespaces"],
      readIfSet: ["boundServiceAccountNamespaceSelector", "tokenPolicies", "aliasNameSource"],
      agentMetadata: ["aliasMetadata"],
      checkedBy: [
        "vault/bound-exact",
        "vault/bound-own-service-account",
        "vault/audience",
        "vault/alias-by-uid",
        "vault/default-policy",
        "stack/no-shared-identity",
      ],
    },
  ],
  check: (_resource, inputs, context) => {
    const v = inputs.value;
    const names = asStrings(v.boundServiceAccountNames);
    const namespaces = asStrings(v.boundServiceAccountNamespaces);
    const aliasMetadata = asRecord(v.aliasMetadata);
    const ceilings = tierCeilings(aliasMetadata);
    return [
      ...checkVaultRole(
        {
          boundServiceAccountNames: names,
          boundServiceAccountNamespaces: namespaces,
          audience: asString(v.audience),
          tokenNoDefaultPolicy: asBoolean(v.tokenNoDefaultPolicy),
          tokenPolicies: asStrings(v.tokenPolicies),
          tokenPeriod: asNumber(v.tokenPeriod),
          tokenMaxTtl: asNumber(v.tokenMaxTtl),
          aliasNameSource: asString(v.aliasNameSource),
        },
        { tokenMaxTtlCeiling: ceilings.tokenMaxTtl },
      ),
      ...checkVaultTtls(asNumber(v.tokenTtl), asNumber(v.tokenMaxTtl)),
      ...namespaces.flatMap((namespace) => names.flatMap((name) => checkServiceAccountReference(namespace, name))),
      // A selector binds every namespace whose labels match, present or future.
      ...(asString(v.boundServiceAccountNamespaceSelector)
        ? [
            {
              rule: "vault/bound-exact",
              message: `binds namespaces by selector ${asString(v.boundServiceAccountNamespaceSelector)}`,
              fix: "bind exactly one namespace by name; remove boundServiceAccountNamespaceSelector",
            },
          ]
        : []),
      // Vault roles the components create carry the agent in their alias metadata.
      ...(aliasMetadata.agent ? checkAgentVaultRole(aliasMetadata, context.now) : []),
    ];
  },
  stack: (ix, pass) => {
    const { findings } = pass;
    const serviceAccountOf = (agent: string, kind: (typeof IDENTITY_KINDS)[number]) => ix.by.serviceAccountsOf(agent, kind)[0];
    const identities = [...ix.by.serviceAccountsOfAgent.keys()]
      .sort()
      .flatMap((agent) => IDENTITY_KINDS.filter((kind) => ix.by.serviceAccountsOf(agent, kind).length > 0).map((kind) => ({ agent, kind })));
    for (const authRole of ix.authRoles) {
      const own = authRole.meta.agent && isKind(authRole.meta.identity) ? { agent: authRole.meta.agent, kind: authRole.meta.identity } : undefined;
      for (const namespace of authRole.namespaces) {
        for (const name of authRole.names) {
          const sa = ix.by.serviceAccountAt(namespace, name);
          if (sa && (!own || own.agent !== sa.agent || own.kind !== sa.kind))
            findings.push(
              sharedIdentity(
                `ServiceAccount ${saKey(namespace, name)}`,
                authRole.resource.urn,
                sa,
                `Vault role ${asString(authRole.v.roleName) ?? authRole.resource.name}`,
              ),
            );
        }
      }
      if (own) {
        const sa = serviceAccountOf(own.agent, own.kind);
        const problems = only(
          ["vault/bound-own-service-account"],
          checkVaultRole(
            { boundServiceAccountNames: authRole.names, boundServiceAccountNamespaces: authRole.namespaces },
            { namespace: sa?.namespace ?? "(none)", serviceAccount: sa?.name ?? "(no agent ServiceAccount)" },
          ),
        );
        findings.push(...attributeTo(own, authRole.resource.urn, problems));
        // What the plan sets, said explicitly: unset, the provider keeps whatever alias source the role had.
        if (asString(authRole.v.aliasNameSource) === undefined)
          findings.push(
            ...attributeTo(own, authRole.resource.urn, [
              {
                rule: "vault/alias-by-uid",
                message: `Vault role ${asString(authRole.v.roleName) ?? authRole.resource.name} leaves aliasNameSource unset, so Vault keeps whatever alias source the role had (by name, a re-created ServiceAccount inherits the entity)`,
                fix: `set aliasNameSource: ${ALIAS_NAME_SOURCE}, as the Agent component does`,
              },
            ]),
          );
      }
    }

    // One Kubernetes-auth role per identity across every backend (a copy on another cluster's mount, or
    // `ops-<agent>-<kind>` bound to its ServiceAccount, is a second way in); its policies are all read.
    const definedPolicies = new Set(ix.vaultPolicies.flatMap((p) => (p.name ? [p.name] : [])));
    for (const identity of identities) {
      const own = ix.by.authRolesOf(identity.agent, identity.kind);
      const where = (r: (typeof own)[number]) => `auth/${asString(r.v.backend) ?? "kubernetes"}/role/${asString(r.v.roleName) ?? r.resource.name}`;
      // Several clusters: one role per auth mount the components list on the ServiceAccount, and no other.
      const sa = serviceAccountOf(identity.agent, identity.kind);
      const mounts = (asString(sa?.annotations[VAULT_AUTH_ANNOTATION]) ?? "").split(",").filter(Boolean);
      const backendOf = (r: (typeof own)[number]) => asString(r.v.backend) ?? "kubernetes";
      const perMount = mounts.length > 1 && own.every((r) => mounts.includes(backendOf(r))) && new Set(own.map(backendOf)).size === own.length;
      if (own.length > 1 && !perMount) {
        for (const r of own) {
          findings.push({
            rule: "stack/no-shared-identity",
            agent: identity.agent,
            identity: identity.kind,
            urn: r.resource.urn,
            message: `has ${own.length} Vault Kubernetes-auth roles (${own.map(where).join(", ")})`,
            fix: "keep exactly one Vault Kubernetes-auth role per identity, the one its Agent component creates",
          });
        }
      }
      for (const r of own) {
        if (r.policies.length !== 1) {
          findings.push({
            rule: "vault/bound-own-service-account",
            agent: identity.agent,
            identity: identity.kind,
            urn: r.resource.urn,
            message: `Vault role ${where(r)} carries policies [${r.policies.join(", ")}]`,
            fix: "an identity's Vault role carries exactly one policy, the identity's own",
          });
        }
        const undefinedPolicies = r.policies.filter((p) => !definedPolicies.has(p));
        if (undefinedPolicies.length) {
          findings.push({
            rule: "stack/unknown-input",
            agent: identity.agent,
            identity: identity.kind,
            urn: r.resource.urn,
            message: `Vault role ${where(r)} carries policies [${undefinedPolicies.join(", ")}] not defined in this stack, so what they grant cannot be checked`,
            fix: "carry only the identity's own vault.Policy, defined in the same stack",
          });
        }
      }
    }
  },
};
