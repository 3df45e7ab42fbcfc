/**
 * Stack settings the plan does not compare: config keys and the other top-level keys are kept
 * apart, so no top-level key can stand in for a config key, and a value written as null is shown
 * as `null`, never as an absent key.
 */
import { describe, expect, it } from "vitest";
import { stackConfigChanges } from "../../components/diff/stack-config-changes";

const rows = (base: Record<string, unknown> | null, head: Record<string, unknown>) =>
  stackConfigChanges(base, head).map((c) => `${c.detail.subject}: ${c.before ?? "(none)"} -> ${c.after ?? "(none)"} ${c.classification}`);

describe("stack settings", () => {
  it("a top-level key named like a config key never hides the config change", () => {
    const base = { config: { "vault:address": "https://vault.dev" } };
    const head = { config: { "vault:address": "https://attacker" }, "config vault:address": "https://vault.dev" };
    expect(rows(base, head)).toEqual([
      'config vault:address: "https://vault.dev" -> "https://attacker" widens',
      'config vault:address: (none) -> "https://vault.dev" widens',
    ]);
  });

  it("reads ns:config:name as ns:name", () => {
    expect(rows({ config: { "aws:region": "us-east-1" } }, { config: { "aws:config:region": "us-east-1" } })).toEqual([]);
  });

  it("shows a value written as null, and an added key with it", () => {
    expect(rows({ config: {} }, { config: { "vault:address": null } })).toEqual(["config vault:address: (none) -> null widens"]);
    expect(rows({ config: { "vault:address": null } }, { config: {} })).toEqual(["config vault:address: null -> (none) widens"]);
  });

  it("a secrets provider change widens", () => {
    expect(rows({ secretsprovider: "passphrase", config: {} }, { secretsprovider: "awskms://k", config: {} })).toEqual([
      'secretsprovider: "passphrase" -> "awskms://k" widens',
    ]);
  });

  it("shows where a long value changed, not two identical cut-off texts", () => {
    const long = (tail: string) => ({ config: { "kubernetes:kubeconfig": `${"a".repeat(300)}${tail}` } });
    const [change] = stackConfigChanges(long("server: https://dev"), long("server: https://evil"));
    expect(change.before).not.toBe(change.after);
    expect(change.after).toContain("https://evil");
    expect(change.after).toMatch(/^…a+server/);
    expect(change.after!.length).toBeLessThanOrEqual(202);
    const [short] = stackConfigChanges({ config: { "aws:region": "us-east-1" } }, { config: { "aws:region": "eu-west-1" } });
    expect([short.before, short.after]).toEqual(['"us-east-1"', '"eu-west-1"']);
  });
});
