/**
 * The independent oracle for IAM decisions: @cloud-copilot/iam-simulate evaluates policies as
 * AWS does. Test-only (AGPL); never imported outside test/ and bench/.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { IamRolePlan } from "../../components/core/plan-types";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Call {
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount?: string;
  readonly context?: Record<string, string | string[]>;
  /** The resource's own policy (e.g. a foreign bucket whose owner allows everyone). */
  readonly resourcePolicy?: unknown;
}

/** Decide a call made with a session of `role` (its inline policies and boundary-free). */
export async function decide(role: IamRolePlan, call: Call, region = "us-east-1"): Promise<Decision> {
  const account = role.arn.split(":")[4];
  const response = await runSimulation(
    {
      identityPolicies: role.policies.map((policy) => ({ name: policy.name, policy: policy.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(call.resourcePolicy ? { resourcePolicy: call.resourcePolicy } : {}),
      request: {
        principal: `arn:aws:sts::${account}:assumed-role/${role.name}/session`,
        action: call.action,
        resource: { resource: call.resource, accountId: call.resourceAccount ?? account },
        // As AWS does: S3 sets s3:ResourceAccount to the bucket owner's account on every bucket and object request.
        contextVariables: {
          "aws:RequestedRegion": region,
          ...(call.action.toLowerCase().startsWith("s3:") ? { "s3:ResourceAccount": call.resourceAccount ?? account } : {}),
          ...call.context,
        },
      },
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  if (response.resultType === "error") throw new Error(`simulation error: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Decision;
}

/**
 * Decide whether `principal` (an AWS service such as pods.eks.amazonaws.com, or a federated
 * provider) may call `action` on the role, by the role's trust policy alone: the trust is the
 * role's resource policy, and a service principal has no identity policies of its own.
 */
export async function decideTrust(
  role: Pick<IamRolePlan, "arn" | "trustPolicy">,
  principal: string,
  action: string,
  context: Record<string, string | string[]>,
): Promise<Decision> {
  const account = role.arn.split(":")[4];
  const response = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trustPolicy,
      request: { principal, action, resource: { resource: role.arn, accountId: account }, contextVariables: context },
    } as Parameters<typeof runSimulation>[0],
    {},
  );
  if (response.resultType === "error") throw new Error(`simulation error: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Decision;
}
