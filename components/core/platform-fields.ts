/**
 * What the platform's AWS, EKS and Vault fields may say. Pure predicates that return the reason a
 * value is refused (or null), shared by the declaration schema, the rules and the policy pack so
 * all three refuse the same values for the same reason.
 */
import { boundedCache } from "./bounded-cache";

export type Partition = "aws" | "aws-cn" | "aws-us-gov";
export const PARTITIONS: readonly Partition[] = ["aws", "aws-cn", "aws-us-gov"];

/**
 * The partition a region belongs to: `cn-*` is aws-cn, `us-gov-*` is aws-us-gov, the ISO and
 * sovereign partitions (`us-iso-*`, `us-isob-*`, `eu-isoe-*`, `us-isof-*`, `eusc-*`) are not
 * supported (null), everything else is aws.
 */
export function partitionOfRegion(region: string): Partition | null {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (/^(us-iso[a-z]?|eu-iso[a-z]?|eusc)-/.test(region)) return null;
  return "aws";
}

/** The DNS suffix of AWS endpoints in a partition: China regions use amazonaws.com.cn. */
export function dnsSuffix(partition: Partition): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

// ---------------------------------------------------------------- EKS OIDC provider

/**
 * An IAM OIDC provider for an EKS cluster's issuer, `https://oidc.eks.<region>.<suffix>/id/<ID>`.
 * EKS issues 32 upper-case hexadecimal characters as the ID; upper-case letters beyond F are also
 * accepted so AWS's documentation placeholder (`EXAMPLED539D4633E53DE1B71EXAMPLE`) plans. The host
 * (which only EKS can serve), the account and the partition are what bind the trust.
 */
const EKS_OIDC_PROVIDER =
  /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):oidc-provider\/oidc\.eks\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.(amazonaws\.com(?:\.cn)?)\/id\/([0-9A-Z]{32})$/;

export interface EksOidcProvider {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  readonly suffix: string;
  /** `oidc.eks.<region>.<suffix>/id/<ID>`: the issuer without its scheme. */
  readonly issuer: string;
}

/** Every identity's trust names the same few providers: each is parsed once (the result is read, never changed). */
const providers = boundedCache<EksOidcProvider | null>(1_024);

export function parseEksOidcProvider(arn: string): EksOidcProvider | null {
  return providers(arn, () => readEksOidcProvider(arn));
}

function readEksOidcProvider(arn: string): EksOidcProvider | null {
  if (arn.length > 200) return null;
  const match = EKS_OIDC_PROVIDER.exec(arn);
  if (!match) return null;
  const [, partition, account, region, suffix, id] = match;
  return { partition, account, region, suffix, issuer: `oidc.eks.${region}.${suffix}/id/${id}` };
}

/** Why an OIDC provider ARN is not this platform's EKS issuer, or null. `platform` may be omitted (the pack). */
export function oidcProviderProblem(arn: string, platform?: { readonly accountId: string; readonly partition: Partition }): string | null {
  const provider = parseEksOidcProvider(arn);
  if (!provider) {
    return "not an EKS cluster's IAM OIDC provider: expected arn:<partition>:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<32 upper-case hex characters> (amazonaws.com.cn in China)";
  }
  const regionPartition = partitionOfRegion(provider.region);
  if (regionPartition !== provider.partition) return `the issuer's region ${provider.region} is not in partition ${provider.partition}`;
  if (provider.suffix !== dnsSuffix(provider.partition))
    return `an issuer in partition ${provider.partition} ends in ${dnsSuffix(provider.partition)}, not ${provider.suffix}`;
  if (platform && provider.partition !== platform.partition) return `the provider is in partition ${provider.partition}, the platform in ${platform.partition}`;
  if (platform && provider.account !== platform.accountId) {
    return `the provider belongs to account ${provider.account}, not the platform account ${platform.accountId} (IRSA roles trust a provider in their own account)`;
  }
  return null;
}

// ---------------------------------------------------------------- permissions boundary

/** A customer managed policy: `arn:<p>:iam::<account>:policy/<path/>name`, IAM's name characters, no wildcards. */
const MANAGED_POLICY = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy\/((?:[\w+=,.@-]{1,128}\/){0,32})([\w+=,.@-]{1,128})$/;

/**
 * Why a permissions boundary ARN is refused, or null. It must name one concrete customer managed
 * policy in the platform's account: IAM attaches only existing policies of the role's own account or
 * AWS managed ones, and an AWS managed policy (`iam::aws:policy/…`) is written for people, changes
 * without the organisation's review and caps little (PowerUserAccess, AdministratorAccess).
 */
