/**
 * In a stack with agents, every customer-managed IAM policy and instance profile the stack creates is
 * declared by the security team (iam/platform-object-declared).
 *
 * Why: a policy does not see a resource's `import` option, and an import whose inputs differ imports
 * the existing object and then updates it. An `aws.iam.Policy` named like an existing one
 * (`developers-baseline`) is then that policy: the update writes a new default version, which every
 * principal it is already attached to outside the stack holds at once (separation/undeclared-share
 * also judges its document as theirs, but only for what agents own and hold: the platform's own
 * secrets are not in the stack). An `aws.iam.InstanceProfile` named like an existing one is that
 * profile: the update puts the stack's `role` in it (RemoveRoleFromInstanceProfile, then
 * AddRoleToInstanceProfile), for every instance already running with it. Only the security team
 * knows which names are taken: the declaration (kubernetesPlatformResources, by URN and inputs
 * digest, so the name is pinned) vouches that this one is new. The components create neither.
 */
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, readOfType } from "./shared";

const RULE = "iam/platform-object-declared";
const POLICY = "aws:iam/policy:Policy";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";

const WHY: Readonly<Record<string, string>> = {
  [POLICY]:
    "if a policy of that name exists, importing it writes this document as its new default version for every principal it is already attached to outside the stack",
  [PROFILE]: "if a profile of that name exists, importing it puts this role in it for every instance already running with it",
};

export const platformIamObjectsDeclared: Adapter = {
  family: "platform-iam-objects-declared",
  holdings: "none: a customer policy or instance profile may reach principals or instances outside the stack until declared",
  types: [
    {
      type: POLICY,
      route: "a customer-managed policy, in a stack with agents, is declared: an imported existing one reaches whoever holds it",
      checkedBy: [RULE],
    },
    {
      type: PROFILE,
      route: "lets EC2 instances use a role; in a stack with agents it is declared: an imported existing profile hands its role to the instances using it",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, POLICY, PROFILE)) {
      const name = typeof r.v.name === "string" ? r.v.name : "(name not known at preview)";
      const kind = r.resource.type === POLICY ? "customer-managed policy" : "instance profile";
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `IAM ${kind} ${name} (${r.resource.name}): ${WHY[r.resource.type]}, which the pack cannot read`,
          `create ${kind}s in the platform's own stack`,
        ),
      );
    }
  },
};
