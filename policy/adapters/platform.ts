/**
 * Platform resources (issue #19 parts 5 and 6): the Vault audit device, Kubernetes auth backend
 * configs, database connections and the AWS engine; NetworkPolicies and their Patches; Pod Security
 * labels on Namespaces and NamespacePatches; the tokens a workload's pods mount; how many IAM roles
 * carry one identity's tags. The checks are pure functions in policy/checks/; per resource they run
 * before the resource is created, across the stack only what one resource cannot tell.
 */
import { checkPlatformStack } from "../checks/platform-stack";
import { platformProblems } from "../checks/platform-resource";
import { PLATFORM_TYPES } from "../checks/platform-types";
import type { Adapter } from "../types";
import { WORKLOAD_TYPES } from "./workloads";

export { PLATFORM_TYPES };

export const platform: Adapter = {
  family: "platform",
  holdings:
    "none: these resources decide who may log in (auth configs), what is recorded (audit), where credentials travel (connections, engine) and where pods may connect, not what an identity holds",
  types: [
    {
      type: PLATFORM_TYPES.vaultAudit,
      key: "vaultAudit",
      route: "records every login and secret read (raw, it leaks them)",
      required: ["type"],
      readIfSet: ["options", "path"],
      checkedBy: ["vault/audit-device", "stack/unknown-input"],
    },
    {
      type: PLATFORM_TYPES.vaultAuthBackendConfig,
      key: "vaultAuthBackendConfig",
      route: "decides which API server vouches for ServiceAccount tokens at login",
      required: ["kubernetesHost"],
      readIfSet: ["kubernetesCaCert", "backend", "issuer", "disableIssValidation", "pemKeys"],
      checkedBy: ["vault/auth-backend-host", "stack/unknown-input"],
    },
    {
      type: PLATFORM_TYPES.vaultDatabaseConnection,
      key: "vaultDatabaseConnection",
      route: "Vault's root login to a database, and which secret roles may mint users through it",
      readIfSet: ["allowedRoles", "postgresql", "backend", "name"],
      // A root password from a RandomPassword of the same update is unknown at preview; only its presence is judged.
      setnessOnly: ["postgresql.password"],
      checkedBy: ["database/connection-tls", "database/connection-root-login", "database/connection-allowed-roles", "stack/unknown-input"],
    },
    {
      type: PLATFORM_TYPES.vaultAwsEngine,
      key: "vaultAwsEngine",
      route: "the principal every tool role trusts, and its own credentials",
      readIfSet: ["path", "roleArn", "stsEndpoint", "iamEndpoint", "stsFallbackEndpoints"],
      checkedBy: ["vault/aws-engine", "stack/unknown-input"],
    },
    ...[PLATFORM_TYPES.networkPolicy, PLATFORM_TYPES.networkPolicyPatch].map((type) => ({
      type,
      route: "where agent pods may connect (policies add up: one open policy undoes the default deny)",
      readIfSet: ["spec"],
      checkedBy: ["kubernetes/egress-private", "stack/unknown-input"],
    })),
    {
      type: PLATFORM_TYPES.namespace,
      route: "the Pod Security level agent pods run under",
      readIfSet: ["metadata.labels"],
      checkedBy: ["kubernetes/pod-security", "stack/unknown-input"],
    },
    {
      type: PLATFORM_TYPES.namespacePatch,
      key: "namespacePatch",
      route: "changes a namespace's labels, its Pod Security level among them",
      readIfSet: ["metadata.labels", "metadata.name"],
      checkedBy: ["kubernetes/pod-security", "stack/unknown-input"],
    },
    ...Object.entries(WORKLOAD_TYPES).map(([type, path]) => ({
      type,
      route: "the tokens an agent's pods mount",
      readIfSet: [[...path, "spec", "automountServiceAccountToken"].join("."), [...path, "spec", "volumes"].join(".")],
      checkedBy: ["kubernetes/projected-token", "stack/unknown-input"],
    })),
    {
      type: "aws:iam/role:Role",
      route: "a role tagged as an agent identity is judged as that identity's",
      checkedBy: ["stack/one-role-per-identity"],
    },
  ],
  check: (resource, inputs) => platformProblems(resource, inputs),
  stack: (ix, pass) => {
    pass.findings.push(...checkPlatformStack(ix));
  },
};
