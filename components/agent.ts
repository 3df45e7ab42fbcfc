/**
 * One agent: its namespace (when it has its own), its audit log group, and its three separate
 * identities. The declaration is validated and compiled first; any violation fails here, before
 * a single child resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { AgentIdentity, clusterProvider, type ClusterProviders } from "./agent-identity";
import { namespaceGuardObjects } from "./core/bootstrap";
import type { IdentityKind } from "./core/names";
import type { AgentPlan } from "./core/plan-types";
import type { AgentSpec, PlatformSettings } from "./args";
import { workloadIdentity, type WorkloadIdentity, type WorkloadIdentityOptions } from "./core/workload";
import { stackRegistry } from "./registry";
import { FLEET_TOKEN, fleetHandoff, type Precompiled } from "./fleet-handoff";
import { deferPending, waitFor } from "./pending-declaration";
import { firstPlan, planAgentDeclaration, planForComponent, resolvedPlan } from "./validate";
import { sameStructure } from "./structure";

export interface AgentArgs extends AgentSpec {
  /** The agent's name. @default the component's name */
  readonly name?: string;
  /** The platform the agent runs on (cluster OIDC provider, Vault mounts, naming). */
  readonly platform: PlatformSettings;
  /** Date the expiry and exception checks use (YYYY-MM-DD). @default today */
  readonly validationDate?: string;
}

/** Resource options of an Agent, with what ties it to its clusters. */
export interface AgentOptions extends pulumi.ComponentResourceOptions {
  /**
   * Kubernetes providers by cluster name (`platform.clusters[].name`); required when the agent runs in
   * several clusters. Resources, not data, so they are options rather than args (the provider schema
   * holds data only).
   */
  readonly kubernetesProviders?: ClusterProviders;
}

/** What the TypeScript API exposes beyond the schema: kept off the class so the schema sees only outputs. */
interface AgentState {
  readonly plan: AgentPlan;
  readonly identities: Readonly<Record<IdentityKind, AgentIdentity>>;
  readonly vaultAudience: string;
}
const STATE = new WeakMap<Agent, AgentState>();

/** `validationDate` as a Date: YYYY-MM-DD (or an ISO timestamp); today when absent. */
export function validationDateOf(value: string | undefined, subject: string): Date {
  if (value === undefined) return new Date();
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new Error(`${subject}: validationDate must be a date like 2026-11-28, got "${value}"`);
  return date;
}

/** One agent and its three identities. */
export class Agent extends pulumi.ComponentResource {
  /** The agent's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** Name of the agent's audit log group. */
  public readonly auditLogGroupName: pulumi.Output<string>;
  /** IAM role ARN per identity (orchestration, execution, audit). */
  public readonly roleArns: pulumi.Output<Record<string, string>>;
  /** Kubernetes ServiceAccount name per identity. */
  public readonly serviceAccountNames: pulumi.Output<Record<string, string>>;

  /** The compiled plan this agent deploys. */
  get plan(): AgentPlan {
    return STATE.get(this)!.plan;
  }

  get identities(): Readonly<Record<IdentityKind, AgentIdentity>> {
    return STATE.get(this)!.identities;
  }

