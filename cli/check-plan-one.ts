/**
 * Plans one stack file for `check --all`, in whichever thread runs it: the same `planStackFile` as
 * `plan` (every rule), then only what the organisation-wide rules read of the plan is kept.
 */
import { posix } from "node:path";
import { crossStackPlan } from "./check-digest";
import type { PlannedStack, StackRef } from "./check-stacks";
import { planStackFile } from "./plan-command";

/** One stack, as `plan` would: file paths shown relative to the project. */
export function planOne(root: string, { stack, file }: StackRef, now: Date): PlannedStack {
  const outcome = planStackFile(posix.join(root, file), stack, now);
  const shown = (line: string) => line.split(`${root}/`).join("");
  if (outcome.ok) {
    const { plan } = outcome.result;
    return { stack, file, exitCode: 0, lines: [], agents: plan.agents.length, plan: crossStackPlan(plan) };
  }
  // A stack with violations still names what others may collide with.
  const plan = outcome.violations?.plan;
  return { stack, file, exitCode: outcome.exitCode, lines: outcome.lines.map(shown), agents: plan?.agents.length ?? 0, plan: plan && crossStackPlan(plan) };
}
