/**
 * Stack and project files are refused when js-yaml (plan, diff, check, the gate) and go-yaml v3
 * (Pulumi) could read them differently, or when they could expand without bound. Each refused file
 * is the happy file with one value changed.
 */
import { describe, expect, it } from "vitest";
import { parseStackFile, StackFileError } from "../../cli/stack-file";
import { parseProject, ProjectFileError } from "../../cli/project";
import { loadStrictYaml } from "../../cli/yaml-text";

const stack = (value: string, comment = "") =>
  `config:\n  agent-identity:platform:\n    environment: dev\n  agent-identity:agents:\n    - name: triage\n      note: ${value}${comment}\n      resources: [arn:aws:s3:::ledger/*]\n`;

function refusal(text: string): string {
  try {
    parseStackFile(text, "stacks/Pulumi.dev.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(StackFileError);
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("stack file text both YAML parsers read alike", () => {
  it.each([
    ["a word", "triage"],
    ["plain decimal", "731"],
    ["a negative decimal", "-5"],
    ["a decimal fraction", "0.5"],
    ["a date", "2027-06-30"],
    ["a CIDR", "10.0.0.0/16"],
    ["a quoted octal", '"0731"'],
    ["a quoted YAML 1.1 boolean", "'yes'"],
    ["true", "true"],
    ["a block scalar holding numbers and words", "|\n        0731\n        yes"],
    ["non-ASCII letters", "équipe"],
    ["a word starting with an underscore", "_1"],
  ])("accepts %s", (_, value) => {
    expect(loadStrictYaml(stack(value), "f.yaml").issues).toEqual([]);
    expect(() => parseStackFile(stack(value), "f.yaml")).not.toThrow();
  });

  it.each([
    ["U+2028 in a comment (go-yaml ends the comment there)", "triage", " # c\u2028      - actions: [s3:DeleteObject]", "U+2028"],
    ["U+2029", "triage", " # c\u2029x", "U+2029"],
    ["U+0085 NEL", "tri\u0085age", "", "U+0085"],
    ["another C1 control", "tri\u009bage", "", "U+009B"],
    ["a C0 control", "tri\u0007age", "", "U+0007"],
    ["a byte-order mark not at the start", "tri\ufeffage", "", "U+FEFF"],
    ["a replacement character (invalid UTF-8)", "tri\ufffdage", "", "U+FFFD"],
    ["a leading-zero integer (js-yaml 731, go-yaml octal 473)", "0731", "", "0731"],
    ["a 0o octal", "0o17", "", "0o17"],
    ["a hexadecimal", "0x1F", "", "0x1F"],
    ["a binary", "0b101", "", "0b101"],
    ["an underscore number", "1_000", "", "1_000"],
    ["a sign then an underscore (go-yaml -1, js-yaml a string)", "-_1", "", "-_1"],
    ["a trailing underscore", "7_", "", "7_"],
    ["a sexagesimal", "1:20", "", "1:20"],
    ["an infinity", ".inf", "", ".inf"],
    ["a not-a-number", ".NaN", "", ".NaN"],
    ["an exponent", "1e3", "", "1e3"],
    ["a plus sign", "+5", "", "+5"],
    ["a number with a trailing zero (Pulumi keeps the text 1.0)", "1.0", "", "1.0"],
    ["a decimal with a trailing zero", "0.50", "", "0.50"],
    ["a negative zero", "-0", "", "-0"],
    ["an integer beyond 2^53", "9007199254740993", "", "9007199254740993"],
    ["a YAML 1.1 yes", "yes", "", "yes"],
    ["a YAML 1.1 Off", "Off", "", "Off"],
    ["a YAML 1.1 y", "y", "", "`y`"],
    ["an anchor", "&a triage", "", "anchor"],
    ["a tag", "!!str 0731", "", "tag"],
  ])("refuses %s, with its line and column", (_, value, comment, named) => {
    const message = refusal(stack(value, comment));
    expect(message).toMatch(/^stacks\/Pulumi\.dev\.yaml:6: column \d+: /);
    expect(message).toContain(named);
  });

  it("refuses an alias bomb at once, without expanding it", () => {
    const bomb = ["config:", '  a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 30; i++) bomb.push(`  a${i}: &a${i} [*a${i === 1 ? "" : i - 1},*a${i === 1 ? "" : i - 1}]`.replace(/\*a(?=[,\]])/g, "*a"));
    const message = refusal(`${bomb.join("\n")}\n`);
    expect(message).toMatch(/anchor/);
    expect(message.split("\n").length).toBeLessThanOrEqual(20);
  });

  it("refuses a merge key and a directive", () => {
    expect(refusal(stack("triage").replace("    - name: triage\n", "    - name: triage\n      <<: {x: 1}\n"))).toContain("merge key");
    expect(refusal(`%YAML 1.1\n---\n${stack("triage")}`)).toContain("directive");
  });

  it("refuses a block scalar ending a file without its final newline (go-yaml then drops the newline js-yaml adds)", () => {
    const file = "config:\n  agent-identity:platform:\n    environment: dev\n  vault:caCert: |\n    -----BEGIN CERTIFICATE-----\n    MIIB";
    expect(refusal(file)).toMatch(/:4: column \d+: a block scalar .* final newline/);
    expect(() => parseStackFile(`${file}\n`, "f.yaml")).not.toThrow();
    expect(() => parseStackFile(file.replace("|\n    -----BEGIN CERTIFICATE-----\n    MIIB", "MIIB"), "f.yaml")).not.toThrow();
  });

  it("allows a byte-order mark as the first character", () => {
    expect(() => parseStackFile(`\ufeff${stack("triage")}`, "f.yaml")).not.toThrow();
  });
});

describe("project file text", () => {
  it("accepts a plain project file and refuses one with a line separator in a comment", () => {
    expect(parseProject("name: acme\nstackConfigDir: stacks\n", "Pulumi.yaml").stackConfigDir).toBe("stacks");
    expect(() => parseProject("name: acme # x\u2028stackConfigDir: live\n", "Pulumi.yaml")).toThrow(ProjectFileError);
    expect(() => parseProject("name: acme # x\u2028stackConfigDir: live\n", "Pulumi.yaml")).toThrow(/line 1 column 15: U\+2028/);
  });
});
