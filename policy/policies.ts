/**
 * The pack's policies, generated from the rule objects (components/rules, `RULES`) for every rule
 * whose `pack` says it runs on resources or across the stack. A rule the pack cannot judge says why
 * in its own object (`planOnly`), and docs/controls.md prints that reason.
 *
 * One CrossGuard policy per rule family, place and severity (`iam`, `iam-stack`,
 * `lifecycle-advisory`, ...), not one per rule: the engine's policy server deserialises every
 * resource's inputs again for each policy (per resource for resource policies, the whole stack for
 * each stack policy), about 9 µs a resource, so 175 policies over the 18,000 resources of 1,000
 * agents cost ~28 s of CPU in the server before any check runs. Every message still leads with its
 * rule id, and a finding is waived per rule and agent with an exception, as in `plan`.
 *
 * The checks of one resource (or of the whole stack) run once, not once per policy: findings are
 * memoised on the inputs' content, and each policy reports only its own rules' findings. Errors are
 * mandatory, warnings advisory.
 */
import type { EnforcementLevel, Policies, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RULES, formatViolation, waivingException, type RuleMeta } from "../components/rules";
import { FAMILY_TITLES } from "../components/rules/families";
import type { PolicyException } from "../components/core/schema";
import { EXCEPTIONS_CONFIG_SCHEMA, exceptionsInForce } from "./exceptions-config";
import { declaredOperators } from "./operators-config";
import { declaredPlatformResources, inputsDigest, isDeclaredPlatformResource } from "./platform-resources-config";
import { declaredNodeAccess, isDeclaredNodeAccess } from "./node-access-config";
import { trailBucketFindingStands } from "./trail-buckets-config";
import { proxyTarget, readInputs } from "./inputs";
import { prepareVaultPolicies } from "./vault-hcl";
import { TYPES } from "./adapters";
import { checkResource } from "./resources";
import type { PackContext, PackFinding, PackResource, SeenRecords } from "./types";
import { checkStackPass } from "./stack";
import { SHARES_CONFIG_PROPERTIES, shareDecision, sharesDeclared, type ShareDecision, type ShareScope } from "./shares-config";
import { policyName } from "./policy-names";
import { RECORDS_PINNED_RULE } from "../components/rules/pinned-records";
import { PINNED_RECORDS_CONFIG_PROPERTIES, pinnedRecords } from "./pinned-records-config";
import { pinnedRecordFindings } from "./adapters/pinned-records";
import { RunRoles } from "./run-roles";

export { policyName };

/** The rules the pack runs, in registry order. */
export const PACK_RULES: readonly RuleMeta[] = RULES.filter((rule) => rule.pack.resource || rule.pack.stack);

/** Rules the pack does not run, with the reason from each rule object. */
export const PLAN_ONLY_RULES: readonly RuleMeta[] = RULES.filter((rule) => rule.pack.planOnly !== undefined);

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

/** The pack's rules by the policy that reports them, in registry order of each policy's first rule. */
function rulesByPolicy(where: "resource" | "stack"): ReadonlyMap<string, readonly RuleMeta[]> {
  const out = new Map<string, RuleMeta[]>();
  for (const rule of PACK_RULES) {
    if (!rule.pack[where]) continue;
    const name = policyName(rule.id, where);
    const list = out.get(name);
    if (list) list.push(rule);
    else out.set(name, [rule]);
  }
  return out;
}

function assertCovered(findings: readonly PackFinding[], where: "resource" | "stack"): readonly PackFinding[] {
  const stray = findings.find((finding) => !byId.get(finding.rule)?.pack[where]);
  // A finding under an id whose rule object does not run here would be dropped by every policy: fail loudly.
  if (stray) throw new Error(`policy pack: rule ${stray.rule} reported by ${where} checks but its rule object does not run there`);
  return findings;
}

/**
 * A resource's inputs as the checks read them (readInputs: own keys in order, arrays, primitives,
 * unknown sentinels), copied so that a caller changing its objects later cannot change the copy.
 * Kept per URN and compared on each call instead of serialising and hashing the inputs every time:
 * the engine calls every policy with freshly deserialised args, so all but the first call of a
 * resource are a comparison (issue #11: hashing cost more than checking).
 */
type Snapshot = readonly unknown[];
const OBJECT = Symbol("object");
const ARRAY = Symbol("array");

/**
 * One flat array per resource (a marker and key count per object, then each key and its value;
 * primitives as themselves): kept for thousands of resources, so one array each rather than a
 * tree of small objects the garbage collector would have to trace.
 */
function snapshot(value: unknown, into: unknown[] = []): Snapshot {
  if (value === null || typeof value !== "object") {
    into.push(value);
    return into;
  }
  const keys = Object.keys(value);
  into.push(Array.isArray(value) ? ARRAY : OBJECT, keys.length);
  for (const key of keys) {
    into.push(key);
    snapshot((value as Record<string, unknown>)[key], into);
  }
  return into;
}

