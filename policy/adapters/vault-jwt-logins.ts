/**
 * Vault JWT/OIDC auth roles as ways in for an agent's ServiceAccount token (a projected token is a
 * JWT signed by the cluster): an agent logs in to Vault only through its own Kubernetes-auth role,
 * so in a stack with agents a JWT role whose subject, claims and user claim could accept a token of
 * an agent namespace is refused (policy/checks/service-account-login.ts reads them as Vault does).
 * One that names an agent namespace (its subject or namespace claim) is refused whatever is
 * declared; any other only until the security team declares it (kubernetesPlatformResources,
 * `vault:jwt/authBackendRole:AuthBackendRole::<name>`), e.g. a CI role binding its own claims.
 */
import { asBoolean, asRecord, asString } from "../inputs";
import { loginReach, type JwtRoleBindings } from "../checks/service-account-login";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter } from "../types";
import { agentNamespaces, findingsFor } from "./agent-namespaces";
import { readOfType } from "./shared";

const RULE = "vault/service-account-login";
export const VAULT_JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole";

/** The one ServiceAccount name a role pins in a namespace (exact subject, or exact `sub` or name claim), if any. */
function pinnedName(bindings: JwtRoleBindings, namespace: string): string | undefined {
  const prefix = `system:serviceaccount:${namespace}:`;
  const exact = (key: string) => {
    const value = bindings.boundClaimsType === "glob" ? undefined : bindings.boundClaims[key];
    return value !== undefined && !value.includes(",") ? value : undefined;
  };
  const subject = bindings.boundSubject ?? exact("sub") ?? exact("/sub");
  if (subject?.startsWith(prefix)) return subject.slice(prefix.length);
  return exact("/kubernetes.io/serviceaccount/name");
}

export const vaultJwtLogins: Adapter = {
  family: "vault-jwt-logins",
  holdings: "none: a JWT role an agent's token could use is refused, not counted as the agent's",
  types: [
    {
      type: VAULT_JWT_ROLE,
      route: "accepts any JWT its bindings match, an agent's ServiceAccount token included",
      readIfSet: ["boundSubject", "boundClaims", "boundClaimsType", "userClaim", "userClaimJsonPointer"],
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const namespaces = agentNamespaces(ix);
    if (namespaces.size === 0) return;
    for (const r of readOfType(ix, VAULT_JWT_ROLE)) {
      const bindings = {
        boundSubject: asString(r.v.boundSubject),
        boundClaims: asRecord(r.v.boundClaims),
        boundClaimsType: asString(r.v.boundClaimsType),
        userClaim: asString(r.v.userClaim),
        userClaimJsonPointer: asBoolean(r.v.userClaimJsonPointer),
      };
      const where = `auth/${asString(r.v.backend) ?? "jwt"}/role/${asString(r.v.roleName) ?? r.resource.name}`;
      const key = platformResourceKey(VAULT_JWT_ROLE, r.resource.name);
      let unnamed = 0;
      for (const namespace of [...namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const reach = loginReach(bindings, namespace.name);
        if (reach.accepts && !reach.namesNamespace) unnamed++;
        if (!reach.accepts || !reach.namesNamespace) continue;
        const problem = {
          rule: RULE,
          message: `Vault JWT role ${where} binds a subject or claims of agent namespace ${namespace.name}, so a ServiceAccount token of it logs in beside the identity's own Kubernetes-auth role`,
          fix: "log agents in only through their own Kubernetes-auth roles; bind no JWT role to an agent namespace or ServiceAccount",
        };
        // Pinned to one agent ServiceAccount: the finding names that identity, as plan would.
        const sa = ix.by.serviceAccountAt(namespace.name, pinnedName(bindings, namespace.name));
        if (sa) pass.findings.push({ ...problem, agent: sa.agent, identity: sa.kind, urn: r.resource.urn });
        else pass.findings.push(...findingsFor(namespace, r.resource.urn, problem));
      }
      // Nothing it binds excludes a ServiceAccount token: one finding for the role, which the security team may declare.
      if (unnamed > 0)
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          platformResource: key,
          message: `Vault JWT role ${where} binds no subject, claim or user claim a ServiceAccount token lacks, so a token of any of ${unnamed} agent namespace(s) would log in beside the identities' own Kubernetes-auth roles`,
          fix: `bind the role to a claim agents' tokens do not carry (e.g. the CI provider's repository) or to a subject outside agent namespaces, or have the security team declare it (kubernetesPlatformResources)`,
        });
    }
  },
};
