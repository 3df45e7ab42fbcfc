/**
 * The cases of issue #10 as pull requests would make them: two declarations that plan cleanly,
 * compiled to plan files, compared by the CLI's `diff --fail-on widen` (exit code and classes).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDiff } from "../../cli/diff-command";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type AgentInput, type PlatformInput } from "../../components/core/schema";
import { PLATFORM, agent } from "../helpers/fixtures";

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "agent-identity-issue-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Side {
  readonly platform?: Partial<PlatformInput>;
  readonly agents?: AgentInput[];
}

const LEDGER = {
  name: "ledger",
  dataClass: "internal" as const,
  database: {
    connection: "ledger",
    creationStatements: ['CREATE ROLE "{{name}}"; GRANT SELECT ON invoices TO "{{name}}";'],
    ttl: "10m",
    revocationStatements: ['DROP ROLE IF EXISTS "{{name}}";'],
  },
};
const ALPHA = agent("alpha", { tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] }, LEDGER] });
const withLedger = (ledger: object) => agent("alpha", { tools: [ALPHA.tools![0], { ...LEDGER, ...ledger }] });
const revoked = (at: string) => ({ ...ALPHA, revoked: { at, reason: "incident INC-1" } });
const EXCEPTION = {
  rule: "iam/resource-wildcard",
  agent: "alpha",
  identity: "execution" as const,
  reason: "legacy bucket layout",
  approvedBy: "sec@example.com",
  expires: "2027-01-31",
};
const SHARE = { name: "rates", resource: "arn:aws:s3:::acme-reference/rates/*", access: [{ name: "read-objects" as const, agents: ["alpha"] }] };
const LIMITS = { requireApproval: true, requirePermissionsBoundary: true, maxDataClass: "confidential" as const };

function planFile(name: string, side: Side): string {
  const platform = { ...PLATFORM, ...side.platform, vault: { ...PLATFORM.vault, ...side.platform?.vault } } as PlatformInput;
  const plan = compileFleet(parseDeclaration({ platform, agents: side.agents ?? [ALPHA] }), "dev");
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
  readonly includes: readonly string[];
  /** No change of these classes may appear. */
  readonly excludes?: readonly ("widens" | "narrows" | "neutral")[];
}