/**
 * True only when `value` reads exactly as the snapshot did (NaN never equals: checked again).
 * Returns the position after the value in the snapshot, or -1 when it differs.
 */
function sameFrom(value: unknown, snap: Snapshot, at: number): number {
  if (value === null || typeof value !== "object") return at < snap.length && snap[at] === value ? at + 1 : -1;
  if (snap[at] !== (Array.isArray(value) ? ARRAY : OBJECT)) return -1;
  const count = snap[at + 1] as number;
  let next = at + 2;
  let seen = 0;
  // for-in gives own keys in Object.keys order without allocating them; an inherited enumerable
  // key means the value is not plain data: treated as changed (checked again).
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || seen === count || snap[next] !== key) return -1;
    next = sameFrom((value as Record<string, unknown>)[key], snap, next + 1);
    if (next < 0) return -1;
    seen++;
  }
  return seen === count ? next : -1;
}

const sameAs = (value: unknown, snap: Snapshot): boolean => sameFrom(value, snap, 0) === snap.length;

/** A getter that throws (a hand-built proxy, an unknown read some other way) makes inputs uncacheable: checked every time. */
function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Findings by rule id, in the order the checks reported them. */
type ByRule = ReadonlyMap<string, readonly PackFinding[]>;
const NO_FINDINGS: ByRule = new Map();
function byRule(findings: readonly PackFinding[]): ByRule {
  if (findings.length === 0) return NO_FINDINGS;
  const out = new Map<string, PackFinding[]>();
  for (const finding of findings) {
    const list = out.get(finding.rule);
    if (list) list.push(finding);
    else out.set(finding.rule, [finding]);
  }
  return out;
}

interface Checked {
  readonly type: string;
  readonly name: string;
  /** `now` as an ISO string: expiry findings depend on it. */
  readonly day: string;
  readonly inputs: Snapshot;
  readonly findings: ByRule;
}

/**
 * Each URN's last checked inputs and findings, at most `max` URNs (oldest out first): the engine asks
 * every policy about one resource in turn, and callers asking policy by policy over many resources
 * (the tests) are served too. Inputs that changed under the same URN are checked again.
 */
