/**
 * Bad program: platform resources around the components (issue #19 part 5): a raw audit device to a
 * public socket, a database connection without TLS allowing every role, an AWS engine with static
 * keys, a NetworkPolicy open to 0.0.0.0/0 and a NamespacePatch relaxing Pod Security.
 * Expected per resource (before creation): vault/audit-device, database/connection-tls,
 * database/connection-allowed-roles, vault/aws-engine, kubernetes/egress-private, kubernetes/pod-security.
 */
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";

new vault.Audit("raw-socket", { type: "socket", path: "raw-socket", options: { address: "203.0.113.9:9090", socket_type: "tcp", log_raw: "true" } });
new vault.database.SecretBackendConnection("plaintext", {
  backend: "database",
  name: "plaintext",
  allowedRoles: ["*"],
  postgresql: { connectionUrl: "postgresql://{{username}}:{{password}}@db.internal:5432/app?sslmode=disable", username: "root" },
});
new vault.aws.SecretBackend("static-keys", { path: "aws-static", accessKey: "AKIAEXAMPLEEXAMPLE00", secretKey: "not-a-real-secret" });
new k8s.networking.v1.NetworkPolicy("open-egress", {
  metadata: { name: "open-egress", namespace: "acme-dev-agents" },
  spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] },
});
new k8s.core.v1.NamespacePatch("relax", { metadata: { name: "acme-dev-agents", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } });
