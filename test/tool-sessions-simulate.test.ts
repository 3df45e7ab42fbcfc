/**
 * Task-context binding (issue #14), judged by an independent IAM evaluator (@cloud-copilot/iam-simulate):
 * with `toolSessions: tagged-sessions`, a session Vault mints for one tool can do that tool's work
 * and nothing of another tool's, a session missing a tag can do nothing, the execution identity's
 * own role can do no tool's work, and only the Vault AWS engine, passing exactly the tool's tags,
 * can start a session on the tool role. The default mode is unchanged.
 */
import { describe, expect, it } from "vitest";
import { planDeclaration } from "../components/plan";
import type { AgentInput, DeclarationInput } from "../components/core/schema";
import type { AgentPlan, AwsSecretRolePlan, IamRolePlan } from "../components/core/plan-types";
import { SESSION_TAG, SESSION_TAG_KEYS } from "../components/core/tool-sessions";
import { decide, decideTrust, type Call } from "./helpers/iam-oracle";
import { PLATFORM, agent } from "./helpers/fixtures";

const NOW = new Date("2026-11-28T12:00:00Z");
const ACCOUNT = "111122223333";
const ENGINE = `arn:aws:iam::${ACCOUNT}:role/vault-aws-engine`;
const ENGINE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/vault-aws-engine/vault-server`;

const SUMMARISE: Call = { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/claims/reports/q3.pdf" };
const LEDGER: Call = { action: "dynamodb:DeleteItem", resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/claims-ledger` };

function claimsAgent(): AgentInput {
  return agent("claims", {
    maxDataClass: "confidential",
    owns: ["arn:aws:s3:::acme-data/claims/*", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/claims-ledger`],
    tools: [
      { name: "summarise", dataClass: "internal", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/claims/*"] }] },
      {
        name: "ledger",
        dataClass: "confidential",
        aws: [{ actions: ["dynamodb:GetItem", "dynamodb:DeleteItem"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/claims-ledger`] }],
        session: { ttl: "20m", externalId: "claims-ledger-2026" },
      },
    ],
  });
}

