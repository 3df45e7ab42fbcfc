/**
 * Reviewed exceptions for the pack, carried in CrossGuard policy configuration (`configSchema`):
 * the security team sets them on the policy group, outside the pull request under review, so a
 * change cannot waive its own findings. Each policy reads its configuration's `exceptions` list,
 * in the declaration's own form (`platform.exceptions`, components/core/schema.ts), and waives
 * exactly what `plan` would: exceptions in force by the same test (exceptionInForce) and the same
 * match (waivingException). A configuration that does not parse waives nothing.
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { exceptionSchema, type PolicyException } from "../components/core/schema";
import { exceptionInForce } from "../components/rules/exceptions";
import type { RuleMeta } from "../components/rules";
import { OPERATORS_CONFIG_PROPERTY } from "./operators-config";
import { PLATFORM_RESOURCES_CONFIG_PROPERTY } from "./platform-resources-config";
import { NODE_ACCESS_CONFIG_PROPERTY } from "./node-access-config";
import { TRAIL_BUCKETS_CONFIG_PROPERTY } from "./trail-buckets-config";

const exceptionsSchema = z.array(exceptionSchema).max(1000);

const { $schema: _drop, ...exceptionsJsonSchema } = z.toJSONSchema(exceptionsSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The configuration every policy of the pack accepts. */
export const EXCEPTIONS_CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    exceptions: exceptionsJsonSchema as PolicyConfigSchema["properties"][string],
    kubernetesOperators: OPERATORS_CONFIG_PROPERTY as PolicyConfigSchema["properties"][string],
    kubernetesPlatformResources: PLATFORM_RESOURCES_CONFIG_PROPERTY as PolicyConfigSchema["properties"][string],
    kubernetesNodeAccess: NODE_ACCESS_CONFIG_PROPERTY as PolicyConfigSchema["properties"][string],
    auditTrailBuckets: TRAIL_BUCKETS_CONFIG_PROPERTY as PolicyConfigSchema["properties"][string],
  },
};

/**
 * The exceptions in force on `now` from a policy's configuration. The pack sees no declaration, so
 * the agent is not checked against declared agents (a finding names an agent of the stack, so an
 * exception naming no such agent matches nothing); date, 90-day horizon and waivability are.
 */
export function exceptionsInForce(config: unknown, rules: readonly RuleMeta[], now: Date): readonly PolicyException[] {
  const raw = config && typeof config === "object" ? (config as { exceptions?: unknown }).exceptions : undefined;
  if (raw === undefined) return [];
  const parsed = exceptionsSchema.safeParse(raw);
  if (!parsed.success) return [];
  return parsed.data.filter((exception) => exceptionInForce(exception, rules, null, now));
}
