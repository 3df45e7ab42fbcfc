/**
 * Pulumi ESC `environment:` imports config that `pulumi up` merges in and `plan` cannot resolve: a
 * stack file that declares agent-identity config may not import one (plan must see what up deploys).
 */
import { describe, expect, it } from "vitest";
import { StackFileError, parseStackFile } from "../../cli/stack-file";

const declaration = `config:\n  agent-identity:platform:\n    environment: dev\n  agent-identity:agents: []\n`;

describe("stack files and Pulumi ESC", () => {
  it("reads a stack file without an ESC environment", () => {
    expect(parseStackFile(declaration, "f.yaml").declaration.agents).toEqual([]);
  });

  it("refuses an ESC environment next to the agent-identity declaration, naming the key, its line and the fix", () => {
    for (const environment of ["environment:\n  - acme/agents-dev\n", "environment: [acme/agents-dev]\n"]) {
      const read = () => parseStackFile(`${environment}${declaration}`, "f.yaml");
      expect(read).toThrowError(StackFileError);
      expect(read).toThrowError(/^f\.yaml:1: environment: a Pulumi ESC environment is imported.*import ESC environments only in stacks without it/);
    }
  });

  it("leaves the platform's own `environment` field alone (it is inside the declaration)", () => {
    expect(parseStackFile(declaration, "f.yaml").declaration.platform).toEqual({ environment: "dev" });
  });
});
