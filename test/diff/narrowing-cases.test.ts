/**
 * Changes that narrow privilege (or do not change it) are never reported as widening, and the
 * widenings a reviewer must see are: each case plans two declarations, compares them through
 * `diff --fail-on widen` and checks the exit code and the classes of the changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDiff } from "../../cli/diff-command";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type AgentInput, type PlatformInput } from "../../components/core/schema";
import { PLATFORM, agent } from "../helpers/fixtures";

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "agent-identity-narrowing-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Side {
  readonly platform?: Partial<PlatformInput>;
  readonly agents: AgentInput[];
}

const ENGINE = "arn:aws:iam::111122223333:role/vault-aws-engine";
const TAGGED = { toolSessions: "tagged-sessions" as const, vault: { ...PLATFORM.vault, awsEngineRoleArn: ENGINE } };
const OIDC = (id: string) => `arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${id}`;
const CLUSTERS: Partial<PlatformInput> = {
  aws: { ...PLATFORM.aws, oidcProviderArn: undefined },
  vault: { ...PLATFORM.vault, kubernetesAuthPath: undefined },
  clusters: [
    {
      name: "blue",
      region: "us-east-1",
      binding: "irsa",
      oidcProviderArn: OIDC("0123456789ABCDEF0123456789ABCDE1"),
      vaultAuthPath: "kubernetes-blue",
      computeType: "ec2",
    },
    {
      name: "green",
      region: "us-east-1",
      binding: "irsa",
      oidcProviderArn: OIDC("0123456789ABCDEF0123456789ABCDE2"),
      vaultAuthPath: "kubernetes-green",
      computeType: "ec2",
    },
  ],
} as Partial<PlatformInput>;

const READ = { name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] };
const db = (creation: string[], extra: object = {}) =>
  agent("alpha", {
    tools: [
      READ,
      {
        name: "ledger",
        database: { connection: "main", creationStatements: creation, ttl: "10m", revocationStatements: ['DROP ROLE IF EXISTS "{{name}}";'] },
        ...extra,
      },
    ],
  });
const CREATE = "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';";
const SHARE = { name: "rates", resource: "arn:aws:s3:::acme-reference/rates/*", read: ["alpha", "beta"], write: [] };
const EXCEPTION = { rule: "iam/resource-wildcard", agent: "alpha", reason: "legacy layout", approvedBy: "sec@example.com", expires: "2027-01-31" };

function planFile(name: string, side: Side): string {
  const platform = { ...PLATFORM, ...side.platform } as PlatformInput;
  const plan = compileFleet(parseDeclaration({ platform, agents: side.agents }), "dev");
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(plan));
  return path;
}

interface Case {
  readonly name: string;
  readonly base: Side;
  readonly head: Side;
  readonly exitCode: 0 | 1;
  /** `agent/identity kind classification` lines that must be present. */
  readonly includes?: readonly string[];
}

const ALPHA = agent("alpha", { tools: [READ] });
const BETA = agent("beta");

