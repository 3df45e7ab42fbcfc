/**
 * Bad program: an agent identity's Vault role and policy, and a periodic orphan token whose own
 * policy reads every agent's KV data (issue #19 part 4): judged by the paths it reaches, not by its
 * name. Expected: vault/agent-path-reach (stack), and a KV destroy write: vault/generic-write.
 */
import * as vault from "@pulumi/vault";

const own = new vault.Policy("agent-policy", {
  name: "acme-dev-a-execution",
  policy: 'path "kv/data/agents/dev/a/notes" {\n  capabilities = ["read"]\n}\n',
});
new vault.kubernetes.AuthBackendRole(
  "agent-role",
  {
    backend: "kubernetes",
    roleName: "dev-a-execution",
    boundServiceAccountNames: ["a-execution"],
    boundServiceAccountNamespaces: ["acme-dev-agents"],
    audience: "vault",
    tokenPolicies: ["acme-dev-a-execution"],
    tokenNoDefaultPolicy: true,
    tokenMaxTtl: 900,
    aliasMetadata: { agent: "a", identity: "execution" },
  },
  { dependsOn: [own] },
);
const reader = new vault.Policy("ci-reader", { name: "ci-reader", policy: 'path "kv/data/agents/+/a/*" {\n  capabilities = ["read"]\n}\n' });
new vault.Token("ci-token", { policies: ["ci-reader"], noParent: true, period: "768h" }, { dependsOn: [reader] });
new vault.generic.Endpoint("destroy", { path: "kv/destroy/agents/dev/a/notes", dataJson: JSON.stringify({ versions: [1] }), disableRead: true });
