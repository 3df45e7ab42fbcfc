/**
 * IRSA roles of the platform's own controllers (policy/adapters/iam-roles.ts): the standard role of
 * the EBS CSI driver add-on trusts kube-system's ebs-csi-controller-sa. kube-system is never an
 * agent's namespace, so kubernetes/system-namespace refuses it on an agent role only; the same
 * trust on a role without agent tags is the platform's. One property changes between the cases.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import type { Resource } from "../helpers/policy-args";

const ACC = "111122223333";
const OIDC = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const { added } = devBaseline();

const ebsCsiRole = (tags?: Record<string, string>): Resource => ({
  type: "aws:iam/role:Role",
  name: "ebs-csi",
  props: {
    name: "ebs-csi",
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${ACC}:oidc-provider/${OIDC}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${OIDC}:sub`]: "system:serviceaccount:kube-system:ebs-csi-controller-sa", [`${OIDC}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    }),
    ...(tags ? { tags } : {}),
  },
});

describe("platform IRSA roles trusting kube-system", () => {
  it("does not refuse a non-agent role trusting a kube-system ServiceAccount", async () => {
    expect(await added([ebsCsiRole()])).not.toContain("kubernetes/system-namespace");
  });
  it("refuses the same trust on a role tagged as an agent's", async () => {
    expect(await added([ebsCsiRole({ agent: "payout-approver", identity: "execution" })])).toContain("kubernetes/system-namespace");
  });
});
