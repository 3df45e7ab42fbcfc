/**
 * A platform and its agents: what `stacks/index.ts` builds from stack config. Validates the whole
 * fleet (including the stack-wide rules, such as no shared identity) before creating any agent.
 */
import * as pulumi from "@pulumi/pulumi";
import { Agent, PRECOMPILED } from "./agent";
import type { ClusterProviders } from "./agent-identity";
import { AgentPlatform } from "./agent-platform";
import type { FleetPlan } from "./core/plan-types";
import type { AgentInput, PlatformInput } from "./core/schema";
import { planDeclaration, planForComponent } from "./validate";

export interface AgentFleetArgs {
  readonly platform: PlatformInput;
  readonly agents: readonly AgentInput[];
  /** Date the expiry and exception checks use. @default now */
  readonly validationDate?: Date;
  /** Kubernetes providers by cluster name (`platform.clusters[].name`); required with several clusters. */
  readonly kubernetesProviders?: ClusterProviders;
  /** Database root passwords by their config key (platform.bootstrap.databaseConnections[].passwordConfigKey); secret. */
  readonly rootPasswords?: Readonly<Record<string, pulumi.Input<string>>>;
}

export class AgentFleet extends pulumi.ComponentResource {
  public readonly plan: FleetPlan;
  public readonly agents: Readonly<Record<string, Agent>>;
  /** The bootstrapped platform, when platform.bootstrap is on. */
  public readonly platform?: AgentPlatform;

  constructor(name: string, args: AgentFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-identity:index:AgentFleet", name, {}, opts);
    const validationDate = args.validationDate ?? new Date();
    const { plan } = planForComponent(this, () =>
      planDeclaration({ platform: args.platform, agents: args.agents }, pulumi.getStack(), validationDate, `fleet ${name}`),
    );
    this.plan = plan;

    // Mounts and auth backends first; every agent's roles reference their outputs, so agents wait
    // for the platform and never for each other (the dependency depth does not grow with agents).
    const platform = plan.bootstrap ? new AgentPlatform(`${name}-platform`, { plan: plan.bootstrap, rootPasswords: args.rootPasswords }, { parent: this }) : undefined;
    this.platform = platform;

    const agents: Record<string, Agent> = {};
    // Children are keyed by agent name, never by position, so reordering renames nothing.
    for (const agent of args.agents) {
      const compiled = { plan: plan.agents.find((a) => a.name === agent.name)!, platform: plan.platform };
      agents[agent.name] = new Agent(`${name}-${agent.name}`, { ...agent, platform: args.platform, validationDate, kubernetesProviders: args.kubernetesProviders, wiring: platform?.wiring, [PRECOMPILED]: compiled }, { parent: this });
    }
    this.agents = agents;

    this.registerOutputs({
      agents: Object.fromEntries(
        Object.entries(agents).map(([agentName, agent]) => [agentName, { namespace: agent.namespace, auditLogGroupName: agent.auditLogGroupName }]),
      ),
    });
  }
}
