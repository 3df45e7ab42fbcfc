/**
 * Workloads outside agents' namespaces, in a stack with agents (closed world). kube-system's
 * workloads are the platform's: its controllers' ServiceAccounts (clusterrole-aggregation-controller,
 * replicaset-controller ...) hold rights over every namespace, and its DaemonSets and Deployments
 * (kube-proxy, aws-node, CoreDNS) run privileged on every node or answer every pod's DNS. So every
 * workload kind and its Patch in kube-system (or where the namespace is unknown at preview) is refused
 * unless the security team declares it (kubernetesPlatformResources). Anywhere else a workload runs
 * only as `default` or a ServiceAccount the stack itself creates in that namespace: an existing
 * account is one whose rights the pack cannot read. A Patch that names no ServiceAccount keeps the
 * patched workload's own. Agents' namespaces are judged by workloads.ts.
 */
import { asRecord, asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { SERVICE_ACCOUNT_TYPES } from "./service-accounts";
import { declarablePlatformFinding, isUnknown, providerNamespace, type Read } from "./shared";
import { WORKLOAD_TYPES, podTemplateOf } from "./workloads";

const RULE = "kubernetes/service-account-use";
const SYSTEM_NAMESPACE = "kube-system";
const DEFAULT_ACCOUNT = "default";

export const platformWorkloads: Adapter = {
  family: "platform-workloads",
  holdings: "none: a workload outside agents' namespaces runs as a platform identity, it holds nothing of an agent's",
  types: Object.keys(WORKLOAD_TYPES).map((type) => ({
    type,
    route: "in kube-system, or as an existing ServiceAccount: runs with the platform controllers' rights over every namespace, or on every node",
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    const namespaces = agentNamespaces(ix);
    if (namespaces.size === 0) return;
    // ServiceAccounts the stack creates, by namespace and name (agents' and others').
    const created = new Set<string>();
    for (const x of ix.inputsOfType(SERVICE_ACCOUNT_TYPES.serviceAccount)) {
      const m = asRecord(x.value.metadata);
      const provider = providerNamespace(x.resource.provider);
      if (m.name !== undefined && (m.namespace !== undefined || !provider.unknown)) created.add(`${m.namespace ?? provider.namespace ?? "default"}/${m.name}`);
    }
    for (const type of Object.keys(WORKLOAD_TYPES))
      for (const x of ix.inputsOfType(type)) {
        const r: Read = { resource: x.resource, v: x.value, unknown: x.unknown };
        const kind = type.split(":").pop();
        const provider = providerNamespace(x.resource.provider);
        const written = asString(asRecord(r.v.metadata).namespace);
        const namespaceUnknown = isUnknown(r, "metadata") || isUnknown(r, "metadata.namespace") || (written === undefined && provider.unknown);
        const namespace = written ?? provider.namespace ?? "default";
        if (!namespaceUnknown && namespaces.has(namespace)) continue;
        const declarable = (message: string, fix: string) => pass.findings.push(declarablePlatformFinding(r.resource, RULE, message, fix));
        if (namespaceUnknown || namespace === SYSTEM_NAMESPACE) {
          declarable(
            `${kind} ${r.resource.name} ${namespaceUnknown ? "has a namespace unknown at preview (maybe kube-system)" : "is in kube-system"} in a stack with agents: kube-system's workloads are the platform's (its controllers' ServiceAccounts act over every namespace, kube-proxy, aws-node and CoreDNS run on every node or answer every pod's DNS), and one changed there reaches the agents' tokens and Vault logins`,
            "leave kube-system's workloads to the platform's own stack",
          );
          continue;
        }
        const { at, spec } = podTemplateOf(type, r.v)!;
        const specPath = [...at, "spec"].join(".");
        const saUnknown = isUnknown(r, specPath) || isUnknown(r, `${specPath}.serviceAccountName`) || isUnknown(r, `${specPath}.serviceAccount`);
        const named = asString(spec?.serviceAccountName) ?? asString(spec?.serviceAccount);
        // A Patch that names no ServiceAccount leaves the patched workload's.
        if (!saUnknown && named === undefined) continue;
        if (!saUnknown && (named === DEFAULT_ACCOUNT || created.has(`${namespace}/${named}`))) continue;
        // Unknown at preview is refused even when it comes from one of the stack's ServiceAccounts: a
        // value computed from its outputs may name any account at update, when this stack policy runs
        // only after the workload exists. `sa.metadata.name` itself is known at preview (pulumi-kubernetes
        // names objects in Check), so the legitimate shape passes.
        declarable(
          `${kind} ${r.resource.name} in namespace ${namespace} runs as ServiceAccount ${saUnknown ? "(unknown at preview)" : named}, which this stack does not create there: an existing account's rights (a controller's, an operator's) are not read by the pack`,
          `run it as a ServiceAccount this stack creates in ${namespace} (or as default)`,
        );
      }
  },
};
