/**
 * The plan records pinned by the review gate, carried in CrossGuard policy configuration
 * (`pinnedRecords`, on the policy that reports stack/records-pinned). `agent-identity records`
 * prints it from the stack's declaration (components/core/record-pins.ts); the engine reads the
 * configuration file before the program under review starts, so the program cannot change it.
 * Absent: the records are not pinned (the as-planned rules compare the stack with the records it
 * carries, as before). Present but malformed: everything is refused (fail closed), never "unpinned".
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { recordPinsSchema, type RecordPins } from "../components/core/record-pins";
import { PINNED_RECORDS_PROPERTY } from "./pinned-records-property";

const { $schema: _drop, ...pinsJsonSchema } = z.toJSONSchema(recordPinsSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

export const PINNED_RECORDS_CONFIG_PROPERTIES: PolicyConfigSchema["properties"] = {
  [PINNED_RECORDS_PROPERTY]: pinsJsonSchema as PolicyConfigSchema["properties"][string],
};

export type PinnedRecords =
  { readonly state: "absent" } | { readonly state: "malformed"; readonly reason: string } | { readonly state: "pinned"; readonly pins: RecordPins };

/** The pins of a policy's configuration. */
export function pinnedRecords(config: unknown): PinnedRecords {
  const raw = config && typeof config === "object" ? (config as Record<string, unknown>)[PINNED_RECORDS_PROPERTY] : undefined;
  if (raw === undefined) return { state: "absent" };
  const parsed = recordPinsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { state: "malformed", reason: `${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "not pins"}` };
  }
  return { state: "pinned", pins: parsed.data };
}
