/**
 * In a stack with agents, every CloudWatch log group other than the agents' audit groups is declared
 * by the security team (stack/log-group-declared).
 *
 * Why: a policy does not see a resource's `import` option, and an import whose inputs differ imports
 * the existing group and then updates it (pulumi/pulumi PR #19339). A LogGroup named like an existing
 * one is that group: its retention (PutRetentionPolicy deletes older events), KMS key, class and
 * deletion protection change for whoever writes there. The records that matter beside agents live in
 * groups no stack resource shows: the EKS control plane's audit and authenticator logs
 * (`/aws/eks/<cluster>/cluster`, the record of ServiceAccount token requests), CloudTrail's log group,
 * Vault's audit device shipped by an agent. Only the security team knows which names are taken; the
 * declaration (kubernetesPlatformResources, by URN and inputs digest) pins name and settings. The
 * agents' own audit groups (tagged with an agent of this stack, named `…/agents/<agent>/audit`) are
 * judged by stack/audit-log-group instead.
 */
import { asRecord, asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { LOG_GROUP_TYPES } from "./log-groups";
import { declarablePlatformFinding, readOfType } from "./shared";

const RULE = "stack/log-group-declared";

export const platformLogGroupsDeclared: Adapter = {
  family: "platform-log-groups-declared",
  holdings: "none: a log group that is not an agent's audit group may be an existing group (another system's record) until declared",
  types: [
    {
      type: LOG_GROUP_TYPES.logGroup,
      route:
        "a log group that is not an agent's audit group, in a stack with agents, is declared: an imported existing one (the EKS control plane's, CloudTrail's) gets this retention, key and protection",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    const agents = new Set(ix.serviceAccounts.map((sa) => sa.agent));
    for (const group of readOfType(ix, LOG_GROUP_TYPES.logGroup)) {
      const agent = asRecord(group.v.tags).agent;
      const name = asString(group.v.name);
      if (agent !== undefined && agents.has(agent) && name !== undefined && name.endsWith(`/agents/${agent}/audit`)) continue;
      const shown = name ?? (asString(group.v.namePrefix) !== undefined ? `${asString(group.v.namePrefix)}…` : "(a name unknown at preview)");
      pass.findings.push(
        declarablePlatformFinding(
          group.resource,
          RULE,
          `CloudWatch log group ${shown} (${group.resource.name}) is not an agent's audit group: if a group of that name exists (the EKS control plane's /aws/eks/<cluster>/cluster, CloudTrail's, Vault's audit), importing it sets this retention, key, class and deletion protection on a record the pack cannot see`,
          "create log groups for other workloads in the platform's own stack",
        ),
      );
    }
  },
};