const NARROWINGS: Case[] = [
  {
    name: "a narrower owns prefix",
    base: { agents: [agent("alpha", { owns: ["arn:aws:s3:::acme-data/alpha/*"] })] },
    head: {
      agents: [
        agent("alpha", {
          owns: ["arn:aws:s3:::acme-data/alpha/in/*"],
          tools: [{ ...READ, aws: [{ ...READ.aws[0], resources: ["arn:aws:s3:::acme-data/alpha/in/*"] }] }],
        }),
      ],
    },
    exitCode: 0,
    includes: ["alpha/- attribute-changed narrows"],
  },
  {
    name: "a share renamed",
    base: { platform: { shared: [SHARE] }, agents: [ALPHA, BETA] },
    head: { platform: { shared: [{ ...SHARE, name: "fx-rates" }] }, agents: [ALPHA, BETA] },
    exitCode: 0,
  },
  {
    name: "a share narrowed (a reader and a narrower resource)",
    base: { platform: { shared: [SHARE] }, agents: [ALPHA, BETA] },
    head: { platform: { shared: [{ ...SHARE, resource: "arn:aws:s3:::acme-reference/rates/eur/*", read: ["alpha"] }] }, agents: [ALPHA, BETA] },
    exitCode: 0,
    includes: ["(platform)/- attribute-changed narrows"],
  },
  {
    name: "an exception narrowed from every identity to one",
    base: { platform: { exceptions: [EXCEPTION] }, agents: [ALPHA] },
    head: { platform: { exceptions: [{ ...EXCEPTION, identity: "execution" }] }, agents: [ALPHA] },
    exitCode: 0,
    includes: ["(platform)/- exception-changed narrows"],
  },
  {
    name: "a permissions boundary added",
    base: { platform: { aws: { ...PLATFORM.aws, permissionsBoundaryArn: undefined } }, agents: [ALPHA] },
    head: { agents: [ALPHA] },
    exitCode: 0,
    includes: ["alpha/execution permissions-boundary-changed narrows"],
  },
  {
    name: "CONNECTION LIMIT added",
    base: { agents: [db([CREATE, 'GRANT SELECT ON invoices TO "{{name}}";'])] },
    head: { agents: [db([CREATE.replace("WITH LOGIN", "WITH LOGIN CONNECTION LIMIT 2"), 'GRANT SELECT ON invoices TO "{{name}}";'])] },
    exitCode: 0,
    includes: ["alpha/execution secret-role-changed narrows"],
  },
  {
    name: "table SELECT narrowed to columns",
    base: { agents: [db([CREATE, 'GRANT SELECT ON invoices TO "{{name}}";'])] },
    head: { agents: [db([CREATE, 'GRANT SELECT (id, amount) ON invoices TO "{{name}}";'])] },
    exitCode: 0,
    includes: ["alpha/execution secret-role-changed narrows"],
  },
  {
    name: "two GRANTs merged into one",
    base: { agents: [db([CREATE, 'GRANT SELECT ON invoices TO "{{name}}";', 'GRANT SELECT ON payments TO "{{name}}";'])] },
    head: { agents: [db([CREATE, 'GRANT SELECT ON invoices, payments TO "{{name}}";'])] },
    exitCode: 0,
  },
  {
    name: "an external id added",
    base: { platform: TAGGED, agents: [ALPHA] },
    head: { platform: TAGGED, agents: [agent("alpha", { tools: [{ ...READ, session: { ttl: "15m", externalId: "ext-1234" } }] })] },
    exitCode: 0,
  },
  {
    name: "a tool's data class lowered",
    base: { agents: [agent("alpha", { maxDataClass: "confidential", tools: [{ ...READ, dataClass: "confidential" }] })] },
    head: { agents: [agent("alpha", { maxDataClass: "confidential", tools: [{ ...READ, dataClass: "internal" }] })] },
    exitCode: 0,
    includes: ["alpha/- tool-data-class-changed narrows"],
  },
  {
    name: "an agent leaving a cluster",
    base: { platform: CLUSTERS, agents: [ALPHA] },
    head: { platform: CLUSTERS, agents: [agent("alpha", { tools: [READ], clusters: ["blue"] })] },
    exitCode: 0,
  },
  {
    name: "a reordered list (actions, resources, tools, owns)",
    base: {
      agents: [
        agent("alpha", {
          owns: ["arn:aws:s3:::acme-data/alpha/*", "arn:aws:s3:::acme-data/alpha2/*"],
          tools: [
            READ,
            {
              name: "list",
              aws: [{ actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: ["arn:aws:s3:::acme-data/alpha2/*", "arn:aws:s3:::acme-data/alpha/*"] }],
            },
          ],
        }),
      ],
    },
    head: {
      agents: [
        agent("alpha", {
          owns: ["arn:aws:s3:::acme-data/alpha2/*", "arn:aws:s3:::acme-data/alpha/*"],
          tools: [
            {
              name: "list",
              aws: [{ actions: ["s3:GetBucketLocation", "s3:ListBucket"], resources: ["arn:aws:s3:::acme-data/alpha/*", "arn:aws:s3:::acme-data/alpha2/*"] }],
            },
            READ,
          ],
        }),
      ],
    },
    exitCode: 0,
  },
];

