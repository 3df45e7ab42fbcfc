/**
 * The component provider other languages use (`pulumi package add`): its schema is checked in and
 * current, its argument types name exactly the fields the zod declaration schema accepts, and
 * `construct()` builds the same resources as the TypeScript constructor (AgentPlatform's construct()
 * tests: test/provider-platform.test.ts).
 */
import { readFileSync } from "node:fs";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import type * as pulumi from "@pulumi/pulumi";
import { AgentFleet } from "../components";
import { agentSchema, platformSchema } from "../components/core/schema";
import { providerOptions } from "../provider/options";
import { PROVIDER_SCHEMA_FILE, providerSchema } from "../scripts/generate-provider-schema";
import { PLATFORM, TODAY_DATE, agent, stackDeclaration } from "./helpers/fixtures";
import { installMocks, outputValue, resources, settle } from "./helpers/pulumi-mocks";

interface PropertySpec {
  readonly $ref?: string;
  readonly type?: string;
  readonly items?: PropertySpec;
}
interface ObjectSpec {
  readonly properties: Record<string, PropertySpec>;
  /** A choice field's type: its values. */
  readonly enum?: { name: string; value: string }[];
}
interface PackageSchema {
  readonly name: string;
  readonly resources: Record<string, { inputProperties: Record<string, PropertySpec>; properties: Record<string, PropertySpec> }>;
  readonly types: Record<string, ObjectSpec>;
}
type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; enum?: string[]; const?: string };

/** The values a zod choice accepts: an enum, or the literals of a union's members (a discriminator). */
const zodChoices = (node: JsonSchema): string[] => [
  ...(node.enum ?? []),
  ...(node.const !== undefined ? [node.const] : []),
  ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap(zodChoices),
];

const checkedIn = JSON.parse(readFileSync(PROVIDER_SCHEMA_FILE, "utf8")) as PackageSchema;
const input = { io: "input", unrepresentable: "any" } as const;

/** Object members of a zod JSON schema node (a union contributes every member's fields). */
function zodObjects(node: JsonSchema): JsonSchema[] {
  const members = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  return members.length ? members.flatMap(zodObjects) : node.properties ? [node] : [];
}

/** Every mismatch between a provider type and the zod schema, as `path: detail`. */
function mismatches(schema: PackageSchema, spec: PropertySpec, zod: JsonSchema, path: string): string[] {
  if (spec.type === "array" && spec.items) return mismatches(schema, spec.items, zod.items ?? {}, `${path}[]`);
  if (!spec.$ref) return [];
  const type = schema.types[spec.$ref.replace("#/types/", "")];
  if (type.enum) {
    // A choice: the same values as the zod enum, in any order.
    const values = type.enum.map((member) => member.value).sort();
    const zodValues = [...new Set(zodChoices(zod))].sort();
    return JSON.stringify(values) === JSON.stringify(zodValues) ? [] : [`${path}: choices ${values.join("|")} where the zod schema has ${zodValues.join("|")}`];
  }
  const objects = zodObjects(zod);
  const zodFields = new Set(objects.flatMap((o) => Object.keys(o.properties ?? {})));
  const providerFields = new Set(Object.keys(type.properties));
  const out = [...providerFields].filter((f) => !zodFields.has(f)).map((f) => `${path}.${f}: in the provider args, not in the zod schema`);
  out.push(...[...zodFields].filter((f) => !providerFields.has(f)).map((f) => `${path}.${f}: in the zod schema, not in the provider args`));
  for (const [field, child] of Object.entries(type.properties)) {
    const zodChildren = objects.map((o) => o.properties?.[field]).filter((c): c is JsonSchema => c !== undefined);
    // A union's members each contribute (a discriminator's literals together make its choices).
    const zodChild = zodChildren.length > 1 ? { ...zodChildren[0], anyOf: zodChildren } : zodChildren[0];
    if (zodChild) out.push(...mismatches(schema, child, zodChild, `${path}.${field}`));
  }
  return out;
}