  constructor(name: string, args: AgentArgs, opts?: AgentOptions) {
    const { kubernetesProviders, ...resourceOptions } = opts ?? {};
    super("agent-identity:index:Agent", name, {}, resourceOptions);
    // An AgentFleet hands over its validated plan and its platform's resources with the options object.
    const handoff = opts ? fleetHandoff.get(opts) : undefined;
    const connections = { kubernetesProviders, wiring: handoff?.wiring };
    const validationDate = validationDateOf(args.validationDate, `agent ${name}`);
    const compiled = handoff?.token === FLEET_TOKEN ? handoff.compiled : Agent.compile(name, args, validationDate, this);
    const platform = compiled.platform;
    // Stack-wide rules against every agent created before this one in the program, fleet or not.
    const conflicts = stackRegistry().register(compiled.plan, platform, `Agent ${name}`, validationDate);
    if (conflicts.length > 0) {
      throw new pulumi.ResourceError(
        `agent ${compiled.plan.name}: ${conflicts.length} policy violation(s) across agents\n${conflicts.map((c) => `  - ${c}`).join("\n")}`,
        this,
        true,
      );
    }
    const plan = compiled.plan;
    // The resolved plan must create the same resources the first one named (only values differ).
    const resolved = compiled.resolved?.apply((agent) => {
      const difference = sameStructure(plan, agent);
      if (difference)
        throw new pulumi.ResourceError(`agent ${plan.name}: ${difference} once its outputs resolved; pass that value as a plain string`, this, true);
      return agent;
    });
    const parent: pulumi.CustomResourceOptions = resolved ? { parent: this, dependsOn: waitFor(resolved) } : { parent: this };

    // The agent's clusters (every identity runs in the same ones).
    const clusters = plan.identities[0]?.bindings.map((binding) => binding.cluster) ?? [];
    const several = clusters.length > 1;
    const providers = clusters.map((cluster) => clusterProvider(connections.kubernetesProviders, cluster, clusters.length, `agent ${plan.name}`, this));
    const namespaces: Record<string, k8s.core.v1.Namespace> = {};
    clusters.forEach((cluster, index) => {
      if (!plan.namespace.create) return;
      const prefix = several ? `${name}-${cluster}` : name;
      const opts = { ...parent, ...(providers[index] ? { provider: providers[index] } : {}) };
      const ns = new k8s.core.v1.Namespace(`${prefix}-namespace`, { metadata: { name: plan.namespace.name, labels: { ...plan.namespace.labels } } }, opts);
      namespaces[cluster] = ns;
      const guards = plan.namespace.guards;
      if (!guards) return;
      // Default deny with the declared egress, a quota and container defaults (platform.bootstrap).
      const objects = namespaceGuardObjects(plan.namespace.name, { "app.kubernetes.io/managed-by": "pulumi-agent-identity" }, guards);
      const inNamespace = { ...opts, dependsOn: [ns] };
      new k8s.networking.v1.NetworkPolicy(
        `${prefix}-network-policy`,
        { metadata: objects.networkPolicy.metadata, spec: objects.networkPolicy.spec },
        inNamespace,
      );
      new k8s.core.v1.ResourceQuota(`${prefix}-quota`, { metadata: objects.resourceQuota.metadata, spec: objects.resourceQuota.spec }, inNamespace);
      new k8s.core.v1.LimitRange(`${prefix}-limits`, { metadata: objects.limitRange.metadata, spec: objects.limitRange.spec }, inNamespace);
    });
    const namespace = clusters.length > 0 ? namespaces[clusters[0]] : undefined;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-audit-log`,
      {
        name: plan.auditLogGroup.name,
        retentionInDays: plan.auditLogGroup.retentionDays,
        // The audit record outlives mistakes: deleting it takes a deliberate change first.
        deletionProtectionEnabled: plan.auditLogGroup.deletionProtection,
        tags: { agent: plan.name, owner: plan.owner, tier: plan.tier, environment: platform.environment, "managed-by": "pulumi-agent-identity" },
      },
      // Removing, renaming or replacing the agent (a new namePrefix or environment) drops the group
      // from the stack but keeps it in AWS, so the record survives and DeleteLogGroup, which
      // deletion protection refuses, is never called; see README "Retiring an agent's audit trail".
      { ...parent, retainOnDelete: true },
    );

    const identities = {} as Record<IdentityKind, AgentIdentity>;
    for (const identity of plan.identities) {
      const resolvedIdentity = resolved?.apply((agent) => {
        const found = agent.identities.find((i) => i.kind === identity.kind);
        if (!found) throw new pulumi.ResourceError(`agent ${plan.name}: no ${identity.kind} identity once the platform outputs resolved`, this, true);
        return found;
      });
      identities[identity.kind] = new AgentIdentity(
        `${name}-${identity.kind}`,
        { plan: identity, namespace: namespaces, kubernetesProviders: connections.kubernetesProviders, wiring: connections.wiring, resolved: resolvedIdentity },
        { parent: this },
      );
    }
    STATE.set(this, { plan, identities, vaultAudience: platform.vault.audience });
    this.namespace = pulumi.output(namespace ? namespace.metadata.name : plan.namespace.name);
    this.auditLogGroupName = logGroup.name;
    const perIdentity = (pick: (identity: AgentIdentity) => pulumi.Output<string>) =>
      pulumi.all(Object.fromEntries(Object.entries(identities).map(([kind, identity]) => [kind, pick(identity)]))) as pulumi.Output<Record<string, string>>;
    this.roleArns = perIdentity((identity) => identity.roleArn);
    this.serviceAccountNames = perIdentity((identity) => identity.serviceAccountName);

    // The component's own outputs. Each identity's names and ARNs are its AgentIdentity's outputs and
    // are not registered a second time here: every registered output costs the SDK a serialisation
    // and a promise (issue #11), and the URNs and the resource graph are unchanged.
    this.registerOutputs({
      namespace: this.namespace,
      auditLogGroupName: this.auditLogGroupName,
      roleArns: this.roleArns,
      serviceAccountNames: this.serviceAccountNames,
    });
  }

  private static compile(name: string, args: AgentArgs, validationDate: Date, component: Agent): Precompiled["compiled"] {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- validationDate is not part of the declaration
    const { platform, validationDate: _date, ...agent } = args;
    const agentName = agent.name ?? name;
    const subject = `agent ${agentName}`;
    const deferred = deferPending({ platform, agent: { ...agent, name: agentName } }, subject, component);
    const plan = (declaration: { platform: unknown; agent: unknown }) => () =>
      planAgentDeclaration(declaration.platform, declaration.agent, pulumi.getStack(), validationDate, subject);
    const first = firstPlan(component, plan(deferred.known), deferred.judgeNow);
    const resolved = resolvedPlan(
      component,
      deferred.resolved,
      deferred.origins,
      (real) => planForComponent(component, plan(real), { log: !first.judged }).plan,
    );
    return { plan: first.plan.agents[0], platform: first.plan.platform, resolved: resolved?.apply((p) => p.agents[0]) };
  }

  /**
   * What a pod spec needs to run as one identity of this agent: spread `serviceAccountName`,
   * `automountServiceAccountToken` and `volumes` into the pod spec, `volumeMounts` and `env` into
   * the container. The IRSA web-identity token is added by the EKS Pod Identity Webhook.
   */
  public workload(kind: IdentityKind, options: Omit<Partial<WorkloadIdentityOptions>, "vaultAudience"> = {}): WorkloadIdentity {
    const { plan, vaultAudience } = STATE.get(this)!;
    const identity = plan.identities.find((i) => i.kind === kind);
    if (!identity) throw new Error(`agent ${plan.name} has no ${kind} identity`);
    // The audience is the platform's, never the caller's: the Vault role accepts only that one.
    return workloadIdentity(identity, { ...options, vaultAudience });
  }
}
