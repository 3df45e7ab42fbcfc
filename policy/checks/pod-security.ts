/**
 * Pod Security admission labels on a Namespace (or NamespacePatch): an agent namespace enforces
 * `restricted`, so no pod there runs privileged, with host access or as root. Per resource: a
 * namespace labelled as an agent's, and any label that relaxes the level. Across the stack: a patch
 * of a namespace an agent ServiceAccount lives in must not relax it either, nor pin an old version,
 * nor relax the warn and audit levels (what is reported and recorded).
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
  // warn and audit decide what is reported and recorded: on an agent namespace, restricted and latest too.
  if (agent)
    for (const mode of ["warn", "audit"]) {
      const level = labels[`pod-security.kubernetes.io/${mode}`];
      const pinned = labels[`pod-security.kubernetes.io/${mode}-version`];
      if (level !== undefined && level !== "restricted")
        problems.push({
          rule: RULE,
          message: `${label} sets pod-security.kubernetes.io/${mode}=${level} on an agent namespace: pods breaking restricted are no longer ${mode === "warn" ? "warned about" : "recorded in the audit log"}`,
          fix: `drop pod-security.kubernetes.io/${mode} or set it to restricted`,
        });
      if (pinned !== undefined && pinned !== "latest")
        problems.push({
          rule: RULE,
          message: `${label} pins pod-security.kubernetes.io/${mode}-version=${pinned} on an agent namespace: an older level's checks ${mode === "warn" ? "warn" : "record"} less than restricted now refuses`,
          fix: `drop pod-security.kubernetes.io/${mode}-version or set it to latest`,
        });
    }
  return problems;
}
