/**
 * What an agent can hold whatever its plan records say: each case changes one property of the
 * components' own resources for stacks/Pulumi.dev.yaml and rewrites the identities' role-plan and
 * vault-plan records to match (`replanned`, a program forging records with resources), so
 * iam/agent-role-as-planned and vault/agent-resources-as-planned see nothing, and the record-free
 * invariants must refuse the change on their own (attack round 6 ids in each name).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AGENT_ROLE_TAG_KEYS, compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import { TOOL_ROLE_TAG } from "../../components/core/tool-sessions";
import { identityRoles } from "../../components/core/identity-roles";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { runPack, ruleIds, type Resource } from "../helpers/policy-args";
import { replanned } from "../helpers/replan";

const ACC = "111122223333";
const SA = "platform-invoice-triage-execution-service-account";
const ROLE = "platform-invoice-triage-execution-role";
const POLICY = "platform-invoice-triage-execution-agent-identity-execution";
const VAULT_POLICY = "platform-invoice-triage-execution-vault-policy";
const AWS_SECRET = "platform-invoice-triage-execution-secret-reports";
const DB_SECRET = "platform-invoice-triage-execution-secret-ledger";
const AS_PLANNED = ["iam/agent-role-as-planned", "vault/agent-resources-as-planned"];

type Props = Record<string, unknown>;
const change = (name: string, edit: (props: Props) => void) => (resources: readonly Resource[]) =>
  resources.map((r) => {
    if (r.name !== name) return r;
    const props = structuredClone(r.props) as Props;
    edit(props);
    return { ...r, props };
  });
const addStatement = (statement: object) =>
  change(POLICY, (p) => {
    const document = JSON.parse(p.policy as string) as { Statement: object[] };
    document.Statement.push(statement);
    p.policy = JSON.stringify(document);
  });
const regionAccount = (key: string) => ({ StringEquals: { "aws:RequestedRegion": "us-east-1", [key]: ACC } });

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});

describe("pack: agent invariants that read no plan record", () => {
  it("reports nothing for the components' own resources, and nothing after replanning them unchanged", async () => {
    expect(await runPack(base)).toEqual([]);
    expect(await runPack(replanned(base))).toEqual([]);
  });

  const refused: Array<{ name: string; rule: string; edit: (resources: readonly Resource[]) => Resource[]; config?: object }> = [
    {
      name: "vpForgeKvPlatform: the execution policy also reads kv/data/platform/db-root",
      rule: "vault/agent-path-derivable",
      edit: change(VAULT_POLICY, (p) => {
        p.policy = `${p.policy as string}\npath "kv/data/platform/db-root" {\n  capabilities = ["read"]\n}\n`;
      }),
    },
    {
      name: "the execution policy reads another environment's subtree of the same agent",
      rule: "vault/agent-path-derivable",
      edit: change(VAULT_POLICY, (p) => {
        p.policy = (p.policy as string).replace("kv/data/agents/dev/invoice-triage/", "kv/data/agents/prod/invoice-triage/");
      }),
    },
    {
      name: "the execution policy reads its own subtree by a glob",
      rule: "vault/agent-path-derivable",
      edit: change(VAULT_POLICY, (p) => {
        p.policy = (p.policy as string).replace("kv/data/agents/dev/invoice-triage/payments-api-key", "kv/data/agents/dev/invoice-triage/*");
      }),
    },
    {
      name: "vpForgeAwsRoleAdmin: the vaultAws secret role assumes role/platform-admin of the agents' account",
      rule: "vault/agent-secret-role-derivable",
      edit: change(AWS_SECRET, (p) => {
        p.roleArns = [`arn:aws:iam::${ACC}:role/platform-admin`];
      }),
    },
    {
      name: "the vaultAws secret role assumes a platform role this stack creates (by a path in another account's ARN)",
      rule: "vault/agent-secret-role-derivable",
      edit: (resources) => [
        ...change(AWS_SECRET, (p) => {
          p.roleArns = ["arn:aws:iam::999988887777:role/ops/platform-ops"];
        })(resources),
        {
          type: "aws:iam/role:Role",
          name: "platform-ops",
          props: { name: "platform-ops", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) },
        },
      ],
    },
    {
      name: "the vaultAws secret role assumes a role this stack creates for another agent (its tool role, in another account's ARN)",
      rule: "vault/agent-secret-role-derivable",
      edit: (resources) => [
        ...change(AWS_SECRET, (p) => {
          p.roleArns = ["arn:aws:iam::999988887777:role/acme-dev-payout-approver-tools"];
        })(resources),
        {
          type: "aws:iam/role:Role",
          name: "payout-approver-tools",
          props: {
            name: "acme-dev-payout-approver-tools",
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
            tags: { agent: "payout-approver", [TOOL_ROLE_TAG.key]: TOOL_ROLE_TAG.value },
          },
        },
      ],
    },
    {
      name: "the ledger database role moves to payout-approver's treasury connection",
      rule: "vault/agent-secret-role-derivable",
      edit: change(DB_SECRET, (p) => {
        p.dbName = "treasury";
      }),
    },
    {
      name: "rpForgeSecrets: the execution role reads secret platform/db-root",
      rule: "iam/agent-grant-owned",
      edit: addStatement({
        Sid: "X",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [`arn:aws:secretsmanager:us-east-1:${ACC}:secret:platform/db-root-*`],
        Condition: regionAccount("aws:ResourceAccount"),
      }),
    },
    {
      name: "rpForgeSsm: the execution role reads SSM /platform/*",
      rule: "iam/agent-grant-owned",
      edit: addStatement({
        Sid: "X",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: [`arn:aws:ssm:us-east-1:${ACC}:parameter/platform/*`],
        Condition: regionAccount("aws:ResourceAccount"),
      }),
    },
    {
      name: "rpForgePlatformBucket: the execution role reads a platform bucket",
      rule: "iam/agent-grant-owned",
      edit: addStatement({
        Sid: "X",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::acme-finance-exports/*"],
        Condition: regionAccount("s3:ResourceAccount"),
      }),
    },
    {
      name: "rpForgeBoundaryNone: the execution role's permissions boundary is removed",
      rule: "iam/permissions-boundary-policy",
      edit: change(ROLE, (p) => {
        delete p.permissionsBoundary;
      }),
    },
    {
      name: "rpForgeMaxSession: the execution role's sessions last 12 hours",
      rule: "limits/session-duration",
      edit: change(ROLE, (p) => {
        p.maxSessionDuration = 43200;
      }),
    },
    {
      name: "rpForgeTagAbac: the execution role carries an ABAC tag the components never set",
      rule: "iam/agent-role-tags",
      edit: change(ROLE, (p) => {
        p.tags = { ...(p.tags as Props), team: "platform" };
      }),
    },
  ];

  for (const { name, rule, edit } of refused)
    it(`refuses, with records forged along: ${name}`, async () => {
      const forged = replanned(edit(base));
      const rules = ruleIds(await runPack(forged));
      expect(rules).toContain(rule);
      // The records were forged consistently: the as-planned rules alone would let it through.
      for (const asPlanned of AS_PLANNED) expect(rules).not.toContain(asPlanned);
    });

  it("a share the security team declares in the pack configuration covers the path, role or resource (and only for that agent)", async () => {
    const forged = replanned(refused[0].edit(base));
    const share = (principal: string) => ({
      shares: [{ name: "db-root", principal, resources: ["kv/data/platform/db-root"], reason: "the break-glass reader of the root secret" }],
    });
    expect(ruleIds(await runPack(forged, undefined, share("agent:invoice-triage/execution")))).not.toContain("vault/agent-path-derivable");
    expect(ruleIds(await runPack(forged, undefined, share("agent:payout-approver/execution")))).toContain("vault/agent-path-derivable");
  });

  it("vpForgeDbFinanceConn is not closed without a record: the revoked agent's connection is on no resource (README)", async () => {
    const forged = replanned(change(DB_SECRET, (p) => (p.dbName = "finance"))(base));
    // Documented limit: no record-free invariant sees that finance was legacy-summariser's (revoked, so it holds no database role).
    expect(ruleIds(await runPack(forged))).not.toContain("vault/agent-secret-role-derivable");
  });

  it("vpDropBothOrchFinanceDb: records and the components' label dropped, the role moved to finance: refused as a stripped identity", async () => {
    const dropped = change(SA, (p) => {
      const metadata = p.metadata as { labels: Props; annotations: Props };
      delete metadata.annotations["agent-identity.io/vault-plan"];
      delete metadata.annotations["agent-identity.io/role-plan"];
      delete metadata.labels["app.kubernetes.io/managed-by"];
    })(change(DB_SECRET, (p) => (p.dbName = "finance"))(base));
    expect(ruleIds(await runPack(dropped))).toContain("iam/agent-role-as-planned");
  });
});

describe("the components' role tags are the closed set the pack allows", () => {
  it("every role compile plans for the repo's stacks carries only AGENT_ROLE_TAG_KEYS (a tool role also its role tag)", () => {
    const keys = new Set<string>();
    for (const stack of ["dev", "prod", "sandbox"]) {
      const plan = compileFleet(parseDeclaration(stackDeclaration(stack)), stack, new Date("2026-12-07"));
      for (const agent of plan.agents)
        for (const identity of agent.identities) for (const role of identityRoles(identity)) for (const key of Object.keys(role.tags)) keys.add(key);
    }
    expect([...keys].filter((key) => !(AGENT_ROLE_TAG_KEYS as readonly string[]).includes(key) && key !== TOOL_ROLE_TAG.key)).toEqual([]);
    expect(keys.has(TOOL_ROLE_TAG.key)).toBe(true);
  });
});
