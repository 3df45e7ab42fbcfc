/**
 * Node access: a workload of any kind and namespace whose pods reach the node (privileged, host
 * namespaces, hostPath, inline CSI volumes of drivers not listed, added capabilities ... beyond the
 * Pod Security Standards baseline) reads every pod's projected ServiceAccount and Vault tokens under
 * /var/lib/kubelet/pods, the agents' among them, whatever namespace it runs in. Workload kinds are
 * read at their pod template; a custom resource (an Argo Rollout, a Workflow, a KubeVirt or Knative
 * object ...) is read wherever a pod spec appears in it (any object with a `containers` list), since
 * its operator starts those pods. Decided by one resource's inputs, so refused before it is created;
 * a grant the security team declared for that workload (kind, namespace, metadata.name) and every
 * container it reaches (kubernetesNodeAccess) is not.
 */
import { asRecord } from "../inputs";
import { nodeGrants } from "../checks/node-access";
import type { Adapter, ResourceProblem } from "../types";
import { WORKLOAD_TYPES, podTemplateOf } from "./workloads";
import { isCustomResource } from "./custom-resources";

const RULE = "kubernetes/node-access";

/** Bounds of the search for pod specs in a custom resource: beyond them it is reported unreadable. */
const MAX_NODES = 20_000;
const MAX_DEPTH = 24;

/**
 * Every pod template in a custom resource's inputs: the parent of a `spec` holding a `containers`
 * list (`spec.template`, `spec.jobTemplate.spec.template` ...), or an object holding one itself (a
 * pod spec written inline), each with where it sits. `too large` when the bounded walk could not read it all.
 */
export function podTemplatesIn(value: Record<string, unknown>): Array<{ template: unknown; at: string[] }> | "too large" {
  const out: Array<{ template: unknown; at: string[] }> = [];
  const stack: Array<{ node: unknown; at: string[] }> = [{ node: value, at: [] }];
  for (let seen = 0; stack.length > 0; seen++) {
    const { node, at } = stack.pop()!;
    if (seen > MAX_NODES || at.length > MAX_DEPTH) return "too large";
    if (!node || typeof node !== "object") continue;
    const record = node as Record<string, unknown>;
    const spec = record.spec as Record<string, unknown> | undefined;
    if (!Array.isArray(record) && spec && typeof spec === "object" && Array.isArray(spec.containers)) out.push({ template: record, at });
    else if (!Array.isArray(record) && Array.isArray(record.containers) && at[at.length - 1] !== "spec")
      // A pod spec not under `spec` (e.g. `podSpec: {containers}`): read as the template's spec.
      out.push({ template: { spec: record }, at: [...at, "(pod spec)"] });
    for (const [key, child] of Object.entries(record)) if (child && typeof child === "object") stack.push({ node: child, at: [...at, key] });
  }
  return out;
}

/** The grants of a workload kind's template, or of every pod template in a custom resource. */
function grantsOf(type: string, value: Record<string, unknown>, unknown: readonly string[]): ReturnType<typeof nodeGrants> | "too large" {
  const pod = podTemplateOf(type, value);
  if (pod) return nodeGrants(pod.template, pod.at, unknown);
  const templates = podTemplatesIn(value);
  if (templates === "too large") return templates;
  return templates.flatMap(({ template, at }) => nodeGrants(template, at, unknown));
}

export const nodeAccess: Adapter = {
  family: "node-access",
  holdings: "none: a pod with node access reads every identity's tokens on its node; it is refused, not counted as an identity's",
  types: [
    ...Object.keys(WORKLOAD_TYPES).map((type) => ({
      type,
      route: "its pods may reach the node (host namespaces, hostPath, inline CSI, privileged, capabilities), and with it every pod's tokens there",
      checkedBy: [RULE],
    })),
    {
      type: "kubernetes:<any custom resource group>/* carrying a pod spec (Argo Rollouts and Workflows, KubeVirt, Knative ...)",
      route: "its operator starts pods from the pod specs in it, which may reach the node like any workload's",
      checkedBy: [RULE],
    },
  ],
  matchesType: isCustomResource,
  check: (resource, inputs) => {
    const grants = grantsOf(resource.type, inputs.value, inputs.unknown);
    const kind = resource.type.split(":").pop() ?? "";
    const metadata = asRecord(inputs.value.metadata);
    const namespace = metadata.namespace;
    const name = metadata.name;
    const where = `${namespace ?? "(the provider's default namespace)"}/${name ?? "(generated name)"}`;
    if (grants === "too large")
      return [
        {
          rule: RULE,
          message: `${kind} ${resource.name} (${where}) is too large or deep for the pack to find every pod spec in it; one may reach the node`,
          fix: "split the object, or keep its pod specs within 24 levels and 20,000 values",
        },
      ];
    return grants.map((g): ResourceProblem => {
      const declarable = g.grant !== undefined && namespace !== undefined && name !== undefined;
      const containers = g.containers.length ? g.containers.join(", ") : "(none)";
      return {
        rule: RULE,
        message: `${kind} ${resource.name} (${where}): ${g.field} ${g.what}; a pod with node access reads every pod's ServiceAccount and Vault tokens on its node (/var/lib/kubelet/pods), the agents' included`,
        fix:
          g.grant === undefined
            ? "build the field from known values, so the pack can check it before the workload is created"
            : `remove ${g.field} (the Pod Security Standards baseline allows none of it), or have the security team declare it (kubernetesNodeAccess: [{kind: "${kind}", namespace: "${namespace ?? "<set metadata.namespace>"}", name: "${name ?? "<set metadata.name>"}", containers: [${g.containers.map((c) => `"${c}"`).join(", ")}], images: {${g.containers.map((c) => `"${c}": ${JSON.stringify(g.images[c] ?? "<set an image>")}`).join(", ")}}, grants: ["${g.grant}"], reason, approvedBy}]; the grant reaches container(s) ${containers})`,
        ...(declarable ? { nodeAccess: { kind, namespace: namespace!, name: name!, grant: g.grant!, containers: g.containers, images: g.images } } : {}),
      };
    });
  },
};
