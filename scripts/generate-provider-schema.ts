/**
 * Writes schema/provider-schema.json: the package schema Pulumi's ComponentProvider derives from the
 * components' TypeScript args (what `pulumi package add` generates SDKs from). `npm run schema:provider`;
 * test/provider-schema.test.ts fails when the checked-in file is stale.
 */
import { writeFileSync } from "node:fs";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { providerOptions } from "../provider/options";

export const PROVIDER_SCHEMA_FILE = "schema/provider-schema.json";

export async function providerSchema(): Promise<unknown> {
  return JSON.parse(await new ComponentProvider(providerOptions()).getSchema());
}

if (require.main === module) {
  void providerSchema().then((schema) => {
    writeFileSync(PROVIDER_SCHEMA_FILE, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote ${PROVIDER_SCHEMA_FILE}`);
  });
}
