/**
 * Kubernetes Namespaces: a tier that needs its own namespace has one created for the agent in this
 * stack (labelled with the agent) and shares it with no other agent's ServiceAccounts.
 */
import { checkAgentNamespaces } from "../context-stack";
import { checkUniqueNames } from "../unique-names";
import type { Adapter } from "../types";
import { checkPodSecurityLabels } from "../checks/pod-security";
import { PLATFORM_TYPES } from "../checks/platform-types";
import { asRecord, asString } from "../inputs";
import { agentNamespaces, findingsFor } from "./agent-namespaces";
import { readOfType } from "./shared";

export const NAMESPACE_TYPES = {
  namespace: "kubernetes:core/v1:Namespace",
} as const;

export const namespaces: Adapter = {
  family: "namespaces",
  holdings: "none: a namespace labelled with an agent is that agent's own namespace (context/own-namespace-required)",
  types: [
    {
      type: NAMESPACE_TYPES.namespace,
      key: "namespace",
      route: "where an agent's ServiceAccounts and pods live; a high-risk tier needs one of its own",
      checkedBy: ["context/own-namespace-required", "stack/unique-names"],
    },
  ],
  stack: (ix, pass) => {
    // Namespaces and audit log groups whose derived names two agents share (one check for both types).
    pass.findings.push(...checkAgentNamespaces(ix), ...checkUniqueNames(ix));
    // A NamespacePatch of an agent namespace (known only here): no version pin, no relaxed warn or audit.
    const namespaces = agentNamespaces(ix);
    for (const r of readOfType(ix, PLATFORM_TYPES.namespacePatch)) {
      const name = asString(asRecord(r.v.metadata).name);
      const ns = name === undefined ? undefined : namespaces.get(name);
      if (!ns) continue;
      const labels = asRecord(asRecord(r.v.metadata) && (r.v.metadata as Record<string, unknown>).labels);
      const label = `NamespacePatch ${r.resource.name}`;
      // What the per-resource pass already refused (a relaxed enforce level) is not reported twice.
      if (checkPodSecurityLabels(label, labels, false, true).length) continue;
      for (const problem of checkPodSecurityLabels(label, labels, true, true)) pass.findings.push(...findingsFor(ns, r.resource.urn, problem));
    }
  },
};
