/**
 * In a stack with agents, every IAM role the stack creates besides the agents' own is declared by the
 * security team (iam/platform-role-declared).
 *
 * Why: a policy does not see a resource's `import` option, and an import whose inputs differ imports
 * the existing object and then updates it. A Role named like an existing one (`vault-server`,
 * `eks-admin`) is then that role. Its identity policies go (iam/principal-exclusive-policies), but
 * what other resources grant its ARN stays: key, bucket and secret policies, KMS grants, EKS access
 * entries, Vault AWS auth roles bound to it, other roles' trust. None of that is in the stack, so the
 * pack cannot read it, and the stack can hand the role to code it writes (a pod, a Lambda, a task).
 * Only the name tells a new role from such a twin, and only the security team knows which names are
 * taken: the declaration (kubernetesPlatformResources, by URN and inputs digest, so the name is pinned)
 * vouches that this one is new. The agents' roles (tagged by the components, and judged against their
 * plan records by iam/agent-role-as-planned) have names derived from the stack's prefix.
 */
import { asRecord } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isKind, readOfType } from "./shared";

const RULE = "iam/platform-role-declared";
const ROLE = "aws:iam/role:Role";

export const platformRoleDeclared: Adapter = {
  family: "platform-role-declared",
  holdings: "none: a role that is not an agent's holds what the stack cannot read (grants on its ARN elsewhere) until declared",
  types: [
    {
      type: ROLE,
      route: "a role that is not an agent's, in a stack with agents, is declared: an imported existing role keeps every grant other resources make to its ARN",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    // Exempt only a role tagged as an identity of an agent of this stack (its ServiceAccounts): other rules
    // hold such a role to that identity's plan (one role per identity, the plan record); a tag naming no
    // agent or no identity proves nothing.
    const agents = new Set(ix.serviceAccounts.map((sa) => sa.agent));
    for (const role of readOfType(ix, ROLE)) {
      const tags = asRecord(role.v.tags);
      if (tags.agent !== undefined && agents.has(tags.agent) && isKind(tags.identity)) continue;
      const name = typeof role.v.name === "string" ? role.v.name : "(name not known at preview)";
      pass.findings.push(
        declarablePlatformFinding(
          role.resource,
          RULE,
          `IAM role ${name} (${role.resource.name}) is not an agent's: if a role of that name exists, importing it keeps what other resources grant its ARN (key, bucket and secret policies, EKS access entries, Vault AWS auth roles, other roles' trust), which the pack cannot read and nothing in the stack removes`,
          "create roles for workloads other than agents in the platform's own stack",
        ),
      );
    }
  },
};
