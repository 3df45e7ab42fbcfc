/**
 * The `agent-identity` keys of a stack's Pulumi config, read once by rules both readers share:
 * `plan`, `diff` and `inventory` (cli/stack-file.ts, from the stack file as written) and the
 * deployable program (stacks/index.ts, from the config the engine hands it). Pulumi accepts two
 * spellings of one key, `agent-identity:agents` and the older `agent-identity:config:agents`
 * (config.ParseKey in pulumi/pulumi sdk/go/common/resource/config/key.go; the Node SDK's cleanKey
 * strips `:config:` too), so a reader that knows only the first would plan 0 agents while
 * `pulumi up` deploys them. Both spellings of one key, in any namespace (`aws:region` and
 * `aws:config:region`), are refused: Pulumi folds them into one map entry and keeps a random one
 * (sdk/go/common/resource/config/map.go UnmarshalYAML), so the diff could show the other. Any
 * other name in the agent-identity namespace is refused: nothing reads it, so it is a typo or a
 * value someone believes is in force.
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

/**
 * A key as it may appear in an error message: bare when it is plain (`aws:region`), else in double
 * quotes with every character outside printable ASCII, and `::`, written as a \u escape, so a key
 * cannot carry a terminal escape, a bidi override or a workflow command (`::error::`) into a log.
 */
export function shownKey(key: string): string {
  if (/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/.test(key) && key.length <= 200) return key;
  const cut = key.length > 200 ? `${key.slice(0, 200)}…` : key;
  return JSON.stringify(cut).replace(/[^\x20-\x7e]|:(?=:)/gu, (char) => {
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

export interface ConfigKeyIssue {
  /** The key as written. */
  readonly key: string;
  readonly message: string;
  /** The other spelling of the same key, when the issue is a key written twice. */
  readonly twin?: string;
}

/**
 * The top-level keys of a stack file Pulumi reads: the yaml tags of `ProjectStack` (pulumi/pulumi
 * sdk/go/common/workspace/project.go at 0351806b7a863ba6a4261576fc40aeae2f1d34a7). Pulumi ignores
 * any other key, so a reader must too; refusing it keeps a key such as `"config vault:address"`
 * from posing as a setting in a diff. `environment` and `mainEnvironment` (ESC) are Pulumi's own but
 * refused by the stack-file reader: they bring config in that plan cannot see.
 */
export const STACK_FILE_KEYS = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment", "mainEnvironment"] as const;

/** Top-level keys of a stack file that Pulumi does not read (case-sensitive, as go-yaml matches tags). */
export function unknownStackFileKeys(written: readonly string[]): string[] {
  const known = new Set<string>(STACK_FILE_KEYS);
  return written.filter((key) => !known.has(key));
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
  /** `ns:name` → the key as written: both spellings of one key, in any namespace, are refused. */
  const seen = new Map<string, string>();
  for (const key of written) {
    const parsed = parseConfigKey(key);
    if (!parsed) {
      issues.push({
        key,
        message: key.includes(":")
          ? `not a Pulumi config key: Pulumi reads <namespace>:<name> or <namespace>:config:<name> and refuses the stack file otherwise; write ${CONFIG_NAMESPACE}:<name>`
          : `a config key with no namespace: Pulumi reads it as <project name>:${shownKey(key)} (the namespace of Pulumi.yaml's name), which plan cannot assume; write the namespace, e.g. ${CONFIG_NAMESPACE}:${shownKey(key)}`,
      });
      continue;
    }
    const folded = `${parsed.namespace}:${parsed.name}`;
    const twin = seen.get(folded);
    if (twin !== undefined) {
      issues.push({
        key,
        message: `${shownKey(folded)} is written twice, as ${shownKey(twin)} and ${shownKey(key)}: Pulumi reads both as the same key and keeps one of them at random (Go map order), so no reader can know which value is deployed; delete the other`,
        twin,
      });
      continue;
    }
    seen.set(folded, key);
    if (parsed.namespace !== CONFIG_NAMESPACE) {
      if (parsed.namespace.toLowerCase() === CONFIG_NAMESPACE)
        issues.push({
          key,
          message: `namespace ${shownKey(parsed.namespace)} is not ${CONFIG_NAMESPACE}: Pulumi config keys are case-sensitive, so nothing reads this key; write ${CONFIG_NAMESPACE}:${shownKey(parsed.name)}`,
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
      message: `unknown key ${shownKey(`${CONFIG_NAMESPACE}:${name}`)}: plan and pulumi up read only ${[...known].map((n) => `${CONFIG_NAMESPACE}:${n}`).join(", ")}${close ? ` (did you mean ${CONFIG_NAMESPACE}:${close}?)` : ""}; rename or delete it`,
    });
    keys.delete(name);
  }
  // In the order the keys are written, as a reader meets them.
  const order = new Map(written.map((key, index) => [key, index]));
  return { keys, issues: issues.sort((a, b) => order.get(a.key)! - order.get(b.key)!) };
}
