/**
 * Could a Vault AWS auth role accept an agent role's credentials? Vault's AWS auth method
 * (hashicorp/vault builtin/credential/aws, path_login.go) compares an IAM login's caller, resolved to
 * `arn:<partition>:iam::<account>:role/<path><name>`, with `bound_iam_principal_arn` (a trailing `*`
 * matches a prefix), and an EC2 login's instance role with `bound_iam_role_arn`. The account and
 * path of an agent role are not in its Pulumi inputs, so both are read as "any": a bound ARN
 * whose glob could meet `arn:*:iam::*:role/*<name>` (or the `sts` assumed-role form) may be it.
 */
import { globsIntersect } from "../../components/core/patterns";

/** The AWS auth role's fields naming principal ARNs its logins must match. */
export const AWS_AUTH_BOUND_ARN_FIELDS = ["boundIamPrincipalArns", "boundIamRoleArns"] as const;

/** Whether a bound ARN (a glob) could match the role named `roleName` in any account and path. */
export function boundArnMayMatchRole(bound: string, roleName: string): boolean {
  if (bound.length > 2048 || roleName.length > 128) return true; // longer than IAM allows: not read, refused
  return globsIntersect(bound, `arn:*:iam::*:role/*${roleName}`) || globsIntersect(bound, `arn:*:sts::*:assumed-role/${roleName}/*`);
}
