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
import { posix } from "node:path";
import { LABEL_PREFIX } from "./compile";
import { sessionNamePrefix } from "./names";
import { vaultAudienceProblem } from "./platform-fields";
import type { IdentityPlan } from "./plan-types";

export interface WorkloadIdentityOptions {
  /** Audience of the projected token for Vault. */
  readonly vaultAudience: string;
  /** Lifetime Kubernetes gives the projected Vault token, in seconds (600 to 3600). @default 600 */
  readonly tokenExpirationSeconds?: number;
  /** Where the Vault token is mounted: absolute, normalised, not over the Kubernetes or EKS token paths. @default /var/run/secrets/vault */
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
  /**
   * Spread into the workload's own `metadata` (a Pod's, a Deployment's): the namespace of the identity's
   * ServiceAccount, where the pod must run to use it, and the labels above.
   */
  readonly metadata: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  /** Only the pod-level fields, to spread into a pod spec (the flat fields above include container ones). */
  readonly podSpec: WorkloadPodSpec;
  /** Only the container-level fields, to spread into the container that runs as this identity. */
  readonly container: WorkloadContainer;
}

export const VAULT_TOKEN_VOLUME = "vault-token";

/** Kubernetes' minimum projected-token expiry, and this library's maximum. */
const TOKEN_EXPIRY_MIN = 600;
export const TOKEN_EXPIRY_MAX = 3600;

/** Where Kubernetes and EKS mount their own tokens (`/var/run` is `/run` in most images). */
const RESERVED_TOKEN_DIRS = [
  "/var/run/secrets/kubernetes.io",
  "/var/run/secrets/eks.amazonaws.com",
  "/run/secrets/kubernetes.io",
  "/run/secrets/eks.amazonaws.com",
];

const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** Why a Vault token mount path is unsafe, or undefined. */
export function mountPathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > 256) return "must be 1 to 256 characters";
  if (!path.startsWith("/")) return "is not absolute";
  if (posix.normalize(path) !== path || path.endsWith("/")) return `is not normalised (it means ${posix.normalize(path).replace(/\/$/, "") || "/"})`;
  if (!/^[A-Za-z0-9._/-]+$/.test(path)) return "has characters outside letters, digits, '.', '_', '-' and '/'";
  const reserved = RESERVED_TOKEN_DIRS.find((dir) => within(path, dir) || within(dir, path));
  if (reserved) return `${within(path, reserved) ? "is inside" : "would hide"} ${reserved}, where Kubernetes or EKS mounts its own token`;
  return undefined;
}

/** Env var naming, per aws tool, the Vault path that mints its session (JSON object tool → path). */
export const TOOL_SESSIONS_ENV = "AGENT_IDENTITY_TOOL_SESSIONS";

function toolSessionEnv(identity: IdentityPlan): WorkloadEnvVar[] {
  const paths = Object.fromEntries(
    identity.vault.secretRoles.filter((role) => role.type === "aws" && role.sessionTags).map((role) => [role.tool, role.credentialsPath]),
  );
  return [
    { name: "VAULT_K8S_ROLE", value: identity.vault.role!.name },
    { name: "VAULT_K8S_AUTH_PATH", value: identity.vault.role!.backend },
    { name: TOOL_SESSIONS_ENV, value: JSON.stringify(paths) },
  ];
}

export function workloadIdentity(identity: IdentityPlan, options: WorkloadIdentityOptions): WorkloadIdentity {
  const agent = identity.serviceAccount.labels[`${LABEL_PREFIX}/agent`];
  if (!agent) throw new Error(`ServiceAccount ${identity.serviceAccount.name} has no ${LABEL_PREFIX}/agent label`);
  const fail = (message: string, fix: string): never => {
    throw new Error(`agent ${agent}, identity ${identity.kind}: workload ${message}; ${fix}`);
  };
  const audienceProblem = vaultAudienceProblem(options.vaultAudience);
  if (audienceProblem) fail(`Vault audience ${audienceProblem}`, "use the platform's platform.vault.audience");
  const roleAudience = identity.vault.role?.audience;
  if (roleAudience !== undefined && options.vaultAudience !== roleAudience)
    fail(
      `Vault audience "${options.vaultAudience}" is not the audience "${roleAudience}" the identity's Vault role accepts`,
      "drop the override: the Agent component passes the platform's audience",
    );
  const expirationSeconds = options.tokenExpirationSeconds ?? 600;
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < TOKEN_EXPIRY_MIN || expirationSeconds > TOKEN_EXPIRY_MAX) {
    fail(
      `token expiry ${expirationSeconds}s is outside ${TOKEN_EXPIRY_MIN}..${TOKEN_EXPIRY_MAX} seconds`,
      `Kubernetes requires at least ${TOKEN_EXPIRY_MIN}; a Vault login token lives no longer than an hour here`,
    );
  }
  const mountPath = options.mountPath ?? "/var/run/secrets/vault";
  const pathProblem = mountPathProblem(mountPath);
  if (pathProblem) fail(`mount path "${mountPath.slice(0, 300)}" ${pathProblem}`, "mount the Vault token at its own directory, e.g. /var/run/secrets/vault");
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
      // Tagged sessions: where each tool's own credentials are minted, read just before the tool runs.
      ...(identity.toolRole && identity.vault.role ? toolSessionEnv(identity) : []),
    ],
  };
  const labels = { [`${LABEL_PREFIX}/agent`]: agent, [`${LABEL_PREFIX}/identity`]: identity.kind };
  return { ...podSpec, ...container, labels, metadata: { namespace: identity.serviceAccount.namespace, labels }, podSpec, container };
}
