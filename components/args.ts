/**
 * The components' public arguments as plain interfaces, so Pulumi's component provider can turn
 * them into a package schema for Python, Go, .NET, Java and YAML (`schema/provider-schema.json`).
 * The schema analyser accepts interfaces, strings, numbers, booleans, `T[]`, string maps and
 * `pulumi.Input<T>`; not zod-inferred types, unions of objects, `readonly T[]`, symbols or functions.
 * Fields listed as "one of" are plain strings here: the zod schema in core/schema.ts validates every
 * value, and test/provider-schema.test.ts fails when these interfaces and that schema disagree on a
 * field name.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface PlatformAwsSettings {
  /** 12-digit AWS account id of the platform. */
  readonly accountId: string;
  /** One of aws, aws-cn, aws-us-gov; must be the region's partition. @default aws */
  readonly partition?: string;
  /** AWS region, e.g. us-east-1. */
  readonly region: string;
  /** The EKS cluster's IAM OIDC provider ARN, in the platform account; may be another resource's output (validated when it resolves). Required unless clusters are declared. */
  readonly oidcProviderArn?: pulumi.Input<string>;
  /** Customer managed policy attached as permissions boundary to every role (no wildcards); may be another resource's output. */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface PlatformKubernetesSettings {
  /** Give every agent a namespace of its own. @default true */
  readonly namespacePerAgent?: boolean;
  /** The shared namespace, when namespacePerAgent is false. @default agents */
  readonly namespace?: string;
}

export interface DatabaseConnection {
  /** Connection name in the database mount (database/config/<name>). */
  readonly name: string;
  /** Vault plugin_name of the connection, e.g. postgresql-database-plugin. */
  readonly plugin: string;
}

export interface PlatformVaultSettings {
  /** Path of the existing Kubernetes auth mount (without auth/); single-cluster form only, refused with clusters (each names its vaultAuthPath). @default kubernetes */
  readonly kubernetesAuthPath?: string;
  /** Path of the existing KV v2 mount. @default kv */
  readonly kvMount?: string;
  /** Path of the existing database secrets mount. @default database */
  readonly databaseMount?: string;
  /** Path of the existing AWS secrets mount. @default aws */
  readonly awsMount?: string;
  /** Audience of the projected ServiceAccount token Vault accepts. @default vault */
  readonly audience?: string;
  /** Version of the Vault server, e.g. 1.21.1. */
  readonly version?: string;
  /** One of community, enterprise. @default community */
  readonly edition?: string;
  /** The Vault's API address (https://host[:port]), as VAULT_ADDR: `check --all` compares stacks on the same address. */
  readonly address?: string;
  /** toolSessions tagged-sessions: the IAM role Vault's AWS engine runs as, the only principal a tool role trusts. @default bootstrap.aws.roleArn */
  readonly awsEngineRoleArn?: string;
  /** Existing database connections tools may use, with their plugin. */
  readonly databaseConnections?: DatabaseConnection[];
}

export interface OrganisationLimits {
  /** Lower every tier's Vault token TTL to at most this (e.g. 10m). */
  readonly tokenTtl?: string;
  /** Lower every tier's Vault token max TTL to at most this. */
  readonly tokenMaxTtl?: string;
  /** Lower every tier's ceiling for Vault AWS STS credentials. */
  readonly maxStsTtl?: string;
  /** Lower every IAM role's maxSessionDuration (AWS minimum 1h). */
  readonly maxSessionDuration?: string;
  /** Require a permissions boundary for every tier. */
  readonly requirePermissionsBoundary?: boolean;
  /** Require a recorded approval for every tier. */
  readonly requireApproval?: boolean;
  /** Highest data class any agent may declare: one of public, internal, confidential, restricted. */
  readonly maxDataClass?: string;
}

/**
 * A resource, database connection or Vault-assumed role more than one agent may use. A resource
 * share sets `resource` with `read`/`write`; a connection share `databaseConnection` with `agents`;
 * a role share `vaultAwsRole` with `agents` (one form per share).
 */
export interface SharedAccess {
  /** Name of the share, shown in findings. */
  readonly name: string;
  /** Concrete ARN, or a prefix ARN ending in `/*` (resource share). */
  readonly resource?: string;
  /** Agents that may use List and Read actions on it (resource share). */
  readonly read?: string[];
  /** Agents that may use Write actions on it (resource share). */
  readonly write?: string[];
  /** Name of the database connection (connection share). */
  readonly databaseConnection?: string;
  /** Concrete IAM role ARN that the listed agents' vaultAws tools may have Vault assume (role share). */
  readonly vaultAwsRole?: string;
  /** Agents whose tools may use the connection (at least two) or the role (role share). */
  readonly agents?: string[];
}

