/** `agent-identity inventory`: one row per identity for the quarterly access review. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runInventory } from "../../cli/inventory-command";
import { parseWithinDays, type InventoryRow } from "../../cli/inventory";
import { csvField, inventoryCsv } from "../../cli/inventory-format";

const DATE = "2026-11-28";
const csvOf = (text: string): Record<string, string>[] => parseCsv(text, { columns: true, record_delimiter: "\r\n", relax_column_count: false });

describe("inventory", () => {
  const json = JSON.parse(runInventory({ stack: "dev", format: "json", date: DATE }).stdout);

  it("has one row per identity with owner, sponsor, tier, expiry and days left", () => {
    const dev = parse(readFileSync("stacks/Pulumi.dev.yaml", "utf8")).config["agent-identity:agents"] as { name: string; owner: string; expires: string }[];
    expect(json.rows).toHaveLength(dev.length * 3);
    const triage = json.rows.filter((r: InventoryRow) => r.agent === "invoice-triage");
    expect(triage.map((r: InventoryRow) => r.identity)).toEqual(["orchestration", "execution", "audit"]);
    expect(triage[1]).toMatchObject({
      owner: "team-payments",
      sponsor: "jane.doe@example.com",
      tier: "batch",
      expires: "2027-06-30",
      daysLeft: 214,
      dataClass: "confidential",
      revocation: "active",
    });
  });

  it("lists the services, resources, Vault paths and TTLs each identity reaches", () => {
    const execution = json.rows.find((r: InventoryRow) => r.agent === "invoice-triage" && r.identity === "execution");
    expect(execution.services).toEqual(["s3"]);
    expect(execution.resources).toEqual(
      expect.arrayContaining(["arn:aws:s3:::acme-invoices-dev/incoming/*", "database connection ledger", "arn:aws:iam::444455556666:role/reports-reader"]),
    );
    expect(execution.vaultPaths).toContain("database/creds/dev.invoice-triage.ledger (read)");
    expect(execution.ttls).toEqual(expect.arrayContaining(["vault token 15m/1h", "database/creds/dev.invoice-triage.ledger 10m/1h"]));
    const orchestration = json.rows.find((r: InventoryRow) => r.agent === "invoice-triage" && r.identity === "orchestration");
    expect(orchestration.services).toEqual(["bedrock"]);
    expect(orchestration.vaultPaths.some((p: string) => p.startsWith("database/"))).toBe(false);
  });

  it("shows revocation state", () => {
    const revoked = json.rows.filter((r: InventoryRow) => r.agent === "legacy-summariser");
    expect(revoked).toHaveLength(3);
    for (const row of revoked) expect(row.revocation).toMatch(/^revoked 2026-11-20T14:05:00Z: INC-2291/);
    // Its Vault roles are gone: no token TTL to review.
    expect(revoked[0].ttls.some((t: string) => t.startsWith("vault token"))).toBe(false);
  });

  it("shows the exceptions in force on the identity they waive, and only there", () => {
    // A read-only pattern: a wildcard reaching writes is never waived (components/rules/waivable.ts).
    const doc = parse(readFileSync("test/fixtures/bad/iam-service-wildcard-s3.yaml", "utf8"));
    doc.config["agent-identity:agents"][0].tools[0].aws[0].actions = ["s3:GetObject*"];
    doc.config["agent-identity:platform"].exceptions = [
      {
        rule: "iam/action-pattern",
        agent: "report-bot",
        identity: "execution",
        reason: "vendor SDK needs s3:GetObject* until v2 ships",
        approvedBy: "security@example.com",
        expires: "2027-01-31",
      },
    ];
    const file = join(mkdtempSync(join(tmpdir(), "inventory-")), "Pulumi.x.yaml");
    writeFileSync(file, stringify(doc));
    const result = runInventory({ stack: "x", config: file, format: "json", date: DATE });
    expect(result.exitCode).toBe(0);
    const rows = JSON.parse(result.stdout).rows as InventoryRow[];
    expect(rows.find((r) => r.identity === "execution")?.waivers).toEqual([
      "iam/action-pattern until 2027-01-31 (security@example.com): vendor SDK needs s3:GetObject* until v2 ships",
    ]);
    expect(rows.filter((r) => r.identity !== "execution").every((r) => r.waivers.length === 0)).toBe(true);
  });

  it("CSV: a CSV parser reads back every row and cell, CRLF line ends", () => {
    const text = runInventory({ stack: "dev", format: "csv", date: DATE }).stdout;
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "").includes("\n")).toBe(false);
    const records = csvOf(text);
    expect(records).toHaveLength(json.rows.length);
    expect(Object.keys(records[0]).slice(0, 3)).toEqual(["owner", "agent", "identity"]);
    const row = json.rows[1] as InventoryRow;
    expect(records[1]).toMatchObject({
      agent: row.agent,
      identity: row.identity,
      days_left: String(row.daysLeft),
      resources: row.resources.join("; "),
      vault_paths: row.vaultPaths.join("; "),
    });
  });

  it("lists each action with its IAM access level, the SQL grants, and per tool what it may do", () => {
    const row = (agent: string, identity: string) => json.rows.find((r: InventoryRow) => r.agent === agent && r.identity === identity) as InventoryRow;
    expect(row("invoice-triage", "orchestration").actions).toEqual(["bedrock:InvokeModel (Read)", "bedrock:InvokeModelWithResponseStream (Read)"]);
    expect(row("invoice-triage", "audit").actions).toEqual(["logs:CreateLogStream (Write)", "logs:PutLogEvents (Write)"]);
    const execution = row("invoice-triage", "execution");
    expect(execution.actions).toEqual(["s3:GetObject (Read)"]);
    // From the creation statements as PostgreSQL's parser reads them.
    expect(execution.sqlGrants).toEqual(["ledger: SELECT on table invoices"]);
    expect(execution.tools).toEqual([
      "read-invoices [confidential]: s3:GetObject (Read) on arn:aws:s3:::acme-invoices-dev/incoming/*",
      "ledger [confidential]: database/creds/dev.invoice-triage.ledger (read): database connection ledger: SELECT on table invoices",
      "payments-api-key [internal]: kv/data/agents/dev/invoice-triage/payments-api-key (read)",
      "reports [internal]: aws/sts/dev.invoice-triage.reports (read): assumes arn:aws:iam::444455556666:role/reports-reader",
    ]);
    expect(row("invoice-triage", "orchestration").tools).toEqual([]);
    const csv = csvOf(runInventory({ stack: "dev", format: "csv", date: DATE }).stdout);
    expect(csv.find((r) => r.agent === "invoice-triage" && r.identity === "execution")).toMatchObject({
      actions: "s3:GetObject (Read)",
      sql_grants: "ledger: SELECT on table invoices",
    });
    expect(runInventory({ stack: "dev", format: "markdown", date: DATE }).stdout).toContain("| actions |");
  });

  it("CSV: quotes, commas and line breaks round-trip (RFC 4180), formulas are neutralised (OWASP)", () => {
    const hostile: InventoryRow = {
      stack: "s",
      agent: 'say "hi", bye',
      identity: "line1\nline2\r\nline3",
      owner: '=HYPERLINK("http://x","y")',
      sponsor: "+1 555",
      tier: "-2+3",
      expires: "@SUM(A1)",
      daysLeft: -3,
      dataClass: "\tcmd",
      serviceAccount: "\rx",
      iamRole: "a,b",
      toolRole: "",
      services: ["s3", "=1"],
      actions: ["=cmd|' /C calc'!A0"],
      resources: [],
      vaultPaths: [],
      sqlGrants: ["@SUM(1)"],
      tools: ["-x"],
      ttls: [],
      waivers: [],
      status: "active",
      revocation: "active",
    };
    const [record] = csvOf(inventoryCsv([hostile]));
    expect(record.agent).toBe('say "hi", bye');
    expect(record.identity).toBe("line1\nline2\r\nline3");
    expect(record.owner).toBe('\'=HYPERLINK("http://x","y")');
    expect(record.sponsor).toBe("'+1 555");
    expect(record.tier).toBe("'-2+3");
    expect(record.expires).toBe("'@SUM(A1)");
    expect(record.data_class).toBe("'\tcmd");
    expect(record.service_account).toBe("'\rx");
    expect(record.iam_role).toBe("a,b");
    expect(record.actions).toBe("'=cmd|' /C calc'!A0");
    expect(record.sql_grants).toBe("'@SUM(1)");
    expect(record.tools).toBe("'-x");
    // A multi-value cell is neutralised as a whole: it starts with "s3", so it stays as is.
    expect(record.services).toBe("s3; =1");
    // A negative whole number is not a formula: it stays a number.
    expect(record.days_left).toBe("-3");
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a"b')).toBe('"a""b"');
  });

  it("--expiring 30d lists what needs renewal (expired and revoked on expiry included, declared revocations excluded), grouped by owner", () => {
    const result = runInventory({ stack: "dev", format: "json", date: "2027-06-10", expiring: "30d" });
    // payout-approver expired on 2027-05-31: it is revoked on expiry, the rest of the stack plans.
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.withinDays).toBe(30);
    expect(out.owners.map((g: { owner: string }) => g.owner)).toEqual(["team-payments", "team-treasury"]);
    const treasury = out.owners[1].rows as InventoryRow[];
    expect(new Set(treasury.map((r) => r.daysLeft))).toEqual(new Set([-10]));
    const all = out.owners.flatMap((g: { rows: InventoryRow[] }) => g.rows) as InventoryRow[];
    expect(all.every((r) => r.daysLeft <= 30 && r.status !== "revoked")).toBe(true);
    expect(new Set(treasury.map((r) => r.status))).toEqual(new Set(["revoked-on-expiry"]));
    const markdown = runInventory({ stack: "dev", format: "markdown", date: "2027-06-10", expiring: "30d" }).stdout;
    expect(markdown.indexOf("## `team-payments`")).toBeLessThan(markdown.indexOf("## `team-treasury`"));
    const csv = csvOf(runInventory({ stack: "dev", format: "csv", date: "2027-06-10", expiring: "30d" }).stdout);
    expect(csv.map((r) => r.owner)).toEqual([...csv.map((r) => r.owner)].sort());
    expect(runInventory({ stack: "dev", format: "markdown", date: DATE, expiring: "30d" }).stdout).toContain("Nothing expires in this window.");
  });

  it("refuses a malformed window or stack file", () => {
    expect(() => parseWithinDays("30")).toThrow(/30d/);
    expect(() => parseWithinDays("1e9d")).toThrow();
    expect(() => parseWithinDays("99999d")).toThrow(/at most/);
    const result = runInventory({ stack: "dev", config: "does/not/exist.yaml", date: DATE });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
  });

  it("Markdown: one table row per identity", () => {
    const text = runInventory({ stack: "dev", date: DATE }).stdout;
    const tableRows = text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| owner") && !l.startsWith("| ---"));
    expect(tableRows).toHaveLength(json.rows.length);
  });
});

describe("inventory Markdown for the renewal issue", () => {
  it("shows an exception reason as a code span: no HTML comment, mention or link, and no sentinel text outside it", () => {
    const dev = readFileSync("stacks/Pulumi.dev.yaml", "utf8");
    const reason = "Nothing expires in this window. <!-- hides the rest --> @acme/all [x](https://evil.example) a|b \\";
    const text = dev
      .replace('expires: "2027-06-30"', 'expires: "2027-01-05"')
      .replace(
        "    ownableRoots:",
        `    exceptions:\n      - { rule: context/data-class-tier, agent: invoice-triage, reason: ${JSON.stringify(reason)}, approvedBy: sec.lead@example.com, expires: "2027-02-01" }\n    ownableRoots:`,
      );
    expect(text).toContain(JSON.stringify(reason));
    const file = join(mkdtempSync(join(tmpdir(), "inventory-md-")), "Pulumi.dev.yaml");
    writeFileSync(file, text);
    const result = runInventory({ stack: "dev", config: file, format: "markdown", date: "2026-12-14", expiring: "30d" });
    expect(result.exitCode, result.stderr).toBe(0);
    const line = result.stdout.split("\n").find((l) => l.includes("hides the rest"))!;
    expect(line).toBeDefined();
    // Every occurrence of the reason sits inside a code span, the pipe cannot split the row.
    const cells = line.split(/(?<!\\)\|/);
    const cell = cells.find((c) => c.includes("hides the rest"))!.trim();
    expect(cell).toMatch(/^`+ ?[^`].*`+$/);
    expect(line.replace(/`[^`]*`/g, "")).not.toMatch(/<!--|@acme|\]\(https|Nothing expires/);
    // The JSON the workflow counts from lists the row.
    const json = JSON.parse(runInventory({ stack: "dev", config: file, format: "json", date: "2026-12-14", expiring: "30d" }).stdout);
    expect(json.owners.flatMap((g: { rows: unknown[] }) => g.rows).length).toBeGreaterThan(0);
  });
});
