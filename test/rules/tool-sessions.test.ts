/**
 * Task-context binding in the plan rules: a grant is judged the same whether it sits on the
 * execution role (`toolSessions: role`) or on the tool role (`tagged-sessions`), and the three tool
 * session rules refuse each way the tool role, its statements or its Vault secret roles could widen.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlan } from "../../cli/plan-command";
import { compileFleet } from "../../components/core/compile";
import type { FleetPlan, IdentityPlan } from "../../components/core/plan-types";
import { parseDeclaration, type PlatformInput } from "../../components/core/schema";
import { ALL_RULES, errorsOf, evaluatePlan } from "../../components/rules";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const ENGINE = "arn:aws:iam::111122223333:role/vault-aws-engine";
const TAGGED: PlatformInput = { ...PLATFORM, toolSessions: "tagged-sessions", vault: { ...PLATFORM.vault, awsEngineRoleArn: ENGINE } };

function taggedPlan(): FleetPlan {
  const declaration = parseDeclaration({
    platform: TAGGED,
    agents: [
      agent("billing", {
        tools: [
          { name: "read-data", dataClass: "internal", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }] },
          {
            name: "write-data",
            dataClass: "confidential",
            aws: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }],
            session: { ttl: "15m", externalId: "billing-write" },
          },
        ],
        maxDataClass: "confidential",
      }),
    ],
  });
  return compileFleet(declaration, "test");
}

/** The error findings of a plan, as `rule: message` lines. */
function errors(plan: FleetPlan): string[] {
  return errorsOf(evaluatePlan(plan, ALL_RULES, TODAY)).map((v) => `${v.rule}: ${v.message}`);
}

const rules = (plan: FleetPlan) => [...new Set(errors(plan).map((line) => line.split(":")[0]))].sort();

/** A deep copy of the plan with the billing execution identity changed by `edit`. */
function withExecution(edit: (identity: { -readonly [K in keyof IdentityPlan]: IdentityPlan[K] }) => void): FleetPlan {
  const plan = JSON.parse(JSON.stringify(taggedPlan())) as FleetPlan;
  edit(plan.agents[0].identities.find((identity) => identity.kind === "execution")! as never);
  return plan;
}

type Mutable = Record<string, unknown>;
const trustOf = (identity: IdentityPlan) => identity.toolRole!.trustPolicy.Statement as unknown as Mutable[];
const statementsOf = (identity: IdentityPlan) => identity.toolRole!.policies[0].document.Statement as unknown as Mutable[];

describe("the compiled tagged-sessions plan", () => {
  it("passes every rule", () => {
    expect(errors(taggedPlan())).toEqual([]);
  });
});

