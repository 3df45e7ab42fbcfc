/**
 * What a fresh cluster and a fresh Vault need before any agent: a Vault Kubernetes auth backend per
 * cluster with its config, the KV v2, database and AWS secrets mounts, the database connections and
 * an audit device. It creates exactly the bootstrap plan (`platform.bootstrap`) and nothing else.
 * AgentFleet creates it when the declaration turns bootstrap on and wires the agents to its outputs;
 * on its own (other languages: `agent-identity:index:AgentPlatform`) it validates the declaration
 * from its plain-data args and compiles the same plan.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { validationDateOf } from "./agent";
import type { PlatformWiring } from "./agent-identity";
import type { FleetAgent, PlatformSettings } from "./args";
import type { BootstrapPlan } from "./core/plan-types";
import { FLEET_TOKEN, platformHandoff } from "./fleet-handoff";
import { deferPending, waitFor } from "./pending-declaration";
import { firstPlan, planDeclaration, planForComponent, resolvedPlan } from "./validate";

export interface AgentPlatformArgs {
  /** The platform, with platform.bootstrap: what to create. */
  readonly platform: PlatformSettings;
  /**
   * The agents whose database tools use the connections: each connection's Vault allowed_roles lists
   * exactly their secret roles. Required when platform.bootstrap declares database connections
   * (`[]`: no role may use them).
   */
  readonly agents?: FleetAgent[];
  /** Date the expiry and exception checks use (YYYY-MM-DD). @default today */
  readonly validationDate?: string;
  /**
   * Root passwords of the database connections by their config key (`passwordConfigKey`): pass
   * secret config values. Marked secret again here whatever they come as.
   */
  readonly rootPasswords?: Record<string, pulumi.Input<string>>;
}

/** What the TypeScript API exposes beyond the schema: kept off the class so the schema sees only outputs. */
const STATE = new WeakMap<AgentPlatform, { readonly plan: BootstrapPlan; readonly wiring: PlatformWiring }>();

/** The Vault auth backends, mounts, connections and audit device of platform.bootstrap. */
export class AgentPlatform extends pulumi.ComponentResource {
  /** Commands that make Vault rotate each root password once, so only Vault knows it afterwards. */
  public readonly rotateRootCommands: pulumi.Output<string[]>;

  /** The bootstrap plan this platform creates. */
  get plan(): BootstrapPlan {
    return STATE.get(this)!.plan;
  }

  /** Declared path → output of the created resource, for the agents' roles. */
  get wiring(): PlatformWiring {
    return STATE.get(this)!.wiring;
  }

