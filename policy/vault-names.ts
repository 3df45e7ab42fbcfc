/**
 * A Vault policy name as Vault stores and compares it: trimmed and lower-cased (PolicyStore.sanitizeName,
 * policyutil.SanitizePolicies), so `ACME-…` or ` acme-…` names the same policy as `acme-…`.
 */
export function vaultPolicyName(name: string | undefined): string | undefined {
  return name?.trim().toLowerCase();
}