describe("trust/tool-role-vault-only", () => {
  const cases: Array<[string, (identity: IdentityPlan) => void]> = [
    ["a tool role trusting *", (i) => void (trustOf(i)[0].Principal = "*")],
    ["a tool role trusting AWS *", (i) => void (trustOf(i)[0].Principal = { AWS: "*" })],
    ["the account root", (i) => void (trustOf(i)[0].Principal = { AWS: "arn:aws:iam::111122223333:root" })],
    ["a bare account id", (i) => void (trustOf(i)[0].Principal = { AWS: "111122223333" })],
    ["an IAM user", (i) => void (trustOf(i)[0].Principal = { AWS: "arn:aws:iam::111122223333:user/ops" })],
    ["a service", (i) => void (trustOf(i)[0].Principal = { Service: "lambda.amazonaws.com" })],
    ["the engine and a federated provider", (i) => void (trustOf(i)[0].Principal = { AWS: ENGINE, Federated: PLATFORM.aws.oidcProviderArn })],
    ["another role", (i) => void (trustOf(i)[0].Principal = { AWS: "arn:aws:iam::111122223333:role/ops" })],
    ["two roles", (i) => void (trustOf(i)[0].Principal = { AWS: [ENGINE, "arn:aws:iam::111122223333:role/ops"] })],
    ["a role pattern", (i) => void (trustOf(i)[0].Principal = { AWS: "arn:aws:iam::111122223333:role/vault-*" })],
    ["NotPrincipal", (i) => void (trustOf(i)[0].NotPrincipal = { AWS: "arn:aws:iam::111122223333:role/ops" })],
    ["NotAction", (i) => void (trustOf(i)[0].NotAction = "sts:GetFederationToken")],
    ["another action", (i) => void (trustOf(i)[0].Action = ["sts:AssumeRole", "sts:SetSourceIdentity"])],
    ["no tag conditions", (i) => void delete trustOf(i)[0].Condition],
    [
      "StringLike on the tool tag",
      (i) =>
        void (trustOf(i)[0].Condition = { StringLike: { "aws:RequestTag/agent-identity:tool": "*", "aws:RequestTag/agent-identity:data-class": "internal" } }),
    ],
    [
      "StringEqualsIfExists on the tool tag",
      (i) =>
        void (trustOf(i)[0].Condition = {
          StringEqualsIfExists: { "aws:RequestTag/agent-identity:tool": "read-data", "aws:RequestTag/agent-identity:data-class": "internal" },
        }),
    ],
    [
      "two tools in one AssumeRole statement",
      (i) => void ((trustOf(i)[0].Condition as Record<string, Mutable>).StringEquals["aws:RequestTag/agent-identity:tool"] = ["read-data", "write-data"]),
    ],
    [
      "a tool of no declaration",
      (i) => void ((trustOf(i)[0].Condition as Record<string, Mutable>).StringEquals["aws:RequestTag/agent-identity:tool"] = "other"),
    ],
    [
      "a tool with another data class",
      (i) => void ((trustOf(i)[0].Condition as Record<string, Mutable>).StringEquals["aws:RequestTag/agent-identity:data-class"] = "restricted"),
    ],
    [
      "TagSession for another agent",
      (i) => void ((trustOf(i).at(-1)!.Condition as Record<string, Mutable>).StringEquals["aws:RequestTag/agent-identity:agent"] = "search"),
    ],
    [
      "TagSession for another environment",
      (i) => void ((trustOf(i).at(-1)!.Condition as Record<string, Mutable>).StringEquals["aws:RequestTag/agent-identity:environment"] = "prod"),
    ],
    [
      "TagSession for the audit identity",
      (i) => void ((trustOf(i).at(-1)!.Condition as Record<string, Mutable>).StringEquals["aws:RequestTag/agent-identity:identity"] = "audit"),
    ],
    ["TagSession without the tag-keys limit", (i) => void delete (trustOf(i).at(-1)!.Condition as Mutable)["ForAllValues:StringEquals"]],
    [
      "TagSession with ForAnyValue tag keys",
      (i) =>
        void (trustOf(i).at(-1)!.Condition = {
          ...(trustOf(i).at(-1)!.Condition as Mutable),
          "ForAllValues:StringEquals": undefined,
          "ForAnyValue:StringEquals": { "aws:TagKeys": ["agent-identity:tool"] },
        }),
    ],
    [
      "TagSession admitting another tag key",
      (i) => void ((trustOf(i).at(-1)!.Condition as Record<string, Mutable>)["ForAllValues:StringEquals"]["aws:TagKeys"] = ["agent-identity:agent", "team"]),
    ],
    ["Null on the tool tag", (i) => void ((trustOf(i).at(-1)!.Condition as Mutable).Null = { "aws:RequestTag/agent-identity:tool": "false" })],
  ];
  for (const [name, edit] of cases) {
    it(`refuses ${name}`, () => {
      expect(rules(withExecution(edit))).toContain("trust/tool-role-vault-only");
    });
  }

  it("accepts the revoked form: every statement Deny", () => {
    const plan = withExecution((i) => trustOf(i).forEach((s) => (s.Effect = "Deny")));
    expect(rules(plan)).not.toContain("trust/tool-role-vault-only");
  });
});

