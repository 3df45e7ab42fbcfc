/**
 * Kubernetes Namespaces: a tier that needs its own namespace has one created for the agent in this
 * stack (labelled with the agent) and shares it with no other agent's ServiceAccounts.
 */
import { checkAgentNamespaces } from "../context-stack";
import { checkUniqueNames } from "../unique-names";
import type { Adapter } from "../types";

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
  },
};
