/** The rule registry: every rule the plan, the components and the policy pack enforce. */
import type { PlanRule, RuleMeta } from "./types";
import { contextRules } from "./context";
import { exceptionRules } from "./exceptions";
import { databaseRules } from "./database";
import { iamRules, IAM_RESOURCE_RULES } from "./iam";
import { kubernetesRules, KUBERNETES_RESOURCE_RULES } from "./kubernetes";
import { lifecycleRules, LIFECYCLE_RESOURCE_RULES } from "./lifecycle";
import { limitsRules } from "./limits";
import { separationRules } from "./separation";
import { stackRules, STACK_RESOURCE_RULES } from "./stack";
import { trustRules } from "./trust";
import { vaultRules, VAULT_RESOURCE_RULES } from "./vault";
import { PLATFORM_RESOURCE_RULES } from "./platform-resources";
import { ORGANISATION_RULES } from "./organisation";
import { AWS_REACH_RULES } from "./aws-reach";
import { PINNED_RECORD_RULES } from "./pinned-records";

export const ALL_RULES: readonly PlanRule[] = [
  ...iamRules,
  ...separationRules,
  ...trustRules,
  ...kubernetesRules,
  ...vaultRules,
  ...limitsRules,
  ...stackRules,
  ...lifecycleRules,
  ...contextRules,
  ...exceptionRules,
  ...databaseRules,
];

/** Rules about resources a plan never contains (RBAC, hand-attached policies): the policy pack checks them. */
export const RESOURCE_ONLY_RULES: readonly RuleMeta[] = [
  ...IAM_RESOURCE_RULES,
  ...KUBERNETES_RESOURCE_RULES,
  ...VAULT_RESOURCE_RULES,
  ...STACK_RESOURCE_RULES,
  ...LIFECYCLE_RESOURCE_RULES,
  ...PLATFORM_RESOURCE_RULES,
  ...AWS_REACH_RULES,
  ...PINNED_RECORD_RULES,
];

/**
 * Every rule object: id, metadata, where the pack runs it (`pack`), and, for plan rules, the check.
 * `policy/policies.ts` generates the CrossGuard pack from this list and docs/controls.md prints it.
 */
export const RULES: readonly RuleMeta[] = [...ALL_RULES, ...RESOURCE_ONLY_RULES, ...ORGANISATION_RULES];

export * from "./types";
export * from "./engine";
export { EXCEPTION_MAX_DAYS, latestExceptionExpiry } from "./exceptions";
export { WAIVABLE, NEVER_WAIVABLE_FAMILIES, isWaivable } from "./waivable";