const CASES: Case[] = [
  {
    name: "every Vault role moved to another Kubernetes auth mount",
    base: {},
    head: { platform: { vault: { ...PLATFORM.vault, kubernetesAuthPath: "kubernetes-other" } } },
    exitCode: 1,
    includes: [
      "(platform)/- platform-changed widens",
      "alpha/orchestration vault-binding-changed widens",
      "alpha/execution vault-binding-changed widens",
      "alpha/audit vault-binding-changed widens",
    ],
  },
  {
    name: "database revocation removed",
    base: {},
    head: { agents: [withLedger({ database: { ...LEDGER.database, revocationStatements: undefined } })] },
    exitCode: 1,
    includes: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "database revocation made a no-op",
    base: {},
    head: { agents: [withLedger({ database: { ...LEDGER.database, revocationStatements: ["SELECT 1;"] } })] },
    exitCode: 1,
    includes: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "a tool's data class raised within the agent's ceiling",
    base: {},
    head: { agents: [withLedger({ dataClass: "confidential" })] },
    exitCode: 1,
    includes: ["alpha/- tool-data-class-changed widens"],
  },
  { name: "an exception added", base: {}, head: { platform: { exceptions: [EXCEPTION] } }, exitCode: 1, includes: ["(platform)/- exception-added widens"] },
  {
    name: "an exception extended",
    base: { platform: { exceptions: [EXCEPTION] } },
    head: { platform: { exceptions: [{ ...EXCEPTION, expires: "2027-02-27" }] } },
    exitCode: 1,
    includes: ["(platform)/- exception-changed widens"],
  },
  {
    name: "an exception widened to every identity",
    base: { platform: { exceptions: [EXCEPTION] } },
    head: {
      platform: {
        exceptions: [{ rule: EXCEPTION.rule, agent: "alpha", reason: EXCEPTION.reason, approvedBy: EXCEPTION.approvedBy, expires: EXCEPTION.expires }],
      },
    },
    exitCode: 1,
    includes: ["(platform)/- exception-changed widens"],
  },
  {
    name: "an exception moved to another rule",
    base: { platform: { exceptions: [EXCEPTION] } },
    head: { platform: { exceptions: [{ ...EXCEPTION, rule: "iam/action-wildcard" }] } },
    exitCode: 1,
    includes: ["(platform)/- exception-added widens", "(platform)/- exception-removed narrows"],
  },
  {
    name: "limits loosened (approval, boundary, data class)",
    base: { platform: { limits: LIMITS } },
    head: { platform: { limits: { requireApproval: false, maxDataClass: "restricted" } } },
    exitCode: 1,
    includes: ["(platform)/- limit-changed widens"],
  },
  { name: "limits removed", base: { platform: { limits: LIMITS } }, head: {}, exitCode: 1, includes: ["(platform)/- limit-changed widens"] },
  {
    name: "a reader added to a platform share",
    base: { platform: { shared: [SHARE] } },
    head: { platform: { shared: [{ ...SHARE, access: [{ name: "read-objects" as const, agents: ["alpha", "beta"] }] }] } },
    exitCode: 1,
    includes: ["(platform)/- attribute-changed widens"],
  },
  {
    name: "a platform share removed",
    base: { platform: { shared: [SHARE] } },
    head: {},
    exitCode: 0,
    includes: ["(platform)/- attribute-changed narrows"],
    excludes: ["widens"],
  },
  {
    name: "a resource added to an agent's owns",
    base: {},
    head: { agents: [{ ...ALPHA, owns: [...ALPHA.owns!, "arn:aws:s3:::acme-data/alpha-extra/*"] }] },
    exitCode: 1,
    includes: ["alpha/- attribute-changed widens"],
  },
  {
    name: "the same revocation instant with an offset and milliseconds",
    base: { agents: [revoked("2026-11-28T09:30:00Z")] },
    head: { agents: [revoked("2026-11-28T10:30:00.000+01:00")] },
    exitCode: 0,
    includes: [],
    excludes: ["widens", "narrows"],
  },
  {
    name: "a later revocation time",
    base: { agents: [revoked("2026-11-28T09:30:00Z")] },
    head: { agents: [revoked("2026-12-01T00:00:00Z")] },
    exitCode: 0,
    includes: ["alpha/- agent-revoked narrows"],
    excludes: ["widens"],
  },
  {
    name: "a new grant covered by an existing grant of the same identity",
    base: { agents: [agent("alpha", { tools: [{ name: "read-data", aws: [{ actions: ["s3:Get*"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] }] })] },
    head: {
      agents: [
        agent("alpha", {
          tools: [
            { name: "read-data", aws: [{ actions: ["s3:Get*"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] },
            { name: "reports", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/alpha/reports/*"] }] },
          ],
        }),
      ],
    },
    exitCode: 0,
    includes: ["alpha/execution permission-added neutral"],
    excludes: ["widens"],
  },
];

const linesOf = (diff: { platform: Change[]; changes: Change[] }) =>
  [...diff.platform, ...diff.changes].map((c) => `${c.agent}/${c.identity ?? "-"} ${c.kind} ${c.classification}`);
type Change = { agent: string; identity: string | null; kind: string; classification: string };

describe("issue #10: each case through `diff --fail-on widen`", () => {
  it.each(CASES)("$name", async ({ name, base, head, exitCode, includes, excludes }) => {
    const slug = name.replace(/[^a-z0-9]+/gi, "-");
    const [b, h] = [planFile(`${slug}-base`, base), planFile(`${slug}-head`, head)];
    const result = await runDiff({ base: b, head: h, stack: "dev", cwd: dir, failOn: "widen", format: "json" });
    const lines = linesOf(JSON.parse(result.stdout));
    expect(result.exitCode, lines.join("\n")).toBe(exitCode);
    for (const line of includes) expect(lines).toContain(line);
    for (const cls of excludes ?? []) expect(lines.filter((l) => l.endsWith(` ${cls}`))).toEqual([]);
  });

  it("gives the same answer from the installed command line", () => {
    const bin = resolve("bin/agent-identity.js");
    const [b, h] = [planFile("bin-base", {}), planFile("bin-head", { platform: { vault: { ...PLATFORM.vault, kubernetesAuthPath: "kubernetes-other" } } })];
    const result = spawnSync("node", [bin, "diff", b, h, "--fail-on", "widen"], { cwd: dir, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("PLATFORM");
    expect(result.stdout).toContain("platform.vault.kubernetesAuthPath".replace("platform.", ""));
  });
});
