/**
 * `vault.kubernetes.AuthBackendConfig`: where Vault sends TokenReview for a Kubernetes auth mount.
 * Pointed at another API server, whoever runs that server mints tokens Vault accepts as any agent's
 * ServiceAccount. Per resource, the declaration's own form (bootstrap kubernetesAuth): an EKS API
 * server endpoint with a pinned CA, the issuer (when set) that cluster's, issuer validation on and no
 * local keys. Across the stack: the endpoint is a cluster whose OIDC issuer the agents' IRSA roles
 * trust (EKS gives a cluster's endpoint and issuer one id), one config per mount and one mount per
 * API server, so a second config cannot re-point a cluster's mount and one cluster's tokens cannot
 * log in on another cluster's mount.
 */
import { EKS_ENDPOINT } from "../../components/core/bootstrap-schema";
import type { Problem } from "../../components/rules/define";

export interface AuthBackendConfigInputs {
  readonly backend?: string;
  readonly kubernetesHost?: string;
  readonly kubernetesCaCert?: string;
  readonly issuer?: string;
  /** True when set to true (or unknown at preview). */
  readonly disableIssValidation?: boolean;
  /** Keys Vault would verify tokens with itself instead of asking the API server. */
  readonly pemKeys?: readonly string[];
}

const RULE = "vault/auth-backend-host";
const EKS_ISSUER = /^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/([A-Za-z0-9]+)$/;

/** The cluster id an EKS endpoint names (upper-cased), or undefined. */
export const eksEndpointId = (host: string | undefined) => (host === undefined ? undefined : EKS_ENDPOINT.exec(host)?.[1]?.toUpperCase());

/** The backend's mount path as Vault reads it (slashes trimmed), `kubernetes` when unset. */
export const authMountOf = (backend: string | undefined) => (backend ?? "kubernetes").replace(/^\/+|\/+$/g, "") || "kubernetes";

/** The API server a host names, for comparing configs: lower-cased, default port dropped. */
export const apiServerOf = (host: string) => host.toLowerCase().replace(/:443$/, "");

export function checkAuthBackendConfig(name: string, inputs: AuthBackendConfigInputs): Problem[] {
  const problems: Problem[] = [];
  const host = inputs.kubernetesHost;
  const mount = authMountOf(inputs.backend);
  const id = eksEndpointId(host);
  if (id === undefined)
    problems.push({
      rule: RULE,
      message: `auth backend config ${name} (mount ${mount}) calls ${host ?? "(no kubernetesHost)"} for TokenReview, not an EKS API server endpoint https://<id>.<zone>.<region>.eks.amazonaws.com: Vault accepts every token that host approves`,
      fix: "set kubernetesHost to the cluster's API server endpoint (aws eks describe-cluster: endpoint), as platform.bootstrap.kubernetesAuth[].host",
    });
  if (inputs.issuer !== undefined && EKS_ISSUER.exec(inputs.issuer)?.[1]?.toUpperCase() !== (id ?? "?"))
    problems.push({
      rule: RULE,
      message: `auth backend config ${name} (mount ${mount}): issuer "${inputs.issuer}" is not the service account issuer of the cluster at ${host ?? "?"}`,
      fix: "leave issuer unset, or set the cluster's own https://oidc.eks.<region>.amazonaws.com/id/<id>",
    });
  if (inputs.disableIssValidation)
    problems.push({
      rule: RULE,
      message: `auth backend config ${name} (mount ${mount}) sets disableIssValidation: tokens of any issuer are accepted`,
      fix: "leave disableIssValidation unset (Vault's default validates the issuer)",
    });
  if (inputs.pemKeys && inputs.pemKeys.length > 0)
    problems.push({
      rule: RULE,
      message: `auth backend config ${name} (mount ${mount}) sets pemKeys: Vault verifies tokens with those keys itself, so whoever holds a matching private key signs any ServiceAccount`,
      fix: "leave pemKeys unset so the cluster's API server reviews every token",
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

/** The clusters agent roles trust: IRSA by OIDC issuer id (upper-cased), EKS Pod Identity by region only. */
export interface TrustedClusters {
  readonly ids: ReadonlySet<string>;
  readonly podIdentityRegions: ReadonlySet<string>;
}

/**
 * A second config for one mount, or one API server behind two mounts: each is refused. With the
 * clusters the agents' roles trust, an endpoint of another cluster is too (a Pod Identity cluster's
 * endpoint id is not in its ARN: there only its region is compared).
 */
export function checkAuthBackendConfigs(configs: readonly PlacedConfig[], trusted?: TrustedClusters): Array<Problem & { urn: string }> {
  const out: Array<Problem & { urn: string }> = [];
  if (trusted && trusted.ids.size + trusted.podIdentityRegions.size > 0)
    for (const config of configs) {
      const endpoint = config.kubernetesHost === undefined ? null : EKS_ENDPOINT.exec(config.kubernetesHost);
      if (!endpoint) continue;
      if (trusted.ids.has(endpoint[1].toUpperCase()) || trusted.podIdentityRegions.has(endpoint[2])) continue;
      out.push({
        rule: RULE,
        urn: config.urn,
        message: `auth mount ${authMountOf(config.backend)} calls ${config.kubernetesHost} for TokenReview, the API server of cluster ${endpoint[1]}, which no agent role trusts (IRSA issuers ${[...trusted.ids].join(", ") || "none"}; Pod Identity clusters in ${[...trusted.podIdentityRegions].join(", ") || "no region"}): Vault would accept another cluster's ServiceAccounts as the agents'`,
        fix: "point each auth mount at the API server of the cluster the agents run in (its endpoint and OIDC issuer carry the same id)",
      });
    }
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
