/**
 * In a stack with agents, the Vault objects that put code inside Vault or copy its storage out are
 * declared by the security team (vault/platform-object-declared). The pack cannot judge them by what
 * they grant, because they grant nothing through policies; they act on every mount at once:
 *
 * - A catalog entry (`vault.Plugin`, sys/plugins/catalog/:type/:name) names a binary in the plugin
 *   directory that Vault runs as a mount's backend. An entry named like a builtin engine or auth method
 *   (`kubernetes`, `aws`, `database`) is used instead of the builtin for mounts of that type (Vault
 *   docs, "Plugin registration": a registered plugin of the same type and name as a builtin overrides
 *   it, and `vault.Plugin` is the provider's sys/plugins/catalog write), and a pinned version
 *   (`vault.PluginPinnedVersion`, sys/plugins/pins) switches every mount of it on reload. The agents'
 *   Kubernetes auth mount or credential engine could then run code the pack never sees.
 * - A raft snapshot agent configuration (`vault.RaftSnapshotAgentConfig`, Enterprise) writes Vault's
 *   whole storage, agents' secrets included, to a store on a schedule. The snapshot stays encrypted by
 *   the barrier, but whoever holds it and the unseal or recovery keys reads everything, and the pack
 *   cannot tell whose the destination is.
 *
 * The declaration (kubernetesPlatformResources, by URN and inputs digest) pins the command and its
 * checksum, or the destination.
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, readOfType } from "./shared";

const RULE = "vault/platform-object-declared";
const PLUGIN = "vault:index/plugin:Plugin";
const PIN = "vault:index/pluginPinnedVersion:PluginPinnedVersion";
const SNAPSHOT = "vault:index/raftSnapshotAgentConfig:RaftSnapshotAgentConfig";

const WHY: Readonly<Record<string, (v: Record<string, unknown>) => string>> = {
  [PLUGIN]: (v) =>
    `registers plugin ${asString(v.type) ?? "?"}/${asString(v.name) ?? "?"} (command ${asString(v.command) ?? "?"}): Vault runs it as the backend of mounts of that name, and a name of a builtin (kubernetes, aws, database) replaces the builtin the agents' mounts run`,
  [PIN]: (v) =>
    `pins plugin ${asString(v.type) ?? "?"}/${asString(v.name) ?? "?"} to version ${asString(v.version) ?? "?"}: every mount of it, the agents' included, runs that binary after a reload`,
  [SNAPSHOT]: (v) =>
    `copies all of Vault's storage, agents' secrets included, to ${asString(v.storageType) ?? "a store"} every ${String(v.intervalSeconds ?? "?")} s: whoever holds a snapshot and the unseal or recovery keys reads every secret`,
};

export const vaultPlatformObjectsDeclared: Adapter = {
  family: "vault-platform-objects-declared",
  holdings: "none: a plugin runs inside Vault for every mount of its name, a snapshot carries every secret; neither grants through a policy",
  types: [
    {
      type: PLUGIN,
      route: "registers a binary Vault runs as the backend of mounts of its name (a builtin's name replaces the builtin): declared in a stack with agents",
      checkedBy: [RULE],
    },
    {
      type: PIN,
      route: "pins the plugin version every mount of it runs after a reload: declared in a stack with agents",
      checkedBy: [RULE],
    },
    {
      type: SNAPSHOT,
      route: "copies all of Vault's storage to an external store on a schedule: declared in a stack with agents",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, PLUGIN, PIN, SNAPSHOT)) {
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `Vault ${r.resource.type.split(":").pop()} ${r.resource.name} ${WHY[r.resource.type](r.v)}; the pack cannot read what that code or destination does`,
          "register plugins and configure snapshots in the platform's own Vault stack",
        ),
      );
    }
  },
};