describe("component provider schema", () => {
  it("is checked in and current (npm run schema:provider regenerates it)", async () => {
    expect(await providerSchema()).toEqual(checkedIn);
  }, 120_000);

  it("offers AgentFleet, Agent and AgentPlatform under the tokens the TypeScript classes register", () => {
    expect(checkedIn.name).toBe("agent-identity");
    expect(Object.keys(checkedIn.resources).sort()).toEqual([
      "agent-identity:index:Agent",
      "agent-identity:index:AgentFleet",
      "agent-identity:index:AgentPlatform",
    ]);
    expect(readFileSync("components/agent-fleet.ts", "utf8")).toContain('super("agent-identity:index:AgentFleet"');
    expect(readFileSync("components/agent.ts", "utf8")).toContain('super("agent-identity:index:Agent"');
    expect(readFileSync("components/agent-platform.ts", "utf8")).toContain('super("agent-identity:index:AgentPlatform"');
    expect(Object.keys(checkedIn.resources["agent-identity:index:Agent"].properties).sort()).toEqual([
      "auditLogGroupName",
      "namespace",
      "roleArns",
      "serviceAccountNames",
    ]);
    expect(Object.keys(checkedIn.resources["agent-identity:index:AgentPlatform"].properties)).toEqual(["rotateRootCommands"]);
  });

  it("AgentPlatform takes the fleet's inputs, as the same schema types (agents optional)", () => {
    const fleet = checkedIn.resources["agent-identity:index:AgentFleet"].inputProperties;
    const platform = checkedIn.resources["agent-identity:index:AgentPlatform"].inputProperties;
    expect(Object.keys(platform).sort()).toEqual(Object.keys(fleet).sort());
    for (const field of Object.keys(fleet))
      expect({ field, ...platform[field], optional: undefined, description: undefined }).toEqual({
        field,
        ...fleet[field],
        optional: undefined,
        description: undefined,
      });
    const required = (token: string) => (checkedIn.resources[token] as unknown as { requiredInputs: string[] }).requiredInputs;
    expect(required("agent-identity:index:AgentPlatform")).toEqual(["platform"]);
    expect(required("agent-identity:index:AgentFleet").sort()).toEqual(["agents", "platform"]);
  });

  it("names exactly the fields the declaration schema accepts, at every level", () => {
    const fleet = checkedIn.resources["agent-identity:index:AgentFleet"].inputProperties;
    const platformJson = z.toJSONSchema(platformSchema, input) as JsonSchema;
    const agentJson = z.toJSONSchema(agentSchema, input) as JsonSchema;
    expect(mismatches(checkedIn, fleet.platform, platformJson, "platform")).toEqual([]);
    expect(mismatches(checkedIn, fleet.agents, { items: agentJson }, "agents")).toEqual([]);
    const platformInputs = checkedIn.resources["agent-identity:index:AgentPlatform"].inputProperties;
    expect(mismatches(checkedIn, platformInputs.platform, platformJson, "platform")).toEqual([]);
    expect(mismatches(checkedIn, platformInputs.agents, { items: agentJson }, "agents")).toEqual([]);
    // A standalone agent: its declaration fields plus platform and validationDate.
    const agentInputs = Object.keys(checkedIn.resources["agent-identity:index:Agent"].inputProperties).filter(
      (f) => f !== "platform" && f !== "validationDate",
    );
    expect(agentInputs.sort()).toEqual(Object.keys(agentJson.properties!).sort());
  });

  it("fails the comparison when a choice's values differ (the check can fail)", () => {
    const broken = structuredClone(checkedIn) as PackageSchema;
    broken.types["agent-identity:index:Tier"].enum!.push({ name: "High", value: "high" });
    const fleet = broken.resources["agent-identity:index:AgentFleet"].inputProperties;
    expect(mismatches(broken, fleet.agents, { items: z.toJSONSchema(agentSchema, input) as JsonSchema }, "agents")).toEqual([
      "agents[].tier: choices assistant|batch|high|high-risk where the zod schema has assistant|batch|high-risk",
    ]);
  });

  it("fails the comparison when a field is missing (the check can fail)", () => {
    const broken = structuredClone(checkedIn) as PackageSchema & { types: Record<string, { properties: Record<string, unknown> }> };
    delete broken.types["agent-identity:index:PlatformAwsSettings"].properties.permissionsBoundaryArn;
    const fleet = broken.resources["agent-identity:index:AgentFleet"].inputProperties;
    expect(mismatches(broken, fleet.platform, z.toJSONSchema(platformSchema, input) as JsonSchema, "platform")).toEqual([
      "platform.aws.permissionsBoundaryArn: in the zod schema, not in the provider args",
    ]);
  });
});

describe("component provider construct()", () => {
  // One provider: the first construct() analyses the sources (seconds), later ones reuse it.
  const provider = new ComponentProvider(providerOptions());
  const registrations = () => resources().map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));

  it("builds a fleet from plain inputs exactly as `new AgentFleet(...)` does", async () => {
    const declaration = stackDeclaration("dev");
    const inputs = JSON.parse(JSON.stringify({ platform: declaration.platform, agents: declaration.agents, validationDate: TODAY_DATE }));

    installMocks();
    new AgentFleet("platform", inputs);
    await settle();
    const direct = registrations();

    installMocks();
    const result = await provider.construct("platform", "agent-identity:index:AgentFleet", inputs, {});
    await settle();
    const constructed = registrations();

    expect(direct.length).toBeGreaterThan(30);
    expect(constructed).toEqual(direct);
    const roleArns = await outputValue(result.state.roleArns as pulumi.Output<Record<string, Record<string, string>>>);
    expect(roleArns["invoice-triage"].execution).toBe("arn:aws:iam::111122223333:role/acme-dev-invoice-triage-execution");
  }, 120_000);

  it("builds a standalone agent, and refuses a bad declaration before any child", async () => {
    installMocks();
    await provider.construct(
      "solo",
      "agent-identity:index:Agent",
      JSON.parse(JSON.stringify({ ...agent("solo"), platform: PLATFORM, validationDate: TODAY_DATE })),
      {},
    );
    await settle();
    expect(resources().filter((r) => r.type === "aws:iam/role:Role")).toHaveLength(3);

    installMocks();
    await expect(
      provider.construct("bad", "agent-identity:index:Agent", { ...agent("bad"), tier: "superuser", platform: PLATFORM, validationDate: TODAY_DATE }, {}),
    ).rejects.toThrow(/tier/);
    await settle();
    expect(resources().filter((r) => r.custom)).toEqual([]);
  }, 120_000);
});
