/**
 * JSON Schema for stack files, generated from the zod schema (the single source of truth) so
 * editors can complete and check `stacks/Pulumi.<stack>.yaml`.
 */
import { z } from "zod";
import { agentsSchema, platformSchema } from "./schema";

/** zod emits a `$schema` per sub-schema; only the document root should carry one. */
function embedded(schema: z.core.JSONSchema.BaseSchema): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...schema };
  delete rest.$schema;
  return rest;
}

export function stackFileJsonSchema(): Record<string, unknown> {
  const input = { io: "input", unrepresentable: "any" } as const;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/pulumi-agent-identity/pulumi-agent-identity/schema/declaration.schema.json",
    title: "pulumi-agent-identity stack file",
    description: "Pulumi stack config declaring a platform and its AI agents. Generated from components/core/schema.ts by `npm run schema`.",
    type: "object",
    properties: {
      config: {
        type: "object",
        properties: {
          "agent-identity:platform": embedded(z.toJSONSchema(platformSchema, input)),
          "agent-identity:agents": embedded(z.toJSONSchema(agentsSchema, input)),
        },
        required: ["agent-identity:platform"],
      },
    },
    required: ["config"],
  };
}

export function renderStackFileJsonSchema(): string {
  return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}
