/**
 * `agent-identity inputs-digest`: the digest the security team names in a kubernetesPlatformResources
 * declaration, computed from the inputs they reviewed. It is the digest the pack compares (the same
 * function), independent of key order, and changes with any input.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInputsDigest } from "../../cli/inputs-digest-command";
import { platformDeclaration, UNKNOWN } from "../helpers/policy-args";

const dir = mkdtempSync(join(tmpdir(), "inputs-digest-"));
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
const inputs = { name: "network", templateBody: '{"Resources":{}}', tags: { team: "net", env: "prod" } };
const URN = "urn:pulumi:prod::network::aws:cloudformation/stack:Stack::network";

describe("agent-identity inputs-digest", () => {
  it("prints the digest the pack declares by, whatever the key order", () => {
    const result = runInputsDigest(file("a.json", inputs), {});
    expect(result.exitCode).toBe(0);
    const expected = (platformDeclaration({ type: "aws:cloudformation/stack:Stack", name: "network", props: inputs }) as { inputsDigest: string }).inputsDigest;
    expect(result.stdout.trim()).toBe(expected);
    const reordered = { tags: { env: "prod", team: "net" }, templateBody: inputs.templateBody, name: "network" };
    expect(runInputsDigest(file("b.json", reordered), {}).stdout).toBe(result.stdout);
    expect(runInputsDigest(file("c.json", { ...inputs, templateBody: '{"Resources":{"P":{}}}' }), {}).stdout).not.toBe(result.stdout);
  });

  it("reads one step's newState.inputs from `pulumi preview --json` output by URN", () => {
    const preview = { steps: [{ op: "create", urn: URN, newState: { urn: URN, inputs } }] };
    expect(runInputsDigest(file("p.json", preview), { urn: URN }).stdout).toBe(runInputsDigest(file("d.json", inputs), {}).stdout);
    expect(runInputsDigest(file("p2.json", preview), { urn: `${URN}-other` }).exitCode).toBe(2);
    expect(runInputsDigest(file("p3.json", preview), {}).exitCode).toBe(2);
  });

  it("refuses inputs with an unknown value, and files that are not a JSON object", () => {
    expect(runInputsDigest(file("u.json", { ...inputs, templateBody: UNKNOWN }), {}).exitCode).toBe(2);
    expect(runInputsDigest(file("l.json", [inputs]), {}).exitCode).toBe(2);
    expect(runInputsDigest(join(dir, "missing.json"), {}).exitCode).toBe(2);
  });
});
