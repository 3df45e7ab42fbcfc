/**
 * The digest a kubernetesPlatformResources declaration pins a resource's inputs to: SHA-256 of the
 * inputs as canonical JSON (object keys sorted at every level, arrays in order). Pure, so the pack
 * and `agent-identity inputs-digest` compute the same value from the same inputs.
 */
import { createHash } from "node:crypto";

/** Keys sorted at every level, so the digest does not depend on the order a program wrote them in. */
function canonical(value: unknown, depth = 0): unknown {
  if (depth > 200) throw new Error("inputs nested more than 200 levels deep");
  if (Array.isArray(value)) return value.map((item) => canonical(item, depth + 1));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, canonical(record[key], depth + 1)]),
  );
}

/** `sha256:<hex>` of plain, fully known inputs. */
export const digestOfInputs = (inputs: unknown): string =>
  `sha256:${createHash("sha256")
    .update(JSON.stringify(canonical(inputs)))
    .digest("hex")}`;
