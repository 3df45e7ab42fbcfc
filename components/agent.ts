/**
 * One agent: its namespace (when it has its own), its audit log group, and its three separate
 * identities. The declaration is validated and compiled first; any violation fails here, before
 * a single child resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { AgentIdentity } from "./agent-identity";
import type { IdentityKind } from "./core/names";
import type { AgentPlan } from "./core/plan-types";
import type { AgentInput, Platform, PlatformInput } from "./core/schema";
import { workloadIdentity, type WorkloadIdentity, type WorkloadIdentityOptions } from "./core/workload";
import { stackRegistry } from "./registry";
import { planAgentDeclaration, planForComponent } from "./validate";

/** Set by AgentFleet, which has already validated the whole fleet: skips validating twice. */
export const PRECOMPILED = Symbol("agent-identity.precompiled");
interface Precompiled {
  readonly plan: AgentPlan;
  readonly platform: Platform;
}

export type AgentArgs = Omit<AgentInput, "name"> & {
  /** The agent's name. @default the component's name */
  readonly name?: string;
  /** The platform the agent runs on (cluster OIDC provider, Vault mounts, naming). */
  readonly platform: PlatformInput;
  /** Date the expiry and exception checks use. @default now */
  readonly validationDate?: Date;
  readonly [PRECOMPILED]?: Precompiled;
};

export class Agent extends pulumi.ComponentResource {
  public readonly plan: AgentPlan;
  public readonly identities: Readonly<Record<IdentityKind, AgentIdentity>>;
  public readonly namespace: pulumi.Output<string>;
  public readonly auditLogGroupName: pulumi.Output<string>;
  private readonly vaultAudience: string;

  constructor(name: string, args: AgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-identity:index:Agent", name, {}, opts);
    const compiled = args[PRECOMPILED] ?? Agent.compile(name, args, this);
    const platform = compiled.platform;
    // Stack-wide rules against every agent created before this one in the program, fleet or not.
    const conflicts = stackRegistry().register(compiled.plan, platform, `Agent ${name}`, args.validationDate ?? new Date());
    if (conflicts.length > 0) {
      throw new pulumi.ResourceError(`agent ${compiled.plan.name}: ${conflicts.length} policy violation(s) across agents\n${conflicts.map((c) => `  - ${c}`).join("\n")}`, this, true);
    }
    this.plan = compiled.plan;
    this.vaultAudience = platform.vault.audience;
    const parent = { parent: this };

    const namespace = this.plan.namespace.create
      ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: this.plan.namespace.name, labels: { ...this.plan.namespace.labels } } }, parent)
      : undefined;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-audit-log`,
      {
        name: this.plan.auditLogGroup.name,
        retentionInDays: this.plan.auditLogGroup.retentionDays,
        // The audit record outlives mistakes: deleting it takes a deliberate change first.
        deletionProtectionEnabled: this.plan.auditLogGroup.deletionProtection,
        tags: { agent: this.plan.name, owner: this.plan.owner, tier: this.plan.tier, environment: platform.environment, "managed-by": "pulumi-agent-identity" },
      },
      // Removing, renaming or replacing the agent (a new namePrefix or environment) drops the group
      // from the stack but keeps it in AWS, so the record survives and DeleteLogGroup, which
      // deletion protection refuses, is never called; see README "Retiring an agent's audit trail".
      { ...parent, retainOnDelete: true },
    );

    const identities = {} as Record<IdentityKind, AgentIdentity>;
    for (const identity of this.plan.identities) {
      identities[identity.kind] = new AgentIdentity(`${name}-${identity.kind}`, { plan: identity, namespace }, parent);
    }
    this.identities = identities;
    this.namespace = pulumi.output(namespace ? namespace.metadata.name : this.plan.namespace.name);
    this.auditLogGroupName = logGroup.name;

    this.registerOutputs({
      namespace: this.namespace,
      auditLogGroupName: this.auditLogGroupName,
      identities: Object.fromEntries(
        Object.entries(identities).map(([kind, identity]) => [
          kind,
          {
            serviceAccountName: identity.serviceAccountName,
            serviceAccountNamespace: identity.serviceAccountNamespace,
            roleName: identity.roleName,
            roleArn: identity.roleArn,
            vaultRoleName: identity.vaultRoleName,
            vaultPolicyName: identity.vaultPolicyName,
          },
        ]),
      ),
    });
  }

  private static compile(name: string, args: AgentArgs, component: Agent): Precompiled {
    const { platform, validationDate, ...agent } = args;
    const agentName = agent.name ?? name;
    const { plan } = planForComponent(component, () =>
      planAgentDeclaration(platform, { ...agent, name: agentName }, pulumi.getStack(), validationDate ?? new Date(), `agent ${agentName}`),
    );
    return { plan: plan.agents[0], platform: plan.platform };
  }

  /**
   * What a pod spec needs to run as one identity of this agent: spread `serviceAccountName`,
   * `automountServiceAccountToken` and `volumes` into the pod spec, `volumeMounts` and `env` into
   * the container. The IRSA web-identity token is added by the EKS Pod Identity Webhook.
   */
  public workload(kind: IdentityKind, options: Omit<Partial<WorkloadIdentityOptions>, "vaultAudience"> = {}): WorkloadIdentity {
    const identity = this.plan.identities.find((i) => i.kind === kind);
    if (!identity) throw new Error(`agent ${this.plan.name} has no ${kind} identity`);
    // The audience is the platform's, never the caller's: the Vault role accepts only that one.
    return workloadIdentity(identity, { ...options, vaultAudience: this.vaultAudience });
  }
}
