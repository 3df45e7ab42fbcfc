/**
 * What a stack file may hold besides the agent-identity keys, read once (cli/stack-file.ts,
 * components/core/stack-config.ts) by plan, diff, inventory and check --all:
 * - only the top-level keys Pulumi's ProjectStack reads; a key Pulumi ignores (`"config vault:address"`)
 *   could pose as a setting in the diff, so it is refused;
 * - one spelling per config key in every namespace: `aws:region` and `aws:config:region` are one key
 *   to Pulumi, which keeps a random one of the two.
 * Each refusal is exit 2 naming the file, the line and the key.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../cli/check-command";
import { runDiff } from "../../cli/diff-command";
import { runInventory } from "../../cli/inventory-command";
import { runPlan } from "../../cli/plan-command";
import { parseStackFile, StackFileError } from "../../cli/stack-file";
import { readAgentIdentityKeys, shownKey, STACK_FILE_KEYS } from "../../components/core/stack-config";

const DEV = readFileSync("stacks/Pulumi.dev.yaml", "utf8");
const DATE = "2026-11-28";
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((line) => line.startsWith(needle)) + 1;

/** A git repository whose main holds the dev stack, and `head` the stack as `text`. */
function repository(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "stack-file-keys-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "test");
  git("config", "commit.gpgsign", "false");
  writeFileSync(join(dir, "Pulumi.yaml"), "name: acme-agents\nruntime: nodejs\nstackConfigDir: stacks\n");
  mkdirSync(join(dir, "stacks"));
  writeFileSync(join(dir, "stacks/Pulumi.dev.yaml"), DEV);
  git("add", "-A");
  git("commit", "-qm", "base");
  git("checkout", "-qb", "head");
  writeFileSync(join(dir, "stacks/Pulumi.dev.yaml"), text);
  git("commit", "-qam", "head");
  return dir;
}

/** Every reader's verdict on `text` as the dev stack file: exit code and error text. */
async function verdicts(text: string): Promise<Record<string, { exitCode: number; stderr: string }>> {
  const dir = repository(text);
  const file = join(dir, "stacks/Pulumi.dev.yaml");
  const plan = runPlan({ stack: "dev", config: file, date: DATE });
  const inventory = runInventory({ stack: "dev", config: file, date: DATE });
  const diff = await runDiff({ baseRev: "main", headRev: "head", stack: "dev", cwd: dir, failOn: "widen" });
  const check = await runCheck({ all: true, project: dir, date: DATE });
  return {
    plan: { exitCode: plan.exitCode, stderr: plan.stderr },
    inventory: { exitCode: inventory.exitCode, stderr: inventory.stderr },
    diff: { exitCode: diff.exitCode, stderr: diff.stderr },
    "check --all": { exitCode: check.exitCode, stderr: check.stderr },
  };
}

describe("top-level keys of a stack file", () => {
  it("are Pulumi's ProjectStack keys", () => {
    expect([...STACK_FILE_KEYS].sort()).toEqual(["config", "encryptedkey", "encryptionsalt", "environment", "mainEnvironment", "secretsprovider"]);
  });

  it("a decoy named like a config setting is refused by plan, diff, inventory and check --all (exit 2, file, line, key)", async () => {
    // The head moves aws:region and keeps the old value under a top-level key Pulumi ignores.
    const text = `${DEV.replace(/^ {2}aws:region: us-east-1$/m, "  aws:region: eu-west-1")}"config aws:region": us-east-1\n`;
    const line = lineOf(text, '"config aws:region"');
    for (const [reader, verdict] of Object.entries(await verdicts(text))) {
      expect(verdict.exitCode, reader).toBe(2);
      expect(verdict.stderr, reader).toMatch(
        new RegExp(`Pulumi\\.dev\\.yaml[^\\n]*:${line}: "config aws:region": not a key Pulumi reads at the top of a stack file`),
      );
    }
  });

  it("accepts secretsprovider and encryptionsalt, and refuses a mis-cased one (go-yaml matches tags exactly)", () => {
    expect(() => parseStackFile(`secretsprovider: passphrase\nencryptionsalt: v1:abc\n${DEV}`, "f.yaml")).not.toThrow();
    expect(() => parseStackFile(`SecretsProvider: awskms://x\n${DEV}`, "f.yaml")).toThrow(/f\.yaml:1: SecretsProvider: not a key Pulumi reads/);
  });

  it("refuses mainEnvironment as it refuses environment (ESC config plan cannot see)", () => {
    expect(() => parseStackFile(`${DEV}mainEnvironment: payments/dev\n`, "f.yaml")).toThrow(/mainEnvironment: a Pulumi ESC environment is imported/);
  });
});

describe("both spellings of one config key, in any namespace", () => {
  const cases = [
    ["aws:config:region", "aws:region"],
    ["vault:config:address", "vault:address"],
    ["kubernetes:config:context", "kubernetes:context"],
  ] as const;

  it.each(cases)("%s next to %s is refused by plan, diff, inventory and check --all, naming both lines", async (old, current) => {
    const currentWritten = new RegExp(`^ {2}${current}:`, "m").test(DEV);
    const text = DEV.replace(/^config:$/m, `config:\n  ${old}: https://attacker.example${currentWritten ? "" : `\n  ${current}: https://real.example`}`);
    expect(text).not.toBe(DEV);
    const [first, second] = [lineOf(text, `  ${old}:`), lineOf(text, `  ${current}:`)];
    for (const [reader, verdict] of Object.entries(await verdicts(text))) {
      expect(verdict.exitCode, reader).toBe(2);
      expect(verdict.stderr, reader).toContain(`:${second}: ${current}: ${current} is written twice, as ${old} and ${current}`);
      expect(verdict.stderr, reader).toContain(`(${old} is on line ${first})`);
    }
  });

  it("a second spelling holding null is refused too (Pulumi may keep either)", () => {
    const text = DEV.replace(/^config:$/m, "config:\n  vault:address: https://vault.attacker.example\n  vault:config:address: ~");
    expect(() => parseStackFile(text, "f.yaml")).toThrow(StackFileError);
  });

  it("keys of different names in one namespace are accepted", () => {
    expect(readAgentIdentityKeys(["agent-identity:platform", "aws:region", "aws:profile", "vault:address"], () => ({})).issues).toEqual([]);
  });
});

describe("keys in error messages", () => {
  it("are bare when plain, else quoted with control, bidi and `::` escaped", () => {
    expect(shownKey("aws:region")).toBe("aws:region");
    expect(shownKey("config aws:region")).toBe('"config aws:region"');
    expect(shownKey("a\u001b[31mb")).toBe('"a\\u001b[31mb"');
    expect(shownKey("x\u202ey")).toBe('"x\\u202ey"');
    expect(shownKey("::error::x")).toBe('"\\u003a:error\\u003a:x"');
    expect(shownKey("a\nb")).not.toMatch(/\n/);
  });

  it("a key with a terminal escape reaches stderr escaped", () => {
    const text = DEV.replace(/^config:$/m, 'config:\n  "agent-identity:\\e[2Jx": 1');
    const result = runPlan({ stack: "dev", config: writeTemp(text), date: DATE });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).not.toContain("\u001b");
    expect(result.stderr).toContain("\\u001b[2Jx");
  });

  it("a key with no namespace says Pulumi adds the project's", () => {
    const text = DEV.replace("  agent-identity:platform:", "  platform:");
    expect(() => parseStackFile(text, "f.yaml")).toThrow(/a config key with no namespace: Pulumi reads it as <project name>:platform/);
  });
});

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.dev.yaml");
  writeFileSync(file, text);
  return file;
}
