/**
 * What a fresh cluster and a fresh Vault need before any agent: a Vault Kubernetes auth backend per
 * cluster with its config, the KV v2, database and AWS secrets mounts, the database connections and
 * an audit device. It creates exactly the bootstrap plan (`platform.bootstrap`) and nothing else;
 * AgentFleet creates it when the declaration turns bootstrap on and wires the agents to its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { PlatformWiring } from "./agent-identity";
import type { BootstrapPlan } from "./core/plan-types";

export interface AgentPlatformArgs {
  /** The compiled bootstrap plan (`FleetPlan.bootstrap`); validated by the caller. */
  readonly plan: BootstrapPlan;
  /**
   * Root passwords of the database connections by their config key (`passwordConfigKey`), read by
   * the stack program with `config.requireSecret`. Marked secret again here whatever they come as.
   */
  readonly rootPasswords?: Readonly<Record<string, pulumi.Input<string>>>;
}

export class AgentPlatform extends pulumi.ComponentResource {
  public readonly plan: BootstrapPlan;
  /** Declared path → output of the created resource, for the agents' roles. */
  public readonly wiring: PlatformWiring;
  /** Commands that make Vault rotate each root password once, so only Vault knows it afterwards. */
  public readonly rotateRootCommands: readonly string[];

  constructor(name: string, args: AgentPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-identity:index:AgentPlatform", name, {}, opts);
    const plan = args.plan;
    this.plan = plan;
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
    const audit = new vault.Audit(`${name}-audit`, { type: plan.audit.type, path: plan.audit.path, options: { ...plan.audit.options } }, parent);
    const afterAudit = { parent: this, dependsOn: [audit] };

    const authBackends: Record<string, pulumi.Resource[]> = {};
    for (const backend of plan.authBackends) {
      const auth = new vault.AuthBackend(`${name}-${backend.cluster}-kubernetes-auth`, { type: "kubernetes", path: backend.path, description: `Kubernetes auth for cluster ${backend.cluster} (agent-identity)` }, afterAudit);
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
    const kv = new vault.Mount(`${name}-kv`, { path: plan.kvMount.path, type: plan.kvMount.type, options: { version: plan.kvMount.version }, description: "Agent KV v2 (agent-identity)" }, afterAudit);
    mounts[plan.kvMount.path] = [kv];

    const connections: Record<string, pulumi.Resource> = {};
    if (plan.databaseMount) {
      const database = new vault.Mount(`${name}-database`, { path: plan.databaseMount.path, type: plan.databaseMount.type, description: "Agent database credentials (agent-identity)" }, afterAudit);
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
            postgresql: { connectionUrl: connection.connectionUrl, username: connection.username, password, usernameTemplate: connection.usernameTemplate ?? undefined },
          },
          { parent: this, dependsOn: [database], additionalSecretOutputs: ["postgresql"] },
        );
      }
    }

    if (plan.awsMount) {
      // Vault's own AWS credentials come from its plugin identity token, never static keys.
      const awsMount = new vault.aws.SecretBackend(
        `${name}-aws`,
        { path: plan.awsMount.path, roleArn: plan.awsMount.roleArn, identityTokenAudience: plan.awsMount.identityTokenAudience, usernameTemplate: plan.awsMount.usernameTemplate ?? undefined, description: "Agent STS credentials (agent-identity)" },
        afterAudit,
      );
      mounts[plan.awsMount.path] = [awsMount];
    }

    this.wiring = { authBackends, mounts, connections };
    this.rotateRootCommands = plan.databaseConnections.map((c) => `vault write -f ${c.backend}/rotate-root/${c.name}`);
    this.registerOutputs({
      authBackends: Object.keys(authBackends),
      mounts: Object.keys(mounts),
      connections: Object.keys(connections),
      rotateRootCommands: this.rotateRootCommands,
    });
  }
}
