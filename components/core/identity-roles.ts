/**
 * The IAM roles an identity holds: its own (IRSA / Pod Identity) role and, with tagged sessions, the
 * execution identity's tool role. Rules that judge what an identity may do read both, so a grant
 * does not escape a rule by moving onto the tool role.
 */
import type { IamRolePlan, IdentityPlan, SecretRolePlan } from "./plan-types";

export function identityRoles(identity: Pick<IdentityPlan, "iamRole" | "toolRole">): IamRolePlan[] {
  return identity.toolRole ? [identity.iamRole, identity.toolRole] : [identity.iamRole];
}

/** A secret role that mints one tool's session on the identity's own tool role (tagged sessions). */
export function isOwnToolSession(identity: Pick<IdentityPlan, "toolRole">, role: SecretRolePlan): boolean {
  const toolRole = identity.toolRole;
  return (
    role.type === "aws" &&
    role.sessionTags !== null &&
    toolRole !== null &&
    role.roleArns.length === 1 &&
    role.roleArns[0].toLowerCase() === toolRole.arn.toLowerCase()
  );
}
