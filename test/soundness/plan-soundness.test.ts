/**
 * Soundness of `plan`, not examples: fast-check generates declarations with ordinary and hostile
 * shapes (policy variables in ARNs, `*`, `service:*`, risky actions on owned resources, reviewed
 * waivers of the wildcard rules). Whenever `plan` accepts one (schema, compile, every rule, no
 * error), an independent oracle (@cloud-copilot/iam-simulate) probes every IAM role of every agent
 * against every OTHER agent's resources and the platform's, and must find no access.
 *
 * The adversary picks every value it can influence: each policy variable is solved against the
 * target ARN (the variable taken as any text), every condition key is set to a value its condition
 * names, except the facts AWS sets from the request itself (the resource's account and tags, the
 * region), which are true ones. A counterexample is printed by fast-check with its seed and path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type AgentInput, type DeclarationInput } from "../../components/core/schema";
import type { FleetPlan, IamRolePlan } from "../../components/core/plan-types";
import { identityRoles } from "../../components/core/identity-roles";
import { ALL_RULES, errorsOf, evaluatePlan } from "../../components/rules";
import { PLATFORM, TODAY } from "../helpers/fixtures";
import { decide } from "../helpers/iam-oracle";
import { adversarialContexts } from "./adversary";

const ACCOUNT = PLATFORM.aws.accountId;
const REGION = PLATFORM.aws.region;
const NAMES = ["alpha", "bravo", "charlie"] as const;
/** The organisation's own SSO instance and IAM: what an agent must never reach, whatever it declares. */
const SSO_INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
const PLATFORM_ROLE = `arn:aws:iam::${ACCOUNT}:role/platform-admin`;
const PLATFORM_SECURITY_GROUP = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0fedcba9876543210`;
const PLATFORM_TRAIL_BUCKET = `arn:aws:s3:::aws-cloudtrail-logs-${ACCOUNT}`;
const KEY_ID = (agent: string) =>
  `1234abcd-12ab-34cd-56ef-${agent
    .padEnd(12, "0")
    .slice(0, 12)
    .replace(/[^0-9a-f]/g, "0")}`;

/** Resource shapes, ordinary and hostile, for an agent (`self`) whose sibling is `other`. */
const SHAPES: ReadonlyArray<(self: string, other: string) => string> = [
  (self) => `arn:aws:s3:::acme-data/${self}/*`,
  (self) => `arn:aws:s3:::acme-${self}-bucket`,
  (self) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-${self}-t`,
  (self) => `arn:aws:sqs:${REGION}:${ACCOUNT}:acme-${self}-q`,
  (self) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID(self)}`,
  // Hostile: policy variables the request fills in, another agent's names, the platform's.
  () => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/\${aws:UserAgent}`,
  () => "arn:aws:s3:::acme-data/${aws:PrincipalTag/agent}o/*", // with tag "brav", bravo's prefix
  () => "arn:aws:s3:::acme-data/${aws:userid}/*",
  () => "*",
  () => "arn:aws:s3:::acme-data/*",
  (_self, other) => `arn:aws:s3:::acme-data/${other}/*`,
  () => SSO_INSTANCE,
  () => `arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/*`,
  () => PLATFORM_ROLE,
  (_self, other) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/acme/test/agents/${other}/audit`,
  () => PLATFORM_SECURITY_GROUP,
  // Hostile: a resource of an ownable type outside every root the platform declares (its CloudTrail bucket).
  () => PLATFORM_TRAIL_BUCKET,
];

/** Actions a tool may ask for on a resource, by the resource's service: data-plane ones first, then risky ones. */
const ACTIONS_FOR: Record<string, readonly string[]> = {
  "s3-object": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:*"],
  "s3-bucket": ["s3:ListBucket", "s3:GetBucketLocation", "s3:PutBucketPolicy", "s3:*"],
  dynamodb: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteTable", "dynamodb:*"],
  sqs: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:SetQueueAttributes", "sqs:AddPermission", "sqs:*"],
  kms: ["kms:Decrypt", "kms:Encrypt", "kms:ScheduleKeyDeletion", "kms:CreateGrant", "kms:PutKeyPolicy", "kms:*"],
  sso: ["sso:CreatePermissionSet", "sso:PutInlinePolicyToPermissionSet", "sso:CreateAccountAssignment", "sso:*"],
  iam: ["iam:PassRole", "sts:AssumeRole", "iam:PutRolePolicy", "iam:UpdateSAMLProvider"],
  logs: ["logs:PutLogEvents", "logs:DeleteLogGroup", "logs:PutRetentionPolicy"],
  ec2: ["ec2:AuthorizeSecurityGroupIngress", "ec2:*"],
  any: [
    "s3:GetObject",
    "dynamodb:GetItem",
    "sso:CreatePermissionSet",
    "iam:UpdateSAMLProvider",
    "ec2:AuthorizeSecurityGroupIngress",
    "codedeploy:CreateDeployment",
    "*",
  ],
};

