/**
 * The stack's resources read once into the shapes the cross-resource checks join: agent
 * ServiceAccounts (by label), roles with their tags and trust, inline policies by role name,
 * Vault roles and policies, RBAC. Unknown inputs are dropped here; `resources.ts` reports them.
 */
import type { IdentityKind } from "../components/core/names";
import { IDENTITY_KINDS } from "../components/core/names";
import { AGENT_LABEL, IDENTITY_LABEL, type RbacRule } from "../components/rules/kubernetes";
import { readVaultPolicy } from "./vault-hcl";
import { asRecord, asString, asStrings, readInputs, readPolicyDocument } from "./inputs";
import { TYPES, type PackResource } from "./resources";

/**
 * A Vault policy name as Vault stores and compares it: trimmed and lower-cased (PolicyStore.sanitizeName,
 * policyutil.SanitizePolicies), so `ACME-…` or ` acme-…` names the same policy as `acme-…`.
 */
export function vaultPolicyName(name: string | undefined): string | undefined {
  return name?.trim().toLowerCase();
}

const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

interface Read {
  readonly resource: PackResource;
  readonly v: Record<string, unknown>;
}

/** Everything the stack checks need, read once. */
export function indexStack(resources: readonly PackResource[]) {
  const inputs = resources.map((resource) => ({ resource, ...readInputs(resource.props) }));
  const read = inputs.map(({ resource, value }) => ({ resource, v: value }));
  const ofType = (type: string) => read.filter((r) => r.resource.type === type);
  const metadata = (r: Read) => (r.v.metadata ?? {}) as Record<string, unknown>;

  /**
   * Who a Vault role belongs to: its alias metadata, or, where the declared Vault is too old to
   * store alias metadata (the components then leave it out), its name `<env>-<agent>-<kind>` when
   * it binds exactly that agent's ServiceAccount for that identity and nothing else.
   */
  const vaultRoleOwner = (v: Record<string, unknown>, names: string[], namespaces: string[]): Record<string, string> => {
    const meta = asRecord(v.aliasMetadata);
    if (v.aliasMetadata !== undefined) return meta;
    const roleName = asString(v.roleName) ?? "";
    if (names.length !== 1 || namespaces.length !== 1) return meta;
    const sa = serviceAccounts.find((s) => s.name === names[0] && s.namespace === namespaces[0]);
    return sa && roleName.endsWith(`-${sa.agent}-${sa.kind}`) ? { agent: sa.agent, identity: sa.kind } : meta;
  };
  const serviceAccounts = ofType(TYPES.serviceAccount).flatMap((r) => {
    const labels = asRecord(metadata(r).labels);
    const kind = labels[IDENTITY_LABEL];
    if (!labels[AGENT_LABEL] || !isKind(kind)) return [];
    const annotations = asRecord(metadata(r).annotations);
    return [{ ...r, agent: labels[AGENT_LABEL], kind, labels, annotations, namespace: asString(metadata(r).namespace) ?? "default", name: asString(metadata(r).name) ?? "" }];
  });
  const roles = ofType(TYPES.role).map((r) => ({ ...r, name: asString(r.v.name), tags: asRecord(r.v.tags), trust: readPolicyDocument(r.v.assumeRolePolicy) }));
  // `role` lower-cased: IAM role names are unique regardless of case, so `ACME-…` is the agent's role.
  const rolePolicies = ofType(TYPES.rolePolicy).map((r) => ({ ...r, role: asString(r.v.role)?.split("/").pop()?.toLowerCase(), document: readPolicyDocument(r.v.policy) }));
  const vaultPolicies = ofType(TYPES.vaultPolicy).map((r) => ({ ...r, name: vaultPolicyName(asString(r.v.name)), paths: typeof r.v.policy === "string" ? readVaultPolicy(r.v.policy).paths : [] }));
  const authRoles = ofType(TYPES.vaultAuthRole).map((r) => {
    const names = asStrings(r.v.boundServiceAccountNames);
    const namespaces = asStrings(r.v.boundServiceAccountNamespaces);
    return { ...r, meta: vaultRoleOwner(r.v, names, namespaces), names, namespaces, policies: asStrings(r.v.tokenPolicies).map((p) => vaultPolicyName(p)!) };
  });
  const secretRoles = [...ofType(TYPES.vaultAwsRole), ...ofType(TYPES.vaultDatabaseRole)].map((r) => ({
    ...r,
    path: `${asString(r.v.backend) ?? ""}/${r.resource.type === TYPES.vaultAwsRole ? "sts" : "creds"}/${asString(r.v.name) ?? ""}`,
    roleArns: asStrings(r.v.roleArns),
  }));
  const logGroups = ofType(TYPES.logGroup).flatMap((r) => {
    const agent = asRecord(r.v.tags).agent;
    const name = asString(r.v.name);
    return agent && name ? [{ agent, name, pattern: `arn:*:logs:*:*:log-group:${name}` }] : [];
  });
  // A Patch changes an object of the same kind and name (in or outside the stack): its rules count too.
  const cluster = (type: string) => type === TYPES.clusterRole || type === TYPES.clusterRolePatch;
  const rbacRoles = [...ofType(TYPES.rbacRole), ...ofType(TYPES.clusterRole), ...ofType(TYPES.rbacRolePatch), ...ofType(TYPES.clusterRolePatch)].map((r) => ({
    ...r,
    cluster: cluster(r.resource.type),
    name: asString(metadata(r).name),
    namespace: asString(metadata(r).namespace),
    // An aggregated ClusterRole holds whatever its selector matches, now or later: read as everything.
    rules: (r.v.aggregationRule !== undefined ? [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] : Array.isArray(r.v.rules) ? r.v.rules : []) as RbacRule[],
    aggregateTo: Object.entries(asRecord(metadata(r).labels)).flatMap(([label, value]) => (label.startsWith("rbac.authorization.k8s.io/aggregate-to-") && value === "true" ? [label.slice("rbac.authorization.k8s.io/aggregate-to-".length)] : [])),
  }));
  const bindings = [...ofType(TYPES.roleBinding), ...ofType(TYPES.clusterRoleBinding), ...ofType(TYPES.roleBindingPatch), ...ofType(TYPES.clusterRoleBindingPatch)].map((r) => ({
    ...r,
    namespace: asString(metadata(r).namespace) ?? "default",
    // Missing, the provider puts it in its own default namespace (maybe kube-system); unknown, anywhere.
    namespaceKnown: asString(metadata(r).namespace) !== undefined,
    roleRef: asRecord(r.v.roleRef),
    subjects: (Array.isArray(r.v.subjects) ? r.v.subjects : []).map((s) => asRecord(s)),
  }));
  const namespaces = ofType(TYPES.namespace).map((r) => ({ ...r, name: asString(metadata(r).name), labels: asRecord(metadata(r).labels) }));
  return { inputs, namespaces, serviceAccounts, roles, rolePolicies, vaultPolicies, authRoles, secretRoles, logGroups, rbacRoles, bindings };
}

export type StackIndex = ReturnType<typeof indexStack>;
