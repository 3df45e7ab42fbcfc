/**
 * Pod Security admission labels on a Namespace (or NamespacePatch): an agent namespace enforces
 * `restricted`, so no pod there runs privileged, with host access or as root. Per resource: a
 * namespace labelled as an agent's, and any label that relaxes the level. Across the stack: a patch
 * of a namespace an agent ServiceAccount lives in must not relax it either.
 */
import { LABEL_PREFIX } from "../../components/core/compile";
import type { Problem } from "../../components/rules/define";

const RULE = "kubernetes/pod-security";
const ENFORCE = "pod-security.kubernetes.io/enforce";
const VERSION = "pod-security.kubernetes.io/enforce-version";

/** What is wrong with a namespace's labels; `agentNamespace` when an agent runs there (by label or ServiceAccount). */
export function checkPodSecurityLabels(label: string, labels: Readonly<Record<string, string>>, agentNamespace: boolean, patch: boolean): Problem[] {
  const problems: Problem[] = [];
  const enforce = labels[ENFORCE];
  const agent = agentNamespace || labels[`${LABEL_PREFIX}/agent`] !== undefined;
  if (enforce !== undefined && enforce !== "restricted")
    problems.push({
      rule: RULE,
      message: `${label} sets ${ENFORCE}=${enforce}${agent ? " on an agent namespace" : ""}: pods there may run privileged or with host access`,
      fix: "enforce restricted (the components label agent namespaces so)",
    });
  else if (agent && enforce === undefined && !patch)
    problems.push({
      rule: RULE,
      message: `${label} is an agent namespace without ${ENFORCE}=restricted`,
      fix: `label it ${ENFORCE}: restricted`,
    });
  const version = labels[VERSION];
  if (version !== undefined && version !== "latest" && (agent || enforce !== undefined))
    problems.push({
      rule: RULE,
      message: `${label} pins ${VERSION}=${version}: an older level's checks admit what restricted now refuses`,
      fix: `drop ${VERSION} or set it to latest`,
    });
  return problems;
}
