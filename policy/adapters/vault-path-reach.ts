/**
 * Vault by path (issue #19 part 4): every Vault policy of the stack that no agent identity's own
 * auth role carries is judged by the paths it reaches, whatever holds it (auth roles of any method,
 * tokens, token roles, entities, groups). A second AWS secret role minting an agent's exact tool
 * session is refused. Checks in policy/checks/vault-path-reach.ts.
 */
import { checkToolSessionCopies, checkVaultPathReach } from "../checks/vault-path-reach";
import type { Adapter } from "../types";

export const vaultPathReach: Adapter = {
  family: "vault-path-reach",
  holdings: "an identity holds the paths its own auth role's policies grant, widened to KV siblings, sts/creds and the secret role's definition",
  types: [
    { type: "vault:index/policy:Policy", route: "what any holder of the policy may reach", checkedBy: ["vault/agent-path-reach"] },
    { type: "vault:aws/secretBackendRole:SecretBackendRole", route: "a copy of an agent's tool session", checkedBy: ["vault/agent-path-reach"] },
  ],
  stack: (ix, pass) => {
    pass.findings.push(...checkVaultPathReach(ix), ...checkToolSessionCopies(ix));
  },
};