  constructor(name: string, args: AgentPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-identity:index:AgentPlatform", name, {}, opts);
    // An AgentFleet hands over the bootstrap plan it has already validated with the options object.
    const handoff = opts ? platformHandoff.get(opts) : undefined;
    const compiled = handoff?.token === FLEET_TOKEN ? { plan: handoff.plan, resolved: undefined } : AgentPlatform.compile(name, args, this);
    const plan = compiled.plan;
    // Fail before any child: a connection without its root password would be created broken.
    const missing = plan.databaseConnections.filter((c) => args.rootPasswords?.[c.passwordConfigKey] === undefined);
    if (missing.length > 0) {
      throw new pulumi.ResourceError(
        `AgentPlatform ${name}: no root password for ${missing.map((c) => `connection "${c.name}" (config key ${c.passwordConfigKey})`).join(", ")}: set it with \`pulumi config set --secret agent-identity:<key>\``,
        this,
        true,
      );
    }
    const parent = { parent: this };

    // Recorded before anything else: every login and secret read after this is in the audit log.
    // Pending platform outputs (AgentPlatform on its own): nothing is created until they validated.
    const first = compiled.resolved ? { parent: this, dependsOn: waitFor(compiled.resolved) } : parent;
    const audit = new vault.Audit(`${name}-audit`, { type: plan.audit.type, path: plan.audit.path, options: { ...plan.audit.options } }, first);
    const afterAudit = { parent: this, dependsOn: [audit] };

    const authBackends: Record<string, pulumi.Resource[]> = {};
    for (const backend of plan.authBackends) {
      const auth = new vault.AuthBackend(
        `${name}-${backend.cluster}-kubernetes-auth`,
        // disableRemount: a changed path replaces the mount instead of moving it (sys/remount), so this
        // resource can only ever be the mount at its own path (the pack's vault/mount-path reads it).
        { type: "kubernetes", path: backend.path, description: `Kubernetes auth for cluster ${backend.cluster} (agent-identity)`, disableRemount: true },
        afterAudit,
      );
      const config = new vault.kubernetes.AuthBackendConfig(
        `${name}-${backend.cluster}-kubernetes-auth-config`,
        {
          backend: backend.path,
          kubernetesHost: backend.kubernetesHost,
          kubernetesCaCert: backend.kubernetesCaCert,
          issuer: backend.issuer ?? undefined,
          disableLocalCaJwt: backend.disableLocalCaJwt,
        },
        { parent: this, dependsOn: [auth] },
      );
      // Roles wait for the backend and its config, nothing else.
      authBackends[backend.path] = [auth, config];
    }

    const mounts: Record<string, pulumi.Resource[]> = {};
    const kv = new vault.Mount(
      `${name}-kv`,
      { path: plan.kvMount.path, type: plan.kvMount.type, options: { version: plan.kvMount.version }, description: "Agent KV v2 (agent-identity)" },
      afterAudit,
    );
    mounts[plan.kvMount.path] = [kv];

    const connections: Record<string, pulumi.Resource> = {};
    if (plan.databaseMount) {
      const database = new vault.Mount(
        `${name}-database`,
        { path: plan.databaseMount.path, type: plan.databaseMount.type, description: "Agent database credentials (agent-identity)" },
        afterAudit,
      );
      mounts[plan.databaseMount.path] = [database];
      for (const connection of plan.databaseConnections) {
        const password = pulumi.secret(args.rootPasswords![connection.passwordConfigKey]);
        connections[connection.name] = new vault.database.SecretBackendConnection(
          `${name}-database-${connection.name}`,
          {
            backend: plan.databaseMount.path,
            name: connection.name,
            pluginName: connection.pluginName,
            // Exactly the roles of the tools using this connection; [] admits none (never "*").
            allowedRoles: [...connection.allowedRoles],
            rootRotationStatements: [...connection.rootRotationStatements],
            verifyConnection: true,
            postgresql: {
              connectionUrl: connection.connectionUrl,
              username: connection.username,
              password,
              usernameTemplate: connection.usernameTemplate ?? undefined,
            },
          },
          { parent: this, dependsOn: [database], additionalSecretOutputs: ["postgresql"] },
        );
      }
    }

    if (plan.awsMount) {
      // Vault's own AWS credentials come from its plugin identity token, never static keys.
      const awsMount = new vault.aws.SecretBackend(
        `${name}-aws`,
        {
          path: plan.awsMount.path,
          roleArn: plan.awsMount.roleArn,
          identityTokenAudience: plan.awsMount.identityTokenAudience,
          usernameTemplate: plan.awsMount.usernameTemplate ?? undefined,
          description: "Agent STS credentials (agent-identity)",
          // As the auth mounts: never moved by a path change (vault/mount-path).
          disableRemount: true,
        },
        afterAudit,
      );
      mounts[plan.awsMount.path] = [awsMount];
    }

    STATE.set(this, { plan, wiring: { authBackends, mounts, connections } });
    this.rotateRootCommands = pulumi.output(plan.databaseConnections.map((c) => `vault write -f ${c.backend}/rotate-root/${c.name}`));
    this.registerOutputs({
      authBackends: Object.keys(authBackends),
      mounts: Object.keys(mounts),
      connections: Object.keys(connections),
      rotateRootCommands: this.rotateRootCommands,
    });
  }

  /** The declaration from plain args, validated and compiled as AgentFleet does; its bootstrap plan. */
  private static compile(
    name: string,
    args: AgentPlatformArgs,
    component: AgentPlatform,
  ): { readonly plan: BootstrapPlan; readonly resolved?: pulumi.Output<unknown> } {
    const subject = `platform ${name}`;
    const validationDate = validationDateOf(args.validationDate, subject);
    const agents = args.agents ?? [];
    const deferred = deferPending({ platform: args.platform, agents }, subject, component);
    const run = (declaration: { platform: unknown; agents: unknown }) => () =>
      planDeclaration({ platform: declaration.platform, agents: declaration.agents }, pulumi.getStack(), validationDate, subject);
    const first = firstPlan(component, run(deferred.known), deferred.judgeNow);
    const plan = first.plan;
    const fail = (message: string) => new pulumi.ResourceError(`AgentPlatform ${name}: ${message}`, component, true);
    if (!plan.bootstrap)
      throw fail(
        "platform.bootstrap is not set, so there is nothing to create: declare platform.bootstrap, or leave AgentPlatform out when the mounts and auth backends exist",
      );
    // Missing is not "no agents": allowed_roles would silently shut out agents declared elsewhere.
    if (args.agents === undefined && plan.bootstrap.databaseConnections.length > 0) {
      throw fail(
        `platform.bootstrap declares database connections (${plan.bootstrap.databaseConnections.map((c) => c.name).join(", ")}) but agents is not set: list the agents whose database tools use them (their secret roles become the connections' allowed_roles), or agents: [] if none may`,
      );
    }
    const resolved = resolvedPlan(
      component,
      deferred.resolved,
      deferred.origins,
      (real) => planForComponent(component, run(real), { log: !first.judged }).plan,
    );
    return { plan: plan.bootstrap, resolved };
  }
}
