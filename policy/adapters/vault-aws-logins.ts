/**
 * Vault AWS auth roles as ways in for an agent's IRSA credentials: an agent logs in to Vault only
 * through its own Kubernetes-auth role, so in a stack with agent roles an AWS auth role whose bound
 * principal or instance-role ARNs could match an agent role's ARN (exactly or by glob, any account
 * and path: policy/checks/aws-auth-login.ts) is refused whatever is declared, and one whose bound
 * ARNs are unknown at preview is refused too (the pack cannot tell whom it admits). A role bound
 * to no agent role's ARN passes.
 */
import { asStrings, asString } from "../inputs";
import { AWS_AUTH_BOUND_ARN_FIELDS, boundArnMayMatchRole } from "../checks/aws-auth-login";
import type { Adapter } from "../types";
import { agentRoles, finding, isUnknown, readOfType } from "./shared";

const RULE = "vault/service-account-login";
export const VAULT_AWS_ROLE = "vault:aws/authBackendRole:AuthBackendRole";

export const vaultAwsLogins: Adapter = {
  family: "vault-aws-logins",
  holdings: "none: an AWS auth role an agent's role credentials could use is refused, not counted as the agent's",
  types: [
    {
      type: VAULT_AWS_ROLE,
      route: "accepts any AWS credentials whose principal or instance role matches its bound ARNs, an agent role's IRSA credentials included",
      readIfSet: [...AWS_AUTH_BOUND_ARN_FIELDS],
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const roles = agentRoles(ix);
    if (roles.size === 0) return;
    const ordered = [...roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const r of readOfType(ix, VAULT_AWS_ROLE)) {
      const where = `auth/${asString(r.v.backend) ?? "aws"}/role/${asString(r.v.role) ?? r.resource.name}`;
      const unknown = AWS_AUTH_BOUND_ARN_FIELDS.filter((field) => isUnknown(r, field));
      if (unknown.length) {
        pass.findings.push(
          finding(
            { agent: "platform", kind: null },
            r.resource.urn,
            RULE,
            `Vault AWS auth role ${where}: ${unknown.join(", ")} unknown at preview, so the pack cannot tell whether an agent role's credentials would log in beside the identity's own Kubernetes-auth role`,
            "bind the role to known ARNs of roles that are not agent roles",
          ),
        );
        continue;
      }
      const bound = AWS_AUTH_BOUND_ARN_FIELDS.flatMap((field) => asStrings(r.v[field]));
      for (const role of ordered) {
        const match = bound.find((arn) => boundArnMayMatchRole(arn, role.name));
        if (match === undefined) continue;
        pass.findings.push(
          finding(
            role,
            r.resource.urn,
            RULE,
            `Vault AWS auth role ${where} binds ${match}, which matches agent role ${role.name}, so its IRSA credentials log in to Vault beside the identity's own Kubernetes-auth role`,
            "log agents in only through their own Kubernetes-auth roles; bind AWS auth roles to no agent role's ARN (no glob reaching one)",
          ),
        );
      }
    }
  },
};
