/**
 * The per-resource pass: each resource's inputs are read once and every adapter reading its type
 * runs its check. The engine runs this pass before it creates the resource (at preview and at
 * update), so everything one resource's inputs can decide is refused here; `stack.ts` runs what
 * only the whole stack can show.
 */
import type { Problem } from "../components/rules/define";
import { adaptersChecking, agentMetadataInputs, readIfSetInputs, requiredInputs, setnessOnlyInputs } from "./adapters";
import { ownerOf } from "./adapters/shared";
import { providerCheck } from "./adapters/providers";
import { readInputs, type KnownInputs } from "./inputs";
import type { PackContext, PackFinding, PackResource, ResourceProblem } from "./types";

/**
 * Inputs a type's adapters read that are unknown at preview, or required and missing. Where the
 * agent's owner, expiry and tier live may be absent (not every role is an agent's), but an unknown
 * value could hide an expired or high-risk agent: reported too.
 */
function unknownInputs(resource: PackResource, inputs: KnownInputs): Problem[] {
  const required = requiredInputs(resource.type);
  const read = [...required, ...agentMetadataInputs(resource.type), ...readIfSetInputs(resource.type)];
  const setnessOnly = setnessOnlyInputs(resource.type);
  const unknown = inputs.unknown.filter(
    (path) => read.some((field) => path === field || path.startsWith(`${field}.`)) && !setnessOnly.some((pattern) => pathMatches(pattern, path)),
  );
  const missing = required.filter((field) => inputs.value[field] === undefined && !unknown.some((path) => path.split(".")[0] === field));
  const problems: Problem[] = [];
  if (unknown.length)
    problems.push({
      rule: "stack/unknown-input",
      message: `${resource.type} ${resource.name}: ${unknown.join(", ")} unknown at preview, so it cannot be checked`,
      fix: "build the value from known inputs (the components build policy documents in code), or run the check again at update",
    });
  if (missing.length)
    problems.push({
      rule: "stack/unknown-input",
      message: `${resource.type} ${resource.name}: ${missing.join(", ")} missing`,
      fix: "set the input explicitly so the rules can read it",
    });
  return problems;
}

/** A dotted input path against a pattern whose `*` segments stand for one list index or key. */
function pathMatches(pattern: string, path: string): boolean {
  const want = pattern.split(".");
  const have = path.split(".");
  return want.length === have.length && want.every((segment, i) => segment === "*" || segment === have[i]);
}

/** Every problem of one resource, attributed. */
export function checkResource(resource: PackResource, context: PackContext): PackFinding[] {
  const inputs = readInputs(resource.props);
  const owner = ownerOf(resource, inputs);
  const problems: ResourceProblem[] = [...unknownInputs(resource, inputs)];
  for (const adapter of adaptersChecking(resource.type)) problems.push(...adapter.check!(resource, inputs, context));
  // Any resource, read or not: one sent through a provider for other endpoints is not what the pack judged.
  if (resource.provider && !resource.type.startsWith("pulumi:providers:")) problems.push(...providerCheck(resource));
  return problems.map((problem) => ({ ...problem, ...owner, urn: resource.urn }));
}
