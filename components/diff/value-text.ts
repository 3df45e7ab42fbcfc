/**
 * Plan values as text for people: a list member that is an object (a platform share, a cluster
 * binding) shows its fields, `name: resource …; read a, b; write (none)`, never `[object Object]`.
 */
function fieldText(value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  if (Array.isArray(value)) return value.map(fieldText).join(", ") || "(none)";
  if (typeof value === "object") return `{${objectText(value as Record<string, unknown>)}}`;
  return String(value);
}

function objectText(value: Record<string, unknown>): string {
  const { name, ...rest } = value;
  const fields = Object.entries(rest).map(([key, field]) => `${key} ${fieldText(field)}`);
  return typeof name === "string" ? `${name}: ${fields.join("; ")}` : fields.join("; ");
}

/** Text of a leaf or list: members joined with `, ` (objects with `; ` between their fields and ` | ` between members). */
export function valueText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    return value.some((v) => v !== null && typeof v === "object") ? value.map(fieldText).join(" | ") : value.map(String).join(", ");
  }
  return typeof value === "object" ? objectText(value as Record<string, unknown>) : String(value);
}
