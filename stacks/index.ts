/**
 * The deployable program: reads the stack's declaration from config and builds the fleet.
 * This is the only place that reads `pulumi.Config`; the components take plain arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AgentFleet } from "../components";
import type { AgentInput, PlatformInput } from "../components";
import { KubeContextsError, resolveKubeContexts, writtenClusterNames } from "../components/core/kube-contexts";
import { CONFIG_NAMESPACE, readAgentIdentityKeys } from "../components/core/stack-config";

/**
 * Refuse what `plan` refuses (components/core/stack-config.ts): a key in our namespace that no one
 * reads. The engine has already folded `agent-identity:config:<name>` into `agent-identity:<name>`.
 */
function checkConfigKeys(): void {
  const all = pulumi.runtime.allConfig();
  const value = (key: string): unknown => {
    try {
      return JSON.parse(all[key]);
    } catch {
      return all[key];
    }
  };
  const { issues } = readAgentIdentityKeys(Object.keys(all), value);
  if (issues.length) throw new pulumi.RunError(issues.map((issue) => `${issue.key}: ${issue.message}`).join("\n"));
}
checkConfigKeys();

const config = new pulumi.Config(CONFIG_NAMESPACE);
const platform = config.requireObject<PlatformInput>("platform");
const agents = config.getObject<AgentInput[]>("agents") ?? [];

/**
 * Database root passwords of platform.bootstrap, by config key. Refused unless the engine holds the
 * key as a secret (`pulumi config set --secret`): a plain value would sit in the stack file.
 */
function rootPasswords(): Record<string, pulumi.Output<string>> {
  const secretKeys = new Set<string>(JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]") as string[]);
  const passwords: Record<string, pulumi.Output<string>> = {};
  for (const connection of platform.bootstrap?.databaseConnections ?? []) {
    const key = connection.passwordConfigKey;
    if (!secretKeys.has(`agent-identity:${key}`)) {
      throw new Error(
        `agent-identity:${key} (root password of connection ${connection.name}) is not a secret: set it with \`pulumi config set --secret agent-identity:${key}\``,
      );
    }
    passwords[key] = config.requireSecret(key);
  }
  return passwords;
}

/**
 * The kubeconfig context of each declared cluster (`agent-identity:kubeContexts`, default: the
 * cluster's name), checked before any resource exists: a misspelt key must not send a cluster's
 * namespaces through the context named like it. Undefined: a single cluster, the default provider.
 */
function kubeContexts(): Record<string, string> | undefined {
  const clusters = writtenClusterNames(platform);
  // Malformed clusters: no providers here; AgentFleet refuses the declaration before any child.
  if (clusters === null) return undefined;
  try {
    return resolveKubeContexts(config.getObject<unknown>("kubeContexts"), clusters);
  } catch (error) {
    if (error instanceof KubeContextsError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
const contexts = kubeContexts();

/** One Kubernetes provider per declared cluster, on its kubeconfig context. */
function kubernetesProviders(): Record<string, k8s.Provider> | undefined {
  if (!contexts) return undefined;
  return Object.fromEntries(Object.entries(contexts).map(([cluster, context]) => [cluster, new k8s.Provider(`cluster-${cluster}`, { context })]));
}

const fleet = new AgentFleet("platform", { platform, agents, rootPasswords: rootPasswords() }, { kubernetesProviders: kubernetesProviders() });

/** Per agent and identity: the names a workload and an operator need. */
export const identities = Object.fromEntries(
  Object.entries(fleet.agents).map(([name, agent]) => [
    name,
    Object.fromEntries(
      Object.entries(agent.identities).map(([kind, identity]) => [
        kind,
        {
          serviceAccount: pulumi.interpolate`${identity.serviceAccountNamespace}/${identity.serviceAccountName}`,
          roleArn: identity.roleArn,
          vaultRole: identity.vaultRoleName,
          vaultPolicy: identity.vaultPolicyName,
        },
      ]),
    ),
  ]),
);
