/**
 * Providers: the pack judges a resource as what the declared platform would receive (AWS's own
 * endpoints, the platform's Vault, the agents' cluster). A provider that sends requests elsewhere
 * breaks that: per resource, an AWS provider with overridden `endpoints` (or `insecure`), a Vault
 * provider that skips TLS verification, and every resource created through such a provider, are
 * refused. Across the stack, Vault providers at more than one address would have the pack judge two
 * servers as one (a policy on one Vault, the role using it on another): refused unless the security
 * team declares the provider (kubernetesPlatformResources, `pulumi:providers:vault::<name>`). Several
 * Kubernetes providers are the declared clusters (platform.clusters), each judged by its own bindings:
 * the clusters the agents' ServiceAccounts are created through. A Kubernetes provider for any other
 * cluster is refused unless declared (`pulumi:providers:kubernetes::<name>`), and so is anything it
 * creates in an agent namespace.
 */
import type { Problem } from "../../components/rules/define";
import { asRecord, asString, readInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackResource, StackPass } from "../types";
import { agentNamespaces, findingsFor } from "./agent-namespaces";

const RULE = "stack/provider-endpoints";
export const PROVIDER_TYPES = {
  awsProvider: "pulumi:providers:aws",
  vaultProvider: "pulumi:providers:vault",
  kubernetesProvider: "pulumi:providers:kubernetes",
} as const;