export interface ReviewedException {
  /** The waivable rule id, e.g. iam/resource-wildcard. */
  readonly rule: string;
  /** The agent the exception applies to. */
  readonly agent: string;
  /** One of orchestration, execution, audit: limit the exception to one identity. */
  readonly identity?: string;
  /** Why the rule is waived (at least 10 characters). */
  readonly reason: string;
  /** Who reviewed and approved the exception. */
  readonly approvedBy: string;
  /** When the exception stops applying (YYYY-MM-DD), at most 90 days out. */
  readonly expires: string;
}

/** One EKS cluster agents run in. */
export interface ClusterSettings {
  /** Name of the cluster in this declaration (agents list it under clusters). */
  readonly name: string;
  /** AWS region of the EKS cluster. */
  readonly region: string;
  /** One of irsa, pod-identity: how pods get their IAM role. */
  readonly binding: string;
  /** binding irsa: the cluster's IAM OIDC provider in the platform account. */
  readonly oidcProviderArn?: string;
  /** binding pod-identity: the EKS cluster's name. */
  readonly clusterName?: string;
  /** This cluster's own Vault Kubernetes auth mount, under auth/. */
  readonly vaultAuthPath: string;
  /** One of ec2, fargate (Pod Identity is not available on Fargate). @default ec2 */
  readonly computeType?: string;
}

export interface KubernetesAuthBootstrap {
  /** Name of the cluster (clusters[].name, or `default` for the single-cluster form). */
  readonly cluster: string;
  /** Kubernetes API server URL Vault calls for TokenReview. */
  readonly host: string;
  /** The cluster's CA certificate (public; PEM). */
  readonly caCertificate: string;
  /** The cluster's service account issuer, when Vault validates it. */
  readonly issuer?: string;
  /** true when Vault runs outside the cluster. @default true */
  readonly disableLocalCaJwt?: boolean;
}

export interface DatabaseConnectionBootstrap {
  /** A connection declared under vault.databaseConnections. */
  readonly name: string;
  /** Connection URL with Vault's {{username}}/{{password}} templates. */
  readonly connectionUrl: string;
  /** The root (admin) user Vault connects as. */
  readonly username: string;
  /** Stack config key (secret) holding the root password. */
  readonly passwordConfigKey: string;
  /** SQL Vault runs as the root user to rotate its password after setup. */
  readonly rootRotationStatements?: string[];
}

export interface AwsEngineBootstrap {
  /** Role Vault assumes with its plugin identity token. */
  readonly roleArn: string;
  /** Audience of Vault's plugin identity token. */
  readonly identityTokenAudience: string;
}

/** Vault audit device: type file (filePath) or socket (address, socketType). */
export interface AuditDeviceBootstrap {
  /** One of file, socket. */
  readonly type: string;
  /** type file: an absolute path or stdout. */
  readonly filePath?: string;
  /** type socket: host:port. */
  readonly address?: string;
  /** type socket: one of tcp, udp. @default tcp */
  readonly socketType?: string;
}

export interface NetworkBootstrap {
  /** Where Vault listens. */
  readonly vaultCidrs: string[];
  /** @default 8200 */
  readonly vaultPort?: number;
  /** VPC interface endpoint subnets for the AWS APIs agents call. */
  readonly awsEndpointCidrs?: string[];
}

export interface QuotaBootstrap {
  /** @default 20 */
  readonly pods?: number;
  /** @default 4 */
  readonly requestsCpu?: string;
  /** @default 8Gi */
  readonly requestsMemory?: string;
  /** @default 8 */
  readonly limitsCpu?: string;
  /** @default 16Gi */
  readonly limitsMemory?: string;
}

/** Create the Vault mounts, auth backends, connections, audit device and agent namespaces (AgentPlatform). */
export interface BootstrapSettings {
  readonly kubernetesAuth: KubernetesAuthBootstrap[];
  readonly databaseConnections?: DatabaseConnectionBootstrap[];
  readonly aws?: AwsEngineBootstrap;
  readonly audit: AuditDeviceBootstrap;
  readonly network: NetworkBootstrap;
  readonly quota?: QuotaBootstrap;
}

