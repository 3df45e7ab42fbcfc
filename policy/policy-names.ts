/**
 * The name of the CrossGuard policy that reports a rule (one policy per family, place and severity:
 * policies.ts). On its own so the CLI can name a policy in the configuration it prints without
 * loading the pack.
 */
import { RULES } from "../components/rules";

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

/**
 * The policy that reports a rule's findings: its family, `-advisory` for warnings, `-stack` for the
 * checks across resources (`iam/service-wildcard` → `iam`, `separation/agent-data-copy` →
 * `separation-stack`). Policy names allow letters, digits, '-' and '_'.
 */
export function policyName(ruleId: string, where: "resource" | "stack"): string {
  const rule = byId.get(ruleId);
  if (!rule) throw new Error(`policy pack: no rule ${ruleId}`);
  return `${rule.family}${rule.severity === "warning" ? "-advisory" : ""}${where === "stack" ? "-stack" : ""}`;
}