describe("iam/tool-session-bound", () => {
  const bound = (i: IdentityPlan) => (statementsOf(i)[0].Condition as Record<string, Mutable>).StringEquals;
  const cases: Array<[string, (identity: IdentityPlan) => void]> = [
    ["a statement without the tool condition", (i) => void delete bound(i)["aws:PrincipalTag/agent-identity:tool"]],
    ["a statement without the data-class condition", (i) => void delete bound(i)["aws:PrincipalTag/agent-identity:data-class"]],
    ["a statement without the environment condition", (i) => void delete bound(i)["aws:PrincipalTag/agent-identity:environment"]],
    ["a statement bound to another tool", (i) => void (bound(i)["aws:PrincipalTag/agent-identity:tool"] = "write-data")],
    ["a statement bound to two tools", (i) => void (bound(i)["aws:PrincipalTag/agent-identity:tool"] = ["read-data", "write-data"])],
    ["a statement bound to another data class", (i) => void (bound(i)["aws:PrincipalTag/agent-identity:data-class"] = "confidential")],
    ["a statement bound to another environment", (i) => void (bound(i)["aws:PrincipalTag/agent-identity:environment"] = "prod")],
    ["a statement of no tool", (i) => void (statementsOf(i)[0].Sid = "Extra")],
    ["a grant on the execution role itself", (i) => void (i as unknown as { iamRole: { policies: unknown[] } }).iamRole.policies.push(i.toolRole!.policies[0])],
  ];
  for (const [name, edit] of cases) {
    it(`refuses ${name}`, () => {
      expect(rules(withExecution(edit))).toContain("iam/tool-session-bound");
    });
  }
});

describe("vault/tool-session-tags", () => {
  type Secret = { roleArns: string[]; sessionTags: Record<string, string> | null };
  const secret = (i: IdentityPlan, index = 0) => i.vault.secretRoles[index] as unknown as Secret;
  const cases: Array<[string, (identity: IdentityPlan) => void]> = [
    ["a session without tags", (i) => void (secret(i).sessionTags = null)],
    ["a session missing the data-class tag", (i) => void delete secret(i).sessionTags!["agent-identity:data-class"]],
    ["a session with an extra tag", (i) => void (secret(i).sessionTags!.team = "billing")],
    ["a session tagged with another tool", (i) => void (secret(i).sessionTags!["agent-identity:tool"] = "write-data")],
    ["a session tagged with another agent", (i) => void (secret(i).sessionTags!["agent-identity:agent"] = "search")],
    ["a session tagged with another data class", (i) => void (secret(i).sessionTags!["agent-identity:data-class"] = "confidential")],
    ["a session naming a second role", (i) => void secret(i).roleArns.push("arn:aws:iam::111122223333:role/ops")],
    ["a tagged session on another role", (i) => void (secret(i).roleArns = ["arn:aws:iam::444455556666:role/warehouse"])],
  ];
  for (const [name, edit] of cases) {
    it(`refuses ${name}`, () => {
      expect(rules(withExecution(edit))).toContain("vault/tool-session-tags");
    });
  }
});

describe("a grant is refused the same on the execution role and on the tool role", () => {
  const DIR = "test/fixtures/bad";
  const pairs = readdirSync(DIR)
    .filter((file) => file.startsWith("tagged-sessions-"))
    .map((file) => [join(DIR, file.slice("tagged-sessions-".length)), join(DIR, file)] as const)
    .filter(([original]) => readdirSync(DIR).includes(original.slice(DIR.length + 1)));
  const findings = (file: string) =>
    [
      ...new Set(
        runPlan({ stack: "fixture", config: file, date: "2026-11-28" })
          .stderr.split("\n")
          .filter((line) => line.startsWith("  "))
          .map((line) => /^ {2}(\S+): ([a-z]+\/[a-z-]+): /.exec(line)!.slice(1, 3).join(" ")),
      ),
    ].sort();

  it("has tagged-sessions copies of at least four bad fixtures", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(4);
    for (const [, tagged] of pairs) expect(readFileSync(tagged, "utf8")).toContain("toolSessions: tagged-sessions");
  });
  for (const [original, tagged] of pairs) {
    it(`${tagged}: the same identities and rules as ${original}`, () => {
      const before = findings(original);
      expect(before.length).toBeGreaterThan(0);
      expect(findings(tagged)).toEqual(before);
    });
  }
});

