/** Bad program: the aws-auth ConfigMap maps an agent role into the cluster. Expected: kubernetes/eks-access. */
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { agentRole } from "./agent-role";

new ConfigMap("aws-auth", {
  metadata: { name: "aws-auth", namespace: "kube-system" },
  data: { mapRoles: agentRole.arn.apply((arn) => `- rolearn: ${arn}\n  username: victim\n  groups:\n    - system:masters\n`) },
});
