/**
 * Vault secrets sync (Enterprise): an association copies one KV secret to an external store (AWS
 * Secrets Manager, GitHub, Vercel ...) under the destination's own credentials, outside every Vault
 * policy. Across the stack: the KV data path it copies is looked up in the holdings index (what
 * agents own, their KV subtrees, and hold); one an agent owns or holds is refused unless the security
 * team declares the copy in `shares` (principal `resource:<type>/<name>`).
 */
import { indexOf } from "../../components/rules/holdings-cache";
import { holdingsFromStackOnce } from "../holdings";
import { asString } from "../inputs";
import type { Adapter, PackFinding } from "../types";
import type { ShareFinding } from "./aws-principals";
import { isUnknown, readOfType } from "./shared";

export const VAULT_SYNC_TYPES = {
  syncAssociation: "vault:secrets/syncAssociation:SyncAssociation",
} as const;

const COPY = "separation/agent-data-copy";

export const vaultSync: Adapter = {
  family: "vault-sync",
  holdings:
    "reads what agents own and hold (their KV subtrees, Vault grants) from the holdings index; an association copying it is compared with it, not added to it",
  types: [
    {
      type: VAULT_SYNC_TYPES.syncAssociation,
      key: "syncAssociation",
      route: "copies a KV secret (which may be an agent's) to an external store, outside Vault's policies",
      required: ["mount", "secretName"],
      checkedBy: [COPY, "stack/unknown-input"],
    },
  ],
  stack: (ix, pass) => {
    const associations = readOfType(ix, VAULT_SYNC_TYPES.syncAssociation);
    if (associations.length === 0) return;
    const { fleet } = holdingsFromStackOnce(ix, pass.extraPolicies);
    if (fleet.agents.length === 0) return;
    const index = indexOf(fleet);
    for (const r of associations) {
      const mount = asString(r.v.mount)?.replace(/^\/+|\/+$/g, "");
      const secret = asString(r.v.secretName)?.replace(/^\/+/, "");
      if (mount === undefined || secret === undefined) {
        if (isUnknown(r, "mount") || isUnknown(r, "secretName"))
          pass.findings.push({
            rule: COPY,
            agent: r.resource.name,
            identity: null,
            urn: r.resource.urn,
            message: `${r.resource.type} ${r.resource.name}: mount or secretName is unknown at preview, so whether it copies an agent's secret out of Vault cannot be told`,
            fix: "name the mount and secret with known values",
          } satisfies PackFinding);
        continue;
      }
      // Sync reads KV v2 secrets: the data path of the secret.
      const path = `${mount}/data/${secret}`;
      const reached = new Map<string, string[]>();
      for (const hit of index.intersecting(path, (entry) => entry.value.agent !== null, 10)) {
        const list = reached.get(hit.value.agent!) ?? [];
        if (!list.includes(hit.value.written)) list.push(hit.value.written);
        reached.set(hit.value.agent!, list);
      }
      for (const [agent, held] of reached) {
        const finding: ShareFinding = {
          rule: COPY,
          agent,
          identity: null,
          urn: r.resource.urn,
          message: `${r.resource.type} ${r.resource.name} copies Vault secret ${path} to ${asString(r.v.type) ?? "an external"} destination ${asString(r.v.name) ?? ""}, outside Vault's policies; it is agent ${agent}'s (${held.join(", ")})`,
          fix: "an agent's secrets stay in Vault, read by its own identities; if this copy is intended, the security team declares it in the pack's `shares` configuration",
          share: {
            principals: [`resource:${r.resource.type}/${r.resource.name}`],
            resources: [path],
            destinations: [`${asString(r.v.type) ?? "* type unknown"}/${asString(r.v.name) ?? "* name unknown"}`],
          },
        };
        pass.findings.push(finding);
      }
    }
  },
};
