/**
 * Declaration fields that come from other resources (an `@pulumi/eks` cluster's `oidcProviderArn`, a
 * bucket's `arn` in `owns` or a tool's `resources`, a model ARN, a share's members) may be
 * `pulumi.Input<string>`, and their lists may be an Output as a whole. They only flow into resource
 * inputs (trust and permission policies, the boundary, the `owns` annotation); nothing that decides
 * names or how many resources exist depends on them. So:
 *   1. the declaration is validated and compiled at once with a placeholder in each pending value
 *      (everything else fails fast, exactly as with plain strings), giving every child's name;
 *   2. when the values resolve, the real declaration is validated and compiled again, and the
 *      policies, trust and boundary come from that plan; its errors name the component, the fields
 *      that came from outputs and the URNs of the resources they came from;
 *   3. every child resource waits on (depends on) that validation, so a bad value fails `pulumi up`
 *      before any child is created. Children are never created inside an apply (preview would not
 *      see them). While a value is unknown in a preview the check cannot run; it runs in `up`.
 * The placeholders say what they are and are never deployed: the resources take the resolved plan.
 * Placeholders of the platform's OIDC provider and boundary are valid values, so the first plan is
 * judged as usual; other placeholders (an ARN the rules cannot place) are only compiled for names,
 * and the rules judge the resolved declaration (`judgeNow`).
 */
import * as pulumi from "@pulumi/pulumi";
import { dnsSuffix, type Partition } from "./core/platform-fields";
import { propertyPathOf } from "./validate";

/** What a pending value stands for: decides its placeholder. */
type PendingKind = "oidc" | "boundary" | "arn" | "model" | "role" | "agent";

/**
 * Where a declaration may hold outputs (`*` an index, `<agent>` an agent's own fields), their kind,
 * and whether the field is a list (its items, or the whole list, may be outputs).
 */
const PENDING_PATHS: Readonly<Record<string, { readonly kind: PendingKind; readonly list: boolean }>> = {
  "platform.aws.oidcProviderArn": { kind: "oidc", list: false },
  "platform.aws.permissionsBoundaryArn": { kind: "boundary", list: false },
  "platform.shared.*.resource": { kind: "arn", list: false },
  "platform.shared.*.vaultAwsRole": { kind: "role", list: false },
  "platform.shared.*.access.*.agents": { kind: "agent", list: true },
  "platform.shared.*.agents": { kind: "agent", list: true },
  "<agent>.owns": { kind: "arn", list: true },
  "<agent>.tools.*.aws.*.resources": { kind: "arn", list: true },
  "<agent>.orchestration.models": { kind: "model", list: true },
};
/** Kinds the rules can judge with a placeholder (valid values), so the first plan is judged. */
const JUDGED_WITH_PLACEHOLDER = new Set<PendingKind>(["oidc", "boundary"]);
/** A whole list from an output stands in as this many placeholders (connection shares need two agents). */
const LIST_PLACEHOLDERS: Readonly<Record<PendingKind, number>> = { oidc: 1, boundary: 1, arn: 1, model: 1, role: 1, agent: 2 };

/** 32 upper-case letters and digits, the shape of an EKS issuer id: says it is not a real one. */
const PLACEHOLDER_ID = "UNRESOLVEDOUTPUTPLACEHOLDER00000";

const isPending = (value: unknown): value is pulumi.Output<unknown> | Promise<unknown> => pulumi.Output.isInstance(value) || value instanceof Promise;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** `agents.0.tools.1.aws.0.resources.2` → its kind, and whether it stands for a whole list. */
function kindAt(segments: readonly string[]): { kind: PendingKind; wholeList: boolean } | undefined {
  const generic = segments.map((s) => (/^\d+$/.test(s) ? "*" : s));
  const agentField = generic[0] === "agent" ? generic.slice(1) : generic[0] === "agents" && generic[1] === "*" ? generic.slice(2) : undefined;
  const path = agentField ? ["<agent>", ...agentField] : generic;
  const field = PENDING_PATHS[path.join(".")];
  if (field) return { kind: field.kind, wholeList: field.list };
  const list = path.at(-1) === "*" ? PENDING_PATHS[path.slice(0, -1).join(".")] : undefined;
  return list?.list ? { kind: list.kind, wholeList: false } : undefined;
}

interface Pending {
  readonly segments: readonly string[];
  readonly kind: PendingKind;
  readonly wholeList: boolean;
  readonly value: pulumi.Output<unknown> | Promise<unknown>;
}

export interface DeferredDeclaration<T> {
  /** The declaration with a placeholder in each pending value: plain, ready to validate now. */
  readonly known: T;
  /** The declaration with the real values, once they resolve; undefined when nothing was pending. */
  readonly resolved?: pulumi.Output<T>;
  /** false when a placeholder stands where the rules cannot judge it: judge the resolved declaration. */
  readonly judgeNow: boolean;
  /** The fields from outputs and where they came from, for error messages (`owns[0] (from urn:…)`). */
  readonly origins?: pulumi.Output<string>;
}

