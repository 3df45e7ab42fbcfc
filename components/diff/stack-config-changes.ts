/**
 * Stack-file settings the plan does not compare: every key of the stack file other than
 * `agent-identity:platform` and `agent-identity:agents` (which the plan compares). Provider
 * settings (`aws:region`, `kubernetes:context`, `vault:address`), `agent-identity:kubeContexts`,
 * ESC `environment:` imports and `secretsprovider` change where and as whom the program deploys,
 * so any change to one is shown as widening, named by its key.
 */
import { parseConfigKey } from "../core/stack-config";
import { PLATFORM_AGENT, type Change } from "./types";

const COMPARED_BY_PLAN = new Set(["agent-identity:platform", "agent-identity:agents"]);
const MAX_VALUE_TEXT = 200;

interface Settings {
  /** `config` keys under Pulumi's own reading (`ns:config:name` is `ns:name`). */
  readonly config: Map<string, unknown>;
  /** The other top-level keys Pulumi reads (secretsprovider, encryptedkey, …), by name. */
  readonly file: Map<string, unknown>;
}

/**
 * Two maps, so no top-level key can stand in for a config key (a key literally named
 * `config vault:address` was one): the stack-file reader refuses top-level keys Pulumi does not
 * read and both spellings of one config key, and this keeps the two kinds apart regardless.
 */
function settingsOf(root: Readonly<Record<string, unknown>> | null): Settings {
  const settings: Settings = { config: new Map(), file: new Map() };
  if (!root) return settings;
  for (const [key, value] of Object.entries(root)) {
    if (key !== "config" || !value || typeof value !== "object" || Array.isArray(value)) {
      settings.file.set(key, value);
      continue;
    }
    for (const [configKey, configValue] of Object.entries(value as Record<string, unknown>)) {
      const parsed = parseConfigKey(configKey);
      const name = parsed ? `${parsed.namespace}:${parsed.name}` : configKey;
      if (!COMPARED_BY_PLAN.has(name)) settings.config.set(name, configValue);
    }
  }
  return settings;
}

/** The value as JSON (`null` for a key written as `~` or `null`, which differs from an absent key: null). */
function valueText(settings: ReadonlyMap<string, unknown>, key: string): string | null {
  if (!settings.has(key)) return null;
  const value = settings.get(key);
  return JSON.stringify(value) ?? String(value);
}

/** Where two texts first differ (the shorter one's length when one begins the other). */
function firstDifference(a: string, b: string): number {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return at;
}

/**
 * At most MAX_VALUE_TEXT characters of a long value, starting a little before `from`: a change past
 * the first 200 characters is shown, never two identical cut-off texts.
 */
function excerpt(text: string | null, from: number): string | null {
  if (text === null || text.length <= MAX_VALUE_TEXT) return text;
  const start = Math.min(Math.max(0, from - 40), text.length - MAX_VALUE_TEXT);
  return `${start > 0 ? "…" : ""}${text.slice(start, start + MAX_VALUE_TEXT)}${start + MAX_VALUE_TEXT < text.length ? "…" : ""}`;
}

/** One widening row per stack-file key (other than the plan's two) whose value differs; `base` null: a new stack. */
export function stackConfigChanges(base: Readonly<Record<string, unknown>> | null, head: Readonly<Record<string, unknown>> | null): Change[] {
  const [before, after] = [settingsOf(base), settingsOf(head)];
  return [...changedKeys(before.config, after.config, (key) => `config ${key}`), ...changedKeys(before.file, after.file, (key) => key)];
}

function changedKeys(before: ReadonlyMap<string, unknown>, after: ReadonlyMap<string, unknown>, subject: (key: string) => string): Change[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys
    .map((key) => ({ key, was: valueText(before, key), is: valueText(after, key) }))
    .filter(({ key, was, is }) => before.has(key) !== after.has(key) || was !== is)
    .map(({ key, was, is }) => ({
      agent: PLATFORM_AGENT,
      identity: null,
      kind: "stack-config-changed" as const,
      classification: "widens" as const,
      before: excerpt(was, firstDifference(was ?? "", is ?? "")),
      after: excerpt(is, firstDifference(was ?? "", is ?? "")),
      detail: {
        subject: subject(key),
        notes: [
          "a stack setting the identity plan does not compare (provider settings, kubeContexts, ESC environments, secrets provider): any change is treated as widening",
        ],
      },
    }));
}