class ResourceMemo {
  private readonly entries = new Map<string, Checked>();
  constructor(private readonly max: number) {}
  find(resource: PackResource, day: string): ByRule | undefined {
    const entry = this.entries.get(resource.urn);
    if (!entry || entry.type !== resource.type || entry.name !== resource.name || entry.day !== day) return undefined;
    try {
      return sameAs(proxyTarget(resource.props) ?? resource.props, entry.inputs) ? entry.findings : undefined;
    } catch {
      return undefined; // a getter that throws: checked again (see tryRead)
    }
  }
  store(resource: PackResource, day: string, findings: ByRule): void {
    const inputs = tryRead(() => snapshot(proxyTarget(resource.props) ?? resource.props));
    if (inputs === undefined) return;
    if (!this.entries.has(resource.urn) && this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(resource.urn, { type: resource.type, name: resource.name, day, inputs, findings });
  }
}

/** The Vault policy texts among the resources, for the (async) HCL parser to read first. */
function vaultPolicyTexts(resources: readonly PackResource[]): string[] {
  return resources
    .filter((r) => r.type === TYPES.vaultPolicy)
    .flatMap((r) => {
      const policy = readInputs(r.props).value.policy;
      return typeof policy === "string" ? [policy] : [];
    });
}

export function resourceFindings(resource: PackResource, context: PackContext): readonly PackFinding[] {
  return assertCovered(checkResource(resource, context), "resource");
}

export function stackFindings(resources: readonly PackResource[]): readonly PackFinding[] {
  return stackPass(resources).findings;
}

function stackPass(resources: readonly PackResource[]): { findings: readonly PackFinding[]; records: readonly SeenRecords[] } {
  const { findings, records } = checkStackPass(resources);
  return { findings: assertCovered(findings, "stack"), records };
}

/**
 * stack/records-pinned from the policy's configuration: nothing when the gate pinned no records
 * (`pinnedRecords` absent), every agent identity refused when the pins do not parse (fail closed).
 */
function pinFindings(records: readonly SeenRecords[], config: object): readonly PackFinding[] {
  const pins = pinnedRecords(config);
  if (pins.state === "absent") return [];
  if (pins.state === "malformed")
    return [
      {
        rule: RECORDS_PINNED_RULE,
        agent: "(every agent)",
        identity: null,
        urn: "",
        message: `the pinnedRecords configuration is not the one \`agent-identity records\` prints (${pins.reason}), so no record can be compared with the declaration`,
        fix: "pass the output of `agent-identity records` for this stack, unedited, as the pack's configuration",
      },
    ];
  return pinnedRecordFindings(records, pins.pins);
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
  const resourceMemo = new ResourceMemo(10_000);
  // The roles registered so far in this deployment, each recorded before its own check (run-roles.ts).
  const run = new RunRoles();
  // `now` as an ISO string, formatted once per distinct time (an invalid date still throws, as before).
  let lastTime: number | undefined;
  let lastDay = "";
  const dayOf = (date: Date): string => {
    const time = date.getTime();
    if (time !== lastTime) {
      lastDay = date.toISOString();
      lastTime = time;
    }
    return lastDay;
  };
  /**
   * The engine's one Analyze request for a resource calls the resource policies in pack order, each
   * with args deserialised again from the same request. So a call to policy k for the URN that
   * policy k-1 was just called for, on the same day, reads the inputs that call read or compared:
   * its findings are reused without comparing the inputs a hundred times over. Any other call (the
   * first policy, a gap such as a disabled policy, another URN in between) compares them.
   */
  let chain: { urn: string; at: number; day: string; findings: ByRule } | undefined;
  /** Findings of one resource: from the memo (synchronously), or checked after its Vault policy text is parsed. */
  const onResource = (resource: PackResource, at: number): ByRule | Promise<ByRule> => {
    const today = now();
    const day = dayOf(today);
    if (at > 0 && chain !== undefined && chain.urn === resource.urn && chain.at === at - 1 && chain.day === day) {
      chain.at = at;
      return chain.findings;
    }
    chain = undefined;
    run.record(resource);
    const known = resourceMemo.find(resource, day);
    if (known) {
      chain = { urn: resource.urn, at, day, findings: known };
      return known;
    }
    const context = { now: today, run };
    return prepareVaultPolicies(vaultPolicyTexts([resource])).then(() => {
      const findings = byRule(resourceFindings(resource, context));
      resourceMemo.store(resource, day, findings);
      chain = { urn: resource.urn, at, day, findings };
      return findings;
    });
  };
  // Keyed by the resources' URNs, not their content: reading every input again for each of ~50 stack
  // policies cost ~0.2 s per policy at 5,000 resources. One pack process analyses one stack once per
  // operation (preview or update), where a URN names one resource with one set of inputs.
  let lastStack: { readonly urns: readonly string[]; readonly findings: ByRule; readonly records: readonly SeenRecords[] } | undefined;
  const sameStack = (resources: readonly PackResource[]) =>
    lastStack !== undefined && lastStack.urns.length === resources.length && resources.every((r, i) => r.urn === lastStack!.urns[i]);
  type StackResult = { readonly findings: ByRule; readonly records: readonly SeenRecords[] };
  const onStack = (resources: readonly PackResource[]): StackResult | Promise<StackResult> => {
    if (sameStack(resources)) return lastStack!;
    return prepareVaultPolicies(vaultPolicyTexts(resources)).then(() => {
      const { findings, records } = stackPass(resources);
      lastStack = { urns: resources.map((r) => r.urn), findings: byRule(findings), records };
      return lastStack;
    });
  };

  // Synchronous when the findings are known (every policy after the first, per resource or stack).
  // Exceptions from the policy's CrossGuard configuration, judged on `now` as plan judges them.
  const waiversOf = (config: object): readonly PolicyException[] => exceptionsInForce(config, RULES, now());
  // A share the security team declared in the configuration (shares-config.ts) is no finding; one that
  // names the principal and resources but not every action or destination says what to add.
  const shareOf = (finding: PackFinding, config: object): ShareDecision => {
    const scope = (finding as PackFinding & { share?: ShareScope }).share;
    return scope === undefined ? { declared: false } : shareDecision(scope, sharesDeclared(config));
  };
  // A platform resource or node access grant the security team declared (platform-resources-config.ts, node-access-config.ts):
  // a platform resource by its URN and the digest of the inputs of the resource the finding is on.
  const platformDeclared = (finding: PackFinding, config: object, propsOf: (urn: string) => Record<string, unknown> | undefined) => {
    if (finding.platformResource !== undefined) {
      const declared = declaredPlatformResources(config);
      const props = declared.has(finding.urn) ? propsOf(finding.urn) : undefined;
      if (props !== undefined && isDeclaredPlatformResource(declared, finding.urn, inputsDigest(props))) return true;
    }
    if (finding.nodeAccess !== undefined && isDeclaredNodeAccess(declaredNodeAccess(config), finding.nodeAccess)) return true;
    // A trail bucket finding stands only as the auditTrailBuckets configuration says (trail-buckets-config.ts).
    return finding.trailBucket !== undefined && !trailBucketFindingStands(finding.trailBucket, config);
  };
  /** The fix, with what a declaration must name when the finding is declarable. */
  const withDeclaration = (finding: PackFinding, props: Record<string, unknown> | undefined): PackFinding => {
    if (finding.platformResource === undefined || props === undefined) return finding;
    const digest = inputsDigest(props);
    return {
      ...finding,
      fix: `${finding.fix} [to declare: kubernetesPlatformResources: [{urn: "${finding.urn}", inputsDigest: ${digest === undefined ? "(none: an input is unknown at preview, so only known inputs can be declared)" : `"${digest}"`}, reason, approvedBy}]]`,
    };
  };
  const waived = (rule: RuleMeta, finding: PackFinding, waivers: readonly PolicyException[]) =>
    waivers.length > 0 &&
    waivingException(waivers, rule, { rule: rule.id, agent: finding.agent, identity: finding.identity, waivable: finding.waivable }) !== undefined;
  const description = (rules: readonly RuleMeta[], where: "resource" | "stack") =>
    `${FAMILY_TITLES[rules[0]!.family]}${where === "stack" ? ", across resources" : ""}: ${rules.map((rule) => rule.id).join(", ")}`;
  let resourcePolicies = 0;
  const resourcePolicy = (name: string, rules: readonly RuleMeta[]): ResourceValidationPolicy => {
    const at = resourcePolicies++;
    const report = (known: ByRule, reportViolation: ReportViolation, waivers: readonly PolicyException[], config: object, props: Record<string, unknown>) => {
      if (known.size === 0) return;
      const propsOf = () => props;
      for (const rule of rules)
        for (const finding of known.get(rule.id) ?? [])
          if (!waived(rule, finding, waivers) && !platformDeclared(finding, config, propsOf)) reportViolation(message(rule, withDeclaration(finding, props)));
    };
    return {
      name,
      description: description(rules, "resource"),
      enforcementLevel: level(rules[0]!),
      configSchema: EXCEPTIONS_CONFIG_SCHEMA,
      validateResource: (args, reportViolation) => {
        const findings = onResource(args, at);
        const config = args.getConfig();
        const waivers = waiversOf(config);
        // A declared platform resource or node access grant is waived here too: a trail's, executor's or workload's own settings are judged before it is created.
        return findings instanceof Promise
          ? findings.then((known) => report(known, reportViolation, waivers, config, args.props))
          : report(findings, reportViolation, waivers, config, args.props);
      },
    };
  };
  const stackPolicy = (name: string, rules: readonly RuleMeta[]): StackValidationPolicy => {
    // The policy reporting stack/records-pinned reads the pins of its own configuration.
    const pins = rules.some((rule) => rule.id === RECORDS_PINNED_RULE);
    const report = (
      result: StackResult,
      reportViolation: ReportViolation,
      waivers: readonly PolicyException[],
      config: object,
      operators: ReadonlySet<string>,
      resources: readonly PackResource[],
    ) => {
      const pinned = pins ? pinFindings(result.records, config) : [];
      let byUrn: Map<string, Record<string, unknown>> | undefined;
      const propsOf = (urn: string) => (byUrn ??= new Map(resources.map((r) => [r.urn, r.props]))).get(urn);
      for (const rule of rules)
        for (const finding of rule.id === RECORDS_PINNED_RULE ? pinned : (result.findings.get(rule.id) ?? [])) {
          if (
            waived(rule, finding, waivers) ||
            (finding.operatorSubject !== undefined && operators.has(finding.operatorSubject)) ||
            platformDeclared(finding, config, propsOf)
          )
            continue;
          const share = shareOf(finding, config);
          if (share.declared) continue;
          const shown = withDeclaration(finding, finding.platformResource === undefined ? undefined : propsOf(finding.urn));
          reportViolation(message(rule, share.missing ? { ...shown, fix: `${share.missing}; otherwise ${shown.fix}` } : shown), finding.urn || undefined);
        }
    };
    return {
      name,
      description: description(rules, "stack"),
      enforcementLevel: level(rules[0]!),
      configSchema: { properties: { ...EXCEPTIONS_CONFIG_SCHEMA.properties, ...SHARES_CONFIG_PROPERTIES, ...(pins ? PINNED_RECORDS_CONFIG_PROPERTIES : {}) } },
      validateStack: (args, reportViolation) => {
        const findings = onStack(args.resources);
        const config = args.getConfig();
        const waivers = waiversOf(config);
        // Declared platform operators (read-only over agents' namespaces): see operators-config.ts.
        const operators = declaredOperators(config);
        return findings instanceof Promise
          ? findings.then((known) => report(known, reportViolation, waivers, config, operators, args.resources))
          : report(findings, reportViolation, waivers, config, operators, args.resources);
      },
    };
  };
  return [
    ...[...rulesByPolicy("resource")].map(([name, rules]) => resourcePolicy(name, rules)),
    ...[...rulesByPolicy("stack")].map(([name, rules]) => stackPolicy(name, rules)),
  ];
}

export const policies: Policies = createPolicies();
