/**
 * The pack's policies, generated from the rule objects (components/rules, `RULES`): one CrossGuard
 * policy per rule id and place (so an organisation can see, configure and report each rule by name)
 * for every rule whose `pack` says it runs on resources or across the stack. A rule the pack cannot
 * judge says why in its own object (`planOnly`), and docs/controls.md prints that reason.
 *
 * The checks of one resource (or of the whole stack) run once, not once per policy: the engine
 * builds fresh args for every policy, so findings are memoised on the inputs' content, and each
 * rule's policy reports only its own findings. Errors are mandatory, warnings advisory.
 */
import { createHash } from "node:crypto";
import type { EnforcementLevel, Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RULES, formatViolation, type RuleMeta } from "../components/rules";
import { readInputs } from "./inputs";
import { prepareVaultPolicies } from "./vault-hcl";
import { TYPES, checkResource, type PackContext, type PackFinding, type PackResource } from "./resources";
import { checkStack } from "./stack";

/** The rules the pack runs, in registry order. */
export const PACK_RULES: readonly RuleMeta[] = RULES.filter((rule) => rule.pack.resource || rule.pack.stack);

/** Rules the pack does not run, with the reason from each rule object. */
export const PLAN_ONLY_RULES: readonly RuleMeta[] = RULES.filter((rule) => rule.pack.planOnly !== undefined);

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

/** Policy names allow letters, digits, '-' and '_': `iam/service-wildcard` → `iam-service-wildcard`. */
export function policyName(ruleId: string, where: "resource" | "stack"): string {
  const base = ruleId.replace(/\//g, "-");
  return where === "stack" && byId.get(ruleId)?.pack.resource ? `${base}-stack` : base;
}

function assertCovered(findings: readonly PackFinding[], where: "resource" | "stack"): readonly PackFinding[] {
  const stray = findings.find((finding) => !byId.get(finding.rule)?.pack[where]);
  // A finding under an id whose rule object does not run here would be dropped by every policy: fail loudly.
  if (stray) throw new Error(`policy pack: rule ${stray.rule} reported by ${where} checks but its rule object does not run there`);
  return findings;
}

/**
 * Findings by a digest of the inputs they were computed from. The engine asks every policy about
 * one resource (or the stack) in turn; a bounded map (oldest out first) also serves callers that
 * ask policy by policy over many resources.
 */
class Memo<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly max: number) {}
  get(content: string, compute: () => T): T {
    const key = createHash("sha256").update(content).digest("base64");
    let value = this.entries.get(key);
    if (value === undefined) {
      value = compute();
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }
}

/** The Vault policy texts among the resources, for the (async) HCL parser to read first. */
function vaultPolicyTexts(resources: readonly PackResource[]): string[] {
  return resources.filter((r) => r.type === TYPES.vaultPolicy).flatMap((r) => {
    const policy = readInputs(r.props).value.policy;
    return typeof policy === "string" ? [policy] : [];
  });
}

const contentKey = (resource: PackResource) => {
  const inputs = readInputs(resource.props);
  return JSON.stringify([resource.type, resource.name, resource.urn, inputs.value, inputs.unknown]);
};

export function resourceFindings(resource: PackResource, context: PackContext): readonly PackFinding[] {
  return assertCovered(checkResource(resource, context), "resource");
}

export function stackFindings(resources: readonly PackResource[]): readonly PackFinding[] {
  return assertCovered(checkStack(resources), "stack");
}

export interface PackOptions {
  /** "Today" for the expiry checks. @default the real current date, read at each validation */
  readonly now?: () => Date;
}

const message = (rule: RuleMeta, finding: PackFinding) => formatViolation({ ...finding, rule: rule.id, severity: rule.severity });
const level = (rule: RuleMeta): EnforcementLevel => (rule.severity === "error" ? "mandatory" : "advisory");

/** The pack's policies; tests pass a fixed `now` so expiry results are reproducible. */
export function createPolicies(options: PackOptions = {}): Policies {
  const now = options.now ?? (() => new Date());
  const resourceMemo = new Memo<readonly PackFinding[]>(10_000);
  const stackMemo = new Memo<readonly PackFinding[]>(1);
  const onResource = (resource: PackResource) => {
    const context = { now: now() };
    return resourceMemo.get(`${context.now.toISOString()}\u0000${contentKey(resource)}`, () => resourceFindings(resource, context));
  };
  // Keyed by the resources' URNs, not their content: reading every input again for each of ~50 stack
  // policies cost ~0.2 s per policy at 5,000 resources. One pack process analyses one stack once per
  // operation (preview or update), where a URN names one resource with one set of inputs.
  const onStack = (resources: readonly PackResource[]) => stackMemo.get(resources.map((r) => r.urn).join("\n"), () => stackFindings(resources));

  const resourcePolicy = (rule: RuleMeta): ResourceValidationPolicy => ({
    name: policyName(rule.id, "resource"),
    description: rule.description,
    enforcementLevel: level(rule),
    validateResource: async (args, reportViolation) => {
      await prepareVaultPolicies(vaultPolicyTexts([args]));
      for (const finding of onResource(args)) if (finding.rule === rule.id) reportViolation(message(rule, finding));
    },
  });
  const stackPolicy = (rule: RuleMeta): StackValidationPolicy => ({
    name: policyName(rule.id, "stack"),
    description: `${rule.description} (across resources)`,
    enforcementLevel: level(rule),
    validateStack: async (args, reportViolation) => {
      await prepareVaultPolicies(vaultPolicyTexts(args.resources));
      for (const finding of onStack(args.resources)) if (finding.rule === rule.id) reportViolation(message(rule, finding), finding.urn);
    },
  });
  return PACK_RULES.flatMap((rule) => [...(rule.pack.resource ? [resourcePolicy(rule)] : []), ...(rule.pack.stack ? [stackPolicy(rule)] : [])]);
}

export const policies: Policies = createPolicies();
