/**
 * The identity plan: the plain, JSON-serialisable result of compiling a declaration.
 * The components create exactly this; `plan`, `diff`, the rules and the policy pack read it.
 * Field names documented in the README are a stable contract for tools.
 */
import type { PolicyDocument } from "./iam-document";
import type { IdentityKind } from "./names";
import type { DataClass } from "./tiers";
import type { Platform, Tier } from "./schema";

/** 2: platform vault version, edition and databaseConnections; audit deletionProtection; nullable aliasMetadata. */
export const PLAN_VERSION = 2;

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
  /** Seconds. */
  readonly defaultStsTtl: number;
  /** Seconds. */
  readonly maxStsTtl: number;
}

export type SecretRolePlan = DatabaseSecretRolePlan | AwsSecretRolePlan;

export interface IdentityVaultPlan {
  /** null when the agent is revoked: the role is removed so no new Vault token can be issued. */
  readonly role: VaultRolePlan | null;
  /** null when the agent is revoked: removing the policy strips tokens already issued. */
  readonly policy: VaultPolicyPlan | null;
  readonly secretRoles: readonly SecretRolePlan[];
}

export interface IdentityPlan {
  readonly kind: IdentityKind;
  readonly serviceAccount: ServiceAccountPlan;
  readonly iamRole: IamRolePlan;
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
}

export interface RevocationPlan {
  readonly at: string;
  readonly reason: string;
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
  readonly namespace: { readonly name: string; readonly create: boolean; readonly labels: Readonly<Record<string, string>> };
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

export interface FleetPlan {
  readonly version: typeof PLAN_VERSION;
  readonly stack: string;
  /** The platform after defaults, including organisation `limits` and reviewed `exceptions`. */
  readonly platform: Platform;
  readonly agents: readonly AgentPlan[];
}