function declaration(mode: "role" | "tagged-sessions"): DeclarationInput {
  const tagged = mode === "tagged-sessions";
  const base = claimsAgent();
  return {
    platform: {
      ...PLATFORM,
      ownableRoots: [...PLATFORM.ownableRoots!, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/claims-ledger`],
      toolSessions: mode,
      vault: { ...PLATFORM.vault, ...(tagged ? { awsEngineRoleArn: ENGINE } : {}) },
    },
    // Role mode has no sessions to configure.
    agents: [
      tagged
        ? base
        : { ...base, tools: base.tools!.map((tool) => Object.fromEntries(Object.entries(tool).filter(([key]) => key !== "session")) as typeof tool) },
    ],
  };
}

function planOf(mode: "role" | "tagged-sessions"): AgentPlan {
  return planDeclaration(declaration(mode), "test", NOW).plan.agents[0];
}

const execution = (plan: AgentPlan) => plan.identities.find((identity) => identity.kind === "execution")!;

/** A session of the tool role carrying these principal tags (as STS attaches the session tags). */
function asSession(toolRole: IamRolePlan, call: Call, tags: Record<string, string>): Promise<string> {
  const context = Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value]));
  return decide(toolRole, { ...call, context: { ...call.context, ...context } });
}

const secretRole = (plan: AgentPlan, tool: string) =>
  execution(plan).vault.secretRoles.find((role): role is AwsSecretRolePlan => role.type === "aws" && role.tool === tool)!;

/** The request context STS evaluates a tagged AssumeRole in: the tags, their keys, the external id. */
function assumeContext(tags: Record<string, string>, externalId?: string): Record<string, string | string[]> {
  return {
    ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    "aws:TagKeys": Object.keys(tags),
    ...(externalId ? { "sts:ExternalId": externalId } : {}),
  };
}

describe("tagged-sessions: a session minted for one tool acts only for that tool", () => {
  const plan = planOf("tagged-sessions");
  const toolRole = execution(plan).toolRole!;
  const summariseTags = secretRole(plan, "summarise").sessionTags!;
  const ledgerTags = secretRole(plan, "ledger").sessionTags!;

  it("a summarise session reads the reports and cannot delete from the ledger", async () => {
    expect(await asSession(toolRole, SUMMARISE, summariseTags)).toBe("Allowed");
    expect(await asSession(toolRole, LEDGER, summariseTags)).toBe("ImplicitlyDenied");
  });

  it("a ledger session deletes from the ledger and cannot read the reports", async () => {
    expect(await asSession(toolRole, LEDGER, ledgerTags)).toBe("Allowed");
    expect(await asSession(toolRole, SUMMARISE, ledgerTags)).toBe("ImplicitlyDenied");
  });

  it("without the data-class tag a session can do neither tool's work", async () => {
    for (const tags of [summariseTags, ledgerTags]) {
      const withoutClass = Object.fromEntries(Object.entries(tags).filter(([key]) => key !== SESSION_TAG.dataClass));
      expect(await asSession(toolRole, SUMMARISE, withoutClass)).toBe("ImplicitlyDenied");
      expect(await asSession(toolRole, LEDGER, withoutClass)).toBe("ImplicitlyDenied");
    }
  });

  it("a tool tag paired with another tool's data class, or another environment, gets nothing", async () => {
    expect(await asSession(toolRole, LEDGER, { ...ledgerTags, [SESSION_TAG.dataClass]: "internal" })).toBe("ImplicitlyDenied");
    expect(await asSession(toolRole, SUMMARISE, { ...summariseTags, [SESSION_TAG.environment]: "prod" })).toBe("ImplicitlyDenied");
  });

  it("the execution identity's own role can do no tool's work", async () => {
    const own = execution(plan).iamRole;
    expect(own.policies).toEqual([]);
    expect(await decide(own, SUMMARISE)).toBe("ImplicitlyDenied");
    expect(await decide(own, LEDGER)).toBe("ImplicitlyDenied");
  });

  it("each tool's Vault role sets its own tags, TTL and external id on the agent's tool role", () => {
    const ledger = secretRole(plan, "ledger");
    expect(ledger).toMatchObject({
      credentialType: "assumed_role",
      roleArns: [toolRole.arn],
      externalId: "claims-ledger-2026",
      defaultStsTtl: 20 * 60,
      name: "test.claims.ledger",
    });
    expect(ledger.sessionTags).toEqual({
      [SESSION_TAG.agent]: "claims",
      [SESSION_TAG.identity]: "execution",
      [SESSION_TAG.tool]: "ledger",
      [SESSION_TAG.dataClass]: "confidential",
      [SESSION_TAG.environment]: "test",
    });
    expect(secretRole(plan, "summarise")).toMatchObject({ externalId: null, defaultStsTtl: 15 * 60 });
    const paths = execution(plan).vault.policy!.paths.map((rule) => rule.path);
    expect(paths).toEqual(expect.arrayContaining(["aws/sts/test.claims.summarise", "aws/sts/test.claims.ledger"]));
  });
});

describe("tagged-sessions: only Vault's AWS engine, passing one tool's tags, starts a tool session", () => {
  const plan = planOf("tagged-sessions");
  const toolRole = execution(plan).toolRole!;
  const summariseTags = secretRole(plan, "summarise").sessionTags!;
  const ledgerTags = secretRole(plan, "ledger").sessionTags!;
  const trust = (principal: string, action: string, context: Record<string, string | string[]>) => decideTrust(toolRole, principal, action, context);

  it("admits the engine with a tool's exact tags (AssumeRole and TagSession both)", async () => {
    expect(await trust(ENGINE_SESSION, "sts:AssumeRole", assumeContext(summariseTags))).toBe("Allowed");
    expect(await trust(ENGINE_SESSION, "sts:TagSession", assumeContext(summariseTags))).toBe("Allowed");
    expect(await trust(ENGINE_SESSION, "sts:AssumeRole", assumeContext(ledgerTags, "claims-ledger-2026"))).toBe("Allowed");
  });

  it("refuses an untagged request, a missing external id, and a tool paired with another tool's class", async () => {
    expect(await trust(ENGINE_SESSION, "sts:AssumeRole", {})).toBe("ImplicitlyDenied");
    expect(await trust(ENGINE_SESSION, "sts:AssumeRole", assumeContext(ledgerTags))).toBe("ImplicitlyDenied");
    expect(await trust(ENGINE_SESSION, "sts:AssumeRole", assumeContext(ledgerTags, "guessed"))).toBe("ImplicitlyDenied");
    expect(await trust(ENGINE_SESSION, "sts:AssumeRole", assumeContext({ ...summariseTags, [SESSION_TAG.dataClass]: "confidential" }))).toBe(
      "ImplicitlyDenied",
    );
  });

  it("refuses tags naming another agent, identity or environment, an undeclared tool, or an extra tag key", async () => {
    for (const [key, value] of [
      [SESSION_TAG.agent, "other-agent"],
      [SESSION_TAG.identity, "orchestration"],
      [SESSION_TAG.environment, "prod"],
      [SESSION_TAG.tool, "delete-everything"],
    ] as const) {
      expect(await trust(ENGINE_SESSION, "sts:TagSession", assumeContext({ ...summariseTags, [key]: value }))).toBe("ImplicitlyDenied");
    }
    expect(await trust(ENGINE_SESSION, "sts:TagSession", assumeContext({ ...summariseTags, "cost-centre": "x" }))).toBe("ImplicitlyDenied");
  });

  it("refuses every principal but the engine, with the right tags", async () => {
    for (const principal of [
      `arn:aws:iam::${ACCOUNT}:root`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/developer/alice`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/acme-test-claims-execution/pod`,
      `arn:aws:sts::444455556666:assumed-role/vault-aws-engine/vault-server`,
    ]) {
      expect(await trust(principal, "sts:AssumeRole", assumeContext(summariseTags)), principal).toBe("ImplicitlyDenied");
    }
  });

  it("lists exactly the five session tag keys and trusts exactly the engine", () => {
    const tag = toolRole.trustPolicy.Statement.find((statement) => statement.Sid === "VaultTagsToolSessions")!;
    expect(tag.Condition?.["ForAllValues:StringEquals"]).toEqual({ "aws:TagKeys": [...SESSION_TAG_KEYS] });
    expect(new Set(toolRole.trustPolicy.Statement.map((statement) => JSON.stringify(statement.Principal)))).toEqual(new Set([JSON.stringify({ AWS: ENGINE })]));
  });
});

describe("role mode (the default) is unchanged", () => {
  it("keeps the tool grants on the execution role, with no tool role and no session tags", async () => {
    const plan = planOf("role");
    const own = execution(plan).iamRole;
    expect(execution(plan).toolRole).toBeNull();
    expect(execution(plan).vault.secretRoles).toEqual([]);
    expect(await decide(own, SUMMARISE)).toBe("Allowed");
    expect(await decide(own, LEDGER)).toBe("Allowed");
    expect(JSON.stringify(own.policies)).not.toContain("PrincipalTag");
  });

  it("defaults to role when toolSessions is not declared", () => {
    const input = declaration("role");
    const platform = Object.fromEntries(Object.entries(input.platform).filter(([key]) => key !== "toolSessions"));
    const plan = planDeclaration({ ...input, platform }, "test", NOW).plan;
    expect(plan.platform.toolSessions).toBe("role");
    expect(plan.agents[0].identities.every((identity) => identity.toolRole === null)).toBe(true);
  });
});

describe("tagged-sessions declarations that cannot work are refused before compiling", () => {
  const refuse = (input: DeclarationInput) => {
    try {
      planDeclaration(input, "test", NOW);
    } catch (error) {
      return String((error as Error).message);
    }
    return "accepted";
  };

  it("without a known Vault AWS engine role", () => {
    const input = declaration("tagged-sessions");
    const vault = { ...input.platform.vault, awsEngineRoleArn: undefined };
    expect(refuse({ ...input, platform: { ...input.platform, vault } })).toMatch(
      /platform\.vault\.awsEngineRoleArn: toolSessions tagged-sessions: declare the IAM role/,
    );
  });

  it("with a Vault older than 1.17.2 (no session_tags on AWS secret roles)", () => {
    const input = declaration("tagged-sessions");
    expect(refuse({ ...input, platform: { ...input.platform, vault: { ...input.platform.vault, version: "1.17.1" } } })).toMatch(/needs Vault 1\.17\.2\+/);
  });

  it("with an engine role in another account", () => {
    const input = declaration("tagged-sessions");
    expect(
      refuse({
        ...input,
        platform: { ...input.platform, vault: { ...input.platform.vault, awsEngineRoleArn: "arn:aws:iam::444455556666:role/vault-aws-engine" } },
      }),
    ).toMatch(/must be in the platform account 111122223333/);
  });

  it("a session on a non-aws tool, or in role mode, and a session TTL under AWS's 15m", () => {
    const tagged = declaration("tagged-sessions");
    const kvSession = {
      ...tagged,
      agents: [{ ...tagged.agents[0], tools: [{ name: "token", kv: { path: "token" }, session: { ttl: "15m" } }] }],
    } as DeclarationInput;
    expect(refuse(kvSession)).toMatch(/session applies to aws tools only/);
    const roleMode = { ...declaration("role"), agents: [claimsAgent()] };
    expect(refuse(roleMode)).toMatch(/session needs platform\.toolSessions: tagged-sessions/);
    const short = { ...tagged, agents: [{ ...tagged.agents[0], tools: [{ ...claimsAgent().tools![0], session: { ttl: "10m" } }] }] } as DeclarationInput;
    expect(refuse(short)).toMatch(/limits\/sts-ttl-minimum/);
  });
});

describe("tagged-sessions: revoking the agent ends its tool sessions", () => {
  const revokedAt = "2026-11-28T10:00:00Z";
  const input = declaration("tagged-sessions");
  const revoked = planDeclaration({ ...input, agents: [{ ...input.agents[0], revoked: { at: revokedAt, reason: "incident 42" } }] }, "test", NOW).plan
    .agents[0];
  const toolRole = execution(revoked).toolRole!;
  const tags = {
    [SESSION_TAG.agent]: "claims",
    [SESSION_TAG.identity]: "execution",
    [SESSION_TAG.tool]: "summarise",
    [SESSION_TAG.dataClass]: "internal",
    [SESSION_TAG.environment]: "test",
  };

  it("denies a session issued before the revocation, refuses new ones, and removes the Vault roles", async () => {
    const before = { ...SUMMARISE, context: { "aws:TokenIssueTime": "2026-11-28T09:59:00Z" } };
    expect(await asSession(toolRole, before, tags)).toBe("ExplicitlyDenied");
    expect(await decideTrust(toolRole, ENGINE_SESSION, "sts:AssumeRole", assumeContext(tags))).toBe("ExplicitlyDenied");
    expect(execution(revoked).vault.secretRoles).toEqual([]);
    expect(revoked.revoked!.leaseRevokeCommands.join("\n")).toContain("agent-identity-revoked policy this deployment puts on the tool role");
  });
});

describe("tagged-sessions: tools sharing a data class share a trust statement, never each other's grants", () => {
  const input = declaration("tagged-sessions");
  const twoInternal = {
    ...input,
    agents: [
      {
        ...input.agents[0],
        tools: [
          { name: "summarise", dataClass: "internal" as const, aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/claims/*"] }] },
          {
            name: "ledger",
            dataClass: "internal" as const,
            aws: [{ actions: ["dynamodb:DeleteItem"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/claims-ledger`] }],
          },
        ],
      },
    ],
  };
  const plan = planDeclaration(twoInternal, "test", NOW).plan.agents[0];
  const toolRole = execution(plan).toolRole!;

  it("plans (every rule passes) with one AssumeRole statement listing both tools", () => {
    const assume = toolRole.trustPolicy.Statement.filter((statement) => statement.Action?.includes("sts:AssumeRole"));
    expect(assume).toHaveLength(1);
    expect(assume[0].Condition?.StringEquals?.[`aws:RequestTag/${SESSION_TAG.tool}`]).toEqual(["summarise", "ledger"]);
  });

  it("a summarise session still cannot delete from the ledger", async () => {
    const tags = secretRole(plan, "summarise").sessionTags!;
    expect(await asSession(toolRole, SUMMARISE, tags)).toBe("Allowed");
    expect(await asSession(toolRole, LEDGER, tags)).toBe("ImplicitlyDenied");
    expect(await decideTrust(toolRole, ENGINE_SESSION, "sts:AssumeRole", assumeContext(tags))).toBe("Allowed");
  });
});
