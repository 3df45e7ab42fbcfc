/**
 * Vault's Kubernetes secrets engine (vault/kubernetes-secrets-engine): a role mints a ServiceAccount
 * token through the TokenRequest API for the account it names (`service_account_name`), or creates a
 * ServiceAccount and binds it to a Role or ClusterRole it names (`kubernetes_role_name`) or generates
 * (`generated_role_rules`), in any namespace `allowed_kubernetes_namespaces` (or its selector) admits;
 * the mount's configuration is a JWT of an account that may do all of that. Whoever reads
 * `<mount>/creds/<role>` then holds that token: an agent's ServiceAccount token is its AWS (IRSA, Pod
 * Identity) and Vault identity, and a generated binding may be cluster-admin. Source: Vault's
 * Kubernetes secrets engine docs and API (developer.hashicorp.com/vault/docs/secrets/kubernetes,
 * /vault/api-docs/secret/kubernetes: service_account_name, kubernetes_role_name, generated_role_rules,
 * allowed_kubernetes_namespaces, allowed_kubernetes_namespace_selector), and @pulumi/vault's
 * kubernetes.SecretBackend and SecretBackendRole inputs.
 *
 * Closed world: which tokens a role mints is decided by the cluster's accounts and RBAC, which the
 * pack does not read in full (existing accounts, existing roles), so in a stack with agents every
 * such mount and role is refused unless the security team declares it (kubernetesPlatformResources,
 * by URN and inputs digest). A role naming an agent's namespace or account is refused even when
 * declared: no declaration hands an agent's token to another principal.
 */
import { asString, asStrings } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, readOfType } from "./shared";

const RULE = "vault/kubernetes-secrets-engine";
const BACKEND = "vault:kubernetes/secretBackend:SecretBackend";
const ROLE = "vault:kubernetes/secretBackendRole:SecretBackendRole";

export const vaultKubernetesEngine: Adapter = {
  family: "vault-kubernetes-engine",
  holdings: "none: a role of the engine mints Kubernetes tokens for whoever reads its creds path; agents' tokens are never minted",
  types: [
    {
      type: BACKEND,
      route: "configures Vault with a Kubernetes account's JWT that can request tokens for, create and bind ServiceAccounts",
      checkedBy: [RULE],
    },
    {
      type: ROLE,
      route: "mints a token for the ServiceAccount it names, or creates one bound to a Role or ClusterRole, for whoever reads <mount>/creds/<role>",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const agents = agentNamespaces(ix);
    if (agents.size === 0) return;
    for (const r of readOfType(ix, BACKEND))
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `Kubernetes secrets engine ${r.resource.name} in a stack with agents: its configured account can mint tokens for, create and bind ServiceAccounts, agents' included`,
          "leave the Kubernetes secrets engine to the platform's own stack",
        ),
      );
    for (const r of readOfType(ix, ROLE)) {
      const namespaces = asStrings(r.v.allowedKubernetesNamespaces);
      const account = asString(r.v.serviceAccountName);
      const reachesAgents =
        isUnknown(r, "allowedKubernetesNamespaces") ||
        r.v.allowedKubernetesNamespaceSelector !== undefined ||
        isUnknown(r, "allowedKubernetesNamespaceSelector") ||
        // `*` is every namespace; any other entry with a glob character is read as one too (fails closed).
        namespaces.some((ns) => /[*?]/.test(ns) || agents.has(ns));
      const label = `Kubernetes secrets engine role ${r.resource.name} (${asString(r.v.name) ?? "?"})`;
      const what =
        account !== undefined
          ? `mints tokens for ServiceAccount ${account}`
          : asString(r.v.kubernetesRoleName) !== undefined
            ? `creates ServiceAccounts bound to ${asString(r.v.kubernetesRoleType) ?? "Role"} ${asString(r.v.kubernetesRoleName)}`
            : "creates ServiceAccounts bound to the rules it generates";
      if (reachesAgents) {
        // Not declarable: an agent's token (its AWS and Vault identity) is never handed to whoever reads this role's creds.
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          message: `${label} ${what} in namespaces that include agents' (${namespaces.length ? namespaces.join(", ") : "a selector or a value unknown at preview"}): whoever reads its creds path holds an agent's ServiceAccount token or a binding in an agent namespace`,
          fix: "name only namespaces that are no agent's in allowedKubernetesNamespaces (never `*` or a selector)",
        });
        continue;
      }
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `${label} ${what} in ${namespaces.join(", ") || "no namespace"}: whoever reads its creds path holds that account's rights, which the pack does not read`,
          "leave Kubernetes secrets engine roles to the platform's own stack",
        ),
      );
    }
  },
};
