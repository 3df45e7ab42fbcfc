/**
 * The stack file is read with one plain parse; positions are computed only for errors. The values
 * must be what the `yaml` package (and the JSON Schema editors use) reads: YAML 1.2 core schema.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { StackFileError, parseStackFile } from "../cli/stack-file";
import { DeclarationError, parseDeclaration } from "../components/core/schema";
import { locateDeclarationError } from "../cli/stack-file";
import { benchStackFile } from "../bench/fleet";

const platform = `config:\n  agent-identity:platform:\n    environment: dev\n`;

describe("parseStackFile", () => {
  it("reads the same values as the yaml package's core schema", () => {
    for (const text of [readFileSync("stacks/Pulumi.dev.yaml", "utf8"), readFileSync("stacks/Pulumi.prod.yaml", "utf8"), benchStackFile(30, 5)]) {
      const config = parse(text).config;
      const read = parseStackFile(text, "f.yaml").declaration;
      expect(read).toEqual({ platform: config["agent-identity:platform"], agents: config["agent-identity:agents"] ?? [] });
    }
  });

  it("keeps dates and quoted boolean-looking words as strings (unquoted ones are refused: test/cli/yaml-text.test.ts)", () => {
    const text = `${platform}  agent-identity:agents:\n    - expires: 2027-06-30\n      owner: "yes"\n      sponsor: 'on'\n      count: 15\n`;
    expect(parseStackFile(text, "f.yaml").declaration.agents).toEqual([{ expires: "2027-06-30", owner: "yes", sponsor: "on", count: 15 }]);
  });

  it("reports a syntax error with its line", () => {
    const error = (() => {
      try {
        parseStackFile(`${platform}  agent-identity:agents:\n    - name: a\n     bad: [\n`, "f.yaml");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StackFileError);
    expect((error as Error).message).toMatch(/^f\.yaml: line \d+: /);
  });

  it("maps a declaration error to its line only when asked", () => {
    const text = `${platform}    namePrefix: acme\n    aws: { accountId: "1", region: us-east-1, oidcProviderArn: x }\n    vault: {}\n  agent-identity:agents: []\n`;
    const file = parseStackFile(text, "f.yaml");
    let caught: unknown;
    try {
      parseDeclaration(file.declaration, "f.yaml");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DeclarationError);
    expect(locateDeclarationError(file, caught as DeclarationError).join("\n")).toMatch(/f\.yaml:5: agent-identity:platform\.aws/);
  });
});
