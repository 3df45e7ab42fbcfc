/**
 * How a family of rules is built. Checks are written once per artifact (a policy document, a trust
 * policy, a Vault role...) and return `Problem`s tagged with a rule id; the plan rules wrap them
 * with the agent and identity, and the policy pack calls the same checks on resource inputs.
 */
import type { IdentityKind } from "../core/names";
import type { Finding, PackCoverage, PlanRule, RuleContext, RuleMeta } from "./types";
import { isWaivable } from "./waivable";

/** What an artifact check reports: which rule, what is wrong, how to fix it. */
export interface Problem {
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
  /** False when this finding may not be waived although its rule may (a wildcard that reaches more than Read and List). */
  readonly waivable?: false;
}

export interface RuleFinding extends Finding {
  readonly rule: string;
}

/** Attach the agent and identity to a check's problems. */
export function attribute(agent: string, identity: IdentityKind | null, problems: readonly Problem[]): RuleFinding[] {
  return problems.map((problem) => ({ ...problem, agent, identity }));
}

/**
 * One PlanRule per metadata entry. The family's `evaluate` runs once per evaluation (cached on the
 * context object) and each rule keeps its own findings. A finding under an id the family did not
 * declare is a bug: it would otherwise be silently dropped, so it throws.
 */
export function familyRules(metas: readonly RuleMeta[], evaluate: (context: RuleContext) => RuleFinding[]): PlanRule[] {
  const ids = new Set(metas.map((meta) => meta.id));
  const cache = new WeakMap<RuleContext, RuleFinding[]>();
  const run = (context: RuleContext): RuleFinding[] => {
    let findings = cache.get(context);
    if (!findings) {
      findings = evaluate(context);
      const stray = findings.find((finding) => !ids.has(finding.rule));
      if (stray) throw new Error(`rule "${stray.rule}" is not declared in its family (${[...ids].join(", ")})`);
      cache.set(context, findings);
    }
    return findings;
  };
  return metas.map((meta) => ({
    ...meta,
    check: (context) =>
      run(context)
        .filter((finding) => finding.rule === meta.id)
        .map(({ agent, identity, message, fix, waivable }) => ({ agent, identity, message, fix, ...(waivable === false ? { waivable } : {}) })),
  }));
}

/** Where the pack runs a rule; `planOnly(reason)` when it cannot, with the reason. */
export const PACK = {
  resource: { resource: true },
  stack: { stack: true },
  both: { resource: true, stack: true },
} as const satisfies Record<string, PackCoverage>;
export const planOnly = (reason: string): PackCoverage => ({ planOnly: reason });

/**
 * Rule metadata in one line per rule: the one rule object the plan, the components, the pack and
 * docs/controls.md read. Whether it is waivable comes from the table in waivable.ts.
 */
export function meta(
  id: string,
  family: RuleMeta["family"],
  severity: RuleMeta["severity"],
  description: string,
  standards: RuleMeta["standards"],
  pack: PackCoverage,
): RuleMeta {
  return { id, family, severity, description, standards, waivable: isWaivable(id, family), pack };
}