const WIDENINGS: Case[] = [
  {
    name: "audit retention cut from 731 to 400 days",
    base: { agents: [agent("alpha", { audit: { logRetentionDays: 731, deletionProtection: true } })] },
    head: { agents: [agent("alpha", { audit: { logRetentionDays: 400, deletionProtection: true } })] },
    exitCode: 1,
    includes: ["alpha/- audit-retention-changed widens"],
  },
  {
    name: "a tool renamed while its data class is raised",
    base: { agents: [agent("alpha", { maxDataClass: "confidential", tools: [READ] })] },
    head: { agents: [agent("alpha", { maxDataClass: "confidential", tools: [{ ...READ, name: "read-records", dataClass: "confidential" }] })] },
    exitCode: 1,
    includes: ["alpha/- tool-data-class-changed widens"],
  },
  {
    name: "a grant moved from an internal tool into a confidential one",
    base: {
      agents: [
        agent("alpha", {
          maxDataClass: "confidential",
          tools: [
            { name: "a", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] },
            { name: "b", dataClass: "confidential", aws: [{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::acme-data/alpha/out/*"] }] },
          ],
        }),
      ],
    },
    head: {
      agents: [
        agent("alpha", {
          maxDataClass: "confidential",
          tools: [
            { name: "b", dataClass: "confidential", aws: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] },
          ],
        }),
      ],
    },
    exitCode: 1,
    includes: ["alpha/- tool-data-class-changed widens"],
  },
  {
    name: "a new tool at a higher class",
    base: { agents: [agent("alpha", { maxDataClass: "confidential", tools: [READ] })] },
    head: {
      agents: [
        agent("alpha", {
          maxDataClass: "confidential",
          tools: [
            READ,
            { name: "secret-read", dataClass: "confidential", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] },
          ],
        }),
      ],
    },
    exitCode: 1,
    includes: ["alpha/- tool-data-class-changed widens"],
  },
];

const linesOf = (diff: { platform: Change[]; changes: Change[] }) =>
  [...diff.platform, ...diff.changes].map((c) => `${c.agent}/${c.identity ?? "-"} ${c.kind} ${c.classification}`);
type Change = { agent: string; identity: string | null; kind: string; classification: string };

async function check({ name, base, head, exitCode, includes }: Case): Promise<void> {
  const slug = name.replace(/[^a-z0-9]+/gi, "-");
  const [b, h] = [planFile(`${slug}-base`, base), planFile(`${slug}-head`, head)];
  const result = await runDiff({ base: b, head: h, stack: "dev", cwd: dir, failOn: "widen", format: "json" });
  expect(result.stderr.startsWith("diff failed"), result.stderr).toBe(false);
  const lines = linesOf(JSON.parse(result.stdout));
  expect(result.exitCode, lines.join("\n")).toBe(exitCode);
  for (const line of includes ?? []) expect(lines, lines.join("\n")).toContain(line);
  if (exitCode === 0) expect(lines.filter((l) => l.endsWith(" widens"))).toEqual([]);
}

describe("narrowings are narrowing or neutral", () => {
  it.each(NARROWINGS)("$name", check);
});

describe("widenings by content, not by name", () => {
  it.each(WIDENINGS)("$name", check);
});

describe("a new grant hidden behind a long SQL comment", () => {
  it("is named in the change's notes, which no cell cut reaches", async () => {
    const comment = `/* ${"x".repeat(3_000)} */`;
    const base = planFile("sql-comment-base", { agents: [db([CREATE, 'GRANT SELECT ON invoices TO "{{name}}";'])] });
    const head = planFile("sql-comment-head", { agents: [db([CREATE, `${comment} GRANT SELECT, UPDATE ON invoices TO "{{name}}";`])] });
    const result = await runDiff({ base, head, stack: "dev", cwd: dir, failOn: "widen", format: "markdown" });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("gains UPDATE on table object invoices");
  });
});

describe("a share change", () => {
  it("renders the share's fields in text, Markdown and JSON, never [object Object]", async () => {
    const base = planFile("share-render-base", { platform: { shared: [{ ...SHARE, read: ["alpha"] }] }, agents: [ALPHA, BETA] });
    const head = planFile("share-render-head", { platform: { shared: [SHARE] }, agents: [ALPHA, BETA] });
    for (const format of ["text", "markdown", "json"] as const) {
      const result = await runDiff({ base, head, stack: "dev", cwd: dir, format });
      expect(result.stdout).not.toContain("[object Object]");
      expect(result.stdout).toContain("rates: resource arn:aws:s3:::acme-reference/rates/*; read alpha, beta");
    }
  });
});