function actionPool(resource: string): readonly string[] {
  if (resource === "*") return ACTIONS_FOR.any!;
  const service = resource.split(":")[2] ?? "";
  if (service === "s3") return resource.includes("/") ? ACTIONS_FOR["s3-object"]! : ACTIONS_FOR["s3-bucket"]!;
  return ACTIONS_FOR[service] ?? ACTIONS_FOR.any!;
}

const MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0";
const WAIVABLE_WILDCARDS = ["iam/resource-wildcard", "iam/service-wildcard"];

type Shape = number;
const ORDINARY_SHAPES = 5;
/** Mostly ordinary shapes (so plan accepts enough cases to probe), hostile ones often enough to matter. */
const shapeArb = fc.oneof(
  { arbitrary: fc.nat(ORDINARY_SHAPES - 1), weight: 12 },
  { arbitrary: fc.integer({ min: ORDINARY_SHAPES, max: SHAPES.length - 1 }), weight: 1 },
);
/** An index into the resource's action pool: low indexes (data-plane) more often than risky ones. */
const actionArb = fc.oneof({ arbitrary: fc.nat(1), weight: 6 }, { arbitrary: fc.nat(7), weight: 1 });
const agentArb = fc.record({
  tier: fc.constantFrom("batch" as const, "assistant" as const),
  owns: fc.uniqueArray(shapeArb, { minLength: 1, maxLength: 2 }),
  tools: fc.array(
    fc.record({
      actions: fc.uniqueArray(actionArb, { minLength: 1, maxLength: 2 }),
      // A tool names one of its agent's owns (by index), or a shape of its own.
      resource: fc.oneof({ arbitrary: fc.nat(2).map((i) => ({ own: i })), weight: 8 }, { arbitrary: shapeArb.map((s) => ({ shape: s })), weight: 1 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  model: fc.oneof(
    { arbitrary: fc.constant("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"), weight: 9 },
    { arbitrary: fc.constantFrom("arn:aws:bedrock:us-east-1::foundation-model/${aws:UserAgent}", "arn:aws:bedrock:us-east-1::foundation-model/*"), weight: 1 },
  ),
  waivers: fc.subarray(WAIVABLE_WILDCARDS),
});
type AgentSpec = typeof agentArb extends fc.Arbitrary<infer T> ? T : never;

function declaration(specs: readonly AgentSpec[]): DeclarationInput {
  const names = NAMES.slice(0, specs.length);
  const agents: AgentInput[] = specs.map((spec, i) => {
    const self = names[i]!;
    const other = names[(i + 1) % names.length]!;
    const owns = spec.owns.map((s: Shape) => SHAPES[s]!(self, other));
    return {
      name: self,
      owner: "team-test",
      sponsor: "owner@example.com",
      tier: spec.tier,
      expires: "2027-06-30",
      orchestration: { models: [spec.model] },
      owns,
      tools: spec.tools.map((tool, t) => {
        const resource = "own" in tool.resource ? owns[tool.resource.own % owns.length]! : SHAPES[tool.resource.shape]!(self, other);
        const pool = actionPool(resource);
        return { name: `tool-${t}`, aws: [{ actions: [...new Set(tool.actions.map((a) => pool[a % pool.length]!))], resources: [resource] }] };
      }),
    };
  });
  const exceptions = specs.flatMap((spec, i) =>
    spec.waivers.map((rule) => ({
      rule,
      agent: names[i]!,
      reason: "reviewed for the soundness test",
      approvedBy: "security-review@example.com",
      expires: "2027-01-15",
    })),
  );
  // Owns are generated inside the platform's roots: the acme-* name space, and each agent's KMS key by its exact ARN.
  const ownableRoots = [...(PLATFORM.ownableRoots ?? []), ...NAMES.map((name) => SHAPES[4]!(name, name))];
  return { platform: { ...PLATFORM, ownableRoots, exceptions }, agents };
}

/** `plan`'s verdict: the schema reads it, it compiles, and no rule reports an error. */
function accepted(input: DeclarationInput): FleetPlan | undefined {
  try {
    const plan = compileFleet(parseDeclaration(input), "soundness");
    return errorsOf(evaluatePlan(plan, ALL_RULES, TODAY)).length === 0 ? plan : undefined;
  } catch {
    return undefined;
  }
}

interface Target {
  readonly what: string;
  readonly arn: string;
  readonly actions: readonly string[];
}

/** A concrete ARN inside a declared pattern (`…/*` → `…/probe-object`); variables make no concrete ARN. */
function concrete(arn: string): string | undefined {
  if (arn.includes("${") || arn === "*" || arn.includes("?")) return undefined;
  const filled = arn.replace(/\*$/, "probe-object");
  return filled.includes("*") ? undefined : filled;
}

const BY_SERVICE: Record<string, readonly string[]> = {
  s3: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:ListBucket"],
  dynamodb: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteTable"],
  sqs: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:SetQueueAttributes"],
  kms: ["kms:Decrypt", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"],
  logs: ["logs:PutLogEvents", "logs:CreateLogStream", "logs:DeleteLogGroup", "logs:PutRetentionPolicy"],
  iam: ["iam:PassRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
  sso: ["sso:CreatePermissionSet", "sso:PutInlinePolicyToPermissionSet", "sso:CreateAccountAssignment"],
};
const serviceOf = (arn: string) => arn.split(":")[2] ?? "";

/** What agent `attacker` must not reach: every other agent's resources and roles, and the platform's. */
function targets(plan: FleetPlan, attacker: string): Target[] {
  const out: Target[] = [];
  const add = (what: string, arn: string | undefined, actions = BY_SERVICE[serviceOf(arn ?? "")] ?? []) => {
    if (arn) out.push({ what, arn, actions });
  };
  for (const agent of plan.agents) {
    if (agent.name === attacker) {
      // Its own audit trail: no identity of the agent may erase or rewrite it.
      add(`${attacker}'s own audit log group`, agent.auditLogGroup.arn, ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogStream"]);
      continue;
    }
    for (const owned of agent.owns) {
      add(`${agent.name}'s owned ${owned}`, concrete(owned));
      if (owned.endsWith("/*")) add(`${agent.name}'s bucket of ${owned}`, concrete(owned.replace(/\/.*$/, "")), ["s3:PutBucketPolicy", "s3:DeleteBucket"]);
    }
    add(`${agent.name}'s audit log group`, agent.auditLogGroup.arn);
    add(`${agent.name}'s audit log stream`, `${agent.auditLogGroup.arn}:log-stream:run-1`, ["logs:PutLogEvents", "logs:DeleteLogStream"]);
    for (const identity of agent.identities) for (const role of identityRoles(identity)) add(`${agent.name}'s ${identity.kind} role`, role.arn);
  }
  add("the platform's IAM role", PLATFORM_ROLE);
  add("the organisation's SAML provider", `arn:aws:iam::${ACCOUNT}:saml-provider/corp`, ["iam:UpdateSAMLProvider", "iam:DeleteSAMLProvider"]);
  add("an IAM user", `arn:aws:iam::${ACCOUNT}:user/ops`, ["iam:CreateAccessKey", "iam:CreateLoginProfile"]);
  add("the organisation's SSO instance", SSO_INSTANCE);
  add("an SSO permission set", "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef");
  add("the platform's KMS key", `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`);
  add("the platform's security group", PLATFORM_SECURITY_GROUP, ["ec2:AuthorizeSecurityGroupIngress"]);
  add("the platform's CloudTrail bucket", PLATFORM_TRAIL_BUCKET);
  add("an object of the platform's CloudTrail bucket", `${PLATFORM_TRAIL_BUCKET}/AWSLogs/${ACCOUNT}/trail.json.gz`);
  return out;
}

interface Hole {
  readonly role: string;
  readonly action: string;
  readonly target: string;
  readonly arn: string;
  readonly context: Record<string, string>;
}

/** The oracle's decision; an action that does not apply to the resource's type (no.resource.types) is no access. */
async function decideOrSkip(role: IamRolePlan, call: Parameters<typeof decide>[1]): Promise<string> {
  try {
    return await decide(role, call);
  } catch (error) {
    if (String(error).includes("no.resource.types")) return "NotApplicable";
    throw error;
  }
}

async function holes(plan: FleetPlan): Promise<Hole[]> {
  const found: Hole[] = [];
  for (const agent of plan.agents) {
    const roles: IamRolePlan[] = agent.identities.flatMap((identity) => identityRoles(identity));
    const own = new Set(roles.map((r) => r.arn));
    for (const target of targets(plan, agent.name)) {
      if (own.has(target.arn)) continue;
      for (const role of roles) {
        for (const action of target.actions) {
          for (const context of adversarialContexts(role, target.arn)) {
            if ((await decideOrSkip(role, { action, resource: target.arn, context })) === "Allowed") {
              found.push({ role: role.name, action, target: target.what, arn: target.arn, context });
              break;
            }
          }
        }
      }
    }
  }
  return found;
}

describe("plan soundness (fast-check × iam-simulate)", () => {
  it("the oracle finds access to other agents' and the platform's resources in a plan the rules did not judge", async () => {
    // Control: the probe can fail. A plan compiled from a hostile declaration, without the rules, leaks.
    const plan = compileFleet(
      parseDeclaration(
        declaration([
          { tier: "batch", owns: [9], tools: [{ actions: [0], resource: { own: 0 } }], model: MODEL, waivers: [] },
          { tier: "batch", owns: [0], tools: [{ actions: [0], resource: { own: 0 } }], model: MODEL, waivers: [] },
        ]),
      ),
      "soundness",
    );
    expect(errorsOf(evaluatePlan(plan, ALL_RULES, TODAY)).length).toBeGreaterThan(0);
    expect((await holes(plan)).map((h) => `${h.role} ${h.action} ${h.target}`)).toContain(
      "acme-test-alpha-execution s3:GetObject bravo's owned arn:aws:s3:::acme-data/bravo/*",
    );
  });

  /** The issue's hostile declarations (#18), always tried first: alpha attacks, bravo and charlie are ordinary. */
  const ordinary = (own: Shape): AgentSpec => ({ tier: "batch", owns: [own], tools: [{ actions: [0], resource: { own: 0 } }], model: MODEL, waivers: [] });
  const attacker = (owns: Shape[], actions: number[], resource: AgentSpec["tools"][number]["resource"], waivers: string[] = []): AgentSpec => ({
    tier: "assistant",
    owns,
    tools: [{ actions, resource }],
    model: MODEL,
    waivers,
  });
  const ISSUE_CASES: AgentSpec[][] = [
    [attacker([5], [0], { own: 0 }), ordinary(2)], // owns table/${aws:UserAgent}
    [attacker([6], [0], { own: 0 }), ordinary(0)], // owns acme-data/${aws:PrincipalTag/agent}o/*
    [attacker([0, 11], [1], { own: 1 }), ordinary(0)], // owns the organisation's SSO instance
    [attacker([0], [3, 0], { shape: 8 }, WAIVABLE_WILDCARDS), ordinary(0)], // iam:UpdateSAMLProvider, s3:GetObject on "*" behind two 90-day waivers
    [attacker([0, 13], [0], { own: 1 }), ordinary(0)], // owns the platform's role
    [attacker([0, 15], [0], { own: 1 }), ordinary(0)], // owns a security group
    [attacker([0], [0], { shape: 10 }), ordinary(0)], // names bravo's prefix
    [attacker([0, 16], [0], { own: 1 }), ordinary(0)], // owns the platform's CloudTrail bucket, outside every ownable root
  ];

  it("whenever plan accepts a declaration, no identity reaches another agent's or the platform's resources", async () => {
    let acceptedCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(agentArb, { minLength: 2, maxLength: 3 }), async (specs) => {
        const plan = accepted(declaration(specs));
        if (!plan) return true;
        acceptedCount += 1;
        const found = await holes(plan);
        if (found.length) {
          const agents = declaration(specs).agents.map((a) => ({ name: a.name, owns: a.owns, tools: a.tools?.map((t) => t.aws) }));
          throw new Error(`plan accepted ${JSON.stringify(agents)}, and its roles reach: ${JSON.stringify(found.slice(0, 5))}`);
        }
        return true;
      }),
      { seed: 18_2026, numRuns: 40, endOnFailure: true, examples: ISSUE_CASES.map((specs) => [specs] as [AgentSpec[]]) },
    );
    // The generator must reach accepted declarations, or the property says nothing.
    expect(acceptedCount).toBeGreaterThan(5);
  }, 240_000);
});
