/**
 * Every resource type that can grant, bind, attach or impersonate an agent identity, and what the
 * pack does with it: the rules that check it, or why it is out of scope. docs/controls.md prints
 * this table; a test requires every type the pack reads to be listed here as checked.
 */
import { RESOURCE_POLICY_TYPES, ROUTE_TYPES, WORKLOAD_TYPES } from "./routes";
import { TYPES } from "./resources";

export interface Route {
  /** Pulumi type token, or a pattern in words (`vault:*`). */
  readonly type: string;
  /** How it reaches an agent identity. */
  readonly route: string;
  /** Rules that judge it (ids in components/rules). */
  readonly checkedBy?: readonly string[];
  /** Why the pack does not read it. */
  readonly outOfScope?: string;
}

const IAM_CHECKS = ["iam/action-wildcard", "iam/privilege-escalation", "iam/resource-wildcard", "separation/cross-agent-grant"];

export const ROUTES: readonly Route[] = [
  // AWS IAM
  {
    type: TYPES.role,
    route: "the agent's role: trust, inline and managed policies",
    checkedBy: ["trust/own-service-account", ...IAM_CHECKS, "iam/attached-policy", "stack/one-role-per-identity", "stack/unknown-input"],
  },
  { type: TYPES.rolePolicy, route: "an inline policy on a role", checkedBy: [...IAM_CHECKS, "stack/unknown-input"] },
  {
    type: TYPES.rolePolicyAttachment,
    route: "attaches a managed policy to a role",
    checkedBy: ["iam/attached-policy", "iam/managed-admin-policy", ...IAM_CHECKS],
  },
  { type: ROUTE_TYPES.policyAttachment, route: "attaches a managed policy to roles", checkedBy: ["iam/attached-policy", ...IAM_CHECKS] },
  { type: ROUTE_TYPES.rolePolicyAttachmentsExclusive, route: "sets a role's managed policies", checkedBy: ["iam/attached-policy", ...IAM_CHECKS] },
  {
    type: ROUTE_TYPES.policy,
    route: "a customer-managed policy: its document counts once attached to an agent role",
    checkedBy: ["iam/attached-policy", ...IAM_CHECKS],
  },
  {
    type: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    route: "lists which inline policies a role keeps",
    outOfScope: "grants nothing itself: it only removes inline policies not listed, and each RolePolicy is checked",
  },
  {
    type: "aws:iam/userPolicyAttachment:UserPolicyAttachment, aws:iam/groupPolicyAttachment:GroupPolicyAttachment, aws:iam/userPolicy:UserPolicy, aws:iam/groupPolicy:GroupPolicy, aws:iam/groupMembership:GroupMembership, aws:iam/accessKey:AccessKey",
    route: "grants to IAM users and groups",
    outOfScope:
      "users and groups are never agent identities, and an agent cannot become one: iam/privilege-escalation and iam/credentials-exposure refuse the actions that would",
  },
  {
    type: "aws:iam/instanceProfile:InstanceProfile",
    route: "lets EC2 instances use a role",
    outOfScope: "an agent role trusts only its own ServiceAccount (trust/*), so an instance cannot assume it through a profile",
  },
  {
    type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    route: "an identity provider roles may trust",
    outOfScope: "which provider a role trusts is checked in its trust policy (trust/single-provider, trust/web-identity-only)",
  },
  // AWS resource policies
  ...Object.keys(RESOURCE_POLICY_TYPES).map((type) => ({
    type,
    route: `a resource policy (${RESOURCE_POLICY_TYPES[type]}) that may name an agent role or everyone`,
    checkedBy: ["iam/resource-policy", ...IAM_CHECKS],
  })),
  { type: ROUTE_TYPES.lambdaPermission, route: "lets a principal invoke or manage a function", checkedBy: ["iam/resource-policy"] },
  { type: ROUTE_TYPES.kmsGrant, route: "gives a principal operations on a KMS key", checkedBy: ["iam/resource-policy"] },
  {
    type: "other AWS resource policies (Lake Formation permissions, RAM shares, Glue catalog policy, SSM documents' permissions, Serverless application policies ...)",
    route: "may grant an agent role access in the same account without its identity policy",
    outOfScope: "not read yet: review them by hand; the pack reads the services agents' tools use most (table above)",
  },
  // EKS and Kubernetes
  { type: ROUTE_TYPES.eksAccessEntry, route: "maps an IAM principal into the cluster", checkedBy: ["kubernetes/eks-access"] },
  { type: ROUTE_TYPES.eksAccessPolicyAssociation, route: "gives an IAM principal an EKS access policy", checkedBy: ["kubernetes/eks-access"] },
  { type: ROUTE_TYPES.eksPodIdentityAssociation, route: "lets a ServiceAccount use an IAM role through Pod Identity", checkedBy: ["kubernetes/eks-access"] },
  {
    type: `${ROUTE_TYPES.configMap}, ${ROUTE_TYPES.configMapPatch} (aws-auth in kube-system)`,
    route: "maps IAM roles to Kubernetes users and groups",
    checkedBy: ["kubernetes/eks-access"],
  },
  {
    type: TYPES.serviceAccount,
    route: "the agent's ServiceAccount",
    checkedBy: ["kubernetes/automount-token", "kubernetes/system-namespace", "stack/three-identities", "stack/no-shared-identity"],
  },
  {
    type: ROUTE_TYPES.serviceAccountPatch,
    route: "changes a ServiceAccount's labels, annotations or token mounting",
    checkedBy: ["kubernetes/service-account-use"],
  },
  ...[TYPES.roleBinding, TYPES.clusterRoleBinding, TYPES.roleBindingPatch, TYPES.clusterRoleBindingPatch].map((type) => ({
    type,
    route: "binds a role to ServiceAccounts, their User names or their Groups",
    checkedBy: ["kubernetes/cluster-role-binding", "kubernetes/rbac-wildcard", "kubernetes/rbac-secrets", "kubernetes/rbac-guard-edit", "stack/unknown-input"],
  })),
  ...[TYPES.rbacRole, TYPES.clusterRole, TYPES.rbacRolePatch, TYPES.clusterRolePatch].map((type) => ({
    type,
    route: "the rules a binding gives (aggregated ClusterRoles read as everything)",
    checkedBy: [
      "kubernetes/rbac-wildcard",
      "kubernetes/rbac-escalation",
      "kubernetes/rbac-pod-exec",
      "kubernetes/rbac-pod-create",
      "kubernetes/rbac-token-request",
      "kubernetes/rbac-secrets",
    ],
  })),
  {
    type: `${ROUTE_TYPES.secret}, ${ROUTE_TYPES.secretPatch}`,
    route: "a long-lived token for a ServiceAccount",
    checkedBy: ["kubernetes/service-account-use"],
  },
  ...Object.keys(WORKLOAD_TYPES).map((type) => ({
    type,
    route: type.endsWith("Patch") ? "may set the ServiceAccount of a workload, in or outside the stack" : "runs pods as a ServiceAccount",
    checkedBy: ["kubernetes/service-account-use", "kubernetes/projected-token"],
  })),
  {
    type: "kubernetes:helm.sh/* (Release, Chart) and every other kubernetes:* kind (custom resources: Argo Rollouts, Workflows ...)",
    route: "runs pods the pack cannot see (rendered inside the provider, or started by an operator)",
    checkedBy: ["kubernetes/service-account-use", "kubernetes/rbac-pod-create"],
  },
  // Vault
  {
    type: TYPES.vaultPolicy,
    route: "what a Vault token may do (HCL read by a real parser)",
    checkedBy: ["vault/policy-unreadable", "vault/policy-sudo", "vault/policy-system-path", "vault/policy-glob"],
  },
  {
    type: TYPES.vaultAuthRole,
    route: "who may log in as which Vault policies",
    checkedBy: ["vault/bound-exact", "vault/bound-own-service-account", "vault/audience", "vault/default-policy"],
  },
  {
    type: `${TYPES.vaultAwsRole}, ${TYPES.vaultDatabaseRole}`,
    route: "credentials Vault mints",
    checkedBy: ["vault/secret-role-arns", "vault/secret-credential-type", "database/statement-allowlist"],
  },
  {
    type: `${TYPES.vaultGenericEndpoint}, ${TYPES.vaultGenericSecret}`,
    route: "raw writes to any Vault path",
    checkedBy: ["vault/generic-write", "stack/unknown-input"],
  },
  {
    type: "vault:* with tokenPolicies, policies, allowedPolicies or allowedPoliciesGlobs (tokens, token roles, AppRole, JWT, LDAP, GitHub, identity entities and groups ...)",
    route: "hands out Vault policies",
    checkedBy: ["vault/agent-policy-use"],
  },
  {
    type: "vault:identity/* membership (GroupMemberEntityIds, EntityAlias, GroupAlias ...)",
    route: "puts an entity into a group whose policies it then holds",
    outOfScope:
      "an agent's entity is created by Vault at its first login, so no stack resource can name its ID by value; a group's policies are checked above (vault/agent-policy-use), and a group's own policy grants are Vault policies the pack reads",
  },
  // Platform resources (policy/checks/)
  { type: TYPES.vaultAudit, route: "records every login and secret read (or, raw, leaks them)", checkedBy: ["vault/audit-device", "stack/unknown-input"] },
  {
    type: TYPES.vaultAuthBackendConfig,
    route: "decides which API server vouches for ServiceAccount tokens at login",
    checkedBy: ["vault/auth-backend-host", "stack/unknown-input"],
  },
  {
    type: TYPES.vaultDatabaseConnection,
    route: "Vault's root login to a database, and which secret roles may mint users through it",
    checkedBy: ["database/connection-tls", "database/connection-allowed-roles"],
  },
  { type: TYPES.vaultAwsEngine, route: "the principal every tool role trusts, and its credentials", checkedBy: ["vault/aws-engine"] },
  {
    type: `${TYPES.networkPolicy}, ${TYPES.networkPolicyPatch}`,
    route: "where agent pods may send data (policies add up: one open policy undoes the default deny)",
    checkedBy: ["kubernetes/egress-private"],
  },
  {
    type: `${TYPES.namespace}, ${TYPES.namespacePatch}`,
    route: "the Pod Security level agent pods run under",
    checkedBy: ["kubernetes/pod-security"],
  },
  {
    type: "vault:index/egpPolicy:EgpPolicy, vault:index/rgpPolicy:RgpPolicy",
    route: "Sentinel policies (Enterprise)",
    outOfScope: "they only restrict (deny) requests; they cannot grant",
  },
];
