/** Bad program: a Vault policy granting sudo. Expected: vault/policy-sudo. */
import { Policy } from "@pulumi/vault/policy";

new Policy("operator", {
  name: "operator",
  policy: 'path "kv/data/agents/operator" {\n  capabilities = ["read", "sudo"]\n}\n',
});
