/**
 * The clusters agents run in and how each binds a ServiceAccount to its IAM role: IRSA (the
 * cluster's OIDC provider, `sts:AssumeRoleWithWebIdentity`) or EKS Pod Identity (the
 * `pods.eks.amazonaws.com` service, `sts:AssumeRole` + `sts:TagSession`, pinned by session tags).
 *
 * A platform without `clusters` has one implicit IRSA cluster named `default` made of
 * `aws.oidcProviderArn` and `vault.kubernetesAuthPath`: the single-cluster form, unchanged.
 */
import { sid } from "./iam-document";
import { mountsOverlap, oidcProviderProblem, parseEksOidcProvider, partitionOfRegion, vaultAudienceProblem } from "./platform-fields";

export const BINDINGS = ["irsa", "pod-identity"] as const;
export type Binding = (typeof BINDINGS)[number];
export const COMPUTE_TYPES = ["ec2", "fargate"] as const;
export const MAX_CLUSTERS = 20;
export const DEFAULT_CLUSTER = "default";
/** The service EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";
export const POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"] as const;
/** Session tags EKS Pod Identity sets (EKS user guide, "List of session tags added by EKS Pod Identity"). */
export const POD_IDENTITY_TAGS = {
  namespace: "aws:RequestTag/kubernetes-namespace",
  serviceAccount: "aws:RequestTag/kubernetes-service-account",
  clusterArn: "aws:RequestTag/eks-cluster-arn",
} as const;
export const SOURCE_ACCOUNT = "aws:SourceAccount";

/** An EKS cluster name: 1-100 characters, letters, digits, '-' and '_', starting with a letter or digit. */
export const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const EKS_CLUSTER_ARN = /^arn:(aws|aws-cn|aws-us-gov):eks:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):cluster\/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$/;

export interface ClusterDeclaration {
  readonly name: string;
  readonly region: string;
  readonly binding: Binding;
  readonly oidcProviderArn?: string;
  readonly clusterName?: string;
  readonly vaultAuthPath: string;
  readonly computeType: (typeof COMPUTE_TYPES)[number];
}

interface PlatformView {
  readonly aws: { readonly accountId: string; readonly partition: string; readonly region: string; readonly oidcProviderArn?: string };
  readonly vault: {
    readonly kubernetesAuthPath: string;
    readonly audience: string;
    readonly kvMount: string;
    readonly databaseMount: string;
    readonly awsMount: string;
  };
  readonly clusters?: readonly ClusterDeclaration[];
}

/** One cluster as the compiler uses it: the binding's subject fully resolved. */
export interface EffectiveCluster {
  readonly name: string;
  readonly region: string;
  readonly binding: Binding;
  readonly vaultAuthPath: string;
  /** IRSA: the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string | null;
  /** Pod Identity: the EKS cluster name and its ARN (always in the platform account). */
  readonly clusterName: string | null;
  readonly clusterArn: string | null;
}

export function eksClusterArn(partition: string, region: string, accountId: string, clusterName: string): string {
  return `arn:${partition}:eks:${region}:${accountId}:cluster/${clusterName}`;
}

export function parseEksClusterArn(arn: string): { partition: string; region: string; account: string; name: string } | null {
  if (arn.length > 300) return null;
  const match = EKS_CLUSTER_ARN.exec(arn);
  return match ? { partition: match[1], region: match[2], account: match[3], name: match[4] } : null;
}

export function platformClusters(platform: PlatformView): EffectiveCluster[] {
  if (!platform.clusters) {
    return [
      {
        name: DEFAULT_CLUSTER,
        region: platform.aws.region,
        binding: "irsa",
        vaultAuthPath: platform.vault.kubernetesAuthPath,
        oidcProviderArn: platform.aws.oidcProviderArn ?? null,
        clusterName: null,
        clusterArn: null,
      },
    ];
  }
  return platform.clusters.map((c) => ({
    name: c.name,
    region: c.region,
    binding: c.binding,
    vaultAuthPath: c.vaultAuthPath,
    oidcProviderArn: c.binding === "irsa" ? (c.oidcProviderArn ?? null) : null,
    clusterName: c.binding === "pod-identity" ? (c.clusterName ?? null) : null,
    clusterArn: c.binding === "pod-identity" && c.clusterName ? eksClusterArn(platform.aws.partition, c.region, platform.aws.accountId, c.clusterName) : null,
  }));
}