/** The platform the agents run on: cluster OIDC provider, Vault mounts, naming, organisation limits. */
export interface PlatformSettings {
  /** Environment name; part of every resource name. */
  readonly environment: string;
  /** Prefix of IAM role, namespace and Vault policy names. @default agent */
  readonly namePrefix?: string;
  readonly aws: PlatformAwsSettings;
  readonly kubernetes?: PlatformKubernetesSettings;
  readonly vault: PlatformVaultSettings;
  readonly limits?: OrganisationLimits;
  /** The clusters agents run in, each with its binding and Vault auth mount. @default one IRSA cluster */
  readonly clusters?: ClusterSettings[];
  readonly bootstrap?: BootstrapSettings;
  /** One of role, tagged-sessions: where a tool's AWS grants live (see README, "Tool sessions"). @default role */
  readonly toolSessions?: string;
  readonly shared?: SharedAccess[];
  readonly exceptions?: ReviewedException[];
}

export interface AwsStatement {
  /** IAM actions, e.g. s3:GetObject. */
  readonly actions: string[];
  /** Resource ARNs the actions apply to. */
  readonly resources: string[];
  /** Regions allowed via aws:RequestedRegion. @default [platform region] */
  readonly regions?: string[];
}

export interface DatabaseTool {
  /** Name of the database connection in the database mount. */
  readonly connection: string;
  /** SQL Vault runs to create the credential. */
  readonly creationStatements: string[];
  /** SQL Vault runs when the lease ends, ending with DROP ROLE IF EXISTS "{{name}}". */
  readonly revocationStatements?: string[];
  /** Default TTL of the credentials, e.g. 10m. */
  readonly ttl: string;
}

export interface KvTool {
  /** Read-only KV v2 secret under the agent's own prefix. */
  readonly path: string;
}

export interface VaultAwsTool {
  /** IAM role Vault assumes for the tool. */
  readonly roleArn: string;
  /** Default STS TTL (AWS minimum 15m). */
  readonly ttl: string;
}

/** tagged-sessions: the STS session Vault mints for one aws tool. */
export interface ToolSession {
  /** Lifetime of the tool's STS credentials (AWS minimum 15m). @default 15m */
  readonly ttl?: string;
  /** sts:ExternalId Vault passes and the tool role's trust requires. */
  readonly externalId?: string;
}

/** One tool: exactly one of aws, database, kv, vaultAws. */
export interface Tool {
  /** Tool name, unique within the agent. */
  readonly name: string;
  /** One of public, internal, confidential, restricted. @default internal */
  readonly dataClass?: string;
  readonly aws?: AwsStatement[];
  /** aws tools with platform.toolSessions tagged-sessions. */
  readonly session?: ToolSession;
  readonly database?: DatabaseTool;
  readonly kv?: KvTool;
  readonly vaultAws?: VaultAwsTool;
}

export interface Approval {
  readonly ticket: string;
  readonly approvedBy: string;
}

export interface Revocation {
  /** ISO 8601 timestamp with a zone. */
  readonly at: string;
  readonly reason: string;
}

export interface Orchestration {
  /** Bedrock model or inference-profile ARNs the planner may invoke. */
  readonly models?: string[];
  /** Regions model calls may go to. @default [platform region] */
  readonly regions?: string[];
}

export interface AuditSettings {
  /** CloudWatch retention in days (one of the values CloudWatch accepts). @default 365 */
  readonly logRetentionDays?: number;
  /** CloudWatch deletion protection on the audit log group. @default true */
  readonly deletionProtection?: boolean;
}

/** Everything an agent declares except its name. */
export interface AgentSpec {
  /** Owning team (a Kubernetes label value). */
  readonly owner: string;
  /** The accountable human (e-mail). */
  readonly sponsor: string;
  /** One of batch, assistant, high-risk. */
  readonly tier: string;
  /** Date after which the agent may no longer be deployed (YYYY-MM-DD). */
  readonly expires: string;
  /** Highest data class any tool may touch. @default internal */
  readonly maxDataClass?: string;
  /** Recorded approval; required for high-risk agents. */
  readonly approval?: Approval;
  /** Kill switch: revoke every identity of the agent. */
  readonly revoked?: Revocation;
  readonly orchestration?: Orchestration;
  /** Resources this agent alone owns. */
  readonly owns?: string[];
  /** Names of the platform clusters the agent runs in. @default all */
  readonly clusters?: string[];
  readonly tools?: Tool[];
  readonly audit?: AuditSettings;
}

/** One agent of a fleet. */
export interface FleetAgent extends AgentSpec {
  /** Agent name (DNS-1123 label, at most 40 characters). */
  readonly name: string;
}
