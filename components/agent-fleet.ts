/**
 * A platform and its agents: what `stacks/index.ts` builds from stack config. Validates the whole
 * fleet (including the stack-wide rules, such as no shared identity) before creating any agent.
 */
import * as pulumi from "@pulumi/pulumi";
import { Agent, validationDateOf, type AgentOptions } from "./agent";
import type { ClusterProviders } from "./agent-identity";
import { AgentPlatform } from "./agent-platform";
import type { FleetAgent, PlatformSettings } from "./args";
import type { FleetPlan } from "./core/plan-types";
import { FLEET_TOKEN, fleetHandoff, platformHandoff } from "./fleet-handoff";
import { deferPending } from "./pending-declaration";
import { firstPlan, planDeclaration, planForComponent, resolvedPlan } from "./validate";

export interface AgentFleetArgs {
  /** The platform the agents run on. */
  readonly platform: PlatformSettings;
  /** The agents, each with its own three identities. */
  readonly agents: FleetAgent[];
  /** Date the expiry and exception checks use (YYYY-MM-DD). @default today */
  readonly validationDate?: string;
  /** Database root passwords by their config key (platform.bootstrap.databaseConnections[].passwordConfigKey); pass secrets. */
  readonly rootPasswords?: Record<string, pulumi.Input<string>>;
}

/** Resource options of an AgentFleet, with what ties its agents to their clusters. */
export interface AgentFleetOptions extends pulumi.ComponentResourceOptions {
  /**
   * Kubernetes providers by cluster name (`platform.clusters[].name`); required with several clusters.
   * Resources, not data, so they are options rather than args (the provider schema holds data only).
   */
  readonly kubernetesProviders?: ClusterProviders;
}

const STATE = new WeakMap<
  AgentFleet,
  {
    readonly plan: FleetPlan;
    readonly resolved?: pulumi.Output<FleetPlan>;
    readonly agents: Readonly<Record<string, Agent>>;
    readonly platform?: AgentPlatform;
  }
>();

/** A platform and its agents, validated together (including the stack-wide rules). */
export class AgentFleet extends pulumi.ComponentResource {
  /** Namespace per agent. */
  public readonly namespaces: pulumi.Output<Record<string, string>>;
  /** IAM role ARN per agent and identity. */
  public readonly roleArns: pulumi.Output<Record<string, Record<string, string>>>;

  /** The compiled plan the fleet deploys. */
  get plan(): FleetPlan {
    return STATE.get(this)!.plan;
  }

  /**
   * The plan once every output in the declaration resolved and validated (`plan` holds placeholders
   * for them): what to write as JSON for `agent-identity diff` and `inventory`, e.g.
   * `fleet.resolvedPlan().apply((p) => fs.writeFileSync("plan.json", JSON.stringify(p, null, 2)))`.
   * A method, not a property, so it stays out of the provider schema's outputs.
   */
  resolvedPlan(): pulumi.Output<FleetPlan> {
    const state = STATE.get(this)!;
    return state.resolved ?? pulumi.output(state.plan);
  }

  get agents(): Readonly<Record<string, Agent>> {
    return STATE.get(this)!.agents;
  }

  /** The bootstrapped platform, when platform.bootstrap is on. */
  get platform(): AgentPlatform | undefined {
    return STATE.get(this)!.platform;
  }

  constructor(name: string, args: AgentFleetArgs, opts?: AgentFleetOptions) {
    const { kubernetesProviders, ...resourceOptions } = opts ?? {};
    super("agent-identity:index:AgentFleet", name, {}, resourceOptions);
    const subject = `fleet ${name}`;
    const validationDate = validationDateOf(args.validationDate, subject);
    // Pending outputs get placeholders now and are validated again when they resolve.
    const deferred = deferPending({ platform: args.platform, agents: args.agents }, subject, this);
    const plan = (declaration: { platform: unknown; agents: unknown }) => () =>
      planDeclaration({ platform: declaration.platform, agents: declaration.agents }, pulumi.getStack(), validationDate, subject);
    const first = firstPlan(this, plan(deferred.known), deferred.judgeNow);
    const resolvedFleet = resolvedPlan(this, deferred.resolved, deferred.origins, (real) => planForComponent(this, plan(real), { log: !first.judged }).plan);
    const compiled = first.plan;

    // Mounts and auth backends first; every agent's roles reference their outputs, so agents wait
    // for the platform and never for each other (the dependency depth does not grow with agents).
    const platformOptions = { parent: this };
    if (compiled.bootstrap) platformHandoff.set(platformOptions, { token: FLEET_TOKEN, plan: compiled.bootstrap });
    const platform = compiled.bootstrap
      ? new AgentPlatform(
          `${name}-platform`,
          { platform: args.platform, agents: args.agents, validationDate: args.validationDate, rootPasswords: args.rootPasswords },
          platformOptions,
        )
      : undefined;

    const agents: Record<string, Agent> = {};
    const plans = new Map(compiled.agents.map((a) => [a.name, a]));
    const resolvedPlans = resolvedFleet?.apply((p) => new Map(p.agents.map((a) => [a.name, a])));
    // Children are keyed by agent name, never by position, so reordering renames nothing.
    for (const agent of args.agents) {
      const agentOptions: AgentOptions = { parent: this, kubernetesProviders };
      fleetHandoff.set(agentOptions, {
        token: FLEET_TOKEN,
        compiled: { plan: plans.get(agent.name)!, platform: compiled.platform, resolved: resolvedPlans?.apply((byName) => byName.get(agent.name)!) },
        wiring: platform?.wiring,
      });
      agents[agent.name] = new Agent(`${name}-${agent.name}`, { ...agent, platform: args.platform, validationDate: args.validationDate }, agentOptions);
    }
    STATE.set(this, { plan: compiled, resolved: resolvedFleet, agents, platform });
    this.namespaces = pulumi.all(Object.fromEntries(Object.entries(agents).map(([agentName, agent]) => [agentName, agent.namespace])));
    this.roleArns = pulumi.all(Object.fromEntries(Object.entries(agents).map(([agentName, agent]) => [agentName, agent.roleArns])));

    // The fleet's own outputs; each agent's are registered by its Agent (not again here, issue #11).
    this.registerOutputs({ namespaces: this.namespaces, roleArns: this.roleArns });
  }
}
