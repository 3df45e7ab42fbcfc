/**
 * `vault.kubernetes.AuthBackendConfig`: where Vault sends TokenReview for a Kubernetes auth mount.
 * Pointed at another API server, whoever runs that server mints tokens Vault accepts as any agent's
 * ServiceAccount. Per resource: https with a pinned CA, a bare host (an EKS endpoint or a DNS name).
 * Across the stack: one config per mount and one mount per API server, so a second config cannot
 * re-point a cluster's mount and one cluster's tokens cannot log in on another cluster's mount.
 */
import type { Problem } from "../../components/rules/define";

export interface AuthBackendConfigInputs {
  readonly backend?: string;
  readonly kubernetesHost?: string;
  readonly kubernetesCaCert?: string;
}

const RULE = "vault/auth-backend-host";
/** The declaration's form (bootstrap kubernetesAuth.host): scheme https, a host name, an optional port, nothing else. */
const HTTPS_HOST = /^https:\/\/[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** The backend's mount path as Vault reads it (slashes trimmed), `kubernetes` when unset. */
export const authMountOf = (backend: string | undefined) => (backend ?? "kubernetes").replace(/^\/+|\/+$/g, "") || "kubernetes";

/** The API server a host names, for comparing configs: lower-cased, default port dropped. */
export const apiServerOf = (host: string) => host.toLowerCase().replace(/:443$/, "");

export function checkAuthBackendConfig(name: string, inputs: AuthBackendConfigInputs): Problem[] {
  const problems: Problem[] = [];
  const host = inputs.kubernetesHost;
  if (host === undefined || !HTTPS_HOST.test(host))
    problems.push({
      rule: RULE,
      message: `auth backend config ${name} (mount ${authMountOf(inputs.backend)}) calls ${host ?? "(no kubernetesHost)"} for TokenReview, not an https API server URL without a path`,
      fix: "set kubernetesHost to the cluster's API server, https://<endpoint>, as platform.bootstrap.kubernetesAuth[].host",
    });
  if (!inputs.kubernetesCaCert || !inputs.kubernetesCaCert.includes("-----BEGIN CERTIFICATE-----"))
    problems.push({
      rule: RULE,
      message: `auth backend config ${name} (mount ${authMountOf(inputs.backend)}) pins no CA certificate, so any server answering at the host is trusted`,
      fix: "set kubernetesCaCert to the cluster's CA certificate (PEM)",
    });
  return problems;
}

export interface PlacedConfig extends AuthBackendConfigInputs {
  readonly name: string;
  readonly urn: string;
}

/** A second config for one mount, or one API server behind two mounts: each is refused. */
export function checkAuthBackendConfigs(configs: readonly PlacedConfig[]): Array<Problem & { urn: string }> {
  const out: Array<Problem & { urn: string }> = [];
  const byMount = new Map<string, PlacedConfig[]>();
  const byServer = new Map<string, PlacedConfig[]>();
  for (const config of configs) {
    const mount = authMountOf(config.backend);
    byMount.set(mount, [...(byMount.get(mount) ?? []), config]);
    if (config.kubernetesHost) {
      const server = apiServerOf(config.kubernetesHost);
      byServer.set(server, [...(byServer.get(server) ?? []), config]);
    }
  }
  for (const [mount, list] of byMount)
    if (list.length > 1)
      for (const config of list)
        out.push({
          rule: RULE,
          urn: config.urn,
          message: `auth mount ${mount} has ${list.length} configs (${list.map((c) => `${c.name} → ${c.kubernetesHost ?? "?"}`).join(", ")}): the last one applied decides which API server vouches for its tokens`,
          fix: "keep exactly one AuthBackendConfig per Kubernetes auth mount, the one AgentPlatform creates",
        });
  for (const [server, list] of byServer) {
    const mounts = new Set(list.map((c) => authMountOf(c.backend)));
    if (mounts.size > 1)
      for (const config of list)
        out.push({
          rule: RULE,
          urn: config.urn,
          message: `API server ${server} backs several auth mounts (${[...mounts].join(", ")}): one cluster's tokens log in on another cluster's mount`,
          fix: "bind each cluster's API server to its own auth mount only",
        });
  }
  return out;
}
