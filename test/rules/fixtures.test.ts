/**
 * The corpus of bad declarations: each file makes one mistake and names the rule it must trip
 * (`# expect: <rule-id>`). Every file goes through the real `plan` command.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlan } from "../../cli/plan-command";
import { ALL_RULES } from "../../components/rules";

const DIR = "test/fixtures/bad";
const DATE = "2026-11-28";
const files = readdirSync(DIR)
  .filter((file) => file.endsWith(".yaml"))
  .map((file) => ({ file: join(DIR, file), text: readFileSync(join(DIR, file), "utf8") }));
const fixtures = files
  .filter(({ text }) => !text.startsWith("# expect-schema: "))
  .map(({ file, text }) => ({ file, expect: /^# expect: (\S+)/.exec(text)?.[1] }));
/** Declarations the schema refuses (exit 2): `# expect-schema: <config path>: <start of the reason>`. */
const schemaFixtures = files
  .filter(({ text }) => text.startsWith("# expect-schema: "))
  .map(({ file, text }) => ({ file, expect: /^# expect-schema: (.+)$/m.exec(text)![1] }));

describe("bad declarations", () => {
  it("has at least 40 fixtures, each naming a registered rule", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    const ids = new Set(ALL_RULES.map((rule) => rule.id));
    for (const fixture of fixtures) expect(ids.has(fixture.expect ?? ""), `${fixture.file}: ${fixture.expect}`).toBe(true);
  });

  it("covers every rule family a declaration can reach", () => {
    const families = new Set(fixtures.map((fixture) => fixture.expect!.split("/")[0]));
    // trust/* is out of a declaration's reach: the compiler writes every trust policy, and the schema
    // refuses the providers that could make one wrong (platform-oidc-*). The pack tests cover trust.
    expect([...families].sort()).toEqual(["context", "database", "iam", "kubernetes", "lifecycle", "limits", "separation", "stack", "vault"]);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file} fails plan with ${fixture.expect}`, () => {
      const result = runPlan({ stack: "fixture", config: fixture.file, date: DATE });
      expect(result.exitCode, result.stderr || result.stdout).toBe(1);
      const lines = result.stderr.split("\n").filter((line) => line.startsWith("  "));
      // Every line names agent/identity, the rule, what is wrong and the fix.
      for (const line of lines) expect(line).toMatch(/^ {2}[a-z0-9-]+\/(orchestration|execution|audit|\*): [a-z]+\/[a-z-]+: .+ — .+$/);
      expect(lines.some((line) => line.includes(`: ${fixture.expect}: `))).toBe(true);
    });
  }
});

describe("declarations the schema refuses", () => {
  it("covers every platform field class", () => {
    const fields = new Set(schemaFixtures.map((fixture) => fixture.expect.split(":")[1].split(" ")[0]));
    for (const field of [
      "platform.vault.audience",
      "platform.vault.kvMount",
      "platform.vault.kubernetesAuthPath",
      "platform.aws.oidcProviderArn",
      "platform.aws.partition",
      "platform.aws.permissionsBoundaryArn",
    ]) {
      expect(fields.has(field), field).toBe(true);
    }
  });

  for (const fixture of schemaFixtures) {
    it(`${fixture.file} exits 2: ${fixture.expect}`, () => {
      const result = runPlan({ stack: "fixture", config: fixture.file, date: DATE });
      expect(result.exitCode, result.stderr || result.stdout).toBe(2);
      // file:line: config path: reason — and exactly the reason stated, once.
      const lines = result.stderr.split("\n").filter((line) => line.includes(`: ${fixture.expect}`));
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^ {2}${fixture.file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: `));
    });
  }
});

describe("good stacks", () => {
  for (const stack of readdirSync("stacks").filter((file) => /^Pulumi\..+\.yaml$/.test(file))) {
    it(`stacks/${stack} plans with exit 0 and no warnings`, () => {
      const result = runPlan({ stack: stack.split(".")[1], date: DATE, format: "json" });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(JSON.parse(result.stdout).warnings).toEqual([]);
    });
  }
});
