/**
 * What an AgentFleet hands its Agents and its AgentPlatform, which are not part of any public
 * signature: the plan it has already validated (so nothing is validated twice) and its platform's
 * resources. Keyed by the options object the fleet passes, and checked by a token only this module
 * and the fleet hold; not exported from the package.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformWiring } from "./agent-identity";
import type { AgentPlan, BootstrapPlan } from "./core/plan-types";
import type { Platform } from "./core/schema";

export const FLEET_TOKEN: unique symbol = Symbol("agent-identity.fleet");

export interface Precompiled {
  readonly token: typeof FLEET_TOKEN;
  readonly compiled: {
    readonly plan: AgentPlan;
    readonly platform: Platform;
    /** The plan compiled again from resolved outputs, when some were pending. */
    readonly resolved?: pulumi.Output<AgentPlan>;
  };
  /** AgentPlatform's resources (platform.bootstrap on): roles wait for the mounts they live in. */
  readonly wiring?: PlatformWiring;
}

export interface PrecompiledPlatform {
  readonly token: typeof FLEET_TOKEN;
  readonly plan: BootstrapPlan;
}

export const fleetHandoff = new WeakMap<object, Precompiled>();
export const platformHandoff = new WeakMap<object, PrecompiledPlatform>();
