/**
 * The stack's resources read once into the shapes the cross-resource checks join: agent
 * ServiceAccounts (by label), roles with their tags and trust, inline policies by role name,
 * Vault roles and policies, RBAC. Unknown inputs are dropped here; `resources.ts` reports them.
 *
 * Besides the lists, `by` holds lookups built once per stack (issue #11: the checks used to filter
 * the whole stack per identity, O(identities × resources)). Each lookup returns exactly what
 * filtering its list with the same test returned, in list order; entries carry `at`, their position
 * in their list, so results joined from several lookups can be put back in list order (`inListOrder`).
 * A new join in stack.ts or routes.ts should add its lookup here rather than scan a list.
 */
import type { PolicyDocument } from "../components/core/iam-document";
import type { IdentityKind } from "../components/core/names";
import { IDENTITY_KINDS } from "../components/core/names";
import { AGENT_LABEL, IDENTITY_LABEL, type RbacRule } from "../components/rules/kubernetes";
import { readVaultPolicy } from "./vault-hcl";
import { asRecord, asString, asStrings, readInputs, readPolicyDocument } from "./inputs";
import { TYPES } from "./adapters";
import type { PackResource } from "./types";
import { vaultPolicyName } from "./vault-names";
export { vaultPolicyName };

const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/** Items by one key, in list order; an item whose key is undefined is in no group. */
function groupBy<T>(list: readonly T[], keyOf: (item: T) => string | undefined): ReadonlyMap<string, readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Items by two keys (agent, identity), exactly: nested maps, so no separator can make two pairs one. */
function groupBy2<T>(list: readonly T[], first: (item: T) => string | undefined, second: (item: T) => string | undefined) {
  const outer = new Map<string, ReadonlyMap<string, readonly T[]>>();
  for (const [key, items] of groupBy(list, first)) outer.set(key, groupBy(items, second));
  return (a: string | null | undefined, b: string | null | undefined): readonly T[] => (a == null || b == null ? [] : (outer.get(a)?.get(b) ?? []));
}

const NONE: readonly never[] = [];

/** Secret roles by each path that issues their credentials (AWS: sts/ and creds/), in list order. */
function groupByPaths<T extends { readonly path: string; readonly resource: { readonly type: string } }>(
  list: readonly T[],
): ReadonlyMap<string, readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const paths = item.resource.type === TYPES.vaultAwsRole ? [item.path, item.path.replace(/\/sts\/([^/]*)$/, "/creds/$1")] : [item.path];
    for (const path of new Set(paths)) {
      const group = groups.get(path);
      if (group) group.push(item);
      else groups.set(path, [item]);
    }
  }
  return groups;
}

/** Entries of several lookups, each once, in their list's order: what one filter over the list returned. */
export function inListOrder<T extends { readonly at: number }>(groups: Iterable<readonly T[] | undefined>): T[] {
  const seen = new Set<T>();
  for (const group of groups) for (const item of group ?? NONE) seen.add(item);
  return [...seen].sort((a, b) => a.at - b.at);
}

/** A list's entries with their position in it. */
const numbered = <T extends object>(list: readonly T[]): Array<T & { readonly at: number }> => list.map((item, at) => ({ ...item, at }));

interface Read {
  readonly resource: PackResource;
  readonly v: Record<string, unknown>;
}

