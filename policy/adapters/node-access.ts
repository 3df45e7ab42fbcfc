/**
 * Node access: a workload of any kind and namespace whose pods reach the node (privileged, host
 * namespaces, hostPath, added capabilities ... beyond the Pod Security Standards baseline) reads every
 * pod's projected ServiceAccount and Vault tokens under /var/lib/kubelet/pods, the agents' among them,
 * whatever namespace it runs in. Decided by one resource's inputs, so refused before it is created;
 * a grant the security team declared for that workload in that namespace (kubernetesNodeAccess) is not.
 */
import { asRecord } from "../inputs";
import { nodeGrants } from "../checks/node-access";
import { nodeAccessKey } from "../node-access-config";
import type { Adapter, ResourceProblem } from "../types";
import { WORKLOAD_TYPES, podTemplateOf } from "./workloads";

const RULE = "kubernetes/node-access";

export const nodeAccess: Adapter = {
  family: "node-access",
  holdings: "none: a pod with node access reads every identity's tokens on its node; it is refused, not counted as an identity's",
  types: Object.keys(WORKLOAD_TYPES).map((type) => ({
    type,
    route: "its pods may reach the node (host namespaces, hostPath, privileged, capabilities), and with it every pod's tokens there",
    checkedBy: [RULE],
  })),
  check: (resource, inputs) => {
    const pod = podTemplateOf(resource.type, inputs.value);
    if (!pod) return [];
    const kind = resource.type.split(":").pop();
    const metadata = asRecord(inputs.value.metadata);
    const namespace = metadata.namespace;
    const where = `${namespace ?? "(the provider's default namespace)"}/${metadata.name ?? "(generated name)"}`;
    return nodeGrants(pod.template, pod.at, inputs.unknown).map((g): ResourceProblem => {
      const declarable = g.grant !== undefined && namespace !== undefined;
      const key = declarable ? nodeAccessKey(resource.type, resource.name, namespace, g.grant!) : undefined;
      return {
        rule: RULE,
        message: `${kind} ${resource.name} (${where}): ${g.field} ${g.what}; a pod with node access reads every pod's ServiceAccount and Vault tokens on its node (/var/lib/kubelet/pods), the agents' included`,
        fix:
          g.grant === undefined
            ? "build the field from known values, so the pack can check it before the workload is created"
            : `remove ${g.field} (the Pod Security Standards baseline allows none of it), or have the security team declare it (kubernetesNodeAccess: [{workload: "${resource.type}::${resource.name}", namespace: "${namespace ?? "<set metadata.namespace>"}", grants: ["${g.grant}"], reason, approvedBy}])`,
        ...(key ? { nodeAccess: key } : {}),
      };
    });
  },
};
