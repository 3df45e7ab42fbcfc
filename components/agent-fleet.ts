/**
 * A platform and its agents: what `stacks/index.ts` builds from stack config. Validates the whole
 * fleet (including the stack-wide rules, such as no shared identity) before creating any agent.
 */
import * as pulumi from "@pulumi/pulumi";
import { Agent, FLEET_TOKEN, validationDateOf } from "./agent";
import type { ClusterProviders } from "./agent-identity";
import { AgentPlatform } from "./agent-platform";
import type { FleetAgent, PlatformSettings } from "./args";
import type { FleetPlan } from "./core/plan-types";
import { deferPendingFields } from "./pending-platform";
import { planDeclaration, planForComponent, validateWhenResolved } from "./validate";

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

const STATE = new WeakMap<AgentFleet, { readonly plan: FleetPlan; readonly agents: Readonly<Record<string, Agent>>; readonly platform?: AgentPlatform }>();

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

  get agents(): Readonly<Record<string, Agent>> {
    return STATE.get(this)!.agents;
  }

  /** The bootstrapped platform, when platform.bootstrap is on. */
  get platform(): AgentPlatform | undefined {
    return STATE.get(this)!.platform;
  }

  /**
   * @param connections Kubernetes providers by cluster name (`platform.clusters[].name`), required
   * with several clusters: resources, so not part of the plain-data args.
   */
  constructor(
    name: string,
    args: AgentFleetArgs,
    opts?: pulumi.ComponentResourceOptions,
    connections: { readonly kubernetesProviders?: ClusterProviders } = {},
  ) {
    super("agent-identity:index:AgentFleet", name, {}, opts);
    const validationDate = validationDateOf(args.validationDate, `fleet ${name}`);
    // Pending platform outputs get placeholders now and are validated again when they resolve.
    const { known, resolved } = deferPendingFields(args.platform);
    const compile = (platform: unknown, log: boolean) =>
      planForComponent(this, () => planDeclaration({ platform, agents: args.agents }, pulumi.getStack(), validationDate, `fleet ${name}`), { log }).plan;
    const plan = compile(known, true);
    const resolvedPlan = resolved && validateWhenResolved(this, resolved, (platform) => compile(platform, false));

    // Mounts and auth backends first; every agent's roles reference their outputs, so agents wait
    // for the platform and never for each other (the dependency depth does not grow with agents).
    const platform = plan.bootstrap
      ? new AgentPlatform(
          `${name}-platform`,
          { platform: args.platform, agents: args.agents, validationDate: args.validationDate, rootPasswords: args.rootPasswords },
          { parent: this },
          { token: FLEET_TOKEN, plan: plan.bootstrap },
        )
      : undefined;

    const agents: Record<string, Agent> = {};
    const plans = new Map(plan.agents.map((a) => [a.name, a]));
    const resolvedPlans = resolvedPlan?.apply((p) => new Map(p.agents.map((a) => [a.name, a])));
    // Children are keyed by agent name, never by position, so reordering renames nothing.
    for (const agent of args.agents) {
      const compiled = {
        plan: plans.get(agent.name)!,
        platform: plan.platform,
        resolved: resolvedPlans?.apply((byName) => byName.get(agent.name)!),
      };
      agents[agent.name] = new Agent(
        `${name}-${agent.name}`,
        { ...agent, platform: args.platform, validationDate: args.validationDate },
        { parent: this },
        { token: FLEET_TOKEN, ...compiled },
        { kubernetesProviders: connections.kubernetesProviders, wiring: platform?.wiring },
      );
    }
    STATE.set(this, { plan, agents, platform });
    this.namespaces = pulumi.all(Object.fromEntries(Object.entries(agents).map(([agentName, agent]) => [agentName, agent.namespace])));
    this.roleArns = pulumi.all(Object.fromEntries(Object.entries(agents).map(([agentName, agent]) => [agentName, agent.roleArns])));

    // The fleet's own outputs; each agent's are registered by its Agent (not again here, issue #11).
    this.registerOutputs({ namespaces: this.namespaces, roleArns: this.roleArns });
  }
}
