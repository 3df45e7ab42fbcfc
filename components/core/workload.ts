/**
 * What a pod needs to run as exactly one identity of an agent: its ServiceAccount, a projected
 * token for Vault with the Vault audience and a short expiry, and a role session name that names
 * the agent, the identity and the pod (so CloudTrail shows who acted).
 *
 * The session name is `<agent>-<kind>-<pod UID>`, not `<agent>-<kind>-<pod name>`: STS refuses a
 * RoleSessionName over 64 characters, a pod name may be up to 253 (a Deployment's
 * `<name>-<rs hash>-<5>` alone reaches 63), and Kubernetes env can only substitute `$(VAR)`, never
 * cut it, while the AWS SDKs read AWS_ROLE_SESSION_NAME verbatim. The UID (downward API
 * `metadata.uid`) is always 36 characters and unique to the pod; `sessionNamePrefix` keeps the
 * static part within 28, so every session name fits for every pod name and every tier.
 * POD_NAME stays in the environment so the workload can log both.
 */
import { LABEL_PREFIX } from "./compile";
import { sessionNamePrefix } from "./names";
import type { IdentityPlan } from "./plan-types";

export interface WorkloadIdentityOptions {
  /** Audience of the projected token for Vault. */
  readonly vaultAudience: string;
  /** Lifetime Kubernetes gives the projected Vault token, in seconds (minimum 600). @default 600 */
  readonly tokenExpirationSeconds?: number;
  /** Where the Vault token is mounted. @default /var/run/secrets/vault */
  readonly mountPath?: string;
}

/**
 * The Kubernetes shapes below are written out (this module stays free of Pulumi imports) and are
 * structurally the subsets of `k8s.types.input.core.v1.Volume`, `VolumeMount` and `EnvVar` they
 * fill in; test/workload-types.test.ts has the type checker confirm they spread into
 * `@pulumi/kubernetes` pod specs and containers.
 */
export interface ProjectedTokenVolume {
  readonly name: string;
  readonly projected: {
    readonly sources: Array<{ readonly serviceAccountToken: { readonly audience: string; readonly expirationSeconds: number; readonly path: string } }>;
  };
}

export interface WorkloadVolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** A literal value, or one the downward API fills in. */
export interface WorkloadEnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef: { readonly fieldPath: string } };
}

/** Spread into the pod spec: `spec: { ...workload.podSpec, containers: [...] }`. */
export interface WorkloadPodSpec {
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: false;
  readonly volumes: ProjectedTokenVolume[];
}

/** Spread into the agent's container: `{ name, image, ...workload.container }`. */
export interface WorkloadContainer {
  readonly volumeMounts: WorkloadVolumeMount[];
  readonly env: WorkloadEnvVar[];
}

export interface WorkloadIdentity extends WorkloadPodSpec, WorkloadContainer {
  /** Spread into the pod template's `metadata.labels`: the policy pack refuses a workload running as an agent's ServiceAccount without them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Only the pod-level fields, to spread into a pod spec (the flat fields above include container ones). */
  readonly podSpec: WorkloadPodSpec;
  /** Only the container-level fields, to spread into the container that runs as this identity. */
  readonly container: WorkloadContainer;
}

export const VAULT_TOKEN_VOLUME = "vault-token";

export function workloadIdentity(identity: IdentityPlan, options: WorkloadIdentityOptions): WorkloadIdentity {
  const expirationSeconds = options.tokenExpirationSeconds ?? 600;
  if (expirationSeconds < 600) throw new Error("Kubernetes requires a projected token expiry of at least 600 seconds");
  const mountPath = options.mountPath ?? "/var/run/secrets/vault";
  const agent = identity.serviceAccount.labels[`${LABEL_PREFIX}/agent`];
  if (!agent) throw new Error(`ServiceAccount ${identity.serviceAccount.name} has no ${LABEL_PREFIX}/agent label`);
  // The trust policy of a traceable identity pins this same prefix; other tiers use it too.
  const sessionPrefix = identity.sessionNamePrefix ?? sessionNamePrefix(agent, identity.kind);
  const podSpec: WorkloadPodSpec = {
    serviceAccountName: identity.serviceAccount.name,
    automountServiceAccountToken: false,
    volumes: [
      {
        name: VAULT_TOKEN_VOLUME,
        projected: {
          sources: [{ serviceAccountToken: { audience: options.vaultAudience, expirationSeconds, path: "token" } }],
        },
      },
    ],
  };
  const container: WorkloadContainer = {
    volumeMounts: [{ name: VAULT_TOKEN_VOLUME, mountPath, readOnly: true }],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
      // Kubernetes expands $(POD_UID) because POD_UID is defined earlier in the list.
      { name: "AWS_ROLE_SESSION_NAME", value: `${sessionPrefix}$(POD_UID)` },
      { name: "VAULT_K8S_TOKEN_PATH", value: `${mountPath}/token` },
    ],
  };
  const labels = { [`${LABEL_PREFIX}/agent`]: agent, [`${LABEL_PREFIX}/identity`]: identity.kind };
  return { ...podSpec, ...container, labels, podSpec, container };
}
