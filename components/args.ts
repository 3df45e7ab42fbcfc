/**
 * The components' public arguments as plain interfaces, so Pulumi's component provider can turn
 * them into a package schema for Python, Go, .NET, Java and YAML (`schema/provider-schema.json`).
 * The schema analyser accepts interfaces, strings, numbers, booleans, `T[]`, string maps and
 * `pulumi.Input<T>`; not zod-inferred types, unions of objects, `readonly T[]`, symbols or functions.
 * A choice field is a string-literal union written as an `as const` object and a type of the same
 * name (the form the analyser turns into a schema enum), so `tier: "high"` fails `tsc`; the zod
 * schema in core/schema.ts still validates every value, and test/provider-schema.test.ts fails when
 * these interfaces and that schema disagree on a field name or on a choice's values.
 *
 * Fields that may come from other resources are `pulumi.Input<string>` (lists of them may be an
 * Output as a whole too): validated once they resolve, with every child waiting for that
 * (pending-declaration.ts). Names and anything that decides how many resources exist stay plain.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A list of values that may come from other resources, or a whole list that does. */
export type InputList = pulumi.Input<pulumi.Input<string>[]>;

/** AWS partition. */
export const Partition = { Aws: "aws", AwsCn: "aws-cn", AwsUsGov: "aws-us-gov" } as const;
export type Partition = (typeof Partition)[keyof typeof Partition];

/** Vault edition. */
export const VaultEdition = { Community: "community", Enterprise: "enterprise" } as const;
export type VaultEdition = (typeof VaultEdition)[keyof typeof VaultEdition];

/** Data classification, lowest to highest. */
export const DataClass = { Public: "public", Internal: "internal", Confidential: "confidential", Restricted: "restricted" } as const;
export type DataClass = (typeof DataClass)[keyof typeof DataClass];

/** How pods of a cluster get their IAM role. */
export const ClusterBinding = { Irsa: "irsa", PodIdentity: "pod-identity" } as const;
export type ClusterBinding = (typeof ClusterBinding)[keyof typeof ClusterBinding];

/** Where a cluster's pods run (Pod Identity is not available on Fargate). */
export const ComputeType = { Ec2: "ec2", Fargate: "fargate" } as const;
export type ComputeType = (typeof ComputeType)[keyof typeof ComputeType];

/** One of an agent's three identities. */
export const IdentityKind = { Orchestration: "orchestration", Execution: "execution", Audit: "audit" } as const;
export type IdentityKind = (typeof IdentityKind)[keyof typeof IdentityKind];

/** Kind of Vault audit device. */
export const AuditDeviceType = { File: "file", Socket: "socket" } as const;
export type AuditDeviceType = (typeof AuditDeviceType)[keyof typeof AuditDeviceType];

/** Transport of a socket audit device. */
export const SocketType = { Tcp: "tcp", Udp: "udp" } as const;
export type SocketType = (typeof SocketType)[keyof typeof SocketType];

/** Where a tool's AWS grants live: the agent's execution role, or a tool role Vault assumes with session tags. */
export const ToolSessionMode = { Role: "role", TaggedSessions: "tagged-sessions" } as const;
export type ToolSessionMode = (typeof ToolSessionMode)[keyof typeof ToolSessionMode];

/** Risk tier of an agent: defaults tighten as the tier rises. */
export const Tier = { Batch: "batch", Assistant: "assistant", HighRisk: "high-risk" } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

export interface PlatformAwsSettings {
  /** 12-digit AWS account id of the platform. */
  readonly accountId: string;
  /** Must be the region's partition. @default aws */
  readonly partition?: Partition;
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
  /** Schemas tools of this connection may be granted on (never pg_*; extension schemas only by a reviewed change). @default ["public"] */
  readonly schemas?: string[];
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
  /** Edition of the Vault server. @default community */
  readonly edition?: VaultEdition;
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
  /** Highest data class any agent may declare. */
  readonly maxDataClass?: DataClass;
}

/**
 * A resource, database connection or Vault-assumed role more than one agent may use. A resource
 * share sets `resource` with named `access` (and `risk` for a type no agent may own); a connection
 * share `databaseConnection` with `agents`; a role share `vaultAwsRole` with `agents` (one form per share).
 */
