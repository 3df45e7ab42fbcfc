/**
 * Vault by path (issue #19 part 4): every Vault policy of the stack that no agent identity's own
 * auth role carries is judged by the paths it reaches, whatever holds it (auth roles of any method,
 * tokens, token roles, entities, groups). A second AWS secret role minting an agent's exact tool
 * session is refused, and so is a policy reaching what controls the agents (the identity engine, the
 * agents' mounts' config and roles; policy/checks/vault-control-reach.ts). Checks in
 * policy/checks/vault-path-reach.ts.
 */
import { checkControlReach } from "../checks/vault-control-reach";
import { checkToolSessionCopies, checkVaultPathReach, heldPaths } from "../checks/vault-path-reach";
import { VAULT_DATABASE_STATIC_ROLE, checkSecretRoleReach } from "../checks/vault-secret-reach";
import type { Adapter } from "../types";
import { checkVaultWrites } from "./vault-generic";

export const vaultPathReach: Adapter = {
  family: "vault-path-reach",
  holdings: "an identity holds the paths its own auth role's policies grant, widened to KV siblings, sts/creds and the secret role's definition",
  types: [
    { type: "vault:index/policy:Policy", route: "what any holder of the policy may reach", checkedBy: ["vault/agent-path-reach"] },
    {
      type: "vault:aws/secretBackendRole:SecretBackendRole",
      route: "a copy of an agent's tool session, or a second way to a role an agent's tool assumes",
      checkedBy: ["vault/agent-path-reach"],
    },
    {
      type: "vault:database/secretBackendRole:SecretBackendRole",
      route: "database users minted on a connection an agent's tool uses",
      checkedBy: ["vault/agent-path-reach"],
    },
    {
      type: VAULT_DATABASE_STATIC_ROLE,
      route: "takes over a database user, on a connection an agent's tool may use",
      required: ["backend", "dbName"],
      checkedBy: ["vault/agent-path-reach", "stack/unknown-input"],
    },
  ],
  stack: (ix, pass) => {
    const held = heldPaths(ix);
    pass.findings.push(
      ...checkVaultPathReach(ix, held),
      ...checkToolSessionCopies(ix),
      ...checkSecretRoleReach(ix, held),
      ...checkVaultWrites(ix, held),
      ...checkControlReach(ix, held),
    );
  },
};
