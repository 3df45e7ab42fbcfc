/**
 * Platform fields that come from other resources (an `@pulumi/eks` cluster's `oidcProviderArn`, a
 * boundary policy's `arn`) may be `pulumi.Input<string>`. They only flow into resource inputs (the
 * IRSA trust policy, the role's permissions boundary); nothing that decides names or how many
 * resources exist depends on them. So:
 *   1. the declaration is validated and compiled at once with a placeholder in each pending field
 *      (everything else fails fast, exactly as with plain strings), giving every child's name;
 *   2. when the values resolve, the real declaration is validated and compiled again, and the trust
 *      policy and boundary come from that plan;
 *   3. every child resource waits on (depends on) that validation, so a bad ARN fails `pulumi up`
 *      before any child is created. Children are never created inside an apply (preview would not
 *      see them). While the value is unknown in a preview the check cannot run; it runs in `up`.
 * The placeholders say what they are and are never deployed: the resources take the resolved plan.
 */
import * as pulumi from "@pulumi/pulumi";
import { dnsSuffix, type Partition } from "./core/platform-fields";

/** Fields that may be outputs of other resources. */
export const PENDING_FIELDS = ["oidcProviderArn", "permissionsBoundaryArn"] as const;
type PendingField = (typeof PENDING_FIELDS)[number];

/** 32 upper-case letters and digits, the shape of an EKS issuer id: says it is not a real one. */
const PLACEHOLDER_ID = "UNRESOLVEDOUTPUTPLACEHOLDER00000";

const isPending = (value: unknown): boolean => pulumi.Output.isInstance(value) || value instanceof Promise;

function placeholder(field: PendingField, aws: Record<string, unknown>): string {
  const partition = (typeof aws.partition === "string" ? aws.partition : "aws") as Partition;
  const account = String(aws.accountId);
  if (field === "permissionsBoundaryArn") return `arn:${partition}:iam::${account}:policy/unresolved-output-placeholder`;
  const suffix = ["aws", "aws-cn", "aws-us-gov"].includes(partition) ? dnsSuffix(partition) : "amazonaws.com";
  return `arn:${partition}:iam::${account}:oidc-provider/oidc.eks.${String(aws.region)}.${suffix}/id/${PLACEHOLDER_ID}`;
}

export interface DeferredPlatform {
  /** The platform with a placeholder in each pending field: plain, ready to validate now. */
  readonly known: unknown;
  /** The platform with the real values, once they resolve; undefined when nothing was pending. */
  readonly resolved?: pulumi.Output<unknown>;
}

export function deferPendingFields(platform: unknown): DeferredPlatform {
  const aws = (platform as { aws?: unknown } | undefined)?.aws;
  if (!aws || typeof aws !== "object") return { known: platform };
  const fields = aws as Record<string, unknown>;
  const pending = PENDING_FIELDS.filter((field) => isPending(fields[field]));
  if (pending.length === 0) return { known: platform };
  const known = { ...(platform as object), aws: { ...fields, ...Object.fromEntries(pending.map((field) => [field, placeholder(field, fields)])) } };
  const resolved = pulumi
    .all(pending.map((field) => fields[field] as pulumi.Input<string>))
    .apply((values) => ({ ...(platform as object), aws: { ...fields, ...Object.fromEntries(pending.map((field, i) => [field, values[i]])) } }));
  return { known, resolved };
}

/** Resource options that make a child wait until the pending fields resolved and validated. */
export function waitFor(validated: pulumi.Output<unknown> | undefined, dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions["dependsOn"] {
  return validated ? validated.apply(() => dependsOn) : dependsOn;
}
