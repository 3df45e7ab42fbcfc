/**
 * `agent-identity inputs-digest <file> [--urn <urn>]`: the inputs digest a kubernetesPlatformResources
 * declaration names (policy/inputs-digest.ts), computed by the security team from the inputs they
 * reviewed rather than copied from a finding. The file is a resource's inputs as JSON, or the output
 * of `pulumi preview --json` with --urn naming the step whose `newState.inputs` to digest.
 */
import { readFileSync } from "node:fs";
import { digestOfInputs } from "../policy/inputs-digest";
import type { CommandResult } from "./plan-command";

const MAX_BYTES = 64 * 1024 * 1024;

interface PreviewStep {
  readonly urn?: unknown;
  readonly newState?: { readonly urn?: unknown; readonly inputs?: unknown };
}

export function runInputsDigest(file: string, options: { urn?: string }): CommandResult {
  const fail = (message: string): CommandResult => ({ exitCode: 2, stdout: "", stderr: `inputs-digest: ${message}\n` });
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (text.length > MAX_BYTES) return fail(`${file} is larger than 64 MiB`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`${file} is not JSON: ${(error as Error).message}`);
  }
  let inputs: unknown = json;
  const steps = (json as { steps?: unknown } | null)?.steps;
  if (options.urn !== undefined) {
    if (!Array.isArray(steps)) return fail("--urn needs the output of `pulumi preview --json` (a `steps` list)");
    const step = (steps as PreviewStep[]).find((s) => s.urn === options.urn || s.newState?.urn === options.urn);
    if (!step?.newState?.inputs) return fail(`no step with newState.inputs for ${options.urn}`);
    inputs = step.newState.inputs;
  } else if (Array.isArray(steps)) return fail("this is `pulumi preview --json` output: name the resource with --urn");
  if (!inputs || typeof inputs !== "object" || Array.isArray(inputs)) return fail("the inputs must be a JSON object");
  if (JSON.stringify(inputs).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9"))
    return fail("an input is unknown (output of another resource not yet created): only fully known inputs can be declared");
  return { exitCode: 0, stdout: `${digestOfInputs(inputs)}\n`, stderr: "" };
}
