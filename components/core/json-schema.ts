/**
 * JSON Schema for stack files, generated from the zod schema (the single source of truth) so
 * editors can complete and check `stacks/Pulumi.<stack>.yaml`.
 */
import { z } from "zod";
import { MAX_CLUSTERS } from "./clusters";
import { MAX_KUBE_CONTEXT } from "./kube-contexts";
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
          "agent-identity:kubeContexts": {
            type: "object",
            description:
              "Kubeconfig context of each platform cluster (keys: platform.clusters[].name; default: the cluster's name). Only with two or more clusters; no two clusters on one context.",
            additionalProperties: { type: "string", minLength: 1, maxLength: MAX_KUBE_CONTEXT },
            maxProperties: MAX_CLUSTERS,
          },
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