/** One named access of a resource share (components/rules/data/share-access.ts) and who gets it. */
export interface NamedAccess {
  /** The access name, e.g. decrypt (kms:Decrypt) or read-objects (s3:GetObject, s3:GetObjectVersion). */
  readonly name: string;
  /** Agents that get this access; may be an output. */
  readonly agents: InputList;
}

export interface SharedAccess {
  /** Name of the share, shown in findings. */
  readonly name: string;
  /** Concrete ARN, or a prefix ARN ending in `/*` (resource share); may be another resource's output. */
  readonly resource?: pulumi.Input<string>;
  /** Named accesses and the agents that get each, e.g. `{ name: "decrypt", agents: ["a"] }` (resource share). */
  readonly access?: NamedAccess[];
  /** What an agent could do with a resource of a type no agent may own, and why it is accepted (resource share); what the role can do (role share: required). */
  readonly risk?: string;
  /** Name of the database connection (connection share). */
  readonly databaseConnection?: string;
  /** Concrete IAM role ARN that the listed agents' vaultAws tools may have Vault assume (role share); may be another resource's output. */
  readonly vaultAwsRole?: pulumi.Input<string>;
  /** Agents whose tools may use the connection (at least two) or the role (role share). */
  readonly agents?: InputList;
}

export interface ReviewedException {
  /** The waivable rule id, e.g. iam/resource-wildcard. */
  readonly rule: string;
  /** The agent the exception applies to. */
  readonly agent: string;
  /** Limit the exception to one identity. */
  readonly identity?: IdentityKind;
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
  /** How pods get their IAM role. */
  readonly binding: ClusterBinding;
  /** binding irsa: the cluster's IAM OIDC provider in the platform account. */
  readonly oidcProviderArn?: string;
  /** binding pod-identity: the EKS cluster's name. */
  readonly clusterName?: string;
  /** This cluster's own Vault Kubernetes auth mount, under auth/. */
  readonly vaultAuthPath: string;
  /** Pod Identity is not available on Fargate. @default ec2 */
  readonly computeType?: ComputeType;
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
  /** Kind of audit device. */
  readonly type: AuditDeviceType;
  /** type file: an absolute path or stdout. */
  readonly filePath?: string;
  /** type socket: host:port. */
  readonly address?: string;
  /** type socket. @default tcp */
  readonly socketType?: SocketType;
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
  /** Where a tool's AWS grants live (see README, "Tool sessions"). @default role */
  readonly toolSessions?: ToolSessionMode;
  /**
   * Where agents may own things: ARNs of ownable types in this stack's account, each concrete or
   * ending in one `*` (`arn:aws:s3:::acme-agents-*`); KMS keys by exact ARN. Every `owns` entry lies
   * inside one (separation/owned-root). @default [] (no agent may own anything)
   */
  readonly ownableRoots?: string[];
  /** Account-local Bedrock models (provisioned, custom, imported, application inference profiles) agents may invoke, by exact ARN. @default [] */
  readonly models?: string[];
  readonly shared?: SharedAccess[];
  readonly exceptions?: ReviewedException[];
}

export interface AwsStatement {
  /** IAM actions, e.g. s3:GetObject. */
  readonly actions: string[];
  /** Resource ARNs the actions apply to; may be outputs of other resources (validated once they resolve). */
  readonly resources: InputList;
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
  /** Data class of what the tool touches. @default internal */
  readonly dataClass?: DataClass;
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
  /** Bedrock model or inference-profile ARNs the planner may invoke; may be outputs of other resources. */
  readonly models?: InputList;
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
  /** Risk tier: defaults tighten from batch to assistant to high-risk. */
  readonly tier: Tier;
  /** Date after which the agent may no longer be deployed (YYYY-MM-DD). */
  readonly expires: string;
  /** Highest data class any tool may touch. @default internal */
  readonly maxDataClass?: DataClass;
  /** Recorded approval; required for high-risk agents. */
  readonly approval?: Approval;
  /** Kill switch: revoke every identity of the agent. */
  readonly revoked?: Revocation;
  readonly orchestration?: Orchestration;
  /** Resources this agent alone owns; may be outputs of other resources (validated once they resolve). */
  readonly owns?: InputList;
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