describe("rules that read an identity's roles read its tool role too", () => {
  it("context/region-bound and context/foreign-account: a tool role statement without a region, on another account", () => {
    const plan = withExecution((i) => {
      const statement = statementsOf(i)[0];
      delete (statement.Condition as Record<string, Mutable>).StringEquals["aws:RequestedRegion"];
      statement.Resource = ["arn:aws:sqs:us-east-1:444455556666:orders"];
    });
    expect(rules(plan)).toEqual(expect.arrayContaining(["context/region-bound", "context/foreign-account"]));
  });

  it("context/permissions-boundary-required: a tool role without the boundary the tier requires", () => {
    const plan = withExecution((i) => void ((i.toolRole as unknown as Mutable).permissionsBoundary = "arn:aws:iam::aws:policy/AdministratorAccess"));
    expect(
      errors(plan)
        .filter((line) => line.startsWith("context/permissions-boundary-required"))
        .join("\n"),
    ).toContain("acme-test-billing-tools");
  });

  it("limits/trust-policy-size and limits/unique-sid: the tool role's trust", () => {
    const plan = withExecution((i) => {
      const trust = trustOf(i);
      trust.push(...Array.from({ length: 6 }, () => JSON.parse(JSON.stringify(trust[0]))));
    });
    expect(rules(plan)).toEqual(expect.arrayContaining(["limits/trust-policy-size", "limits/unique-sid"]));
  });

  it("limits/trust-policy-size: about five aws tools with external ids fill the default 2,048-character quota", () => {
    const tools = Array.from({ length: 6 }, (_, n) => ({
      name: `tool-number-${n}`,
      dataClass: "internal" as const,
      aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }],
      session: { ttl: "15m", externalId: `external-id-${n}` },
    }));
    const plan = compileFleet(parseDeclaration({ platform: TAGGED, agents: [agent("billing", { tools })] }), "test");
    expect(rules(plan)).toContain("limits/trust-policy-size");
  });

  it("stack/no-shared-identity: a tool role named like another identity's role", () => {
    const plan = withExecution((i) => void ((i.toolRole as unknown as Mutable).name = "acme-test-billing-audit"));
    expect(rules(plan)).toContain("stack/no-shared-identity");
  });

  it("iam/privilege-escalation and iam/assume-agent-role: another agent's grant on this agent's tool role", () => {
    const declaration = parseDeclaration({
      platform: TAGGED,
      agents: [
        agent("billing"),
        agent("search", {
          tools: [
            { name: "hop", aws: [{ actions: ["sts:AssumeRole", "iam:PutRolePolicy"], resources: ["arn:aws:iam::111122223333:role/acme-test-billing-tools"] }] },
          ],
        }),
      ],
    });
    expect(rules(compileFleet(declaration, "test"))).toEqual(
      expect.arrayContaining(["iam/assume-agent-role", "iam/privilege-escalation", "separation/cross-agent-grant"]),
    );
  });

  it("separation/execution-no-audit-sink: a tool role statement on the agent's audit log group", () => {
    const plan = withExecution((i) => {
      statementsOf(i)[0].Action = ["logs:PutLogEvents"];
      statementsOf(i)[0].Resource = ["arn:aws:logs:us-east-1:111122223333:log-group:/acme/test/agents/billing/audit:log-stream:*"];
    });
    expect(rules(plan)).toContain("separation/execution-no-audit-sink");
  });
});