/** Everything the stack checks need, read once. */
export function indexStack(resources: readonly PackResource[]) {
  const inputs = resources.map((resource) => ({ resource, ...readInputs(resource.props) }));
  const inputsByType = groupBy(inputs, (entry) => entry.resource.type);
  /** The read inputs of every resource of one type, in stack order. */
  const inputsOfType = (type: string) => inputsByType.get(type) ?? NONE;
  const read = inputs.map(({ resource, value }) => ({ resource, v: value }));
  const byType = groupBy(read, (r) => r.resource.type);
  const ofType = (type: string) => byType.get(type) ?? NONE;
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
    const sa = serviceAccountAt(namespaces[0], names[0]);
    return sa && roleName.endsWith(`-${sa.agent}-${sa.kind}`) ? { agent: sa.agent, identity: sa.kind } : meta;
  };
  const serviceAccounts = ofType(TYPES.serviceAccount).flatMap((r) => {
    const labels = asRecord(metadata(r).labels);
    const kind = labels[IDENTITY_LABEL];
    if (!labels[AGENT_LABEL] || !isKind(kind)) return [];
    const annotations = asRecord(metadata(r).annotations);
    return [
      {
        ...r,
        agent: labels[AGENT_LABEL],
        kind,
        labels,
        annotations,
        namespace: asString(metadata(r).namespace) ?? "default",
        name: asString(metadata(r).name) ?? "",
      },
    ];
  });
  type ServiceAccount = (typeof serviceAccounts)[number];
  const serviceAccountsAt = groupBy2(
    serviceAccounts,
    (sa) => sa.namespace,
    (sa) => sa.name,
  );
  /** The first agent ServiceAccount with this namespace and name (what `serviceAccounts.find` gave). */
  const serviceAccountAt = (namespace: string | undefined, name: string | undefined): ServiceAccount | undefined => serviceAccountsAt(namespace, name)[0];
  const roles = ofType(TYPES.role).map((r) => {
    // Parsed once, on first use (as before, only for the roles a check reads): identity holdings,
    // role limits and region binding all read them.
    let inline: Array<{ entryName: unknown; index: number; document: PolicyDocument }> | undefined;
    const inlineDocuments = () =>
      (inline ??= (Array.isArray(r.v.inlinePolicies) ? r.v.inlinePolicies : []).flatMap((entry, index) => {
        const document = readPolicyDocument((entry as { policy?: unknown }).policy);
        return document ? [{ entryName: (entry as { name?: unknown }).name, index, document }] : [];
      }));
    return { ...r, name: asString(r.v.name), tags: asRecord(r.v.tags), trust: readPolicyDocument(r.v.assumeRolePolicy), inlineDocuments };
  });
  // `role` lower-cased: IAM role names are unique regardless of case, so `ACME-…` is the agent's role.
  const rolePolicies = numbered(
    ofType(TYPES.rolePolicy).map((r) => ({ ...r, role: asString(r.v.role)?.split("/").pop()?.toLowerCase(), document: readPolicyDocument(r.v.policy) })),
  );
  const vaultPolicies = numbered(
    ofType(TYPES.vaultPolicy).map((r) => ({
      ...r,
      name: vaultPolicyName(asString(r.v.name)),
      paths: typeof r.v.policy === "string" ? readVaultPolicy(r.v.policy).paths : [],
    })),
  );
  const authRoles = ofType(TYPES.vaultAuthRole).map((r) => {
    const names = asStrings(r.v.boundServiceAccountNames);
    const namespaces = asStrings(r.v.boundServiceAccountNamespaces);
    return { ...r, meta: vaultRoleOwner(r.v, names, namespaces), names, namespaces, policies: asStrings(r.v.tokenPolicies).map((p) => vaultPolicyName(p)!) };
  });
  const secretRoles = numbered(
    [...ofType(TYPES.vaultAwsRole), ...ofType(TYPES.vaultDatabaseRole)].map((r) => ({
      ...r,
      // Slashes trimmed as Vault does (`aws/` and `/aws` are the mount `aws`), so a policy path finds it.
      path: `${(asString(r.v.backend) ?? "").replace(/^\/+|\/+$/g, "")}/${r.resource.type === TYPES.vaultAwsRole ? "sts" : "creds"}/${asString(r.v.name) ?? ""}`,
      roleArns: asStrings(r.v.roleArns),
    })),
  );
  const logGroups = ofType(TYPES.logGroup).flatMap((r) => {
    const agent = asRecord(r.v.tags).agent;
    const name = asString(r.v.name);
    return agent && name ? [{ agent, name, pattern: `arn:*:logs:*:*:log-group:${name}`, urn: r.resource.urn }] : [];
  });
  // A Patch changes an object of the same kind and name (in or outside the stack): its rules count too.
  const cluster = (type: string) => type === TYPES.clusterRole || type === TYPES.clusterRolePatch;
  const rbacRoles = [...ofType(TYPES.rbacRole), ...ofType(TYPES.clusterRole), ...ofType(TYPES.rbacRolePatch), ...ofType(TYPES.clusterRolePatch)].map((r) => ({
    ...r,
    cluster: cluster(r.resource.type),
    name: asString(metadata(r).name),
    namespace: asString(metadata(r).namespace),
    // An aggregated ClusterRole holds whatever its selector matches, now or later: read as everything.
    rules: (r.v.aggregationRule !== undefined
      ? [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
      : Array.isArray(r.v.rules)
        ? r.v.rules
        : []) as RbacRule[],
    aggregateTo: Object.entries(asRecord(metadata(r).labels)).flatMap(([label, value]) =>
      label.startsWith("rbac.authorization.k8s.io/aggregate-to-") && value === "true" ? [label.slice("rbac.authorization.k8s.io/aggregate-to-".length)] : [],
    ),
  }));
  const bindings = [
    ...ofType(TYPES.roleBinding),
    ...ofType(TYPES.clusterRoleBinding),
    ...ofType(TYPES.roleBindingPatch),
    ...ofType(TYPES.clusterRoleBindingPatch),
  ].map((r) => ({
    ...r,
    namespace: asString(metadata(r).namespace) ?? "default",
    // Missing, the provider puts it in its own default namespace (maybe kube-system); unknown, anywhere.
    namespaceKnown: asString(metadata(r).namespace) !== undefined,
    roleRef: asRecord(r.v.roleRef),
    subjects: (Array.isArray(r.v.subjects) ? r.v.subjects : []).map((s) => asRecord(s)),
  }));
  const namespaces = ofType(TYPES.namespace).map((r) => ({ ...r, name: asString(metadata(r).name), labels: asRecord(metadata(r).labels) }));

  const aggregatingTo = new Map<string, Array<(typeof rbacRoles)[number]>>();
  for (const role of rbacRoles) {
    if (!role.cluster) continue;
    for (const target of role.aggregateTo) {
      const list = aggregatingTo.get(target);
      if (list) list.push(role);
      else aggregatingTo.set(target, [role]);
    }
  }
  /** Lookups over the lists above; each gives what filtering (or `find` for a single one) its list gave. */
  const by = {
    serviceAccountAt,
    /** Agent ServiceAccounts of one identity (label agent and identity). */
    serviceAccountsOf: groupBy2(
      serviceAccounts,
      (sa) => sa.agent,
      (sa) => sa.kind,
    ),
    serviceAccountsOfAgent: groupBy(serviceAccounts, (sa) => sa.agent),
    serviceAccountsIn: groupBy(serviceAccounts, (sa) => sa.namespace),
    /** Every agent ServiceAccount's name, and its username `system:serviceaccount:<ns>:<name>`. */
    serviceAccountNames: new Set(serviceAccounts.map((sa) => sa.name)),
    serviceAccountUsers: new Set(serviceAccounts.map((sa) => `system:serviceaccount:${sa.namespace}:${sa.name}`)),
    /** Roles by their `agent` and `identity` tags. */
    rolesOf: groupBy2(
      roles,
      (r) => r.tags.agent,
      (r) => r.tags.identity,
    ),
    rolesOfAgent: groupBy(roles, (r) => r.tags.agent),
    /** RolePolicy resources by the lower-cased name of the role they attach to. */
    rolePoliciesOn: groupBy(rolePolicies, (p) => p.role),
    /** Vault policies by (sanitised) name; an empty name is in no group (the checks skip it). */
    vaultPoliciesNamed: groupBy(vaultPolicies, (p) => p.name || undefined),
    /** Vault Kubernetes-auth roles by their owner (alias metadata agent and identity). */
    authRolesOf: groupBy2(
      authRoles,
      (r) => r.meta.agent,
      (r) => r.meta.identity,
    ),
    /**
     * Secret roles by every path that issues their credentials: Vault's AWS engine serves
     * `<mount>/creds/<name>` and `<mount>/sts/<name>` with one handler, so a policy reading either
     * mints the same session. `path` stays the canonical one (`sts` for AWS, `creds` for databases).
     */
    secretRolesAt: groupByPaths(secretRoles),
    logGroupsOf: groupBy(logGroups, (g) => g.agent),
    rbacRolesNamed: groupBy(rbacRoles, (r) => r.name),
    /** ClusterRoles labelled aggregate-to-<name>, by that name. */
    clusterRolesAggregatingTo: aggregatingTo as ReadonlyMap<string, ReadonlyArray<(typeof rbacRoles)[number]>>,
    namespacesNamed: groupBy(namespaces, (n) => n.name),
  };
  return { inputs, inputsOfType, namespaces, serviceAccounts, roles, rolePolicies, vaultPolicies, authRoles, secretRoles, logGroups, rbacRoles, bindings, by };
}

export type StackIndex = ReturnType<typeof indexStack>;
