/**
 * The `agent-identity` keys of a stack's Pulumi config, read once by rules both readers share:
 * `plan`, `diff` and `inventory` (cli/stack-file.ts, from the stack file as written) and the
 * deployable program (stacks/index.ts, from the config the engine hands it). Pulumi accepts two
 * spellings of one key, `agent-identity:agents` and the older `agent-identity:config:agents`
 * (config.ParseKey in pulumi/pulumi sdk/go/common/resource/config/key.go; the Node SDK's cleanKey
 * strips `:config:` too), so a reader that knows only the first would plan 0 agents while
 * `pulumi up` deploys them. Any other name in the namespace is refused: nothing reads it, so it is
 * a typo or a value someone believes is in force.
 */

export const CONFIG_NAMESPACE = "agent-identity";
/** The names both readers read; database root passwords are read by the names the bootstrap declares. */
export const CONFIG_NAMES = ["platform", "agents", "kubeContexts"] as const;

export interface ConfigKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Pulumi's `config.ParseKey`: `<namespace>:<name>` (exactly one `:`), or `<namespace>:config:<name>`
 * (exactly two, the middle one `config`). Anything else Pulumi refuses when it loads the stack: null.
 */
export function parseConfigKey(key: string): ConfigKey | null {
  const parts = key.split(":");
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[1] === "config") return { namespace: parts[0], name: parts[2] };
  return null;
}

export interface ConfigKeyIssue {
  /** The key as written. */
  readonly key: string;
  readonly message: string;
}

export interface AgentIdentityKeys {
  /** Name (`agents`) → the key as written (`agent-identity:config:agents`), for every accepted key. */
  readonly keys: ReadonlyMap<string, string>;
  readonly issues: readonly ConfigKeyIssue[];
}

/** Config key names of the database root passwords `platform.bootstrap` declares (read leniently: the schema judges the platform). */
export function passwordConfigKeys(platform: unknown): string[] {
  const connections = (platform as { bootstrap?: { databaseConnections?: unknown } } | null | undefined)?.bootstrap?.databaseConnections;
  if (!Array.isArray(connections)) return [];
  return connections.flatMap((connection) => {
    const key = (connection as { passwordConfigKey?: unknown } | null)?.passwordConfigKey;
    return typeof key === "string" ? [key] : [];
  });
}

/**
 * Sort the written config keys: the `agent-identity` ones by name, and what is refused. `platformOf`
 * gives the value under a written key, so the bootstrap's password keys count as known.
 */
export function readAgentIdentityKeys(written: readonly string[], platformOf: (key: string) => unknown): AgentIdentityKeys {
  const keys = new Map<string, string>();
  const issues: ConfigKeyIssue[] = [];
  const ours: Array<{ key: string; name: string }> = [];
  for (const key of written) {
    const parsed = parseConfigKey(key);
    if (!parsed) {
      issues.push({
        key,
        message: `not a Pulumi config key: Pulumi reads <namespace>:<name> or <namespace>:config:<name> and refuses the stack file otherwise; write ${CONFIG_NAMESPACE}:<name>`,
      });
      continue;
    }
    if (parsed.namespace !== CONFIG_NAMESPACE) {
      if (parsed.namespace.toLowerCase() === CONFIG_NAMESPACE)
        issues.push({
          key,
          message: `namespace ${parsed.namespace} is not ${CONFIG_NAMESPACE}: Pulumi config keys are case-sensitive, so nothing reads this key; write ${CONFIG_NAMESPACE}:${parsed.name}`,
        });
      continue;
    }
    const earlier = keys.get(parsed.name);
    if (earlier !== undefined) {
      issues.push({
        key,
        message: `${CONFIG_NAMESPACE}:${parsed.name} is written twice, as ${earlier} and ${key}: Pulumi reads both as the same key and keeps one; delete the other`,
      });
      continue;
    }
    keys.set(parsed.name, key);
    ours.push({ key, name: parsed.name });
  }
  const platformKey = keys.get("platform");
  const known = new Set<string>([...CONFIG_NAMES, ...(platformKey === undefined ? [] : passwordConfigKeys(platformOf(platformKey)))]);
  for (const { key, name } of ours) {
    if (known.has(name)) continue;
    const close = [...known].find((candidate) => candidate.toLowerCase() === name.toLowerCase() || candidate.startsWith(name) || name.startsWith(candidate));
    issues.push({
      key,
      message: `unknown key ${CONFIG_NAMESPACE}:${name}: plan and pulumi up read only ${[...known].map((n) => `${CONFIG_NAMESPACE}:${n}`).join(", ")}${close ? ` (did you mean ${CONFIG_NAMESPACE}:${close}?)` : ""}; rename or delete it`,
    });
    keys.delete(name);
  }
  // In the order the keys are written, as a reader meets them.
  const order = new Map(written.map((key, index) => [key, index]));
  return { keys, issues: issues.sort((a, b) => order.get(a.key)! - order.get(b.key)!) };
}
