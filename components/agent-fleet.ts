/**
 * A platform and its agents: what `stacks/index.ts` builds from stack config. Validates the whole
 * fleet (including the stack-wide rules, such as no shared identity) before creating any agent.
 */
import * as pulumi from "@pulumi/pulumi";
import { Agent, PRECOMPILED } from "./agent";
import type { FleetPlan } from "./core/plan-types";
import type { AgentInput, PlatformInput } from "./core/schema";
import { planDeclaration, planForComponent } from "./validate";

export interface AgentFleetArgs {
  readonly platform: PlatformInput;
  readonly agents: readonly AgentInput[];
  /** Date the expiry and exception checks use. @default now */
  readonly validationDate?: Date;
}

export class AgentFleet extends pulumi.ComponentResource {
  public readonly plan: FleetPlan;
  public readonly agents: Readonly<Record<string, Agent>>;

  constructor(name: string, args: AgentFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-identity:index:AgentFleet", name, {}, opts);
    const validationDate = args.validationDate ?? new Date();
    const { plan } = planForComponent(this, () =>
      planDeclaration({ platform: args.platform, agents: args.agents }, pulumi.getStack(), validationDate, `fleet ${name}`),
    );
    this.plan = plan;

    const agents: Record<string, Agent> = {};
    const plans = new Map(plan.agents.map((a) => [a.name, a]));
    // Children are keyed by agent name, never by position, so reordering renames nothing.
    for (const agent of args.agents) {
      const compiled = { plan: plans.get(agent.name)!, platform: plan.platform };
      agents[agent.name] = new Agent(`${name}-${agent.name}`, { ...agent, platform: args.platform, validationDate, [PRECOMPILED]: compiled }, { parent: this });
    }
    this.agents = agents;

    this.registerOutputs({
      agents: Object.fromEntries(
        Object.entries(agents).map(([agentName, agent]) => [agentName, { namespace: agent.namespace, auditLogGroupName: agent.auditLogGroupName }]),
      ),
    });
  }
}