/** The clusters an agent runs in, in platform order: the ones it lists, or all. */
export function agentClusters(platform: PlatformView, agent: { readonly clusters?: readonly string[] }): EffectiveCluster[] {
  const all = platformClusters(platform);
  if (!agent.clusters) return all;
  return all.filter((cluster) => agent.clusters!.includes(cluster.name));
}

export interface ClusterIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What is wrong with `platform.clusters` given the rest of the platform. Widest things refused: a
 * provider or cluster in another account or partition, Pod Identity where EKS does not offer it
 * (Fargate), two clusters sharing a Vault auth mount (one mount verifies one cluster's tokens),
 * an auth mount overlapping a secrets mount, an empty list.
 */
export function clusterIssues(platform: PlatformView): ClusterIssue[] {
  const issues: ClusterIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });
  if (!platform.clusters) {
    if (!platform.aws.oidcProviderArn)
      add(["aws", "oidcProviderArn"], "required when platform.clusters is not declared (the single IRSA cluster's OIDC provider)");
    return issues;
  }
  if (platform.aws.oidcProviderArn !== undefined) {
    add(["aws", "oidcProviderArn"], "declare each cluster's OIDC provider under platform.clusters[].oidcProviderArn instead (one place per cluster)");
  }
  const scope = { accountId: platform.aws.accountId, partition: platform.aws.partition as "aws" };
  const names = new Set<string>();
  // Trust statement ids are built from cluster names (`…OwnServiceAccountOnly<Name>`); IAM refuses two equal Sids.
  const sids = new Map<string, string>();
  const secretMounts = [platform.vault.kvMount, platform.vault.databaseMount, platform.vault.awsMount];
  platform.clusters.forEach((cluster, i) => {
    if (names.has(cluster.name)) add(["clusters", i, "name"], `cluster "${cluster.name}" is declared twice`);
    else if (sids.has(sid(cluster.name)))
      add(
        ["clusters", i, "name"],
        `cluster "${cluster.name}" and cluster "${sids.get(sid(cluster.name))}" give the same IAM statement id (${sid(cluster.name)}); rename one`,
      );
    names.add(cluster.name);
    sids.set(sid(cluster.name), cluster.name);
    const partition = partitionOfRegion(cluster.region);
    if (partition !== platform.aws.partition)
      add(["clusters", i, "region"], `region ${cluster.region} is not in the platform's partition ${platform.aws.partition}`);
    const earlier = platform.clusters!.slice(0, i).find((other) => mountsOverlap(other.vaultAuthPath, cluster.vaultAuthPath));
    if (earlier)
      add(
        ["clusters", i, "vaultAuthPath"],
        `"${cluster.vaultAuthPath}" overlaps cluster ${earlier.name}'s auth mount "${earlier.vaultAuthPath}": each cluster needs its own Kubernetes auth mount (one mount verifies one cluster's tokens)`,
      );
    const clash = secretMounts.find((mount) => mountsOverlap(mount, cluster.vaultAuthPath));
    if (clash) add(["clusters", i, "vaultAuthPath"], `"${cluster.vaultAuthPath}" overlaps the secrets mount "${clash}"`);
    if (cluster.binding === "irsa") {
      if (cluster.clusterName !== undefined)
        add(["clusters", i, "clusterName"], "only for binding pod-identity; an IRSA cluster is named by its oidcProviderArn");
      if (!cluster.oidcProviderArn) {
        add(["clusters", i, "oidcProviderArn"], "required for binding irsa: the cluster's IAM OIDC provider");
        return;
      }
      const problem = oidcProviderProblem(cluster.oidcProviderArn, scope);
      if (problem) add(["clusters", i, "oidcProviderArn"], problem);
      else if (parseEksOidcProvider(cluster.oidcProviderArn)!.region !== cluster.region) {
        add(
          ["clusters", i, "oidcProviderArn"],
          `the provider's issuer is in ${parseEksOidcProvider(cluster.oidcProviderArn)!.region}, the cluster in ${cluster.region}`,
        );
      }
      const issuer = parseEksOidcProvider(cluster.oidcProviderArn)?.issuer;
      const audience = vaultAudienceProblem(platform.vault.audience, issuer);
      if (issuer && audience) add(["clusters", i, "oidcProviderArn"], `vault.audience: ${audience}`);
      const twin = platform.clusters!.slice(0, i).find((other) => other.oidcProviderArn === cluster.oidcProviderArn);
      if (twin) add(["clusters", i, "oidcProviderArn"], `cluster ${twin.name} has the same OIDC provider: one provider is one cluster`);
    } else {
      if (cluster.oidcProviderArn !== undefined)
        add(["clusters", i, "oidcProviderArn"], "only for binding irsa; a Pod Identity cluster is named by clusterName");
      if (!cluster.clusterName)
        add(["clusters", i, "clusterName"], "required for binding pod-identity: the EKS cluster's name (its ARN is built in the platform account)");
      if (cluster.computeType === "fargate") {
        add(
          ["clusters", i, "binding"],
          "EKS Pod Identity is not available for pods on Fargate (the EKS Pod Identity Agent runs as a DaemonSet on EC2 Linux nodes): use binding irsa for this cluster",
        );
      }
      const twin = platform
        .clusters!.slice(0, i)
        .find((other) => other.binding === "pod-identity" && other.clusterName === cluster.clusterName && other.region === cluster.region);
      if (twin && cluster.clusterName) add(["clusters", i, "clusterName"], `cluster ${twin.name} names the same EKS cluster`);
    }
  });
  return issues;
}

