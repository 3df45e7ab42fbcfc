/**
 * Bad program: an agent ServiceAccount in kube-system that mounts its token into every pod.
 * Expected: kubernetes/system-namespace and kubernetes/automount-token.
 */
import * as corev1 from "@pulumi/kubernetes/core/v1";

new corev1.ServiceAccount("system-agent", {
  metadata: {
    name: "system-agent",
    namespace: "kube-system",
    labels: { "agent-identity.io/agent": "system-agent", "agent-identity.io/identity": "execution" },
  },
  automountServiceAccountToken: true,
});
