/**
 * Bad program: a Pod Identity association whose roleArn is computed from a role the stack creates
 * into an existing platform role (`own.arn.apply(() => platformAdminArn)`). At preview the ARN is
 * unknown and comes from the stack's role, so the stack policy admits it; at update it is known, and
 * the association's own Analyze (before creation) must refuse it: kubernetes/eks-access.
 */
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";

export const PLATFORM_ADMIN = "arn:aws:iam::111122223333:role/platform-admin";

const own = new iam.Role("tools-runner", {
  name: "tools-runner",
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": "111122223333",
            "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:us-east-1:111122223333:cluster/dev",
            "aws:RequestTag/kubernetes-namespace": "tools",
            "aws:RequestTag/kubernetes-service-account": "runner",
          },
        },
      },
    ],
  }),
});

new eks.PodIdentityAssociation("tools-runner", {
  clusterName: "dev",
  namespace: "tools",
  serviceAccount: "runner",
  roleArn: own.arn.apply(() => PLATFORM_ADMIN),
});
