/**
 * Every resource adapter, in the order their stack checks run (adapters that add documents to an
 * agent role's holdings first), and what is generated from them: `TYPES`, the inputs each type
 * must have known, and the route table docs/controls.md prints. To read a new resource type, add
 * an entry to the adapter of its family (or a new adapter here); to name a type the pack does not
 * read, add it with `outOfScope` and the reason.
 */
import type { Adapter, TypeEntry } from "../types";
import { EKS_TYPES, eksAccess } from "./eks-access";
import { IAM_ATTACHMENT_TYPES, iamAttachments } from "./iam-attachments";
import { IAM_ROLE_TYPES, iamRoles } from "./iam-roles";
import { permissionsBoundary } from "./permissions-boundary";
import { agentRolePlan } from "./agent-role-plan";
import { agentRoleInvariants } from "./agent-role-invariants";
import { agentVaultInvariants } from "./agent-vault-invariants";
import { agentVaultPlan } from "./agent-vault-plan";
import { pinnedRecords } from "./pinned-records";
import { kubernetesUnreadKinds } from "./kubernetes-unread-kinds";
import { LOG_GROUP_TYPES, logGroups } from "./log-groups";
import { OBSERVABILITY_SHARING_TYPES, observabilitySharing } from "./observability-sharing";
import { NAMESPACE_TYPES, namespaces } from "./namespaces";
import { OUT_OF_SCOPE } from "./out-of-scope";
import { RBAC_TYPES, rbac } from "./rbac";
import { RESOURCE_POLICY_ADAPTER_TYPES, resourcePolicies } from "./resource-policies";
import { SERVICE_ACCOUNT_TYPES, serviceAccounts } from "./service-accounts";
import { VAULT_AUTH_ROLE_TYPES, vaultAuthRoles } from "./vault-auth-roles";
import { VAULT_GENERIC_TYPES, vaultGeneric } from "./vault-generic";
import { VAULT_POLICY_TYPES, vaultPolicies } from "./vault-policies";
import { vaultPolicyUse } from "./vault-policy-use";
import { vaultJwtLogins } from "./vault-jwt-logins";
import { vaultAuthTrust } from "./vault-auth-trust";
import { vaultAwsLogins } from "./vault-aws-logins";
import { VAULT_SECRET_ROLE_TYPES, vaultSecretRoles } from "./vault-secret-roles";
import { workloads } from "./workloads";
import { platformWorkloads } from "./platform-workloads";
import { PLATFORM_TYPES, platform } from "./platform";
import { PROVIDER_TYPES, providers } from "./providers";
import { vaultPathReach } from "./vault-path-reach";
import { VAULT_PLATFORM_TYPES, vaultPlatform } from "./vault-platform";
import { VAULT_SYNC_TYPES, vaultSync } from "./vault-sync";
import { AWS_PRINCIPAL_TYPES, awsPrincipals } from "./aws-principals";
import { AWS_DATA_TYPES, awsData } from "./aws-data";
import { AWS_FORWARDING_TYPES, awsForwarding } from "./aws-forwarding";
import { AWS_FLOW_TYPES, awsFlows } from "./aws-flows";
import { AWS_DATA_SHARE_TYPES, awsDataShares } from "./aws-data-shares";
import { AUDIT_CONTROL_TYPES, auditControl } from "./audit-control";
import { CLOUDTRAIL_TYPES, cloudtrail } from "./cloudtrail";
import { trailBuckets } from "./trail-buckets";
import { admissionWebhooks } from "./admission-webhooks";
import { mutatingAdmissionPolicies } from "./mutating-admission-policies";
import { customResources } from "./custom-resources";
import { customResourcePodFields } from "./custom-resource-pod-fields";
import { EXPOSURE_TYPES, networkExposure } from "./network-exposure";
import { csiDrivers } from "./csi-drivers";
import { persistentVolumes } from "./persistent-volumes";
import { outsidePrincipals } from "./outside-principals";
import { deployExecutors } from "./deploy-executors";
import { deployRolesAdapter } from "./deploy-roles";
import { providerPackages } from "./provider-packages";
import { EKS_CLUSTER_TYPES, eksClusters } from "./eks-clusters";
import { eksCompute } from "./eks-compute";
import { nodeAccess } from "./node-access";
import { agentNamespaceIam } from "./agent-namespace-iam";
import { kubeSystemConfig } from "./kube-system-config";
import { kubernetesPlacement } from "./kubernetes-placement";
import { dnsRedirection } from "./dns-redirection";
import { vaultHostIdentity } from "./vault-host-identity";
import { vaultKubernetesEngine } from "./vault-kubernetes-engine";
import { principalExclusivePolicies } from "./principal-exclusive-policies";
import { vaultMountPaths } from "./vault-mount-paths";
import { databaseConnectionsDeclared } from "./database-connections-declared";
import { kmsAliases } from "./kms-aliases";
import { unlistedVaultTypes } from "./unlisted-vault-types";
import { organisationDelegation } from "./organisation-delegation";
import { resourcePolicyTargets } from "./resource-policy-targets";
import { vaultPoliciesInStack } from "./vault-policies-in-stack";
import { vaultPlatformObjectsDeclared } from "./vault-platform-objects-declared";
import { LEGACY_TOKEN_ROLE, vaultDeployTimeTokens } from "./vault-deploy-time-tokens";
import { vaultAgentMountObjects } from "./vault-agent-mount-objects";
import { vaultSshRoles } from "./vault-ssh-roles";
import { serviceInterception } from "./service-interception";
import { agentNamespaceLabels } from "./agent-namespace-labels";
import { platformLogGroupsDeclared } from "./platform-log-groups-declared";
import { platformRoleDeclared } from "./platform-role-declared";
import { platformIamObjectsDeclared } from "./platform-iam-objects-declared";

