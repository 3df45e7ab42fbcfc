/**
 * One agent: its namespace (when it has its own), its audit log group, and its three separate
 * identities. The declaration is validated and compiled first; any violation fails here, before
 * a single child resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { AgentIdentity, clusterProvider, type ClusterProviders, type PlatformWiring } from "./agent-identity";
import { namespaceGuardObjects } from "./core/bootstrap";
import type { IdentityKind } from "./core/names";
import type { AgentPlan } from "./core/plan-types";
import type { Platform } from "./core/schema";
import type { AgentSpec, PlatformSettings } from "./args";
import { workloadIdentity, type WorkloadIdentity, type WorkloadIdentityOptions } from "./core/workload";
import { stackRegistry } from "./registry";
import { deferPendingFields, waitFor } from "./pending-platform";
import { planAgentDeclaration, planForComponent, validateWhenResolved } from "./validate";

/**
 * Passed by AgentFleet, which has already validated the whole fleet, so the agent is not validated
 * twice. Not part of the args (the provider schema holds only plain data); the token keeps anyone
 * but the fleet from handing an agent a plan it did not validate.
 * @internal
 */
export interface Precompiled {
  readonly token: typeof FLEET_TOKEN;
  readonly plan: AgentPlan;
  readonly platform: Platform;
  /** The plan compiled again from resolved platform outputs, when some were pending. */
  readonly resolved?: pulumi.Output<AgentPlan>;
}
/** @internal */
export const FLEET_TOKEN: unique symbol = Symbol("agent-identity.fleet");

export interface AgentArgs extends AgentSpec {
  /** The agent's name. @default the component's name */
  readonly name?: string;
  /** The platform the agent runs on (cluster OIDC provider, Vault mounts, naming). */
  readonly platform: PlatformSettings;
  /** Date the expiry and exception checks use (YYYY-MM-DD). @default today */
  readonly validationDate?: string;
}

/**
 * What ties an agent to clusters and a bootstrapped platform: Kubernetes providers by cluster name
 * (required when the agent runs in several clusters) and AgentPlatform's resources. Resources, not
 * plain data, so they are a constructor parameter of their own rather than args (the provider schema
 * holds only plain data).
 */
export interface AgentConnections {
  /** Kubernetes providers by cluster name (`platform.clusters[].name`). */
  readonly kubernetesProviders?: ClusterProviders;
  /** AgentPlatform's resources (platform.bootstrap on): roles wait for the mounts they live in. */
  readonly wiring?: PlatformWiring;
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

  constructor(name: string, args: AgentArgs, opts?: pulumi.ComponentResourceOptions, precompiled?: Precompiled, connections: AgentConnections = {}) {
    super("agent-identity:index:Agent", name, {}, opts);
    const validationDate = validationDateOf(args.validationDate, `agent ${name}`);
    const compiled = precompiled?.token === FLEET_TOKEN ? precompiled : Agent.compile(name, args, validationDate, this);
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
    const resolved = compiled.resolved;
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

  private static compile(name: string, args: AgentArgs, validationDate: Date, component: Agent): Precompiled {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- validationDate is not part of the declaration
    const { platform, validationDate: _date, ...agent } = args;
    const agentName = agent.name ?? name;
    const { known, resolved } = deferPendingFields(platform);
    const compile = (platformInput: unknown, log: boolean) =>
      planForComponent(
        component,
        () => planAgentDeclaration(platformInput, { ...agent, name: agentName }, pulumi.getStack(), validationDate, `agent ${agentName}`),
        { log },
      ).plan;
    const plan = compile(known, true);
    return {
      token: FLEET_TOKEN,
      plan: plan.agents[0],
      platform: plan.platform,
      resolved: resolved && validateWhenResolved(component, resolved, (real) => compile(real, false).agents[0]),
    };
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
