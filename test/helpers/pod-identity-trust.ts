/**
 * A Pod Identity trust policy as trust/pod-identity-session-tags wants it: the EKS Auth service
 * principal, `sts:AssumeRole` and `sts:TagSession`, pinned to one account, cluster, namespace and
 * ServiceAccount by the session tags EKS sets (docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
 */
export function podIdentityTrust(account: string, cluster: string, namespace: string, serviceAccount: string, region = "us-east-1"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": account,
            "aws:RequestTag/eks-cluster-arn": `arn:aws:eks:${region}:${account}:cluster/${cluster}`,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
          },
        },
      },
    ],
  });
}