/** What is wrong with an agent's `clusters` list: unknown names, duplicates. */
export function agentClusterIssues(platform: PlatformView, agent: { readonly clusters?: readonly string[] }): ClusterIssue[] {
  if (!agent.clusters) return [];
  if (!platform.clusters)
    return [
      {
        path: ["clusters"],
        message: "the platform declares no clusters (platform.clusters): leave clusters out, the agent runs in the platform's one cluster",
      },
    ];
  const known = new Set(platform.clusters.map((c) => c.name));
  const issues: ClusterIssue[] = [];
  const seen = new Set<string>();
  agent.clusters.forEach((name, i) => {
    if (!known.has(name)) issues.push({ path: ["clusters", i], message: `no cluster "${name}" in platform.clusters (declared: ${[...known].join(", ")})` });
    if (seen.has(name)) issues.push({ path: ["clusters", i], message: `cluster "${name}" is listed twice` });
    seen.add(name);
  });
  return issues;
}

/**
 * Single-cluster fields written next to `platform.clusters`, where nothing reads them. Checked on
 * the raw input: `vault.kubernetesAuthPath` has a default, so once parsed a written value and the
 * default look the same. (`aws.oidcProviderArn` has none: clusterIssues refuses it.)
 */
export function ignoredSingleClusterFields(platform: unknown): ClusterIssue[] {
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isRecord(platform) || platform.clusters === undefined || !isRecord(platform.vault) || platform.vault.kubernetesAuthPath === undefined) return [];
  return [
    {
      path: ["vault", "kubernetesAuthPath"],
      message:
        "ignored with platform.clusters: each cluster names its own Kubernetes auth mount (platform.clusters[].vaultAuthPath); remove vault.kubernetesAuthPath",
    },
  ];
}
