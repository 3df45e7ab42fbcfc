/**
 * `platform.bootstrap` → the bootstrap plan, and the Kubernetes objects that guard each agent
 * namespace. Pure: AgentPlatform and Agent only turn these into resources.
 */
import { platformClusters } from "./clusters";
import { vaultSecretRoleName } from "./names";
import type { BootstrapPlan, NamespaceGuardsPlan } from "./plan-types";
import type { AgentDeclaration, Platform } from "./schema";
import { AWS_SESSION_NAME_TEMPLATE, DATABASE_USERNAME_TEMPLATE } from "./tool-sessions";

export function namespaceGuards(platform: Platform): NamespaceGuardsPlan | null {
  const bootstrap = platform.bootstrap;
  if (!bootstrap) return null;
  return {
    egress: {
      dns: true,
      vaultCidrs: [...bootstrap.network.vaultCidrs],
      vaultPort: bootstrap.network.vaultPort,
      awsEndpointCidrs: [...bootstrap.network.awsEndpointCidrs],
    },
    quota: { ...bootstrap.quota },
  };
}

/** Secret roles of the tools that use `connection`: Vault's allowed_roles, never `*`. */
function rolesOfConnection(platform: Platform, agents: readonly AgentDeclaration[], connection: string): string[] {
  return agents
    .filter((agent) => agent.revoked === undefined)
    .flatMap((agent) =>
      agent.tools.filter((tool) => tool.database?.connection === connection).map((tool) => vaultSecretRoleName(platform, agent.name, tool.name)),
    )
    .sort();
}

export function compileBootstrap(platform: Platform, agents: readonly AgentDeclaration[]): BootstrapPlan | null {
  const bootstrap = platform.bootstrap;
  if (!bootstrap) return null;
  const clusters = platformClusters(platform);
  const audit = bootstrap.audit;
  const tagged = platform.toolSessions === "tagged-sessions";
  return {
    authBackends: clusters.map((cluster) => {
      const config = bootstrap.kubernetesAuth.find((auth) => auth.cluster === cluster.name)!;
      return {
        cluster: cluster.name,
        path: cluster.vaultAuthPath,
        kubernetesHost: config.host,
        kubernetesCaCert: config.caCertificate,
        issuer: config.issuer ?? null,
        disableLocalCaJwt: config.disableLocalCaJwt,
      };
    }),
    kvMount: { path: platform.vault.kvMount, type: "kv", version: "2" },
    databaseMount: platform.vault.databaseConnections.length > 0 ? { path: platform.vault.databaseMount, type: "database" } : null,
    databaseConnections: bootstrap.databaseConnections.map((connection) => ({
      name: connection.name,
      backend: platform.vault.databaseMount,
      pluginName: "postgresql-database-plugin",
      connectionUrl: connection.connectionUrl,
      username: connection.username,
      passwordConfigKey: connection.passwordConfigKey,
      allowedRoles: rolesOfConnection(platform, agents, connection.name),
      rootRotationStatements: [...connection.rootRotationStatements],
      // Tagged sessions: the database user names the tool's Vault role.
      usernameTemplate: tagged ? DATABASE_USERNAME_TEMPLATE : null,
    })),
    awsMount: bootstrap.aws
      ? {
          path: platform.vault.awsMount,
          roleArn: bootstrap.aws.roleArn,
          identityTokenAudience: bootstrap.aws.identityTokenAudience,
          // Tagged sessions: the STS session name starts with the tool's Vault role.
          usernameTemplate: tagged ? AWS_SESSION_NAME_TEMPLATE : null,
        }
      : null,
    audit:
      audit.type === "file"
        ? { type: "file", path: "file", options: { file_path: audit.filePath } }
        : { type: "socket", path: "socket", options: { address: audit.address, socket_type: audit.socketType } },
  };
}

/** The NetworkPolicy, ResourceQuota and LimitRange of one agent namespace, as Kubernetes objects. */
export function namespaceGuardObjects(namespace: string, labels: Readonly<Record<string, string>>, guards: NamespaceGuardsPlan) {
  const metadata = (name: string) => ({ name, namespace, labels: { ...labels } });
  const ipBlocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const egress: Array<Record<string, unknown>> = [
    {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    },
    { to: ipBlocks(guards.egress.vaultCidrs), ports: [{ protocol: "TCP", port: guards.egress.vaultPort }] },
  ];
  if (guards.egress.awsEndpointCidrs.length > 0) egress.push({ to: ipBlocks(guards.egress.awsEndpointCidrs), ports: [{ protocol: "TCP", port: 443 }] });
  return {
    networkPolicy: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata("default-deny-except-declared"),
      // Every pod; both directions listed, so no ingress and only the egress below.
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress },
    },
    resourceQuota: {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: metadata("agent-quota"),
      spec: {
        hard: {
          pods: String(guards.quota.pods),
          "requests.cpu": guards.quota.requestsCpu,
          "requests.memory": guards.quota.requestsMemory,
          "limits.cpu": guards.quota.limitsCpu,
          "limits.memory": guards.quota.limitsMemory,
        },
      },
    },
    limitRange: {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: metadata("agent-defaults"),
      // A quota on requests/limits refuses pods without them; these defaults fill them in.
      spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } }] },
    },
  };
}
