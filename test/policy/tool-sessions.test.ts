/**
 * The pack on tool roles (`toolSessions: tagged-sessions`): the components' own tool roles, their
 * statements and Vault secret roles pass; each hand-written widening is refused under its rule id.
 * Policies are called directly with built args (as @pulumi/awsguard's tests do).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { runPack, ruleIds, type Resource, withExclusivePolicies, declaringPlatformIam } from "../helpers/policy-args";
import type { PlatformInput } from "../../components/core/schema";

const ENGINE = "arn:aws:iam::111122223333:role/vault-aws-engine";
const TAGGED: PlatformInput = { ...PLATFORM, toolSessions: "tagged-sessions", vault: { ...PLATFORM.vault, awsEngineRoleArn: ENGINE } };
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const SECRET_ROLE = "vault:aws/secretBackendRole:SecretBackendRole";
const BACKEND = "vault:aws/secretBackend:SecretBackend";

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({
    platform: TAGGED,
    agents: [
      agent("billing", {
        tools: [{ name: "read-data", dataClass: "internal", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }] }],
      }),
      agent("search"),
    ],
  });
});

const isToolRole = (r: Resource) => r.type === ROLE && String(r.props.name).endsWith("-billing-tools");
const toolRole = () => base.find(isToolRole)!;
const trust = () => JSON.parse(String(toolRole().props.assumeRolePolicy)) as { Statement: Array<Record<string, unknown>> };

/** The base stack with the billing tool role's trust replaced by `statements`. */
function withTrust(edit: (statements: Array<Record<string, unknown>>) => void): Resource[] {
  const document = trust();
  edit(document.Statement);
  return base.map((r) => (isToolRole(r) ? { ...r, props: { ...r.props, assumeRolePolicy: JSON.stringify(document) } } : r));
}

async function rulesFor(resources: Resource[]): Promise<string[]> {
  return ruleIds(await runPack(withExclusivePolicies(resources), undefined, declaringPlatformIam(resources)));
}

describe("the components' tool roles", () => {
  it("register a tool role, its bound policy and a tagged secret role per tool, and the pack reports nothing", async () => {
    expect(base.filter((r) => r.type === ROLE).map((r) => r.props.name)).toContain("acme-test-billing-tools");
    const secret = base.find((r) => r.type === SECRET_ROLE && JSON.stringify(r.props.roleArns).includes("-billing-tools"))!;
    expect(Object.keys(secret.props.sessionTags as object).sort()).toEqual([
      "agent-identity:agent",
      "agent-identity:data-class",
      "agent-identity:environment",
      "agent-identity:identity",
      "agent-identity:tool",
    ]);
    expect(await runPack(base)).toEqual([]);
  });

  it("pass with the stack's Vault AWS secret backend running as the trusted engine role", async () => {
    expect(await runPack([...base, { type: BACKEND, name: "aws-engine", props: { path: "aws", roleArn: ENGINE } }])).toEqual([]);
  });

  it("pass for a revoked agent (trust all Deny, revocation policy on the tool role)", async () => {
    const resources = await componentResources({
      platform: TAGGED,
      agents: [agent("gone", { revoked: { at: "2026-11-01T00:00:00Z", reason: "leaked prompt" } })],
    });
    expect(resources.some((r) => r.type === ROLE && r.props.name === "acme-test-gone-tools")).toBe(true);
    expect(await runPack(resources)).toEqual([]);
  });
});

