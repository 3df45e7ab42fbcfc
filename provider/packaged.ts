/**
 * The provider the plugin serves (provider/main.ts): GetSchema answers with the checked-in
 * `schema/provider-schema.json` and Construct builds the components. The schema is generated from the
 * TypeScript sources by Pulumi's analyser (`npm run schema:provider`, kept current by a test); an
 * installed package ships compiled JavaScript and that file, not the sources the analyser reads, so
 * the plugin serves the file rather than analysing at start-up.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ConstructResult, Provider } from "@pulumi/pulumi/provider";
import { Agent, AgentFleet, AgentPlatform } from "./index";
import { PROVIDER_NAME, packageRoot } from "./options";

const COMPONENTS: Readonly<Record<string, new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource>> = {
  AgentFleet,
  Agent,
  AgentPlatform,
};

interface PackageSchema {
  readonly version: string;
  readonly resources: Readonly<Record<string, { readonly properties?: Readonly<Record<string, unknown>> }>>;
}

export function packagedProvider(root = packageRoot()): Provider & { readonly version: string } {
  const text = readFileSync(join(root, "schema", "provider-schema.json"), "utf8");
  const schema = JSON.parse(text) as PackageSchema;
  return {
    version: schema.version,
    getSchema: () => Promise.resolve(text),
    construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
      const [pkg, module, className] = type.split(":");
      const Component = pkg === PROVIDER_NAME && module === "index" ? COMPONENTS[className] : undefined;
      const resource = schema.resources[type];
      if (!Component || !resource)
        return Promise.reject(new Error(`unknown resource type ${type}: this package has ${Object.keys(schema.resources).join(", ")}`));
      const instance = new Component(name, inputs as never, options) as pulumi.ComponentResource & Record<string, unknown>;
      // The outputs the schema declares, as the component exposes them.
      const state = Object.fromEntries(Object.keys(resource.properties ?? {}).map((key) => [key, instance[key]]));
      return Promise.resolve({ urn: instance.urn, state: state as pulumi.Inputs });
    },
  };
}
