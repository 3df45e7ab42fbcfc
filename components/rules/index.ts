/** The rule registry: every rule the plan, the components and the policy pack enforce. */
import type { PlanRule } from "./types";
import { contextRules } from "./context";
import { lifecycleRules } from "./lifecycle";
import { stackRules } from "./stack";

export const ALL_RULES: readonly PlanRule[] = [
  ...stackRules,
  ...lifecycleRules,
  ...contextRules,
];

export * from "./types";
export * from "./engine";
