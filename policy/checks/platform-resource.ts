/**
 * Per-resource dispatch of the platform checks (audit device, auth backend config, database
 * connection, AWS engine, NetworkPolicy, Namespace, workload tokens): each reads its resource's
 * known inputs into the typed shape its check takes. Runs before the resource is created.
 */
import { LABEL_PREFIX } from "../../components/core/compile";
import { AGENT_LABEL } from "../../components/rules/kubernetes";
import type { Problem } from "../../components/rules/define";
import { asRecord, asString, asStrings, type KnownInputs } from "../inputs";
import type { PackResource } from "../types";
import { checkAuditDevice } from "./audit-device";
import { checkAuthBackendConfig } from "./auth-backend-config";
import { checkAwsEngine } from "./aws-engine";
import { checkDatabaseConnection } from "./database-connection";
import { checkNetworkPolicyEgress } from "./network-policy";
import { checkPodSecurityLabels } from "./pod-security";
import { checkPodTokens } from "./projected-token";
import { podTemplateOf } from "../adapters/workloads";

const isUnknown = (inputs: KnownInputs, field: string) => inputs.unknown.some((path) => path === field || path.startsWith(`${field}.`));

/** A root password input: a non-empty string, unknown at preview, or absent (empty). */
export const passwordState = (value: unknown, unknown: boolean): "set" | "unknown" | "unset" =>
  typeof value === "string" && value !== "" ? "set" : unknown ? "unknown" : "unset";

export function platformProblems(resource: PackResource, inputs: KnownInputs): Problem[] {
  const v = inputs.value;
  const label = `${resource.type.split(":").pop()} ${resource.name}`;
  switch (resource.type) {
    case "vault:index/audit:Audit":
      return checkAuditDevice(resource.name, { type: asString(v.type), options: (v.options ?? {}) as Record<string, unknown> });
    case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
      return checkAuthBackendConfig(resource.name, {
        backend: asString(v.backend),
        kubernetesHost: asString(v.kubernetesHost),
        kubernetesCaCert: asString(v.kubernetesCaCert),
        issuer: asString(v.issuer),
        disableIssValidation: v.disableIssValidation === true || isUnknown(inputs, "disableIssValidation"),
        pemKeys: isUnknown(inputs, "pemKeys") ? ["(unknown at preview)"] : asStrings(v.pemKeys),
      });
    case "vault:database/secretBackendConnection:SecretBackendConnection": {
      const postgresql = asRecord(v.postgresql);
      return checkDatabaseConnection(`${asString(v.backend) ?? "?"}/${asString(v.name) ?? resource.name}`, {
        backend: asString(v.backend),
        name: asString(v.name),
        allowedRoles: asStrings(v.allowedRoles),
        keys: Object.keys(v),
        connectionUrl: postgresql.connectionUrl,
        username: postgresql.username,
        password: passwordState(postgresql.password, isUnknown(inputs, "postgresql") || isUnknown(inputs, "postgresql.password")),
      });
    }
    case "vault:aws/secretBackend:SecretBackend":
      return checkAwsEngine(resource.name, {
        path: asString(v.path),
        roleArn: asString(v.roleArn),
        accessKeySet: v.accessKey !== undefined || isUnknown(inputs, "accessKey"),
        secretKeySet: v.secretKey !== undefined || isUnknown(inputs, "secretKey"),
        endpoints: [
          ...(["stsEndpoint", "iamEndpoint"] as const).flatMap((field) =>
            isUnknown(inputs, field)
              ? [{ field, value: "(unknown at preview)" }]
              : asString(v[field]) !== undefined
                ? [{ field, value: asString(v[field])! }]
                : [],
          ),
          ...(isUnknown(inputs, "stsFallbackEndpoints") ? ["(unknown at preview)"] : asStrings(v.stsFallbackEndpoints)).map((value) => ({
            field: "stsFallbackEndpoints",
            value,
          })),
        ],
      });
    case "kubernetes:networking.k8s.io/v1:NetworkPolicy":
    case "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch":
      return checkNetworkPolicyEgress(label, v.spec);
    case "kubernetes:core/v1:Namespace":
    case "kubernetes:core/v1:NamespacePatch": {
      // Labels unknown at preview (the whole metadata or labels, or a Pod Security or agent label)
      // may relax the level or mark an agent namespace: fail closed.
      const unknownLabel = inputs.unknown.find(
        (path) =>
          path === "metadata" ||
          path === "metadata.labels" ||
          (path.startsWith("metadata.labels.") &&
            ["pod-security.kubernetes.io/", `${LABEL_PREFIX}/`].some((prefix) => path.slice("metadata.labels.".length).startsWith(prefix))),
      );
      if (unknownLabel !== undefined)
        return [
          {
            rule: "kubernetes/pod-security",
            message: `${label} has ${unknownLabel} unknown at preview: its Pod Security level (and whether it is an agent namespace) cannot be read`,
            fix: "write the namespace's metadata and labels from known values (pod-security.kubernetes.io/enforce: restricted)",
          },
        ];
      // asRecord keeps string entries only: read labels from the metadata object itself.
      const metadata = v.metadata && typeof v.metadata === "object" ? (v.metadata as Record<string, unknown>) : {};
      return checkPodSecurityLabels(label, asRecord(metadata.labels), false, resource.type.endsWith("Patch"));
    }
    default: {
      // Every projected token is bounded; the default token is refused on a pod labelled as an agent's
      // here, and on any pod in an agent namespace across the stack (only there is that known).
      const pod = podTemplateOf(resource.type, v);
      return pod ? checkPodTokens(label, pod.spec, { automount: pod.labels[AGENT_LABEL] !== undefined, projected: true }) : [];
    }
  }
}
