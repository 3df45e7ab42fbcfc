/** Reading untrusted parsed JSON one field at a time: own properties only, bounded strings only. */

/** The longest string kept from any field (ARNs are at most 2,048 characters). */
export const MAX_FIELD = 2048;

export function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  // Own properties only: a record's `__proto__` or `constructor` key is data, never the prototype.
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

export function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_FIELD ? value : null;
}
