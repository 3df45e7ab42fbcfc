export * from "./types";
export { diffPlans, type DiffLabels } from "./engine";
export { readPlan, readPlanPair, PlanInputError, type Plan } from "./read-plan";
export { loadActionCatalog, labelAction, catalogFrom, PRIVILEGE_ESCALATION_ACTIONS, type ActionCatalog, type ActionLabel } from "./access-level";
export { renderText } from "./render-text";
export { renderMarkdown, commentMarker, COMMENT_BUDGET, DIFF_COMMENT_MARKER } from "./render-markdown";
export { renderJson } from "./render-json";
