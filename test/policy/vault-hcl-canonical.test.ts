/**
 * The pack reads the components' own Vault policy text without the WebAssembly HCL parser: for text
 * made only of canonical blocks, `canonicalPolicyJson` must build exactly the object the parser
 * returns (same labels, same key order, same bodies), and any other text goes to the parser.
 */
import { parse } from "@cdktf/hcl2json";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalPolicyJson, fromHclJson } from "../../policy/vault-hcl";
import { renderVaultPolicy } from "../../components/core/vault-policy";

const block = (label: string, capabilities: readonly string[]) => `path "${label}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`;
const text = (blocks: ReadonlyArray<readonly [string, readonly string[]]>) => blocks.map(([label, caps]) => block(label, caps)).join("\n");

const labelChar = fc.constantFrom(..."abAZ09_./*+:@=,-".split(""));
const label = fc.oneof(
  fc.array(labelChar, { minLength: 1, maxLength: 12 }).map((chars) => chars.join("")),
  fc.constantFrom("__proto__", "constructor", "0", "10", "2", "/kv/data/x", "//x", "kv/data/agents/dev/a/*", "sys/+/x"),
);
const capability = fc.constantFrom("read", "list", "update", "create", "delete", "sudo", "deny", "patch", "subscribe");
const blocks = fc.array(fc.tuple(label, fc.array(capability, { maxLength: 4 })), { minLength: 1, maxLength: 6 });

describe("canonical Vault policy text", () => {
  it("is read as the HCL parser reads it: same object, same key order", async () => {
    await fc.assert(
      fc.asyncProperty(blocks, async (generated) => {
        const policy = text(generated);
        const fast = canonicalPolicyJson(policy);
        expect(fast).not.toBeNull();
        const parsed = await parse("policy.hcl", policy);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed));
        expect(Object.keys(fast!.path)).toEqual(Object.keys(parsed.path));
        expect(fromHclJson(fast)).toEqual(fromHclJson(parsed));
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it("covers what the components write", () => {
    const policy = renderVaultPolicy([
      { path: "kv/data/agents/dev/triage/*", capabilities: ["read"] },
      { path: "auth/token/renew-self", capabilities: ["update"] },
    ]);
    expect(canonicalPolicyJson(policy)).not.toBeNull();
  });

  it.each([
    ["a comment", `# note\n${block("a", ["read"])}`],
    ["a template", block("kv/${x}", ["read"])],
    ["a Vault template", block("kv/{{identity.entity.id}}", ["read"])],
    ["an escape", block("kv/\\x", ["read"])],
    ["another block key", block("a", ["read"]).replace("]\n}", ']\n  min_wrapping_ttl = "1s"\n}')],
    ["no blank line between blocks", `${block("a", ["read"])}${block("b", ["read"])}`],
    ["a space in the label", block("a b", ["read"])],
    ["non-ASCII", block("kv/é", ["read"])],
    ["no final newline", block("a", ["read"]).trimEnd()],
    ["nothing", ""],
  ])("leaves %s to the parser", (_, policy) => {
    expect(canonicalPolicyJson(policy)).toBeNull();
  });
});
