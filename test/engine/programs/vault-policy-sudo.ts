/** Bad program: a Vault policy granting sudo. Expected: vault/policy-sudo. */
import * as vault from "@pulumi/vault";

new vault.Policy("operator", {
  name: "operator",
  policy: 'path "kv/data/agents/operator" {\n  capabilities = ["read", "sudo"]\n}\n',
});
