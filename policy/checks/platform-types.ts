/** Type tokens the platform checks read (the platform adapter lists them; kept here so checks import no adapter). */
export const PLATFORM_TYPES = {
  vaultAudit: "vault:index/audit:Audit",
  vaultAuthBackendConfig: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  vaultDatabaseConnection: "vault:database/secretBackendConnection:SecretBackendConnection",
  vaultAwsEngine: "vault:aws/secretBackend:SecretBackend",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  networkPolicyPatch: "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch",
  namespace: "kubernetes:core/v1:Namespace",
  namespacePatch: "kubernetes:core/v1:NamespacePatch",
  vaultDatabaseRole: "vault:database/secretBackendRole:SecretBackendRole",
  vaultAwsRole: "vault:aws/secretBackendRole:SecretBackendRole",
} as const;
