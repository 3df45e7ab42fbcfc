/**
 * `vault.aws.SecretBackend`: the principal every tool role trusts. Static keys are long-lived root
 * credentials in Vault's storage (and in the deployment's state); the engine runs as a role through
 * plugin identity tokens instead. One engine per mount and one per stack: "the engine" a tool role
 * may trust is then one principal, not whichever second engine a change adds on an admin role.
 */
import type { Problem } from "../../components/rules/define";

export interface AwsEngineInputs {
  readonly path?: string;
  readonly roleArn?: string;
  readonly accessKey?: unknown;
  readonly secretKey?: unknown;
  /** Whether each key input is set but unknown at preview (a secret output counts as set). */
  readonly accessKeySet: boolean;
  readonly secretKeySet: boolean;
  /** Endpoint overrides (`stsEndpoint`, `iamEndpoint`, each `stsFallbackEndpoints` entry) by input name; "(unknown)" when unknown at preview. */
  readonly endpoints?: ReadonlyArray<{ readonly field: string; readonly value: string }>;
}

/**
 * AWS's own endpoints (docs.aws.amazon.com/general/latest/gr/sts.html and iam-service.html): STS
 * global or regional, FIPS or not, China's `.amazonaws.com.cn`; IAM global, FIPS, GovCloud or China.
 * Anything else would receive the engine's signed requests and answer with credentials of its choosing.
 */
const STS_ENDPOINT = /^https:\/\/sts(?:-fips)?(?:\.[a-z]{2}(?:-[a-z]+)+-\d)?\.amazonaws\.com(?:\.cn)?$/;
const IAM_ENDPOINT = /^https:\/\/iam(?:-fips)?(?:\.(?:us-gov|[a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com(?:\.cn)?$/;

const RULE = "vault/aws-engine";

/** The mount path as Vault reads it, `aws` when unset. */
export const awsMountOf = (path: string | undefined) => (path ?? "aws").replace(/^\/+|\/+$/g, "") || "aws";

export function checkAwsEngine(name: string, inputs: AwsEngineInputs): Problem[] {
  const problems: Problem[] = [];
  const keys = [inputs.accessKeySet ? "accessKey" : undefined, inputs.secretKeySet ? "secretKey" : undefined].filter(Boolean);
  if (keys.length)
    problems.push({
      rule: RULE,
      message: `AWS engine ${name} (mount ${awsMountOf(inputs.path)}) sets ${keys.join(" and ")}: static, long-lived credentials held by Vault and in the deployment's state`,
      fix: "set roleArn and identityTokenAudience (platform.bootstrap.aws) so the engine assumes its role with plugin identity tokens",
    });
  for (const { field, value } of inputs.endpoints ?? []) {
    const grammar = field === "iamEndpoint" ? IAM_ENDPOINT : STS_ENDPOINT;
    if (!grammar.test(value))
      problems.push({
        rule: RULE,
        message: `AWS engine ${name} (mount ${awsMountOf(inputs.path)}) sends its requests to ${field} ${value}, not an AWS ${field === "iamEndpoint" ? "IAM" : "STS"} endpoint: that host receives the engine's signed requests and answers with credentials of its choosing`,
        fix: `leave ${field} unset, or name AWS's own endpoint (${field === "iamEndpoint" ? "https://iam.amazonaws.com" : "https://sts.<region>.amazonaws.com"})`,
      });
  }
  if (!inputs.roleArn)
    problems.push({
      rule: RULE,
      message: `AWS engine ${name} (mount ${awsMountOf(inputs.path)}) has no roleArn, so tool roles cannot name the one principal they trust`,
      fix: "set roleArn to the engine's role (platform.bootstrap.aws.roleArn)",
    });
  return problems;
}

export interface PlacedEngine {
  readonly urn: string;
  readonly name: string;
  readonly path?: string;
  readonly roleArn?: string;
}

/** Every engine beyond the first, on one mount or in one stack: each engine of such a stack is refused. */
export function checkAwsEngines(engines: readonly PlacedEngine[]): Array<Problem & { urn: string }> {
  if (engines.length < 2) return [];
  const mounts = engines.map((e) => awsMountOf(e.path));
  return engines.map((engine, i) => ({
    rule: RULE,
    urn: engine.urn,
    message: `the stack has ${engines.length} AWS engines (${engines.map((e, j) => `${e.name} on ${mounts[j]} as ${e.roleArn ?? "?"}`).join(", ")})${mounts.filter((m) => m === mounts[i]).length > 1 ? `, ${mounts[i]} twice` : ""}: which principal tool roles trust becomes a matter of which engine a secret role sits on`,
    fix: "keep one AWS engine, the one AgentPlatform creates from platform.bootstrap.aws",
  }));
}