describe("trust/tool-role-vault-only", () => {
  const cases: Array<[string, (s: Array<Record<string, unknown>>) => void]> = [
    ["a tool role trusting *", (s) => void (s[0].Principal = "*")],
    ["a tool role trusting the account root", (s) => void (s[0].Principal = { AWS: "arn:aws:iam::111122223333:root" })],
    [
      "a tool role trusting another role with no tag conditions",
      (s) => s.splice(0, s.length, { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:role/ops" }, Action: ["sts:AssumeRole", "sts:TagSession"] }),
    ],
    [
      "StringLike on the tool tag",
      (s) =>
        void (s[0].Condition = {
          StringLike: { "aws:RequestTag/agent-identity:tool": "*" },
          StringEquals: { "aws:RequestTag/agent-identity:data-class": "internal" },
        }),
    ],
    ["a service principal", (s) => void (s[0].Principal = { Service: "ec2.amazonaws.com" })],
    ["a federated principal (a pod's web identity)", (s) => void (s[0].Principal = { Federated: PLATFORM.aws.oidcProviderArn })],
    ["TagSession admitting any tag key", (s) => void delete (s.at(-1)!.Condition as Record<string, unknown>)["ForAllValues:StringEquals"]],
  ];
  for (const [name, edit] of cases) {
    it(`refuses ${name}`, async () => {
      expect(await rulesFor(withTrust(edit))).toContain("trust/tool-role-vault-only");
    });
  }

  it("refuses a tool role trusting a role other than the stack's Vault AWS engine", async () => {
    const backend: Resource = { type: BACKEND, name: "aws-engine", props: { path: "aws", roleArn: "arn:aws:iam::111122223333:role/other-vault" } };
    expect(await rulesFor([...base, backend])).toEqual(["trust/tool-role-vault-only"]);
  });

  it("refuses a tool role trusting a role of another account than its agent's", async () => {
    const rules = await rulesFor(
      withTrust((s) => s.forEach((statement) => (statement.Principal = { AWS: "arn:aws:iam::444455556666:role/vault-aws-engine" }))),
    );
    // Its Vault roles then mint sessions on a role the pack no longer takes for this stack's tool role: refused too.
    expect(rules).toContain("trust/tool-role-vault-only");
  });

  it("refuses a role tagged as a tool role of another identity", async () => {
    const resources = base.map((r) => (isToolRole(r) ? { ...r, props: { ...r.props, tags: { ...(r.props.tags as object), identity: "audit" } } } : r));
    expect(await rulesFor(resources)).toContain("trust/tool-role-vault-only");
  });

  it("still judges an untagged copy of the trust as an agent role's (an AWS principal is refused)", async () => {
    const copy: Resource = {
      type: ROLE,
      name: "copy",
      props: { name: "copy", assumeRolePolicy: toolRole().props.assumeRolePolicy, tags: { agent: "billing", identity: "execution" } },
    };
    expect(await rulesFor([...base, copy])).toContain("trust/account-principal");
  });
});

describe("iam/tool-session-bound", () => {
  const unbound = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::acme-data/billing/*"],
        Condition: {
          StringEquals: {
            "aws:RequestedRegion": "us-east-1",
            "aws:PrincipalTag/agent-identity:data-class": "internal",
            "aws:PrincipalTag/agent-identity:environment": "test",
          },
        },
      },
    ],
  };

  it("refuses a RolePolicy on the tool role without the PrincipalTag tool condition", async () => {
    const policy: Resource = { type: ROLE_POLICY, name: "extra", props: { name: "extra", role: "acme-test-billing-tools", policy: JSON.stringify(unbound) } };
    // The components' RolePoliciesExclusive on the tool role would also remove it (iam/principal-exclusive-policies).
    expect(await rulesFor([...base, policy])).toEqual(["iam/principal-exclusive-policies", "iam/tool-session-bound"]);
  });

  it("refuses the components' own tool policy with its tool condition removed", async () => {
    const resources = base.map((r) => {
      if (r.type !== ROLE_POLICY || r.props.role === undefined || !String(r.name).includes("tool-role")) return r;
      const document = JSON.parse(String(r.props.policy));
      for (const statement of document.Statement) delete statement.Condition.StringEquals["aws:PrincipalTag/agent-identity:tool"];
      return { ...r, props: { ...r.props, policy: JSON.stringify(document) } };
    });
    expect(resources).not.toEqual(base);
    expect(await rulesFor(resources)).toEqual(["iam/tool-session-bound"]);
  });

  it("refuses an inline policy of a hand-written tool role bound to two tools", async () => {
    const two = {
      ...unbound,
      Statement: [
        {
          ...unbound.Statement[0],
          Condition: { StringEquals: { ...unbound.Statement[0].Condition.StringEquals, "aws:PrincipalTag/agent-identity:tool": ["read-data", "write-data"] } },
        },
      ],
    };
    const role = toolRole();
    const resources = base.map((r) => (r === role ? { ...r, props: { ...r.props, inlinePolicies: [{ name: "inline", policy: JSON.stringify(two) }] } } : r));
    expect(await rulesFor(resources)).toContain("iam/tool-session-bound");
  });
});

describe("vault/tool-session-tags", () => {
  const secret = (props: Record<string, unknown>): Resource => ({
    type: SECRET_ROLE,
    name: "hand-written",
    props: { backend: "aws", name: "hand-written", credentialType: "assumed_role", maxStsTtl: 900, defaultStsTtl: 900, ...props },
  });
  const tags = {
    "agent-identity:agent": "billing",
    "agent-identity:identity": "execution",
    "agent-identity:tool": "read-data",
    "agent-identity:data-class": "internal",
    "agent-identity:environment": "test",
  };

  it("refuses a Vault AWS secret role assuming a …-tools role without session tags", async () => {
    const rules = await rulesFor([...base, secret({ roleArns: ["arn:aws:iam::111122223333:role/acme-test-billing-tools"] })]);
    // A hand-written secret role on the tool role an agent's own secret role assumes is also a second way to it.
    expect(rules).toEqual(["vault/agent-path-reach", "vault/secret-role-arns", "vault/tool-session-tags"]);
  });

  it("refuses session tags missing the tool, or with an extra key", async () => {
    const noTool = Object.fromEntries(Object.entries(tags).filter(([key]) => key !== "agent-identity:tool"));
    expect(await rulesFor([...base, secret({ roleArns: ["arn:aws:iam::111122223333:role/acme-test-billing-tools"], sessionTags: noTool })])).toContain(
      "vault/tool-session-tags",
    );
    expect(
      await rulesFor([...base, secret({ roleArns: ["arn:aws:iam::111122223333:role/acme-test-billing-tools"], sessionTags: { ...tags, team: "x" } })]),
    ).toContain("vault/tool-session-tags");
  });

  it("refuses a session tagged for another agent than the tool role's", async () => {
    const rules = await rulesFor([
      ...base,
      secret({ roleArns: ["arn:aws:iam::111122223333:role/acme-test-billing-tools"], sessionTags: { ...tags, "agent-identity:agent": "search" } }),
    ]);
    expect(rules).toContain("vault/tool-session-tags");
    expect(rules).toContain("vault/secret-role-arns");
  });

  it("refuses a session of a tool the tool role's trust does not admit", async () => {
    expect(
      await rulesFor([
        ...base,
        secret({ roleArns: ["arn:aws:iam::111122223333:role/acme-test-billing-tools"], sessionTags: { ...tags, "agent-identity:tool": "write-data" } }),
      ]),
    ).toEqual(["vault/agent-path-reach", "vault/tool-session-tags"]);
  });

  it("refuses session tags on a role that is not a tool role of the stack", async () => {
    expect(await rulesFor([...base, secret({ roleArns: ["arn:aws:iam::444455556666:role/warehouse"], sessionTags: tags })])).toEqual([
      "vault/tool-session-tags",
    ]);
  });
});

describe("attack round (issue #14): the engine principal and what mints tool sessions", () => {
  const principal = (arn: string) => (statements: Array<Record<string, unknown>>) => {
    for (const statement of statements) statement.Principal = { AWS: arn };
  };

  it("refuses a tool role trusting an agent's identity role or a tool role (its own or another's) as the engine", async () => {
    for (const arn of [
      "arn:aws:iam::111122223333:role/acme-test-billing-execution",
      "arn:aws:iam::111122223333:role/acme-test-search-orchestration",
      "arn:aws:iam::111122223333:role/acme-test-billing-tools",
      "arn:aws:iam::111122223333:role/x/ACME-TEST-SEARCH-EXECUTION",
    ]) {
      expect(await rulesFor(withTrust(principal(arn))), arn).toContain("trust/tool-role-vault-only");
    }
  });

  it("refuses a TagSession statement admitting another agent's or environment's tags", async () => {
    for (const [key, value] of [
      ["aws:RequestTag/agent-identity:agent", "search"],
      ["aws:RequestTag/agent-identity:environment", "prod"],
    ]) {
      const resources = withTrust((statements) => {
        const tag = statements.find((s) => s.Sid === "VaultTagsToolSessions")!;
        (tag.Condition as Record<string, Record<string, unknown>>).StringEquals[key] = value;
      });
      expect(await rulesFor(resources), key).toContain("trust/tool-role-vault-only");
    }
  });

  it("refuses a Vault AWS secret role assuming the engine role", async () => {
    const resources = [
      ...base,
      {
        type: SECRET_ROLE,
        name: "eng",
        props: { backend: "aws", name: "test.billing.eng", credentialType: "assumed_role", roleArns: [ENGINE], defaultStsTtl: 900, maxStsTtl: 900 },
      },
    ];
    expect(await rulesFor(resources)).toContain("vault/secret-role-arns");
  });

  it("refuses session tags on a same-named role in another account (not this stack's tool role)", async () => {
    const resources = base.map((r) =>
      r.type === SECRET_ROLE && JSON.stringify(r.props.roleArns).includes("-billing-tools")
        ? { ...r, props: { ...r.props, roleArns: ["arn:aws:iam::444455556666:role/acme-test-billing-tools"] } }
        : r,
    );
    expect(await rulesFor(resources)).toContain("vault/tool-session-tags");
  });

  it("refuses a generic Vault write that mints credentials (aws/sts, aws/creds, database/creds)", async () => {
    for (const path of ["aws/sts/test.billing.read-data", "aws/creds/test.billing.read-data", "database/creds/test.billing.ledger"]) {
      const resources = [
        ...base,
        { type: "vault:generic/endpoint:Endpoint", name: "mint", props: { path, dataJson: "{}", writeFields: ["access_key", "secret_key"] } },
      ];
      expect(await rulesFor(resources), path).toContain("vault/generic-write");
    }
  });

  it("accepts tools sharing a data class (one AssumeRole statement listing them)", async () => {
    const resources = await componentResources({
      platform: TAGGED,
      agents: [
        agent("billing", {
          owns: ["arn:aws:s3:::acme-data/billing/*"],
          tools: [
            { name: "read-data", dataClass: "internal", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }] },
            { name: "write-data", dataClass: "internal", aws: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::acme-data/billing/*"] }] },
          ],
        }),
      ],
    });
    expect(await runPack(resources)).toEqual([]);
  });
});

describe("attack round (issue #14): aws/creds/<role> mints the same session as aws/sts/<role>", () => {
  it("refuses another agent's Vault policy reading a tool's session through creds/ as through sts/", async () => {
    for (const path of ["aws/sts/test.billing.read-data", "aws/creds/test.billing.read-data"]) {
      const resources = base.map((r) =>
        r.type === "vault:index/policy:Policy" && String(r.props.name).endsWith("-search-execution")
          ? { ...r, props: { ...r.props, policy: `${String(r.props.policy)}\npath "${path}" {\n  capabilities = ["read"]\n}\n` } }
          : r,
      );
      expect(await rulesFor(resources), path).toContain("separation/cross-agent-grant");
    }
  });
});

describe("attack round 2 (issue #14)", () => {
  const withPolicy = (resources: Resource[], identity: string, block: string) =>
    resources.map((r) =>
      r.type === "vault:index/policy:Policy" && String(r.props.name).endsWith(identity)
        ? { ...r, props: { ...r.props, policy: `${String(r.props.policy)}\n${block}\n` } }
        : r,
    );

  it("refuses an agent Vault policy that writes a secrets engine's roles or config, or writes anything", async () => {
    for (const block of [
      'path "aws/roles/test.search.mine" {\n  capabilities = ["create", "update"]\n}',
      'path "aws/roles/test.billing.read-data" {\n  capabilities = ["update"]\n}',
      'path "aws/config/root" {\n  capabilities = ["update"]\n}',
      'path "database/roles/test.search.ledger" {\n  capabilities = ["update"]\n}',
      'path "aws/roles/test.billing.read-data" {\n  capabilities = ["read"]\n}',
      'path "kv/data/agents/test/search/token" {\n  capabilities = ["create", "update"]\n}',
    ]) {
      expect(await rulesFor(withPolicy(base, "-search-execution", block)), block).toContain("vault/policy-read-only");
    }
  });

  it("finds a secret role whose backend is written with slashes (aws/, /aws) when another agent reads it", async () => {
    const original = base.find((r) => r.type === SECRET_ROLE && JSON.stringify(r.props.roleArns).includes("-billing-tools"))!;
    for (const backend of ["aws/", "/aws"]) {
      const copy = { ...original, name: "copy", props: { ...original.props, backend, name: "test.billing.copy" } };
      const resources = withPolicy([...base, copy], "-search-execution", 'path "aws/sts/test.billing.copy" {\n  capabilities = ["read"]\n}');
      expect(await rulesFor(resources), backend).toContain("separation/cross-agent-grant");
    }
  });

  it("refuses a tool role without its environment tag (the TagSession environment could not be compared)", async () => {
    const resources = base.map((r) => {
      if (!isToolRole(r)) return r;
      const tags = { ...(r.props.tags as Record<string, string>) };
      delete tags.environment;
      return { ...r, props: { ...r.props, tags } };
    });
    expect(await rulesFor(resources)).toContain("trust/tool-role-vault-only");
  });

  it("refuses a tool role trusting an agent role of the stack whose long name was cut and hashed", async () => {
    const longName = "support-assistant-with-a-long-name-abcde";
    const platform = { ...TAGGED, namePrefix: "acmecorpxyz1" };
    const resources = await componentResources({ platform, agents: [agent("billing"), agent(longName)] });
    const hashed = resources.find(
      (r) =>
        r.type === ROLE && (r.props.tags as Record<string, string>).agent === longName && (r.props.tags as Record<string, string>).identity === "execution",
    )!;
    expect(String(hashed.props.name)).not.toMatch(/-execution$/);
    const arn = `arn:aws:iam::111122223333:role/${String(hashed.props.name)}`;
    const edited = resources.map((r) => {
      if (!(r.type === ROLE && String(r.props.name).endsWith("-billing-tools"))) return r;
      const document = JSON.parse(String(r.props.assumeRolePolicy)) as { Statement: Array<Record<string, unknown>> };
      for (const statement of document.Statement) statement.Principal = { AWS: arn };
      return { ...r, props: { ...r.props, assumeRolePolicy: JSON.stringify(document) } };
    });
    expect(await rulesFor(edited)).toContain("trust/tool-role-vault-only");
  });
});
