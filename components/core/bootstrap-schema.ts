/**
 * `platform.bootstrap`: what AgentPlatform creates when a team starts from a fresh cluster and a
 * fresh Vault. Present = on; absent = the mounts, auth backends and connections already exist at
 * the configured paths. Secret values are never written here: a connection names the stack config
 * key holding its root password (`stacks/index.ts` reads it with `requireSecret`).
 */
import { z } from "zod";
import { MAX, declaredString } from "./grammar/strings";
import { AUDIT_FILE_PATH, AUDIT_SOCKET_ADDRESS, auditFilePathProblem, auditSocketAddressProblem, auditSocketTypeProblem } from "./audit-device";
import { ipv4BlockInside, PRIVATE_IPV4_RANGES } from "./network-addresses";
import { vaultSupports } from "./vault-features";
import { parseEksOidcProvider } from "./platform-fields";

/** A Pulumi config key name (the part after `agent-identity:`). */
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** The widest egress block accepted: a /16 is a VPC; anything wider is "the internet, mostly". */
export const MIN_EGRESS_PREFIX = 16;

/** Why a CIDR is refused as an egress destination, or null. */
export function egressCidrProblem(cidr: string): string | null {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return "an IPv4 CIDR such as 10.0.12.0/24";
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return "an IPv4 CIDR such as 10.0.12.0/24";
  if (prefix < MIN_EGRESS_PREFIX) return `/${prefix} is wider than /${MIN_EGRESS_PREFIX}: name the Vault and VPC endpoint subnets, not the internet`;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  if (address % 2 ** (32 - prefix) !== 0) return `host bits are set: write the network address of the /${prefix}`;
  // Vault and VPC interface endpoints live in the VPC: private (RFC 1918) or shared (RFC 6598) space.
  // A public /16 (AWS service ranges, anyone's EC2 address) is an exfiltration path, so it is refused.
  if (!ipv4BlockInside(address, prefix, PRIVATE_IPV4_RANGES))
    return "not a private address range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10): agent egress goes to the VPC's Vault and endpoint subnets, never to public addresses";
  return null;
}

/** A string refused for the reason `problem` gives (null: accepted). */
const checkedString = (base: z.ZodString, problem: (value: string) => string | null) =>
  base.superRefine((value, ctx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });

const cidr = checkedString(declaredString(18), egressCidrProblem);

/**
 * The query parameters a connection URL may carry besides sslmode, from libpq's documented connection
 * parameters (PostgreSQL docs, "libpq Connection Strings": 34.1.2 Parameter Key Words), those that
 * change neither where the root login goes nor who it is nor whether the server is verified:
 * sslrootcert (the CA that verify-* checks against: an absolute path without dot segments, or
 * `system`), connect_timeout (seconds), application_name (shown in pg_stat_activity),
 * target_session_attrs (which of several hosts; only one host is accepted anyway). Refused, among
 * others: host, hostaddr, port, dbname, user, password, passfile, service (redirect or replace the
 * login), sslcert, sslkey, sslpassword (a client certificate instead of the templated password),
 * options (server settings for the root session), a second sslmode.
 */
const CONNECTION_PARAMETER =
  "(?:sslrootcert=(?:system|(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)+)|connect_timeout=\\d{1,4}|application_name=[A-Za-z0-9_.-]{1,63}|target_session_attrs=(?:any|read-write|primary))";

/**
 * A PostgreSQL connection URL Vault may hold: credentials only as Vault's templates, sslmode=verify-full|verify-ca
 * exactly once (without it libpq's default is `prefer`, which falls back to plain text) and otherwise only the
 * parameters of CONNECTION_PARAMETER (the policy pack reads connections with it too).
 */
export const DATABASE_CONNECTION_URL = new RegExp(
  `^postgres(ql)?://\\{\\{username\\}\\}:\\{\\{password\\}\\}@[A-Za-z0-9.-]+(:\\d{1,5})?/[A-Za-z0-9_-]+\\?(?:${CONNECTION_PARAMETER}&)*sslmode=verify-(full|ca)(?:&${CONNECTION_PARAMETER})*$`,
);

/** The one statement root rotation needs (the PostgreSQL plugin fills in username and password). */
const ROOT_ROTATION = /^ALTER (ROLE|USER) "\{\{(username|name)\}\}" WITH PASSWORD '\{\{password\}\}';?$/;