/** Every pending value of a declaration, in a fixed order; throws where an output is not allowed. */
function findPending(value: unknown, segments: string[], found: Pending[], refuse: (path: string) => never): void {
  if (isPending(value)) {
    const at = kindAt(segments);
    if (!at) refuse(propertyPathOf(segments.join(".")));
    found.push({ segments: [...segments], kind: at.kind, wholeList: at.wholeList, value });
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => findPending(item, [...segments, String(index)], found, refuse));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) findPending(item, [...segments, key], found, refuse);
}

/** A copy of `value` with each pending value (by path) replaced by `replace(index)`. */
function substitute(value: unknown, segments: string[], byPath: ReadonlyMap<string, number>, replace: (index: number) => unknown): unknown {
  const index = byPath.get(segments.join("."));
  if (index !== undefined) return replace(index);
  if (Array.isArray(value)) return value.map((item, i) => substitute(item, [...segments, String(i)], byPath, replace));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, [...segments, key], byPath, replace)]));
  return value;
}

function placeholder(kind: PendingKind, n: number, aws: Record<string, unknown>): string {
  const partition = (typeof aws.partition === "string" ? aws.partition : "aws") as Partition;
  const account = String(aws.accountId);
  const region = String(aws.region);
  switch (kind) {
    case "boundary":
      return `arn:${partition}:iam::${account}:policy/unresolved-output-placeholder`;
    case "oidc": {
      const suffix = ["aws", "aws-cn", "aws-us-gov"].includes(partition) ? dnsSuffix(partition) : "amazonaws.com";
      return `arn:${partition}:iam::${account}:oidc-provider/oidc.eks.${region}.${suffix}/id/${PLACEHOLDER_ID}`;
    }
    case "arn":
      return `arn:${partition}:s3:::unresolved-output-${n}`;
    case "model":
      return `arn:${partition}:bedrock:${region}::foundation-model/unresolved-output-${n}`;
    case "role":
      return `arn:${partition}:iam::${account}:role/unresolved-output-${n}`;
    case "agent":
      return `unresolved-output-${n}`;
  }
}

/** The URNs of the resources an output came from (the SDK keeps them on the output; empty when it does not). */
function sourceUrns(value: pulumi.Output<unknown> | Promise<unknown>): pulumi.Output<string[]> {
  const resources = (value as { resources?: () => Promise<Set<pulumi.Resource>> }).resources;
  if (!pulumi.Output.isInstance(value) || typeof resources !== "function") return pulumi.output([]);
  const urns = Promise.resolve(resources.call(value)).then((set) => Array.from(set ?? [], (resource) => resource.urn));
  return pulumi.output(urns).apply((list) => pulumi.all(list));
}

/**
 * Placeholders now and the real values later, for a declaration `{ platform, agents }` (a fleet) or
 * `{ platform, agent }` (a standalone agent). `subject` names the component in errors.
 */
export function deferPending<T extends object>(declaration: T, subject: string, component: pulumi.Resource): DeferredDeclaration<T> {
  const pending: Pending[] = [];
  findPending(declaration, [], pending, (path) => {
    throw new pulumi.ResourceError(
      `${subject}: ${path} is an output of another resource, which only owns, tools[].aws[].resources, orchestration.models, ` +
        `platform.shared[] resource/vaultAwsRole/access[].agents/agents and platform.aws.oidcProviderArn/permissionsBoundaryArn may be ` +
        `(names and anything that decides which resources exist must be known before the deployment): pass a plain value`,
      component,
      true,
    );
  });
  if (pending.length === 0) return { known: declaration, judgeNow: true };
  const aws = ((declaration as { platform?: { aws?: unknown } }).platform?.aws ?? {}) as Record<string, unknown>;
  const byPath = new Map(pending.map((p, index) => [p.segments.join("."), index]));
  let n = 0;
  const stand = (p: Pending) =>
    !p.wholeList ? placeholder(p.kind, n++, aws) : Array.from({ length: LIST_PLACEHOLDERS[p.kind] }, () => placeholder(p.kind, n++, aws));
  const known = substitute(declaration, [], byPath, (index) => stand(pending[index])) as T;
  const resolved = pulumi
    .all(pending.map((p) => p.value as pulumi.Input<unknown>))
    .apply((values) => substitute(declaration, [], byPath, (index) => values[index]) as T);
  const origins = pulumi
    .all(pending.map((p) => sourceUrns(p.value)))
    .apply((urns) => pending.map((p, i) => `${propertyPathOf(p.segments.join("."))}${urns[i].length ? ` (from ${urns[i].join(", ")})` : ""}`).join(", "));
  return { known, resolved, judgeNow: pending.every((p) => JUDGED_WITH_PLACEHOLDER.has(p.kind)), origins };
}

/** Resource options that make a child wait until the pending values resolved and validated. */
export function waitFor(validated: pulumi.Output<unknown> | undefined, dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions["dependsOn"] {
  return validated ? validated.apply(() => dependsOn) : dependsOn;
}
