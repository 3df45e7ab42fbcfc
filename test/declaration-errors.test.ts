/** Schema errors in plain words at paths that name the agent and tool; platform fields by their rules. */
import { describe, expect, it } from "vitest";
import { DeclarationError, parseDeclaration, type DeclarationInput } from "../components/core/schema";
import { boundaryProblem, oidcProviderProblem, partitionOfRegion, vaultAudienceProblem, vaultPathProblem } from "../components/core/platform-fields";
import { PLATFORM, agent } from "./helpers/fixtures";

function issues(input: unknown): string[] {
  try {
    parseDeclaration(input);
  } catch (error) {
    if (error instanceof DeclarationError) return error.issues.map((i) => `${i.label}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("schema errors", () => {
  it("name the agent and tool, in plain words", () => {
    const agents = ["a", "b", "c", "claims-intake", "e"].map((n) => agent(n)) as Array<Record<string, unknown>>;
    delete agents[3].expires;
    agents[3].tools = [
      { name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/claims-intake/*"] }] },
      { name: "ledger", database: { connection: "ledger", creationStatements: ["x"] } },
    ];
    agents[1].tier = "gold";
    agents[2].ownr = "typo";
    agents[4].owner = 42;
    expect(issues({ platform: PLATFORM, agents }).sort()).toEqual(
      [
        "agents[3] (claims-intake).expires: required",
        "agents[3] (claims-intake).tools[1] (ledger).database.ttl: required",
        "agents[1] (b).tier: one of batch, assistant, high-risk",
        'agents[2] (c): unknown field "ownr" (did you mean "owner"?)',
        "agents[4] (e).owner: must be a string, not a number",
      ].sort(),
    );
  });

  it("do not echo unbounded names into paths", () => {
    const long = agent("x") as Record<string, unknown>;
    long.name = "n".repeat(10_000);
    const [first] = issues({ platform: PLATFORM, agents: [long] });
    expect(first.startsWith("agents[0].name: ")).toBe(true);
  });

  it("accept a consistent China or GovCloud platform", () => {
    const china: DeclarationInput = {
      platform: {
        ...PLATFORM,
        aws: {
          accountId: "111122223333",
          partition: "aws-cn",
          region: "cn-north-1",
          oidcProviderArn: "arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/0123456789ABCDEF0123456789ABCDEF",
          permissionsBoundaryArn: "arn:aws-cn:iam::111122223333:policy/boundaries/agent-boundary",
        },
        ownableRoots: ["arn:aws-cn:s3:::acme-*"],
      },
      agents: [
        agent("a", {
          orchestration: { models: ["arn:aws-cn:bedrock:cn-north-1::foundation-model/m"] },
          owns: ["arn:aws-cn:s3:::acme-b/a/*"],
          tools: [{ name: "t", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws-cn:s3:::acme-b/a/*"] }] }],
        }),
      ],
    };
    expect(issues(china)).toEqual([]);
    expect(partitionOfRegion("us-gov-west-1")).toBe("aws-us-gov");
    expect(
      oidcProviderProblem("arn:aws-us-gov:iam::111122223333:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF", {
        accountId: "111122223333",
        partition: "aws-us-gov",
      }),
    ).toBeNull();
  });
});

describe("platform field predicates", () => {
  it("Vault audience: refuse other consumers' audiences however they are spelt", () => {
    for (const audience of [
      "sts.amazonaws.com",
      "STS.amazonaws.com",
      "https://sts.amazonaws.com/",
      "sts.us-east-1.amazonaws.com",
      "amazonaws.com",
      "https://kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
      "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
      "",
      " ",
      "vault*",
      "a b",
      "x".repeat(257),
    ]) {
      expect(vaultAudienceProblem(audience), audience).not.toBeNull();
    }
    for (const audience of ["vault", "https://vault.example.com", "vault-prod"]) expect(vaultAudienceProblem(audience), audience).toBeNull();
    expect(vaultAudienceProblem("my-issuer.example/id/1", "my-issuer.example/id/1")).toContain("issuer");
  });

  it("mount and auth paths: plain segments only, no reserved mounts, no token auth path", () => {
    for (const path of ["..", "kv/..", "kv//x", "/kv", "kv/", "kv*", "kv/+/x", "sys", "SYS/x", "identity", "cubbyhole", "auth/kv", "k v", "x".repeat(129)]) {
      expect(vaultPathProblem(path, "secrets"), path).not.toBeNull();
    }
    for (const path of ["token", "auth/kubernetes", "kubernetes/../token"]) expect(vaultPathProblem(path, "auth"), path).not.toBeNull();
    for (const path of ["kv", "secret/agents", "database_prod", "aws-main"]) expect(vaultPathProblem(path, "secrets"), path).toBeNull();
    expect(vaultPathProblem("kubernetes/prod-cluster", "auth")).toBeNull();
  });

  it("OIDC provider: an EKS issuer of the platform's account and partition", () => {
    const own = { accountId: "111122223333", partition: "aws" as const };
    const eks = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    expect(oidcProviderProblem(eks, own)).toBeNull();
    expect(oidcProviderProblem(eks.replace("111122223333", "444455556666"), own)).toContain("account 444455556666");
    expect(oidcProviderProblem(eks.replace("/id/0123456789ABCDEF0123456789ABCDEF", "/id/short"), own)).toContain("not an EKS");
    expect(oidcProviderProblem(eks.replace("oidc.eks.us-east-1.amazonaws.com", "oidc.eks.us-east-1.amazonaws.com.evil.example"), own)).toContain("not an EKS");
    expect(oidcProviderProblem(eks.replace("us-east-1", "cn-north-1"), own)).toContain("not in partition aws");
  });

  it("boundary: one concrete customer managed policy of the platform account", () => {
    const own = { accountId: "111122223333", partition: "aws" as const };
    expect(boundaryProblem("arn:aws:iam::111122223333:policy/team/agent-boundary", own)).toBeNull();
    for (const arn of [
      "*",
      "arn:aws:iam::111122223333:policy/*",
      "arn:aws:iam::111122223333:policy/agent-?",
      "arn:aws:iam::aws:policy/AdministratorAccess",
      "arn:aws:iam::444455556666:policy/b",
      "arn:aws-cn:iam::111122223333:policy/b",
      "arn:aws:iam::111122223333:role/b",
    ]) {
      expect(boundaryProblem(arn, own), arn).not.toBeNull();
    }
  });
});
