/**
 * Mutating admission policies (admissionregistration.k8s.io v1, v1beta1, v1alpha1, and their Patches):
 * CEL inside the API server rewrites matching objects after the pack judged them (a pod's
 * ServiceAccount, labels or volumes). A binding applies a policy to what both select, so across the
 * stack every binding is refused unless its own namespaceSelector or its policy's (when the stack
 * creates the policy) excludes every agent namespace by a label the pack knows it has; a policy no
 * binding of the stack names is judged by its own selector (a binding elsewhere may apply it).
 */
import { selectorExcludes } from "../checks/label-selector";
import { asRecord, asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces, findingsFor, type AgentNamespace } from "./agent-namespaces";
import { readOfType, type Read } from "./shared";

const RULE = "kubernetes/admission-webhook";
const VERSIONS = ["v1", "v1beta1", "v1alpha1"];
const kinds = (kind: string) =>
  VERSIONS.flatMap((v) => [`kubernetes:admissionregistration.k8s.io/${v}:${kind}`, `kubernetes:admissionregistration.k8s.io/${v}:${kind}Patch`]);
export const MUTATING_POLICY_TYPES: readonly string[] = kinds("MutatingAdmissionPolicy");
export const MUTATING_BINDING_TYPES: readonly string[] = kinds("MutatingAdmissionPolicyBinding");

const spec = (r: Read) => (r.v.spec && typeof r.v.spec === "object" ? (r.v.spec as Record<string, unknown>) : {});
const selectorOf = (value: unknown) => (value && typeof value === "object" ? (value as Record<string, unknown>).namespaceSelector : undefined);
const excludes = (selector: unknown, ns: AgentNamespace) =>
  selectorExcludes(selector, { labels: ns.labels ?? { "kubernetes.io/metadata.name": ns.name }, all: ns.labels !== undefined });

export const mutatingAdmissionPolicies: Adapter = {
  family: "mutating-admission-policies",
  holdings: "none: a mutating policy rewrites objects at admission, it holds nothing",
  types: [
    ...MUTATING_POLICY_TYPES.map((type) => ({ type, route: "rewrites matching objects at admission (CEL in the API server)", checkedBy: [RULE] })),
    ...MUTATING_BINDING_TYPES.map((type) => ({ type, route: "applies a mutating admission policy to the namespaces it selects", checkedBy: [RULE] })),
  ],
  stack: (ix, pass) => {
    const namespaces = [...agentNamespaces(ix).values()];
    if (namespaces.length === 0) return;
    const policies = readOfType(ix, ...MUTATING_POLICY_TYPES);
    const bindings = readOfType(ix, ...MUTATING_BINDING_TYPES);
    const policyNamed = (name: string | undefined) => policies.find((p) => name !== undefined && asString(asRecord(p.v.metadata).name) === name);
    const bound = new Set<string>();
    const report = (r: Read, selectors: readonly unknown[], what: string) => {
      const matched = namespaces.filter((ns) => !selectors.some((selector) => excludes(selector, ns)));
      for (const ns of matched)
        pass.findings.push(
          ...findingsFor(ns, r.resource.urn, {
            rule: RULE,
            message: `${r.resource.type.split(":").pop()} ${r.resource.name}: ${what} may match agent namespace ${ns.name}, so it may rewrite the agents' pods (ServiceAccount, labels, volumes) after the pack judged them`,
            fix: "exclude agent namespaces in the binding's matchResources.namespaceSelector or the policy's matchConstraints.namespaceSelector (kubernetes.io/metadata.name NotIn [...])",
          }),
        );
    };
    for (const b of bindings) {
      const policy = policyNamed(asString(spec(b).policyName));
      if (policy) bound.add(policy.resource.urn);
      report(
        b,
        [selectorOf(spec(b).matchResources), ...(policy ? [selectorOf(spec(policy).matchConstraints)] : [])],
        "the binding's namespaceSelector (and its policy's)",
      );
    }
    for (const p of policies)
      if (!bound.has(p.resource.urn)) report(p, [selectorOf(spec(p).matchConstraints)], "the policy's matchConstraints.namespaceSelector");
  },
};
