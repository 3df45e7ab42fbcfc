/**
 * kube-system configuration: cluster DNS (CoreDNS, kube-dns, NodeLocal DNSCache) and kube-proxy read
 * their configuration from ConfigMaps in kube-system. A hosts entry, rewrite or forward there sends
 * the agents' lookups of the Vault address (and the STS endpoint) elsewhere, where their Vault login
 * token is collected. Closed world: every ConfigMap in kube-system, and one named as DNS or kube-proxy
 * configuration in any namespace (or where the namespace is not known), is refused unless the security
 * team declares it (kubernetesPlatformResources). `aws-auth` is kubernetes/eks-access's.
 */
import { asRecord } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, ResourceProblem } from "../types";
import { providerNamespace } from "./shared";

const RULE = "kubernetes/kube-system-config";
const SYSTEM_NAMESPACE = "kube-system";
/** ConfigMaps the DNS servers and kube-proxy read, by the names their standard deployments mount (kubeadm, EKS, AKS, k3s, NodeLocal DNSCache). */
const DNS_AND_PROXY_CONFIG = new Set(["coredns", "coredns-custom", "kube-dns", "node-local-dns", "kube-proxy", "kube-proxy-config"]);
/** Judged by kubernetes/eks-access (who it maps to which Kubernetes groups). */
const AWS_AUTH = "aws-auth";

const CONFIG_MAP_TYPES = ["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch"];
export const CONFIG_MAP_LIST = "kubernetes:core/v1:ConfigMapList";

/** Why one ConfigMap (by its metadata) is kube-system or DNS configuration, or undefined. */
function systemConfig(metadata: unknown, unknownNamespace: boolean, unknownName: boolean, providerNamespace: string | undefined): string | undefined {
  const m = asRecord(metadata);
  const namespace = m.namespace ?? (unknownNamespace ? undefined : providerNamespace);
  const named = m.name !== undefined && DNS_AND_PROXY_CONFIG.has(m.name);
  if (namespace === SYSTEM_NAMESPACE) return m.name === AWS_AUTH && !unknownName ? undefined : `is in ${SYSTEM_NAMESPACE}`;
  if (named) return `is named ${m.name}, the configuration cluster DNS or kube-proxy reads`;
  if (namespace === undefined && unknownName) return "has a name and namespace unknown at preview (maybe kube-system's DNS configuration)";
  return undefined;
}

const declareFix = (key: string | undefined) =>
  key
    ? `leave cluster DNS and kube-proxy configuration to the platform's own stack, or have the security team declare it (kubernetesPlatformResources)`
    : "declare each ConfigMap on its own (kubernetes:core/v1:ConfigMap), outside kube-system";

export const kubeSystemConfig: Adapter = {
  family: "kube-system-config",
  holdings: "none: cluster DNS and kube-proxy configuration decide where agents' traffic goes, not what an identity holds",
  types: [
    ...CONFIG_MAP_TYPES.map((type) => ({
      type,
      route: "in kube-system, the configuration cluster DNS and kube-proxy read: a hosts entry or forward redirects the agents' Vault logins",
      checkedBy: [RULE],
    })),
    { type: CONFIG_MAP_LIST, route: "creates ConfigMaps, kube-system's among them, the pack reads one by one", checkedBy: [RULE] },
  ],
  check: (resource, inputs) => {
    const kind = resource.type.split(":").pop();
    const provider = providerNamespace(resource.provider);
    // The field, or an object holding it, is unknown at preview.
    const unknownAt = (prefix: readonly string[], field: "name" | "namespace") => {
      const want = [...prefix, "metadata", field];
      return inputs.unknown.some((path) => {
        const segments = path.split(".");
        return segments.length <= want.length && segments.every((segment, i) => segment === want[i]);
      });
    };
    const problems: ResourceProblem[] = [];
    if (resource.type === CONFIG_MAP_LIST) {
      if (inputs.unknown.includes("items"))
        problems.push({
          rule: RULE,
          message: `${kind} ${resource.name}: its items are unknown at preview, maybe kube-system's DNS configuration`,
          fix: declareFix(undefined),
        });
      (Array.isArray(inputs.value.items) ? inputs.value.items : []).forEach((item, i) => {
        const why = systemConfig(
          (item as { metadata?: unknown } | null)?.metadata,
          unknownAt(["items", String(i)], "namespace") || provider.unknown,
          unknownAt(["items", String(i)], "name"),
          provider.namespace,
        );
        if (why)
          problems.push({
            rule: RULE,
            message: `${kind} ${resource.name}: item ${i} ${why}; cluster DNS and kube-proxy read their configuration there`,
            fix: declareFix(undefined),
          });
      });
      return problems;
    }
    const why = systemConfig(inputs.value.metadata, unknownAt([], "namespace") || provider.unknown, unknownAt([], "name"), provider.namespace);
    if (!why) return [];
    const key = platformResourceKey(resource.type, resource.name);
    return [
      {
        rule: RULE,
        message: `${kind} ${resource.name} ${why}: cluster DNS (CoreDNS, kube-dns, NodeLocal DNSCache) and kube-proxy read their configuration there, and a hosts entry, rewrite or forward redirects the agents' Vault logins (their tokens) to another host`,
        fix: declareFix(key),
        platformResource: key,
      },
    ];
  },
};
