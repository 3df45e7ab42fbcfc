/**
 * Providers: the pack judges a resource as what the declared platform would receive (AWS's own
 * endpoints, the platform's Vault, the agents' cluster). A provider that sends requests elsewhere
 * breaks that: per resource, an AWS provider with overridden `endpoints` (or `insecure`), a Vault
 * provider that skips TLS verification, and every resource created through such a provider, are
 * refused. Across the stack, Vault providers at more than one address would have the pack judge two
 * servers as one (a policy on one Vault, the role using it on another): refused unless the security
 * team declares the provider (kubernetesPlatformResources, `pulumi:providers:vault::<name>`). Several
 * Kubernetes providers are the declared clusters (platform.clusters), each judged by its own bindings.
 */
import type { Problem } from "../../components/rules/define";
import { readInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, PackResource } from "../types";

const RULE = "stack/provider-endpoints";
export const PROVIDER_TYPES = {
  awsProvider: "pulumi:providers:aws",
  vaultProvider: "pulumi:providers:vault",
  kubernetesProvider: "pulumi:providers:kubernetes",
} as const;

/** Provider inputs may arrive JSON-encoded (the engine sends provider configuration as strings). */
function decoded(value: unknown): unknown {
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

/** What makes a provider send requests to something other than the declared platform. */
export function providerProblems(provider: Pick<PackResource, "type" | "name" | "props">): string[] {
  const v = readInputs(provider.props).value;
  const problems: string[] = [];
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
          fix: `deploy agents against one ${type.endsWith("vault") ? "Vault" : "cluster"} per stack, or have the security team declare each provider (kubernetesPlatformResources: [{resource: "${platformResourceKey(type, p.name)}", reason, approvedBy}])`,
        });
    }
  },
};
