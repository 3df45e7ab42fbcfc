/** The resource type tokens an installed Pulumi provider package exports (each class's `__pulumiType`). */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

export const TOKEN = /__pulumiType = ['"]([^'"]+)['"]/g;

/** Every `__pulumiType` token in a package's JavaScript files, sorted. */
export function exportedTypes(pkg: string): string[] {
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "types") walk(path);
      } else if (entry.name.endsWith(".js")) {
        for (const match of readFileSync(path, "utf8").matchAll(TOKEN)) if (match[1].includes(":")) out.add(match[1]);
      }
    }
  };
  walk(root);
  return [...out].sort();
}
