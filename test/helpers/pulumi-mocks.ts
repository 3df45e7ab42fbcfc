/**
 * Runs real components against Pulumi's mock monitor and records every resource registration
 * (type, logical name, inputs, parent URN) so tests can compare them with the plan.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly urn: string;
  readonly custom: boolean;
  readonly provider?: string;
}

let registered: RegisteredResource[] = [];

/** `outputs`: extra state the mock returns for a resource type (e.g. a cluster's oidcProviderArn). */
export function installMocks(
  stack = "dev",
  project = "agent-identity",
  outputs: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {},
): void {
  registered = [];
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const urn = `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`;
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, urn, custom: args.custom ?? true, provider: args.provider });
        const state: Record<string, unknown> = { ...args.inputs, ...outputs[args.type]?.(args.inputs) };
        if (args.type === "aws:iam/role:Role") state.arn = `arn:aws:iam::111122223333:role/${args.inputs.name}`;
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        throw new Error(`unexpected invoke ${args.token}: components must not call data sources`);
      },
    },
    project,
    stack,
    true,
  );
}

/** Wait until everything registered so far (and whatever it registers in turn) is done. */
export async function settle(): Promise<void> {
  let count = -1;
  while (count !== registered.length) {
    count = registered.length;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

export function resources(): RegisteredResource[] {
  return [...registered];
}

export function resetResources(): void {
  registered = [];
}

export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}
