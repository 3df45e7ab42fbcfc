/**
 * Whether a Kubernetes label selector (matchLabels, matchExpressions) can match a namespace whose
 * labels the pack knows only in part. Three-valued: a selector excludes the namespace only when one
 * of its requirements is certainly false on what is known; a label the pack cannot see, an operator
 * it does not know, or a selector it cannot read may match (closed world).
 */

/** What the pack knows of a namespace's labels: `all` when the stack creates it (no other label is there). */
export interface KnownLabels {
  readonly labels: Readonly<Record<string, string>>;
  readonly all: boolean;
}

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : undefined);

/** True when the selector certainly does not match; false when it matches or may. Missing (undefined) matches everything. */
export function selectorExcludes(selector: unknown, ns: KnownLabels): boolean {
  if (selector === undefined || selector === null) return false;
  if (typeof selector !== "object") return false;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const value = (key: string): string | undefined | "unknown" => (key in ns.labels ? ns.labels[key] : ns.all ? undefined : "unknown");
  if (matchLabels && typeof matchLabels === "object") {
    for (const [key, want] of Object.entries(matchLabels)) {
      const have = value(key);
      if (have !== "unknown" && have !== want) return true;
    }
  }
  for (const expression of Array.isArray(matchExpressions) ? matchExpressions : []) {
    const { key, operator, values } = (expression ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
    if (typeof key !== "string") continue;
    const have = value(key);
    if (have === "unknown") continue;
    const list = strings(values) ?? [];
    if (operator === "In" && (have === undefined || !list.includes(have))) return true;
    if (operator === "NotIn" && have !== undefined && list.includes(have)) return true;
    if (operator === "Exists" && have === undefined) return true;
    if (operator === "DoesNotExist" && have !== undefined) return true;
  }
  return false;
}

/** True when the selector matches every namespace: missing, or with no requirement at all. */
export function selectsEverything(selector: unknown): boolean {
  if (selector === undefined || selector === null) return true;
  if (typeof selector !== "object") return false;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const labels = matchLabels && typeof matchLabels === "object" ? Object.keys(matchLabels).length : 0;
  const expressions = Array.isArray(matchExpressions) ? matchExpressions.length : 0;
  return labels === 0 && expressions === 0;
}