/** Provider inputs may arrive JSON-encoded (the engine sends provider configuration as strings). */
export function decoded(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Any non-empty string in an `endpoints` value (a list of objects, or one object). */
function overridesEndpoints(value: unknown): boolean {
  const v = decoded(value);
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return items.some((item) => item && typeof item === "object" && Object.values(item).some((x) => typeof x === "string" && x !== ""));
}

const truthy = (value: unknown) => decoded(value) === true;

/**
 * The tags an AWS provider's `defaultTags` puts on every resource it creates (they land in the
 * resource's tagsAll, beside its own tags); none for another provider or when unset.
 */
export function providerDefaultTags(provider: Pick<PackResource, "type" | "props"> | undefined): Record<string, string> {
  if (!provider || provider.type !== PROVIDER_TYPES.awsProvider) return {};
  const defaults = decoded(readInputs(provider.props).value.defaultTags);
  const tags = defaults && typeof defaults === "object" && !Array.isArray(defaults) ? decoded((defaults as Record<string, unknown>).tags) : undefined;
  return asRecord(tags);
}

/** What makes a provider send requests to something other than the declared platform. */
export function providerProblems(provider: Pick<PackResource, "type" | "name" | "props">): string[] {
  const v = readInputs(provider.props).value;
  const problems: string[] = [];
  // The engine keeps the `pluginDownloadURL` option in a provider's inputs and fetches the plugin
  // binary from it, then runs it with the deployer's credentials: only the default source is read.
  const pluginUrl = decoded(v.pluginDownloadURL);
  if (typeof pluginUrl === "string" && pluginUrl !== "")
    problems.push(`downloads its plugin from ${JSON.stringify(pluginUrl.slice(0, 200))} (pluginDownloadURL), code the pack never reads`);
  if (provider.type === PROVIDER_TYPES.awsProvider) {
    if (overridesEndpoints(v.endpoints)) problems.push("overrides AWS service endpoints");
    if (truthy(v.insecure)) problems.push("skips TLS verification (insecure)");
  }
  if (provider.type === PROVIDER_TYPES.vaultProvider && truthy(v.skipTlsVerify)) problems.push("skips Vault's TLS verification (skipTlsVerify)");
  return problems;
}

const FIX =
  "create agents' and platform resources through providers for the platform's own endpoints (AWS's endpoints, the platform's Vault over verified TLS)";

export function providerCheck(resource: PackResource): Problem[] {
  if (resource.type.startsWith("pulumi:providers:"))
    return providerProblems(resource).map((problem) => ({
      rule: RULE,
      message: `provider ${resource.name} ${problem}: what the pack judges is not what it sends`,
      fix: FIX,
    }));
  if (!resource.provider) return [];
  return providerProblems(resource.provider).map((problem) => ({
    rule: RULE,
    message: `${resource.type} ${resource.name} is created through provider ${resource.provider!.name}, which ${problem}: the pack judges it as if it went to the declared platform`,
    fix: FIX,
  }));
}

/** Which system a provider talks to, for the one-system check (undefined: the ambient configuration). */
function systemOf(provider: PackResource): string | undefined {
  const v = readInputs(provider.props).value;
  const text = (x: unknown) => (typeof x === "string" && x !== "" ? x : undefined);
  if (provider.type === PROVIDER_TYPES.vaultProvider) return text(v.address)?.replace(/\/+$/, "").toLowerCase();
  if (provider.type === PROVIDER_TYPES.kubernetesProvider)
    return [text(v.kubeconfig), text(v.context), text(v.cluster)].filter(Boolean).join("\u0000") || undefined;
  return undefined;
}

const AMBIENT = "(ambient configuration)";
/** The cluster a resource is sent to: its Kubernetes provider's kubeconfig, context and cluster, or the ambient configuration. */
export const clusterOf = (provider: PackResource["provider"]) =>
  provider?.type === PROVIDER_TYPES.kubernetesProvider ? (systemOf(provider) ?? AMBIENT) : AMBIENT;

/**
 * The agents' clusters are those their ServiceAccounts are created through (one provider per
 * declared cluster, or the ambient one). A Kubernetes provider for any other cluster is refused
 * unless the security team declares it, and never when its default namespace is an agent's; a
 * resource created through it in an agent namespace is refused (the pack would judge it against
 * the agents' cluster, where it does not go).
 */
function kubernetesClusters(ix: StackIndex, pass: StackPass): void {
  if (ix.serviceAccounts.length === 0) return;
  const agentClusters = new Set(ix.serviceAccounts.map((sa) => clusterOf(sa.resource.provider)));
  const namespaces = agentNamespaces(ix);
  const label = (cluster: string) => (cluster === AMBIENT ? "the ambient kubeconfig" : "an explicit kubeconfig, context or cluster");
  const clusters = `the agents' cluster${agentClusters.size > 1 ? "s" : ""} (${[...agentClusters].map(label).join(", ")})`;
  for (const { resource } of ix.inputsOfType(PROVIDER_TYPES.kubernetesProvider)) {
    if (agentClusters.has(systemOf(resource) ?? AMBIENT)) continue;
    const defaultNamespace = asString(readInputs(resource.props).value.namespace);
    const agentDefault = defaultNamespace !== undefined && namespaces.has(defaultNamespace);
    const key = platformResourceKey(PROVIDER_TYPES.kubernetesProvider, resource.name);
    pass.findings.push({
      rule: RULE,
      agent: "platform",
      identity: null,
      urn: resource.urn,
      ...(agentDefault ? {} : { platformResource: key }),
      message: `Kubernetes provider ${resource.name} targets a cluster other than ${clusters}${agentDefault ? `, with agent namespace ${defaultNamespace} as its default namespace` : ""}: the pack would judge what it creates against the agents' cluster`,
      fix: agentDefault
        ? "create agents' objects only through the providers of the agents' clusters"
        : `create agents' objects only through the providers of the agents' clusters, or have the security team declare this provider (kubernetesPlatformResources)`,
    });
  }
  for (const { resource, value } of ix.inputs) {
    if (resource.provider?.type !== PROVIDER_TYPES.kubernetesProvider || agentClusters.has(clusterOf(resource.provider))) continue;
    const namespace = asString(asRecord(value.metadata).namespace) ?? asString(readInputs(resource.provider.props as Record<string, unknown>).value.namespace);
    const agentNamespace = namespace === undefined ? undefined : namespaces.get(namespace);
    if (!agentNamespace) continue;
    pass.findings.push(
      ...findingsFor(agentNamespace, resource.urn, {
        rule: RULE,
        message: `${resource.type} ${resource.name} is created in agent namespace ${agentNamespace.name} through provider ${resource.provider.name}, which targets a cluster other than ${clusters}: the pack would judge it against the agents' cluster`,
        fix: "create agents' objects only through the providers of the agents' clusters",
      }),
    );
  }
}

export const providers: Adapter = {
  family: "providers",
  holdings: "none: a provider decides where resources go, not what an identity holds",
  types: [
    ...Object.entries(PROVIDER_TYPES).map(([key, type]) => ({
      type,
      key,
      route: "where the stack's resources of that package are sent (endpoints, Vault address, cluster)",
      checkedBy: [RULE],
    })),
    {
      type: "every resource created through an explicit provider",
      route: "judged as if sent to the declared platform, so its provider's endpoints are read",
      checkedBy: [RULE],
    },
  ],
  check: (resource) => providerCheck(resource),
  stack: (ix, pass) => {
    kubernetesClusters(ix, pass);
    // Several clusters are a declared feature (one Kubernetes provider per cluster): only Vault must be one server.
    for (const type of [PROVIDER_TYPES.vaultProvider]) {
      const list = ix.inputsOfType(type).map((entry) => entry.resource);
      const systems = new Map<string, PackResource[]>();
      for (const p of list) {
        const system = systemOf(p) ?? "(ambient configuration)";
        systems.set(system, [...(systems.get(system) ?? []), p]);
      }
      if (systems.size < 2) continue;
      for (const p of list)
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: p.urn,
          platformResource: platformResourceKey(type, p.name),
          message: `provider ${p.name} is one of ${systems.size} ${type.split(":").pop()} providers of the stack for different ${type.endsWith("vault") ? "Vault servers" : "clusters"}: the pack would judge their resources as one system`,
          fix: `deploy agents against one ${type.endsWith("vault") ? "Vault" : "cluster"} per stack, or have the security team declare each provider (kubernetesPlatformResources)`,
        });
    }
  },
};
