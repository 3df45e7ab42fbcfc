/** `--format json`: the diff as stable JSON for bots (keys in construction order, changes sorted). */
import type { IdentityDiff } from "./types";

export function renderJson(diff: IdentityDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
