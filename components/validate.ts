/**
 * Validation as the components report it: the pure checks of `./plan`, with warnings logged against
 * the component and errors turned into a `pulumi.ResourceError` that names it.
 */
import * as pulumi from "@pulumi/pulumi";
import { DeclarationError } from "./core/schema";
import { PlanViolationError, type ValidatedPlan } from "./plan";
import { formatViolation, formatWaiver } from "./rules";

export { PlanViolationError, planAgentDeclaration, planDeclaration, type ValidatedPlan } from "./plan";

/**
 * `agents.0.tools.1.name` → `agents[0].tools[1].name`: Pulumi's property path syntax. A standalone
 * agent's own fields are top-level inputs of the Agent resource (`agent.tier` → `tier`).
 */
export function propertyPathOf(path: string): string {
  const parts = path.split(".").filter(Boolean);
  const fields = parts[0] === "agent" ? parts.slice(1) : parts;
  return fields.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), "");
}

/**
 * A declaration error as Pulumi's `InputPropertiesError`: one property path and reason per problem,
 * which the engine shows per input when the component is built by the provider (other languages).
 * It also carries `ResourceError`'s marker, resource and hideStack, because a TypeScript program's
 * run loop only knows ResourceError: there it is shown on the component, with no stack trace.
 * test/typed-errors.test.ts checks both readings, so an SDK change that breaks either fails there.
 */
export class DeclarationInputError extends pulumi.InputPropertiesError {
  readonly hideStack = true;
  constructor(
    error: DeclarationError,
    readonly resource: pulumi.Resource | undefined,
  ) {
    super({ message: error.message, errors: error.issues.map((issue) => ({ propertyPath: propertyPathOf(issue.path), reason: issue.message })) });
    this.name = "DeclarationInputError";
    Object.defineProperty(this, "__pulumResourceError", { value: true });
  }
}

/**
 * The same, for a component: declaration errors become a `DeclarationInputError`, violations a
 * `pulumi.ResourceError` naming the component. `log: false` when re-planning resolved outputs (the
 * warnings were shown the first time).
 */
export function planForComponent(component: pulumi.Resource | undefined, plan: () => ValidatedPlan, options: { readonly log?: boolean } = {}): ValidatedPlan {
  try {
    const result = plan();
    if (options.log === false) return result;
    for (const warning of result.evaluation.violations) pulumi.log.warn(formatViolation(warning), component);
    // Expiry is revocation: the runbook `plan` prints, shown where the update runs too.
    for (const agent of result.plan.agents) {
      if (!agent.revoked?.onExpiry || agent.revoked.leaseRevokeCommands.length === 0) continue;
      const commands = agent.revoked.leaseRevokeCommands.map((command) => `  ${command}`).join("\n");
      pulumi.log.warn(`agent ${agent.name} is revoked on expiry; after this update, end the credentials already issued:\n${commands}`, component);
    }
    for (const waiver of result.evaluation.waivers) pulumi.log.info(`exception in force: ${formatWaiver(waiver)}`, component);
    for (const waived of result.evaluation.waived) {
      pulumi.log.info(`${formatViolation(waived)} [waived until ${waived.waiver.expires} by ${waived.waiver.approvedBy}: ${waived.waiver.reason}]`, component);
    }
    return result;
  } catch (error) {
    if (error instanceof DeclarationError) throw new DeclarationInputError(error, component);
    if (error instanceof PlanViolationError) throw new pulumi.ResourceError(error.message, component, /* hideStack */ true);
    throw error;
  }
}

/**
 * Validation that runs when Outputs resolve (pending platform fields): the error names the
 * component's URN, since the engine shows it away from the line that created the component, and is
 * always one the run loop prints without a stack trace (a `ResourceError` with `hideStack`, or the
 * `DeclarationInputError` above, which carries the same marker).
 */
export function validateWhenResolved<T, R>(component: pulumi.Resource, value: pulumi.Output<T>, validate: (resolved: T) => R): pulumi.Output<R> {
  // The URN as a plain promise: an Output of it would make every child depend on the component,
  // which waits for its children (a deadlock).
  const urn = new Promise<string>((resolve) => component.urn.apply(resolve));
  return value.apply(async (resolved) => {
    try {
      return validate(resolved as T);
    } catch (error) {
      throw namingUrn(error, await urn, component);
    }
  }) as pulumi.Output<R>;
}

function namingUrn(error: unknown, urn: string, component: pulumi.Resource): Error {
  const message = error instanceof Error ? error.message : String(error);
  const named = message.startsWith(urn) ? message : `${urn}: ${message}`;
  if (error instanceof Error && pulumi.ResourceError.isInstance(error) && (error as pulumi.ResourceError).hideStack) {
    error.message = named;
    return error;
  }
  return new pulumi.ResourceError(named, component, /* hideStack */ true);
}