/** An EKS API server endpoint; group 1 is its region. */
export const EKS_ENDPOINT = /^https:\/\/([A-Za-z0-9]{16,64})\.[a-z0-9]{2,4}\.([a-z]{2}(?:-[a-z]+)+-\d)\.eks\.amazonaws\.com(?:\.cn)?$/;

const PEM_CERT = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n?$/;

export const kubernetesAuthBootstrapSchema = z.strictObject({
  cluster: declaredString(40).min(1).describe("Name of the cluster (platform.clusters[].name, or `default` for the single-cluster form)."),
  host: declaredString(512)
    .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "the API server's https URL, e.g. https://ABC.gr7.us-east-1.eks.amazonaws.com")
    .describe("Kubernetes API server URL Vault calls for TokenReview."),
  caCertificate: declaredString(16384, "lines").regex(PEM_CERT, "one PEM certificate").describe("The cluster's CA certificate (public; PEM)."),
  issuer: declaredString(512).optional().describe("The cluster's service account issuer, when Vault validates it."),
  disableLocalCaJwt: z
    .boolean()
    .default(true)
    .describe("true when Vault runs outside the cluster (it then uses the client's JWT for TokenReview). @default true"),
});

export const databaseConnectionBootstrapSchema = z.strictObject({
  name: declaredString(128).min(1).describe("A connection declared under platform.vault.databaseConnections."),
  connectionUrl: declaredString(1024)
    // sslmode=verify-full|verify-ca and the parameters of CONNECTION_PARAMETER only: any other (password=, host=,
    // sslmode=disable) would override the templated credentials, redirect the root login, or drop TLS for it.
    .regex(
      DATABASE_CONNECTION_URL,
      "postgresql://{{username}}:{{password}}@host:5432/db?sslmode=verify-full (credentials only as Vault's templates; sslmode=verify-full or verify-ca, and otherwise only sslrootcert, connect_timeout, application_name, target_session_attrs)",
    )
    .describe("Connection URL with Vault's {{username}}/{{password}} templates, never the credentials themselves."),
  username: declaredString(63)
    .min(1)
    .regex(/^[a-z_][a-z0-9_]*$/, "a PostgreSQL role name")
    .describe("The root (admin) user Vault connects as."),
  passwordConfigKey: declaredString(64)
    .regex(CONFIG_KEY, "a stack config key name such as ledgerRootPassword")
    .describe("Stack config key (secret) holding the root password; set it with `pulumi config set --secret`."),
  rootRotationStatements: z
    .array(
      declaredString(200).regex(ROOT_ROTATION, `only ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}' (Vault runs it as the root user: nothing else)`),
    )
    .min(1)
    .max(1)
    .default([`ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}';`])
    .describe("SQL Vault runs as the root user to rotate its password after setup, so only Vault knows it; only the password change itself is accepted."),
});