export const ADAPTERS: readonly Adapter[] = [
  iamAttachments,
  resourcePolicies,
  // After the adapters that add documents to agent roles: it reads the holdings they complete.
  awsPrincipals,
  awsData,
  awsForwarding,
  awsFlows,
  awsDataShares,
  auditControl,
  cloudtrail,
  trailBuckets,
  iamRoles,
  principalExclusivePolicies,
  platformRoleDeclared,
  platformIamObjectsDeclared,
  permissionsBoundary,
  agentRolePlan,
  agentVaultPlan,
  pinnedRecords,
  agentRoleInvariants,
  agentVaultInvariants,
  eksAccess,
  eksClusters,
  eksCompute,
  serviceAccounts,
  workloads,
  platformWorkloads,
  nodeAccess,
  agentNamespaceIam,
  kubeSystemConfig,
  kubernetesPlacement,
  dnsRedirection,
  vaultHostIdentity,
  vaultKubernetesEngine,
  vaultMountPaths,
  databaseConnectionsDeclared,
  kmsAliases,
  organisationDelegation,
  resourcePolicyTargets,
  vaultPoliciesInStack,
  vaultPlatformObjectsDeclared,
  vaultDeployTimeTokens,
  vaultAgentMountObjects,
  vaultSshRoles,
  platformLogGroupsDeclared,
  kubernetesUnreadKinds,
  rbac,
  admissionWebhooks,
  mutatingAdmissionPolicies,
  networkExposure,
  serviceInterception,
  agentNamespaceLabels,
  csiDrivers,
  persistentVolumes,
  outsidePrincipals,
  customResources,
  customResourcePodFields,
  namespaces,
  logGroups,
  observabilitySharing,
  vaultPolicies,
  vaultAuthRoles,
  vaultSecretRoles,
  vaultGeneric,
  vaultPolicyUse,
  vaultJwtLogins,
  vaultAuthTrust,
  vaultAwsLogins,
  vaultPathReach,
  vaultPlatform,
  vaultSync,
  platform,
  providers,
  deployExecutors,
  deployRolesAdapter,
  providerPackages,
  OUT_OF_SCOPE,
];

/** Type tokens by the short names the code uses, from every adapter. */
export const TYPES = {
  ...IAM_ROLE_TYPES,
  ...IAM_ATTACHMENT_TYPES,
  ...RESOURCE_POLICY_ADAPTER_TYPES,
  ...EKS_TYPES,
  ...EKS_CLUSTER_TYPES,
  ...SERVICE_ACCOUNT_TYPES,
  ...RBAC_TYPES,
  ...NAMESPACE_TYPES,
  ...LOG_GROUP_TYPES,
  ...VAULT_POLICY_TYPES,
  ...VAULT_AUTH_ROLE_TYPES,
  ...VAULT_SECRET_ROLE_TYPES,
  ...VAULT_GENERIC_TYPES,
  ...PLATFORM_TYPES,
  ...PROVIDER_TYPES,
  ...VAULT_PLATFORM_TYPES,
  ...VAULT_SYNC_TYPES,
  ...AWS_PRINCIPAL_TYPES,
  ...AWS_DATA_TYPES,
  ...AWS_FORWARDING_TYPES,
  ...AWS_FLOW_TYPES,
  ...AWS_DATA_SHARE_TYPES,
  ...AUDIT_CONTROL_TYPES,
  ...CLOUDTRAIL_TYPES,
  ...OBSERVABILITY_SHARING_TYPES,
  ...EXPOSURE_TYPES,
} as const;