export function boundaryProblem(arn: string, platform?: { readonly accountId: string; readonly partition: Partition }): string | null {
  if (arn.length > 2048) return "longer than IAM's 2048-character ARN limit";
  if (/[*?]/.test(arn)) return "contains a wildcard: a boundary names one concrete managed policy";
  const match = MANAGED_POLICY.exec(arn);
  if (!match) return "not a managed policy ARN (arn:<partition>:iam::<account>:policy/<path/>name)";
  const [, partition, account] = match;
  if (account === "aws") return "an AWS managed policy: use the organisation's own boundary policy in the platform account";
  if (platform && partition !== platform.partition) return `in partition ${partition}, the platform is in ${platform.partition}`;
  if (platform && account !== platform.accountId) return `in account ${account}, not the platform account ${platform.accountId}`;
  return null;
}

// ---------------------------------------------------------------- Vault audience

export const VAULT_AUDIENCE_MAX = 256;

/**
 * Audiences that belong to someone else. A Vault role that accepts one of these accepts tokens the
 * cluster mints for another consumer: the IRSA token (`sts.amazonaws.com`, kops' `amazonaws.com`,
 * EKS Pod Identity's `pods.eks.amazonaws.com`), or the default token every pod gets for the API
 * server (`https://kubernetes.default.svc` on EKS; kubeadm's `…cluster.local`; or the issuer URL,
 * which `--api-audiences` defaults to).
 */
const FOREIGN_AUDIENCES = new Set([
  "amazonaws.com",
  "amazonaws.com.cn",
  "pods.eks.amazonaws.com",
  "pods.eks.amazonaws.com.cn",
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
  "api",
]);

/** Compare audiences the way a reviewer would: case, scheme and trailing slashes do not make a new audience. */
function normaliseAudience(audience: string): string {
  return audience
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/\/+$/, "");
}

/** Why a Vault role audience is refused, or null. `issuer` (without scheme) is the cluster's, when known. */
export function vaultAudienceProblem(audience: string | undefined, issuer?: string): string | null {
  if (audience === undefined || audience.trim() === "") return "blank: Vault would accept the token whatever audience it was minted for";
  if (audience.length > VAULT_AUDIENCE_MAX) return `longer than ${VAULT_AUDIENCE_MAX} characters`;
  if (!/^[\x21-\x7e]+$/.test(audience)) return "contains spaces or characters outside printable ASCII";
  if (/[*?]/.test(audience)) return "contains a wildcard: Vault compares the audience exactly, name one";
  const normal = normaliseAudience(audience);
  if (/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(normal))
    return `"${audience}" is the IRSA audience: the AWS web-identity token would also log in to Vault`;
  if (FOREIGN_AUDIENCES.has(normal)) return `"${audience}" is another consumer's audience (AWS IAM, EKS Pod Identity or the Kubernetes API server)`;
  if (normal.startsWith("oidc.eks.") || (issuer !== undefined && normal === normaliseAudience(issuer))) {
    return `"${audience}" is the cluster's issuer, the API server's default audience: every pod's default token would log in to Vault`;
  }
  return null;
}

// ---------------------------------------------------------------- Vault mount paths

export const VAULT_PATH_MAX = 128;
/** Mount points Vault reserves for itself (secrets engines cannot be mounted there). */
const RESERVED_MOUNTS = new Set(["sys", "auth", "identity", "cubbyhole", "audit"]);

/**
 * Why a Vault mount path is refused, or null: one or more plain segments joined by single `/`
 * (no `..`, no empty segment, no leading or trailing slash, no glob), not a reserved mount, and for
 * an auth mount (under `auth/`, written without that prefix) not `token`, Vault's own token store.
 */
export function vaultPathProblem(path: string, kind: "auth" | "secrets"): string | null {
  if (path.length === 0) return "blank";
  if (path.length > VAULT_PATH_MAX) return `longer than ${VAULT_PATH_MAX} characters`;
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(path)) {
    return "not a plain path: segments of letters, digits, '_' and '-' joined by single '/', no '..', globs, or leading or trailing '/'";
  }
  const first = path.split("/")[0].toLowerCase();
  if (kind === "auth" && first === "auth") return "written with the auth/ prefix: give the path under auth/ (e.g. kubernetes)";
  if (kind === "auth" && first === "token") return "the token auth method's path: agents log in through their own Kubernetes auth mount";
  if (kind === "secrets" && RESERVED_MOUNTS.has(first)) return `under ${first}/, which Vault reserves for itself`;
  return null;
}

/** Two secrets mounts overlap when one is the other or lies beneath it: Vault refuses nested mounts. */
export function mountsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