export const bootstrapSchema = z
  .strictObject({
    kubernetesAuth: z.array(kubernetesAuthBootstrapSchema).min(1).max(20).describe("One Kubernetes auth backend configuration per cluster."),
    databaseConnections: z.array(databaseConnectionBootstrapSchema).max(100).default([]),
    aws: z
      .strictObject({
        roleArn: declaredString(MAX.arn)
          .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "an IAM role ARN")
          .describe("Role Vault assumes with its plugin identity token (workload identity federation)."),
        identityTokenAudience: declaredString(256)
          .min(1)
          .regex(/^[\x21-\x7e]+$/, "printable ASCII, no spaces")
          .describe("Audience of Vault's plugin identity token, as trusted by the role's OIDC provider."),
      })
      .optional()
      .describe("Create the AWS secrets engine; its own credentials come from Vault's plugin workload identity (Vault Enterprise 1.16+), never static keys."),
    audit: z
      .union([
        z.strictObject({
          type: z.literal("file"),
          filePath: checkedString(
            declaredString(512).min(1).regex(AUDIT_FILE_PATH, "an absolute path of letters, digits, '.', '_', '-' and '/', or stdout"),
            (path) =>
              // The pattern above already reported a malformed value.
              AUDIT_FILE_PATH.test(path) ? auditFilePathProblem(path) : null,
          ).describe("Absolute path of the audit log file (no '.', '..' or empty segments, not under /dev, /proc or /sys), or stdout."),
        }),
        z.strictObject({
          type: z.literal("socket"),
          address: checkedString(
            declaredString(260).min(1).regex(AUDIT_SOCKET_ADDRESS, "host:port, such as audit-collector.vault.svc:9090, 10.20.8.15:9090 or [fd00::15]:9090"),
            (address) => (AUDIT_SOCKET_ADDRESS.test(address) ? auditSocketAddressProblem(address) : null),
          ).describe(
            "host:port of the audit receiver: a private or loopback IP (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8, fc00::/7, ::1; IPv6 in brackets) or a DNS name (not resolved here).",
          ),
          socketType: z
            .enum(["tcp", "udp"])
            .default("tcp")
            .superRefine((value, ctx) => {
              const problem = auditSocketTypeProblem(value);
              if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .describe("tcp only: udp is refused (Vault's UDP audit socket drops records silently when the receiver is down). @default tcp"),
        }),
      ])
      .describe("Vault audit device recording every login and secret read."),
    network: z.strictObject({
      vaultCidrs: z.array(cidr).min(1).max(10).describe("Where Vault listens (agent egress is allowed there on vaultPort)."),
      vaultPort: z.number().int().min(1).max(65535).default(8200),
      awsEndpointCidrs: z.array(cidr).max(20).default([]).describe("VPC interface endpoint subnets for the AWS APIs agents call (egress 443)."),
    }),
    quota: z
      .strictObject({
        pods: z.number().int().min(1).max(1000).default(20),
        requestsCpu: declaredString(32)
          .regex(/^\d{1,5}m?$/, "a CPU quantity such as 4 or 500m")
          .default("4"),
        requestsMemory: declaredString(32)
          .regex(/^\d{1,6}(Mi|Gi)$/, "a memory quantity such as 8Gi")
          .default("8Gi"),
        limitsCpu: declaredString(32)
          .regex(/^\d{1,5}m?$/, "a CPU quantity such as 8 or 500m")
          .default("8"),
        limitsMemory: declaredString(32)
          .regex(/^\d{1,6}(Mi|Gi)$/, "a memory quantity such as 16Gi")
          .default("16Gi"),
      })
      .default({ pods: 20, requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi" })
      .describe("ResourceQuota of every agent namespace; a LimitRange gives containers defaults under it."),
  })
  .describe("Create the Vault mounts, auth backends, connections, audit device and agent namespaces (AgentPlatform). Absent: they already exist.");

export type BootstrapDeclaration = z.output<typeof bootstrapSchema>;

interface PlatformView {
  readonly environment?: string;
  readonly aws: { readonly accountId: string; readonly partition: string; readonly region?: string; readonly oidcProviderArn?: string };
  readonly vault: {
    readonly version?: string;
    readonly edition: "community" | "enterprise";
    readonly databaseConnections: ReadonlyArray<{ readonly name: string; readonly plugin: string }>;
  };
  readonly clusters?: ReadonlyArray<{ readonly name: string; readonly region?: string; readonly oidcProviderArn?: string }>;
  readonly kubernetes: { readonly namespacePerAgent: boolean };
  readonly bootstrap?: BootstrapDeclaration;
}

/**
 * EKS names one cluster's API server and its OIDC issuer with the same id (`aws eks describe-cluster`:
 * `endpoint` https://<ID>.<zone>.<region>.eks.amazonaws.com, `identity.oidc.issuer`
 * https://oidc.eks.<region>.amazonaws.com/id/<ID>). Vault's auth mount trusts the host's TokenReview,
 * the IRSA trust the provider's tokens: both must be the one cluster, or a ServiceAccount of another
 * cluster logs in to Vault as the agent. A declared `issuer` must be that cluster's too.
 */
function sameClusterProblems(endpointId: string, oidcProviderArn: string | undefined, issuer: string | undefined): string[] {
  const provider = oidcProviderArn ? parseEksOidcProvider(oidcProviderArn) : null;
  const problems: string[] = [];
  const providerId = provider?.issuer.split("/id/")[1];
  if (providerId && providerId.toUpperCase() !== endpointId.toUpperCase())
    problems.push(
      `the API server ${endpointId} is not the cluster of the OIDC provider its IRSA roles trust (${provider!.issuer}): Vault would accept another cluster's ServiceAccounts as this cluster's agents; use this cluster's endpoint (aws eks describe-cluster: endpoint and identity.oidc.issuer carry the same id)`,
    );
  if (issuer !== undefined) {
    const issuerId = /^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/([A-Za-z0-9]+)$/.exec(issuer)?.[1];
    if (issuerId === undefined || issuerId.toUpperCase() !== endpointId.toUpperCase())
      problems.push(
        `issuer "${issuer}" is not the service account issuer of the cluster at this host (https://oidc.eks.<region>.amazonaws.com/id/${endpointId})`,
      );
  }
  return problems;
}

/** What the bootstrap block gets wrong given the rest of the platform. */
export function bootstrapIssues(platform: PlatformView): Array<{ path: (string | number)[]; message: string }> {
  const bootstrap = platform.bootstrap;
  if (!bootstrap) return [];
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path: ["bootstrap", ...path], message });
  const clusters = platform.clusters ? platform.clusters.map((c) => c.name) : ["default"];
  const configured = new Set<string>();
  const regionOf = (cluster: string) => (platform.clusters ? platform.clusters.find((c) => c.name === cluster)?.region : platform.aws.region);
  const hosts = new Map<string, string>();
  const oidcProviderOf = (cluster: string) =>
    platform.clusters ? platform.clusters.find((c) => c.name === cluster)?.oidcProviderArn : cluster === "default" ? platform.aws.oidcProviderArn : undefined;
  bootstrap.kubernetesAuth.forEach((auth, i) => {
    if (!clusters.includes(auth.cluster)) add(["kubernetesAuth", i, "cluster"], `no cluster "${auth.cluster}" (clusters: ${clusters.join(", ")})`);
    // Vault trusts whatever this host's TokenReview approves: it must be this cluster's own EKS endpoint.
    const endpoint = EKS_ENDPOINT.exec(auth.host);
    const region = regionOf(auth.cluster);
    if (!endpoint)
      add(
        ["kubernetesAuth", i, "host"],
        "an EKS API server endpoint https://<id>.<zone>.<region>.eks.amazonaws.com (amazonaws.com.cn in China): Vault accepts every token this host's TokenReview approves",
      );
    else if (region && endpoint[2] !== region)
      add(["kubernetesAuth", i, "host"], `the endpoint is in ${endpoint[2]}, but cluster "${auth.cluster}" is in ${region}`);
    else for (const problem of sameClusterProblems(endpoint[1]!, oidcProviderOf(auth.cluster), auth.issuer)) add(["kubernetesAuth", i, "host"], problem);
    const other = hosts.get(auth.host.toLowerCase());
    if (other !== undefined) add(["kubernetesAuth", i, "host"], `the same API server as cluster "${other}": each auth mount verifies its own cluster's tokens`);
    hosts.set(auth.host.toLowerCase(), auth.cluster);
    if (configured.has(auth.cluster)) add(["kubernetesAuth", i, "cluster"], `cluster "${auth.cluster}" is configured twice`);
    configured.add(auth.cluster);
  });
  for (const cluster of clusters)
    if (!configured.has(cluster)) add(["kubernetesAuth"], `cluster "${cluster}" has no Kubernetes auth configuration: every cluster's auth mount is created`);
  const declared = new Map(platform.vault.databaseConnections.map((c) => [c.name, c.plugin]));
  const seen = new Set<string>();
  bootstrap.databaseConnections.forEach((connection, i) => {
    const plugin = declared.get(connection.name);
    if (plugin === undefined) add(["databaseConnections", i, "name"], `"${connection.name}" is not in platform.vault.databaseConnections`);
    else if (plugin !== "postgresql-database-plugin")
      add(["databaseConnections", i, "name"], `"${connection.name}" uses ${plugin}; bootstrap creates PostgreSQL connections only`);
    if (seen.has(connection.name)) add(["databaseConnections", i, "name"], `"${connection.name}" is configured twice`);
    seen.add(connection.name);
  });
  for (const connection of platform.vault.databaseConnections) {
    if (!seen.has(connection.name))
      add(["databaseConnections"], `connection "${connection.name}" (platform.vault.databaseConnections) has no bootstrap configuration`);
  }
  if (bootstrap.aws) {
    if (!vaultSupports(platform.vault, "pluginWorkloadIdentity")) {
      add(
        ["aws"],
        "the AWS secrets engine's own credentials come from plugin workload identity federation, which needs Vault Enterprise 1.16+ (declare platform.vault.version and edition); static access keys are not offered. Leave bootstrap.aws out and create the AWS mount yourself",
      );
    }
    const account = bootstrap.aws.roleArn.split(":")[4];
    const partition = bootstrap.aws.roleArn.split(":")[1];
    if (account !== platform.aws.accountId || partition !== platform.aws.partition)
      add(["aws", "roleArn"], `the role must be in the platform account ${platform.aws.accountId} and partition ${platform.aws.partition}`);
  }
  if (!platform.kubernetes.namespacePerAgent)
    add([], "bootstrap creates one namespace per agent with its own NetworkPolicy and quota: set kubernetes.namespacePerAgent true");
  return issues;
}
