/**
 * Admission webhooks (Mutating and Validating WebhookConfiguration, v1 and v1beta1, and their
 * Patches): the API server sends each matching object to the webhook, Secrets and pods included, and
 * a mutating one may rewrite a pod's ServiceAccount, labels or volumes after the pack judged them.
 * Per resource: no webhook calls a URL (outside the cluster). Across the stack: every webhook's
 * namespaceSelector excludes every agent namespace by a label the pack knows it has.
 */
import type { Problem } from "../../components/rules/define";
import { selectorExcludes } from "../checks/label-selector";
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces, findingsFor } from "./agent-namespaces";
import { readOfType } from "./shared";

const RULE = "kubernetes/admission-webhook";

export const WEBHOOK_TYPES: readonly string[] = ["v1", "v1beta1"].flatMap((version) =>
  ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].flatMap((kind) => [
    `kubernetes:admissionregistration.k8s.io/${version}:${kind}`,
    `kubernetes:admissionregistration.k8s.io/${version}:${kind}Patch`,
  ]),
);

const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const webhooksOf = (v: Record<string, unknown>): Array<Record<string, unknown>> => (Array.isArray(v.webhooks) ? v.webhooks : []).map(objectOf);
const hookName = (hook: Record<string, unknown>, i: number) => asString(hook.name) ?? `webhooks[${i}]`;

/** Webhooks calling a URL: the API server sends them what they match, wherever that URL is. */
export function checkWebhookUrls(label: string, v: Record<string, unknown>): Problem[] {
  return webhooksOf(v).flatMap((hook, i) => {
    const url = objectOf(hook.clientConfig).url;
    return url === undefined
      ? []
      : [
          {
            rule: RULE,
            message: `${label}: webhook ${hookName(hook, i)} calls ${String(url)}, so the API server sends what it matches (Secrets and pods included) outside the cluster`,
            fix: "point clientConfig at an in-cluster service, outside agents' namespaces",
          },
        ];
  });
}

export const admissionWebhooks: Adapter = {
  family: "admission-webhooks",
  holdings: "none: a webhook sees and may rewrite objects at admission, it holds nothing",
  types: WEBHOOK_TYPES.map((type) => ({
    type,
    route: type.includes("Mutating")
      ? "rewrites objects at admission (a pod's ServiceAccount, labels, volumes)"
      : "is sent objects at admission, Secrets included",
    readIfSet: ["webhooks"],
    checkedBy: [RULE, "stack/unknown-input"],
  })),
  check: (resource, inputs) => checkWebhookUrls(`${resource.type.split(":").pop()} ${resource.name}`, inputs.value),
  stack: (ix, pass) => {
    const namespaces = [...agentNamespaces(ix).values()];
    if (namespaces.length === 0) return;
    for (const r of readOfType(ix, ...WEBHOOK_TYPES)) {
      webhooksOf(r.v).forEach((hook, i) => {
        const matched = namespaces.filter(
          (ns) => !selectorExcludes(hook.namespaceSelector, { labels: ns.labels ?? { "kubernetes.io/metadata.name": ns.name }, all: ns.labels !== undefined }),
        );
        if (matched.length === 0) return;
        const problem = {
          rule: RULE,
          message: `${r.resource.type.split(":").pop()} ${r.resource.name}: webhook ${hookName(hook, i)}'s namespaceSelector may match agent namespace${matched.length > 1 ? "s" : ""} ${matched
            .slice(0, 3)
            .map((ns) => ns.name)
            .join(", ")}${matched.length > 3 ? ` and ${matched.length - 3} more` : ""}, so it sees (and may rewrite) the agents' pods and Secrets`,
          fix: "exclude agent namespaces in namespaceSelector (kubernetes.io/metadata.name NotIn [...], or agent-identity.io/agent DoesNotExist on namespaces the stack creates)",
        };
        if (matched.length > 1 && matched.length === namespaces.length)
          pass.findings.push({ ...problem, agent: "platform", identity: null, urn: r.resource.urn });
        else for (const ns of matched) pass.findings.push(...findingsFor(ns, r.resource.urn, problem));
      });
    }
  },
};
