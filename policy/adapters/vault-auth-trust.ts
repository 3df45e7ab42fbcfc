/**
 * Vault auth methods' trust roots: the settings that decide whose credentials a mount accepts (a
 * JWT mount's JWKS or discovery URL and keys, GitHub's organisation, LDAP's server, Okta's org, SAML's
 * IdP, AWS auth's STS endpoint, signing certificates and cross-account STS roles, Azure's tenant,
 * GCP's credentials, OCI's home tenancy). Pointing one at another party lets that party log in to
 * every role of the mount, whose policies may live outside the stack where the pack cannot read
 * them. So, in a stack with agents, such a setting is refused until the security team declares it
 * (kubernetesPlatformResources, by URN and inputs digest), as a Kubernetes auth host is bound to its cluster
 * (vault/auth-backend-host). The settings that only tidy or tune a mount stay out of scope.
 */
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { readOfType } from "./shared";

const RULE = "vault/auth-trust-root";

/** Each type and what in it names whom the mount trusts (Vault API docs of each auth method's config endpoint). */
export const VAULT_AUTH_TRUST_TYPES: Readonly<Record<string, string>> = {
  "vault:jwt/authBackend:AuthBackend": "the JWKS or OIDC discovery URL, validation keys and bound issuer (auth/<jwt>/config)",
  "vault:github/authBackend:AuthBackend": "the GitHub organisation and API base URL (auth/<github>/config)",
  "vault:ldap/authBackend:AuthBackend": "the LDAP server, bind account and group filter (auth/<ldap>/config)",
  "vault:okta/authBackend:AuthBackend": "the Okta organisation and base URL (auth/<okta>/config)",
  "vault:saml/authBackend:AuthBackend": "the SAML IdP metadata URL or certificate (auth/<saml>/config)",
  "vault:gcp/authBackend:AuthBackend": "the GCP credentials and API endpoints (auth/<gcp>/config)",
  "vault:azure/authBackendConfig:AuthBackendConfig": "the Azure tenant and resource (auth/<azure>/config)",
  "vault:index/ociAuthBackend:OciAuthBackend": "the OCI home tenancy (auth/<oci>/config)",
  "vault:aws/authBackendClient:AuthBackendClient": "the STS and IAM endpoints and credentials that verify a login (auth/<aws>/config/client)",
  "vault:aws/authBackendCert:AuthBackendCert": "a public certificate that verifies instance identity documents (auth/<aws>/config/certificate)",
  "vault:aws/authBackendStsRole:AuthBackendStsRole": "a role Vault assumes to verify logins from another account (auth/<aws>/config/sts)",
  "vault:aws/authBackendConfigIdentity:AuthBackendConfigIdentity": "which field of a login names its entity alias (auth/<aws>/config/identity)",
};

export const vaultAuthTrust: Adapter = {
  family: "vault-auth-trust",
  holdings: "none: it decides who may log in to a mount, not what a login holds",
  types: Object.entries(VAULT_AUTH_TRUST_TYPES).map(([type, what]) => ({
    type,
    route: `sets whom an auth mount trusts: ${what}`,
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, ...Object.keys(VAULT_AUTH_TRUST_TYPES))) {
      const key = platformResourceKey(r.resource.type, r.resource.name);
      pass.findings.push({
        rule: RULE,
        agent: "platform",
        identity: null,
        urn: r.resource.urn,
        platformResource: key,
        message: `${r.resource.type} ${r.resource.name} sets whom a Vault auth mount trusts (${VAULT_AUTH_TRUST_TYPES[r.resource.type]}): whoever that names logs in to every role of the mount, including roles outside this stack`,
        fix: `configure auth mounts in the platform's own stack, or have the security team declare it (kubernetesPlatformResources)`,
      });
    }
  },
};
