/**
 * The identity plan: the plain, JSON-serialisable result of compiling a declaration.
 * The components create exactly this; `plan`, `diff`, the rules and the policy pack read it.
 * Field names documented in the README are a stable contract for tools.
 */
import type { PolicyDocument } from "./iam-document";
import type { IdentityKind } from "./names";
import type { DataClass } from "./tiers";
import type { Platform, Tier } from "./schema";

/**
 * 2: platform vault version, edition and databaseConnections; audit deletionProtection; nullable aliasMetadata.
 * 3: platform clusters and bootstrap; identity bindings, Vault roles in further clusters; namespace guards; fleet bootstrap.
 * 4: platform toolSessions and vault awsEngineRoleArn; identity toolRole; AWS secret role sessionTags and externalId; bootstrap username templates.
 * 5: platform ownableRoots and models; role shares' risk.
 */
export const PLAN_VERSION = 5;

export interface ServiceAccountPlan {
  readonly namespace: string;
  readonly name: string;
  readonly automountServiceAccountToken: false;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface NamedPolicy {
  /** Inline policy name on the role. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface IamRolePlan {
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  /** Every policy document attached to the role (inline), as objects. */
  readonly policies: readonly NamedPolicy[];
  /** Seconds. */
  readonly maxSessionDuration: number;
  readonly permissionsBoundary: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

export interface VaultPathRule {
  readonly path: string;
  readonly capabilities: readonly string[];
}

export interface VaultPolicyPlan {
  readonly name: string;
  readonly paths: readonly VaultPathRule[];
}

export interface VaultRolePlan {
  readonly name: string;
  /** The Kubernetes auth mount path. */
  readonly backend: string;
  readonly boundServiceAccountNames: readonly string[];
  readonly boundServiceAccountNamespaces: readonly string[];
  readonly audience: string;
  /** Seconds. */
  readonly tokenTtl: number;
  /** Seconds. */
  readonly tokenMaxTtl: number;
  readonly tokenPolicies: readonly string[];
  readonly tokenNoDefaultPolicy: true;
  readonly aliasNameSource: "serviceaccount_uid";
  /** Owner, sponsor, expiry... on each entity alias; null when the declared Vault does not store it. */
  readonly aliasMetadata: Readonly<Record<string, string>> | null;
}

export interface DatabaseSecretRolePlan {
  readonly type: "database";
  readonly tool: string;
  readonly name: string;
  readonly backend: string;
  /** Path the execution identity reads to get credentials. */
  readonly credentialsPath: string;
  readonly dbName: string;
  readonly creationStatements: readonly string[];
  readonly revocationStatements: readonly string[];
  /** Seconds. */
  readonly defaultTtl: number;
  /** Seconds. */
  readonly maxTtl: number;
}

export interface AwsSecretRolePlan {
  readonly type: "aws";
  readonly tool: string;
  readonly name: string;
  readonly backend: string;
  readonly credentialsPath: string;
  readonly credentialType: "assumed_role";
  readonly roleArns: readonly string[];
  /** Session tags Vault sets on AssumeRole (tagged-sessions: agent, identity, tool, data class, environment); null: none. */
  readonly sessionTags: Readonly<Record<string, string>> | null;
  /** `sts:ExternalId` Vault passes on AssumeRole; null: none. */
  readonly externalId: string | null;
  /** Seconds. */
  readonly defaultStsTtl: number;
  /** Seconds. */
  readonly maxStsTtl: number;
}

export type SecretRolePlan = DatabaseSecretRolePlan | AwsSecretRolePlan;

export interface IdentityVaultPlan {
  /** The Kubernetes-auth role in the agent's first cluster; null when the agent is revoked: the role is removed so no new Vault token can be issued. */
  readonly role: VaultRolePlan | null;
  /** The same role in each further cluster's own auth mount (an agent in several clusters); empty otherwise and when revoked. */
  readonly additionalRoles: readonly VaultRolePlan[];
  /** null when the agent is revoked: removing the policy strips tokens already issued. */
  readonly policy: VaultPolicyPlan | null;
  readonly secretRoles: readonly SecretRolePlan[];
}

/** An EKS Pod Identity association: the ServiceAccount in one cluster gets the role, session tags on. */
export interface PodIdentityAssociationPlan {
  readonly clusterName: string;
  readonly region: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
  /** Always false: the trust policy's conditions read the session tags. */
  readonly disableSessionTags: false;
}

/** How the identity's ServiceAccount gets its role in one cluster. */
export interface ClusterBindingPlan {
  readonly cluster: string;
  readonly binding: "irsa" | "pod-identity";
  /** Annotations the ServiceAccount carries in this cluster on top of `serviceAccount.annotations` (IRSA's role-arn where the clusters mix bindings). */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  readonly podIdentityAssociation: PodIdentityAssociationPlan | null;
}

export interface IdentityPlan {
  readonly kind: IdentityKind;
  readonly serviceAccount: ServiceAccountPlan;
  readonly iamRole: IamRolePlan;
  /**
   * tagged-sessions, execution identity: the agent's tool role. Only Vault's AWS engine may assume
   * it, with the session tags of one tool; each statement holds only for its tool's tag. null otherwise.
   */
  readonly toolRole: IamRolePlan | null;
  /** One per cluster the agent runs in, in platform order; the trust policy has one statement each. */
  readonly bindings: readonly ClusterBindingPlan[];
  readonly vault: IdentityVaultPlan;
  /** Session names must start with this (`sts:RoleSessionName`), or null when not required. */
  readonly sessionNamePrefix: string | null;
}

export type ToolKind = "aws" | "database" | "kv" | "vaultAws";

export interface ToolPlan {
  readonly name: string;
  readonly kind: ToolKind;
  readonly dataClass: DataClass;
  /** Sids of the execution statements this tool contributes (aws tools), so findings can name the tool. */
  readonly statementSids?: readonly string[];
  /** Database connection the tool's secret role uses (database tools). */
  readonly connection?: string;
  /** The KV v2 data path the tool reads (kv tools), as in the execution identity's Vault policy. */
  readonly kvPath?: string;
}

export interface RevocationPlan {
  readonly at: string;
  readonly reason: string;
  /** true: not declared, the agent is past its `expires` date and is compiled as revoked (expiry is revocation). */
  readonly onExpiry: boolean;
  /** Commands an operator runs to end leases issued before revocation. */
  readonly leaseRevokeCommands: readonly string[];
}

export interface AgentPlan {
  readonly name: string;
  readonly owner: string;
  readonly sponsor: string;
  readonly tier: Tier;
  readonly expires: string;
  readonly maxDataClass: DataClass;
  readonly approval: { readonly ticket: string; readonly approvedBy: string } | null;
  readonly namespace: {
    readonly name: string;
    readonly create: boolean;
    readonly labels: Readonly<Record<string, string>>;
    /** Default-deny NetworkPolicy, ResourceQuota and LimitRange of the namespace; null unless platform.bootstrap is on. */
    readonly guards: NamespaceGuardsPlan | null;
  };
  readonly auditLogGroup: {
    readonly name: string;
    readonly arn: string;
    readonly retentionDays: number;
    /** CloudWatch deletion protection; the log group is also kept in AWS when removed from the stack. */
    readonly deletionProtection: boolean;
  };
  readonly models: readonly string[];
  /** ARNs the agent declared it alone owns (`owns`), as written. */
  readonly owns: readonly string[];
  readonly tools: readonly ToolPlan[];
  readonly revoked: RevocationPlan | null;
  readonly identities: readonly IdentityPlan[];
}

/** Egress the agent's pods may use; everything else (ingress included) is denied. */
export interface NamespaceGuardsPlan {
  readonly egress: {
    /** kube-dns in kube-system, UDP and TCP 53. */
    readonly dns: true;
    readonly vaultCidrs: readonly string[];
    readonly vaultPort: number;
    /** VPC endpoint subnets, TCP 443. */
    readonly awsEndpointCidrs: readonly string[];
  };
  readonly quota: {
    readonly pods: number;
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
  };
}

export interface KubernetesAuthBackendPlan {
  readonly cluster: string;
  readonly path: string;
  readonly kubernetesHost: string;
  readonly kubernetesCaCert: string;
  readonly issuer: string | null;
  readonly disableLocalCaJwt: boolean;
}

export interface DatabaseConnectionBootstrapPlan {
  readonly name: string;
  readonly backend: string;
  readonly pluginName: "postgresql-database-plugin";
  readonly connectionUrl: string;
  readonly username: string;
  /** Stack config key of the root password (secret); the password itself is never in the plan. */
  readonly passwordConfigKey: string;
  /** Exactly the secret roles of the tools that use this connection (none: no role may). */
  readonly allowedRoles: readonly string[];
  readonly rootRotationStatements: readonly string[];
  /** tagged-sessions: Vault's username template, so the database user names the tool's Vault role; null: Vault's default. */
  readonly usernameTemplate: string | null;
}

/** What AgentPlatform creates when platform.bootstrap is on. */
export interface BootstrapPlan {
  readonly authBackends: readonly KubernetesAuthBackendPlan[];
  readonly kvMount: { readonly path: string; readonly type: "kv"; readonly version: "2" };
  readonly databaseMount: { readonly path: string; readonly type: "database" } | null;
  readonly databaseConnections: readonly DatabaseConnectionBootstrapPlan[];
  readonly awsMount: {
    readonly path: string;
    readonly roleArn: string;
    readonly identityTokenAudience: string;
    /** tagged-sessions: the STS session name starts with the tool's Vault role (`<env>.<agent>.<tool>`); null: Vault's default. */
    readonly usernameTemplate: string | null;
  } | null;
  readonly audit:
    | { readonly type: "file"; readonly path: string; readonly options: Readonly<Record<string, string>> }
    | { readonly type: "socket"; readonly path: string; readonly options: Readonly<Record<string, string>> };
}

export interface FleetPlan {
  readonly version: typeof PLAN_VERSION;
  readonly stack: string;
  /** The platform after defaults, including organisation `limits` and reviewed `exceptions`. */
  readonly platform: Platform;
  /** null when platform.bootstrap is off: the mounts and auth backends already exist. */
  readonly bootstrap: BootstrapPlan | null;
  readonly agents: readonly AgentPlan[];
}
