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

/** `config` keys under Pulumi's own reading (`ns:config:name` is `ns:name`), the other top-level keys by name. */
function settingsOf(root: Readonly<Record<string, unknown>> | null): Map<string, unknown> {
  const settings = new Map<string, unknown>();
  if (!root) return settings;
  for (const [key, value] of Object.entries(root)) {
    if (key !== "config") {
      settings.set(key, value);
      continue;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      settings.set(key, value);
      continue;
    }
    for (const [configKey, configValue] of Object.entries(value as Record<string, unknown>)) {
      const parsed = parseConfigKey(configKey);
      const name = parsed ? `${parsed.namespace}:${parsed.name}` : configKey;
      if (!COMPARED_BY_PLAN.has(name)) settings.set(`config ${name}`, configValue);
    }
  }
  return settings;
}

function shown(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT)}…` : text;
}

/** One widening row per stack-file key (other than the plan's two) whose value differs; `base` null: a new stack. */
export function stackConfigChanges(base: Readonly<Record<string, unknown>> | null, head: Readonly<Record<string, unknown>> | null): Change[] {
  const [before, after] = [settingsOf(base), settingsOf(head)];
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys
    .filter((key) => JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)))
    .map((key) => ({
      agent: PLATFORM_AGENT,
      identity: null,
      kind: "stack-config-changed" as const,
      classification: "widens" as const,
      before: shown(before.get(key)),
      after: shown(after.get(key)),
      detail: {
        subject: key,
        notes: [
          "a stack setting the identity plan does not compare (provider settings, kubeContexts, ESC environments, secrets provider): any change is treated as widening",
        ],
      },
    }));
}
