/** A Vault policy name as Vault stores and compares it: Go's strings.ToLower(strings.TrimSpace(name)), see checks/vault-policy-name.ts. */
export { vaultPolicyName } from "./checks/vault-policy-name";
