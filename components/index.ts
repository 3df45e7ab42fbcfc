export { Agent, type AgentArgs } from "./agent";
export { AgentFleet, type AgentFleetArgs } from "./agent-fleet";
export * from "./args";
// The choice unions (and their value objects) of the args; core/schema exports a Tier type too.
export { Tier, DataClass, IdentityKind } from "./args";
export { AgentIdentity, type AgentIdentityArgs, type ClusterProviders, type PlatformWiring } from "./agent-identity";
export { AgentPlatform, type AgentPlatformArgs } from "./agent-platform";
export { planDeclaration, PlanViolationError } from "./validate";
export * from "./core/schema";
export * from "./core/plan-types";
export { compileAgent, compileFleet } from "./core/compile";
export { IDENTITY_KINDS } from "./core/names";
export { TIER_POLICIES, DATA_CLASSES, type TierPolicy } from "./core/tiers";
export { workloadIdentity, type WorkloadIdentity, type WorkloadIdentityOptions } from "./core/workload";
export { ALL_RULES, evaluatePlan, formatViolation, type Violation, type PlanRule, type RuleMeta } from "./rules";
