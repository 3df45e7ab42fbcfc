/**
 * What a pod needs to run as exactly one identity of an agent: its ServiceAccount, a projected
 * token for Vault with the Vault audience and a short expiry, and a role session name that names
 * the agent, the identity and the pod (so CloudTrail shows who acted).
 */
import type { IdentityPlan } from "./plan-types";

export interface WorkloadIdentityOptions {
  /** Audience of the projected token for Vault. */
  readonly vaultAudience: string;
  /** Lifetime Kubernetes gives the projected Vault token, in seconds (minimum 600). @default 600 */
  readonly tokenExpirationSeconds?: number;
  /** Where the Vault token is mounted. @default /var/run/secrets/vault */
  readonly mountPath?: string;
}

export interface WorkloadIdentity {
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: false;
  readonly volumes: Array<Record<string, unknown>>;
  readonly volumeMounts: Array<Record<string, unknown>>;
  readonly env: Array<Record<string, unknown>>;
}

export const VAULT_TOKEN_VOLUME = "vault-token";

export function workloadIdentity(identity: IdentityPlan, options: WorkloadIdentityOptions): WorkloadIdentity {
  const expirationSeconds = options.tokenExpirationSeconds ?? 600;
  if (expirationSeconds < 600) throw new Error("Kubernetes requires a projected token expiry of at least 600 seconds");
  const mountPath = options.mountPath ?? "/var/run/secrets/vault";
  const sessionPrefix = identity.sessionNamePrefix ?? `${identity.serviceAccount.name}-`;
  return {
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
    volumeMounts: [{ name: VAULT_TOKEN_VOLUME, mountPath, readOnly: true }],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      // Kubernetes expands $(POD_NAME) because POD_NAME is defined earlier in the list.
      { name: "AWS_ROLE_SESSION_NAME", value: `${sessionPrefix}$(POD_NAME)` },
      { name: "VAULT_K8S_TOKEN_PATH", value: `${mountPath}/token` },
    ],
  };
}