/** One row of the route table: a type (or pattern in words) and what the pack does with it. */
export interface Route {
  readonly type: string;
  readonly route: string;
  readonly checkedBy?: readonly string[];
  readonly outOfScope?: string;
  readonly family: string;
}

export const ROUTES: readonly Route[] = ADAPTERS.flatMap((adapter) =>
  adapter.types.map((entry) => ({ type: entry.type, route: entry.route, checkedBy: entry.checkedBy, outOfScope: entry.outOfScope, family: adapter.family })),
);

/** Each type's entries across adapters (a token may be read by more than one family). */
const entriesByType = new Map<string, TypeEntry[]>();
for (const adapter of ADAPTERS) for (const entry of adapter.types) entriesByType.set(entry.type, [...(entriesByType.get(entry.type) ?? []), entry]);

/** One list per type, built once (the per-resource pass asks for every resource). */
const NONE: readonly string[] = [];
const unionByType = (pick: (entry: TypeEntry) => readonly string[] | undefined): ReadonlyMap<string, readonly string[]> =>
  new Map([...entriesByType].map(([type, entries]) => [type, [...new Set(entries.flatMap((entry) => pick(entry) ?? []))]]));
const REQUIRED = unionByType((entry) => entry.required);
const READ_IF_SET = unionByType((entry) => entry.readIfSet);
const AGENT_METADATA = unionByType((entry) => entry.agentMetadata);
const SETNESS_ONLY = unionByType((entry) => entry.setnessOnly);

/** Inputs each type must have known (and present) for the checks to run. */
export const requiredInputs = (type: string) => REQUIRED.get(type) ?? NONE;
/** Inputs read when present: unknown at preview is reported, absent is fine. */
export const readIfSetInputs = (type: string) => READ_IF_SET.get(type) ?? NONE;
/** Inputs whose value no check reads, only whether it is set: unknown at preview is judged at update. */
export const setnessOnlyInputs = (type: string) => SETNESS_ONLY.get(type) ?? NONE;
/** Where an agent's owner, expiry and tier live on a type. */
export const agentMetadataInputs = (type: string) => AGENT_METADATA.get(type) ?? NONE;

/** The adapters with a per-resource check for a type, built once. */
const checksByType = new Map<string, Adapter[]>();
for (const adapter of ADAPTERS) {
  if (!adapter.check) continue;
  for (const entry of adapter.types) {
    if (entry.outOfScope) continue;
    const list = checksByType.get(entry.type) ?? [];
    if (!list.includes(adapter)) checksByType.set(entry.type, [...list, adapter]);
  }
}
/** Adapters whose check is decided by a predicate over the type token (matchesType), in adapter order; last, Vault tokens no adapter lists. */
const PATTERN_CHECKS = [
  ...ADAPTERS.filter((adapter) => adapter.check && adapter.matchesType),
  unlistedVaultTypes(new Set([...entriesByType.keys(), LEGACY_TOKEN_ROLE])),
];
/** Listed adapters plus those a predicate picks, memoised per type (a stack has few distinct types). */
const checksMemo = new Map<string, readonly Adapter[]>();
export function adaptersChecking(type: string): readonly Adapter[] {
  const known = checksMemo.get(type);
  if (known) return known;
  const listed = checksByType.get(type) ?? [];
  const picked = PATTERN_CHECKS.filter((adapter) => !listed.includes(adapter) && adapter.matchesType!(type));
  const all = picked.length ? [...listed, ...picked] : listed;
  checksMemo.set(type, all);
  return all;
}

/** Every exact type token an adapter reads (not out of scope). */
export const READ_TYPES: ReadonlySet<string> = new Set(
  ADAPTERS.flatMap((adapter) => adapter.types.filter((entry) => !entry.outOfScope).map((entry) => entry.type)),
);
/** Every exact type token named out of scope, with its reason. */
export const OUT_OF_SCOPE_TYPES: ReadonlyMap<string, string> = new Map(
  ADAPTERS.flatMap((adapter) => adapter.types.flatMap((entry) => (entry.outOfScope ? [[entry.type, entry.outOfScope] as const] : []))),
);
