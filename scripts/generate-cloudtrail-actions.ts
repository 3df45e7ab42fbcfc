/**
 * Generates components/narrow/data/cloudtrail-actions.json from iann0036/iam-dataset's
 * `aws/map.json` (MIT): CloudTrail event source → IAM service prefix, and each API whose IAM
 * actions differ from its own name. To refresh from the full file:
 *
 *   curl -sLo /tmp/map.json https://raw.githubusercontent.com/iann0036/iam-dataset/<commit>/aws/map.json
 *   npx tsx scripts/generate-cloudtrail-actions.ts /tmp/map.json <commit>
 *
 * Without arguments it reads the excerpt kept in scripts/data (the sections read when this was built).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const SOURCE_COMMIT = "cf9b6c5d6e5e2dfcae08db832ee3d2472e1f1712";
export const EXCERPT = join(__dirname, "data", "iam-dataset-map-excerpt.json");
export const OUTPUT = join(__dirname, "..", "components", "narrow", "data", "cloudtrail-actions.json");

/** The sections of iam-dataset's `aws/map.json` (schema_version 1.0.2) this reads. */
export interface MapJson {
  schema_version: string;
  sdk_method_iam_mappings: Record<string, Array<{ action: string }>>;
  service_sdk_mappings?: Record<string, string[]>;
  sdk_service_mappings?: Record<string, string>;
  cloudtrail_service_mappings: Record<string, string>;
}

const sort = <T>(entries: Array<[string, T]>) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The data file for `map` (the text written: JSON, one space indent, final newline). */
export function cloudTrailActions(map: MapJson, commit: string, fromExcerpt: boolean): string {
  const prefixOfSdk = new Map<string, string>();
  for (const [prefix, names] of Object.entries(map.service_sdk_mappings ?? {}))
    for (const name of names) if (!prefixOfSdk.has(name)) prefixOfSdk.set(name, prefix);
  for (const [name, prefix] of Object.entries(map.sdk_service_mappings ?? {})) prefixOfSdk.set(name, prefix);

  const covered = new Set(Object.values(map.cloudtrail_service_mappings));
  const methods: Array<[string, string[]]> = [];
  for (const [key, variants] of Object.entries(map.sdk_method_iam_mappings)) {
    const [sdk, method] = key.split(".");
    const actions = [...new Set(variants.map((v) => v.action))];
    // The SDK service's IAM prefix; else the prefix its first mapped action names (data of the map itself).
    const prefix = prefixOfSdk.get(sdk) ?? actions[0]?.split(":")[0];
    if (!prefix || !method || !covered.has(prefix)) continue;
    // Same-name single actions add nothing: the lookup checks those against the IAM reference.
    if (actions.length === 1 && actions[0].toLowerCase() === `${prefix}:${method}`.toLowerCase()) continue;
    methods.push([`${prefix}:${method}`, actions]);
  }

  const data = {
    source: {
      repository: "iann0036/iam-dataset",
      path: "aws/map.json",
      commit,
      license: "MIT",
      input: fromExcerpt ? "scripts/data/iam-dataset-map-excerpt.json" : "aws/map.json",
    },
    services: Object.fromEntries(sort(Object.entries(map.cloudtrail_service_mappings))),
    methods: Object.fromEntries(sort(methods)),
  };
  return `${JSON.stringify(data, null, 1)}\n`;
}

if (require.main === module) {
  const input = process.argv[2] ?? EXCERPT;
  const commit = process.argv[3] ?? SOURCE_COMMIT;
  const text = cloudTrailActions(JSON.parse(readFileSync(input, "utf8")) as MapJson, commit, input === EXCERPT);
  writeFileSync(OUTPUT, text);
  const data = JSON.parse(text) as { services: object; methods: object };
  console.log(`wrote ${OUTPUT}: ${Object.keys(data.services).length} event sources, ${Object.keys(data.methods).length} APIs with their own actions`);
}
