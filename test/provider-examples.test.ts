/**
 * The README's Pulumi YAML and Python programs declare an agent (and, in YAML, an AgentPlatform) the
 * component provider builds: each is read from the README, checked against the provider schema and
 * run through `construct()` under mocks (the path a YAML or Python program's registration takes).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { providerOptions } from "../provider/options";
import { PROVIDER_SCHEMA_FILE } from "../scripts/generate-provider-schema";
import { TODAY_DATE } from "./helpers/fixtures";
import { installMocks, resources, settle } from "./helpers/pulumi-mocks";

interface Spec {
  readonly $ref?: string;
  readonly type?: string;
  readonly items?: Spec;
}
const schema = JSON.parse(readFileSync(PROVIDER_SCHEMA_FILE, "utf8")) as {
  resources: Record<string, { inputProperties: Record<string, Spec>; properties: Record<string, Spec> }>;
  types: Record<string, { properties: Record<string, Spec> }>;
};
const readme = readFileSync("README.md", "utf8");

function example(kind: "yaml" | "python" | "yaml-platform"): string {
  const language = kind === "yaml-platform" ? "yaml" : kind;
  const match = new RegExp(`<!-- provider-example: ${kind} -->\\n\`\`\`${language}\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no ${kind} provider example`);
  return match[1];
}

/** Fields a value sets that its schema type does not have, and `$type`s that do not match. */
function schemaProblems(value: unknown, spec: Spec, path: string): string[] {
  if (spec.type === "array") return Array.isArray(value) ? value.flatMap((v, i) => schemaProblems(v, spec.items!, `${path}[${i}]`)) : [`${path}: not a list`];
  if (!spec.$ref) return [];
  const typeName = spec.$ref.replace("#/types/agent-identity:index:", "");
  const type = schema.types[`agent-identity:index:${typeName}`];
  if ("enum" in type) {
    const values = (type as unknown as { enum: { value: string }[] }).enum.map((member) => member.value);
    return values.includes(value as string) ? [] : [`${path}: "${String(value)}" is not one of ${values.join(", ")}`];
  }
  const object = value as Record<string, unknown>;
  const problems = object.$type !== undefined && object.$type !== typeName ? [`${path}: ${String(object.$type)}Args where the schema has ${typeName}`] : [];
  for (const [field, child] of Object.entries(object)) {
    if (field === "$type") continue;
    if (!type.properties[field]) problems.push(`${path}.${field}: not in ${typeName}`);
    else problems.push(...schemaProblems(child, type.properties[field], `${path}.${field}`));
  }
  return problems;
}

const stripTypes = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(stripTypes)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([k]) => k !== "$type")
            .map(([k, v]) => [k, stripTypes(v)]),
        )
      : value;

const AGENT = "agent-identity:index:Agent";
const provider = new ComponentProvider(providerOptions());

async function build(name: string, args: Record<string, unknown>) {
  installMocks();
  const result = await provider.construct(name, AGENT, { ...args, validationDate: TODAY_DATE }, {});
  await settle();
  return {
    result,
    roles: resources()
      .filter((r) => r.type === "aws:iam/role:Role")
      .map((r) => r.name),
  };
}

describe("README component provider examples", () => {
  it("Pulumi YAML: an Agent resource the provider builds, outputs that exist", async () => {
    const program = parse(example("yaml")) as {
      runtime: string;
      resources: Record<string, { type: string; properties: Record<string, unknown> }>;
      outputs: Record<string, string>;
    };
    expect(program.runtime).toBe("yaml");
    const [[name, resource]] = Object.entries(program.resources);
    expect(resource.type).toBe(AGENT);
    const inputs = schema.resources[AGENT].inputProperties;
    expect(
      Object.entries(resource.properties).flatMap(([field, v]) => (inputs[field] ? schemaProblems(v, inputs[field], field) : [`${field}: not an input`])),
    ).toEqual([]);
    for (const output of Object.values(program.outputs)) {
      const [, resourceName, property] = /^\$\{([\w-]+)\.(\w+)\}$/.exec(output)!;
      expect(resourceName).toBe(name);
      expect(schema.resources[AGENT].properties).toHaveProperty(property);
    }
    const { roles } = await build(name, resource.properties);
    expect(roles.sort()).toEqual([`${name}-audit-role`, `${name}-execution-role`, `${name}-orchestration-role`].sort());
  }, 120_000);

  it("Python: read with Python's parser, Args classes and keywords as in the schema, builds the same agent", async () => {
    const read = JSON.parse(execFileSync("python3", ["test/helpers/python-call.py"], { input: example("python"), encoding: "utf8" })) as {
      module: string;
      imports: [string, string | null][];
      name: string;
      args: Record<string, unknown>;
      exports: string[];
    };
    expect(read.imports).toContainEqual(["pulumi_agent_identity", read.module]);
    const inputs = schema.resources[AGENT].inputProperties;
    expect(Object.entries(read.args).flatMap(([field, v]) => (inputs[field] ? schemaProblems(v, inputs[field], field) : [`${field}: not an input`]))).toEqual(
      [],
    );
    for (const output of read.exports) expect(schema.resources[AGENT].properties).toHaveProperty(output);
    // The YAML and Python examples declare the same agent.
    const yaml = parse(example("yaml")) as { resources: Record<string, { properties: unknown }> };
    expect(stripTypes(read.args)).toEqual(Object.values(yaml.resources)[0].properties);
    const { roles } = await build(read.name, stripTypes(read.args) as Record<string, unknown>);
    expect(roles).toHaveLength(3);
  }, 120_000);

  it("Pulumi YAML: an AgentPlatform resource the provider builds, outputs that exist", async () => {
    const PLATFORM = "agent-identity:index:AgentPlatform";
    const program = parse(example("yaml-platform")) as {
      runtime: string;
      resources: Record<string, { type: string; properties: Record<string, unknown> }>;
      outputs: Record<string, string>;
    };
    expect(program.runtime).toBe("yaml");
    const [[name, resource], ...others] = Object.entries(program.resources);
    expect(others).toEqual([]);
    expect(resource.type).toBe(PLATFORM);
    const inputs = schema.resources[PLATFORM].inputProperties;
    expect(
      Object.entries(resource.properties).flatMap(([field, v]) => (inputs[field] ? schemaProblems(v, inputs[field], field) : [`${field}: not an input`])),
    ).toEqual([]);
    for (const output of Object.values(program.outputs)) {
      const [, resourceName, property] = /^\$\{([\w-]+)\.(\w+)\}$/.exec(output)!;
      expect(resourceName).toBe(name);
      expect(schema.resources[PLATFORM].properties).toHaveProperty(property);
    }
    installMocks();
    await provider.construct(name, PLATFORM, { ...resource.properties, validationDate: TODAY_DATE }, {});
    await settle();
    expect(
      resources()
        .filter((r) => r.custom)
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
    ).toEqual([
      `vault:index/audit:Audit ${name}-audit`,
      `vault:index/authBackend:AuthBackend ${name}-default-kubernetes-auth`,
      `vault:index/mount:Mount ${name}-kv`,
      `vault:kubernetes/authBackendConfig:AuthBackendConfig ${name}-default-kubernetes-auth-config`,
    ]);
  }, 120_000);

  it("the schema check catches a keyword the schema does not have", () => {
    const inputs = schema.resources[AGENT].inputProperties;
    expect(
      schemaProblems({ $type: "PlatformSettings", environment: "dev", aws: { $type: "PlatformAwsSettings", accountID: "1" } }, inputs.platform, "platform"),
    ).toEqual(["platform.aws.accountID: not in PlatformAwsSettings"]);
  });
});
