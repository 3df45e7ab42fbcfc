/**
 * Kubernetes RBAC: Roles, ClusterRoles, their bindings and the Patches of each. A binding reaches an
 * agent ServiceAccount by name, by its User name or by a Group every ServiceAccount is in. Across the
 * stack: what a binding gives an agent (wildcards, escalation, exec, pod creation, token requests,
 * secrets), cluster-wide bindings, grants in kube-system and pod creation in shared namespaces.
 */
import { checkRbacRules, rbacCreatesPods, type RbacRule } from "../../components/rules/kubernetes";
import type { StackIndex } from "../stack-index";
import type { Adapter } from "../types";
import { attributeTo, saKey } from "./shared";
import { checkGuardEdit } from "../checks/rbac-guard-edit";
import { checkAgentNamespaceRbac } from "./rbac-closed-world";
import { nodeWrites } from "../checks/rbac-node-writes";
import { platformResourceKey } from "../platform-resources-config";
import { agentNamespaces, findingsFor } from "./agent-namespaces";

export const RBAC_TYPES = {
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  rbacRole: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  roleBindingPatch: "kubernetes:rbac.authorization.k8s.io/v1:RoleBindingPatch",
  clusterRoleBindingPatch: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBindingPatch",
  rbacRolePatch: "kubernetes:rbac.authorization.k8s.io/v1:RolePatch",
  clusterRolePatch: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRolePatch",
} as const;

const BINDING_CHECKS = [
  "kubernetes/agent-namespace-rbac",
  "kubernetes/cluster-role-binding",
  "kubernetes/rbac-wildcard",
  "kubernetes/rbac-secrets",
  "kubernetes/rbac-guard-edit",
  "stack/unknown-input",
];
const ROLE_CHECKS = [
  "kubernetes/agent-namespace-rbac",
  "kubernetes/rbac-wildcard",
  "kubernetes/rbac-escalation",
  "kubernetes/rbac-pod-exec",
  "kubernetes/rbac-pod-create",
  "kubernetes/rbac-token-request",
  "kubernetes/rbac-secrets",
];
const BINDING_ROUTE = "binds a role to ServiceAccounts, their User names or their Groups";
const ROLE_ROUTE = "the rules a binding gives (aggregated ClusterRoles read as everything)";

/** Built-in ClusterRoles an agent might be bound to; their rules as Kubernetes defines them (abridged to what the rules read). */
const BUILTIN_CLUSTER_ROLES: Record<string, RbacRule[]> = {
  "cluster-admin": [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
  admin: [
    { apiGroups: [""], resources: ["pods", "pods/exec", "secrets", "serviceaccounts/token"], verbs: ["create", "get", "list", "delete"] },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["create", "update", "patch", "delete"] },
  ],
  edit: [
    { apiGroups: [""], resources: ["pods", "pods/exec", "secrets"], verbs: ["create", "get", "list", "delete"] },
    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
  ],
  // What Vault's token reviewer is usually bound to: TokenReview and SubjectAccessReview, both cluster-scoped.
  "system:auth-delegator": [
    { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
    { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
  ],
  view: [{ apiGroups: [""], resources: ["pods", "configmaps", "services"], verbs: ["get", "list", "watch"] }],
};

/**
 * The agent ServiceAccounts a binding's subjects reach: a ServiceAccount by name, the User
 * `system:serviceaccount:<ns>:<name>` that is its username, and the Groups every ServiceAccount is
 * in (`system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`).
 * Non-agent ServiceAccount subjects are kept (sa undefined) for the shared-namespace rule.
 */
function bindingSubjects(binding: StackIndex["bindings"][number], ix: StackIndex) {
  const out: Array<{ subject: Record<string, string>; namespace: string; sa: StackIndex["serviceAccounts"][number] | undefined }> = [];
  for (const subject of binding.subjects) {
    const name = subject.name ?? "";
    if (subject.kind === "ServiceAccount") {
      const namespace = subject.namespace ?? binding.namespace;
      out.push({ subject, namespace, sa: ix.by.serviceAccountAt(namespace, name) });
    } else if (subject.kind === "User" && name.startsWith("system:serviceaccount:")) {
      const [namespace, saName] = name.slice("system:serviceaccount:".length).split(":");
      out.push({ subject: { ...subject, name: saName ?? "" }, namespace, sa: ix.by.serviceAccountAt(namespace, saName) });
    } else if (
      subject.kind === "Group" &&
      (name === "system:serviceaccounts" || name === "system:authenticated" || name.startsWith("system:serviceaccounts:"))
    ) {
      const namespace = name.startsWith("system:serviceaccounts:") ? name.slice("system:serviceaccounts:".length) : undefined;
      for (const sa of namespace === undefined ? ix.serviceAccounts : (ix.by.serviceAccountsIn.get(namespace) ?? []))
        out.push({ subject: { kind: "ServiceAccount", name: sa.name }, namespace: sa.namespace, sa });
    }
  }
  return out;
}

const isClusterBinding = (binding: StackIndex["bindings"][number]) =>
  binding.resource.type === RBAC_TYPES.clusterRoleBinding || binding.resource.type === RBAC_TYPES.clusterRoleBindingPatch;

/** The rules a binding gives: the roles of that name in the stack, else a built-in ClusterRole, plus what aggregates into it; undefined when unknown. */
export function boundRules(binding: StackIndex["bindings"][number], ix: StackIndex): RbacRule[] | undefined {
  const refName = binding.roleRef.name ?? "";
  const toCluster = binding.roleRef.kind === "ClusterRole";
  const defined = (ix.by.rbacRolesNamed.get(refName) ?? []).filter((r) => (toCluster ? r.cluster : !r.cluster && r.namespace === binding.namespace));
  // ClusterRoles labelled aggregate-to-<name> add their rules to that ClusterRole (admin, edit, view...).
  const aggregated = toCluster ? (ix.by.clusterRolesAggregatingTo.get(refName) ?? []).flatMap((r) => r.rules) : [];
  const base = defined.length ? defined.flatMap((r) => r.rules) : toCluster ? BUILTIN_CLUSTER_ROLES[refName] : undefined;
  return base ? [...base, ...aggregated] : undefined;
}

export const rbac: Adapter = {
  family: "rbac",
  holdings: "a binding reaching an identity's ServiceAccount adds the bound rules to IdentityHoldings.kubernetes",
  types: [
    { type: RBAC_TYPES.roleBinding, key: "roleBinding", route: BINDING_ROUTE, required: ["roleRef", "subjects"], checkedBy: BINDING_CHECKS },
    { type: RBAC_TYPES.clusterRoleBinding, key: "clusterRoleBinding", route: BINDING_ROUTE, required: ["roleRef", "subjects"], checkedBy: BINDING_CHECKS },
    // What a role or binding grants, or a Patch changes: unknown at preview could be anything.
    { type: RBAC_TYPES.roleBindingPatch, key: "roleBindingPatch", route: BINDING_ROUTE, readIfSet: ["roleRef", "subjects"], checkedBy: BINDING_CHECKS },
    {
      type: RBAC_TYPES.clusterRoleBindingPatch,
      key: "clusterRoleBindingPatch",
      route: BINDING_ROUTE,
      readIfSet: ["roleRef", "subjects"],
      checkedBy: BINDING_CHECKS,
    },
    { type: RBAC_TYPES.rbacRole, key: "rbacRole", route: ROLE_ROUTE, required: ["rules"], checkedBy: ROLE_CHECKS },
    { type: RBAC_TYPES.clusterRole, key: "clusterRole", route: ROLE_ROUTE, readIfSet: ["aggregationRule", "rules"], checkedBy: ROLE_CHECKS },
    { type: RBAC_TYPES.rbacRolePatch, key: "rbacRolePatch", route: ROLE_ROUTE, readIfSet: ["rules"], checkedBy: ROLE_CHECKS },
    { type: RBAC_TYPES.clusterRolePatch, key: "clusterRolePatch", route: ROLE_ROUTE, readIfSet: ["aggregationRule", "rules"], checkedBy: ROLE_CHECKS },
  ],
  stack: (ix, pass) => {
    const { findings } = pass;
    // Anyone but an agent with rights in agents' namespaces (closed world).
    findings.push(...checkAgentNamespaceRbac(ix, (binding) => boundRules(binding, ix), isClusterBinding, new Set(Object.keys(BUILTIN_CLUSTER_ROLES))));
    // Rights that reach the nodes (PersistentVolumes, StorageClasses, CSIDrivers, Nodes, nodes/proxy): declared or refused.
    if (agentNamespaces(ix).size > 0) {
      const nodeFinding = (r: { resource: StackIndex["bindings"][number]["resource"] }, what: string) =>
        findings.push({
          rule: "kubernetes/agent-namespace-rbac",
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          platformResource: platformResourceKey(r.resource.type, r.resource.name),
          message: `${r.resource.type.split(":").pop()} ${r.resource.name} ${what}: a hostPath volume or a node of one's choosing reaches every pod's ServiceAccount and Vault tokens on it`,
          fix: "leave storage and node administration to the platform's own stack, or have the security team declare the role and its binding (kubernetesPlatformResources)",
        });
      for (const role of ix.rbacRoles) {
        const hits = role.cluster ? nodeWrites(role.rules) : [];
        if (hits.length) nodeFinding(role, `grants ${hits.join("; ")}`);
      }
      for (const binding of ix.bindings) {
        if (!isClusterBinding(binding)) continue;
        const rules = boundRules(binding, ix);
        const hits = rules ? nodeWrites(rules) : ["a role not defined in this stack, read as everything"];
        const others = binding.subjects.filter((s) => !bindingSubjects({ ...binding, subjects: [s] }, ix).some((x) => x.sa));
        if (hits.length && others.length)
          nodeFinding(
            binding,
            `binds ${others.map((s) => `${s.kind ?? "?"} ${s.namespace ? `${s.namespace}/` : ""}${s.name ?? "?"}`).join(", ")} cluster-wide to ${binding.roleRef.kind ?? "role"} ${binding.roleRef.name ?? "?"} (${hits.join("; ")})`,
          );
      }
    }
    // RBAC bound to agent ServiceAccounts, and pod creation in shared namespaces.
    const agentsByNamespace = new Map<string, Set<string>>();
    for (const sa of ix.serviceAccounts) agentsByNamespace.set(sa.namespace, (agentsByNamespace.get(sa.namespace) ?? new Set()).add(sa.agent));
    for (const binding of ix.bindings) {
      const cluster = isClusterBinding(binding);
      const refName = binding.roleRef.name ?? "";
      const rules = boundRules(binding, ix);
      if (!cluster && !binding.namespaceKnown) {
        // The binding's namespace decides where its rules apply and, for a subject without one, which
        // ServiceAccount it names: an agent ServiceAccount's name there fails closed.
        const agentNames = ix.by.serviceAccountNames;
        const named = binding.subjects.filter(
          (s) =>
            (s.kind === "ServiceAccount" && agentNames.has(s.name ?? "")) ||
            (s.kind === "User" && s.name !== undefined && ix.by.serviceAccountUsers.has(s.name)),
        );
        if (named.length) {
          // Attributed to the identity whose ServiceAccount the subject names.
          const owner = ix.serviceAccounts.find((sa) => named.some((s) => s.name === sa.name || s.name === `system:serviceaccount:${sa.namespace}:${sa.name}`));
          findings.push({
            rule: "stack/unknown-input",
            agent: owner?.agent ?? "platform",
            identity: owner?.kind ?? null,
            urn: binding.resource.urn,
            message: `${binding.resource.type} ${binding.resource.name} binds ${named.map((s) => s.name).join(", ")} (an agent ServiceAccount's name) and its metadata.namespace is missing or unknown at preview, so where it applies cannot be checked`,
            fix: "set metadata.namespace explicitly, with a known value",
          });
        }
      }
      for (const { subject, namespace, sa } of bindingSubjects(binding, ix)) {
        const target = sa ? { agent: sa.agent, kind: sa.kind } : undefined;
        if (target && !cluster && binding.namespaceKnown && binding.namespace === "kube-system") {
          // kube-system holds aws-auth and the control plane's ServiceAccounts: any grant there can escalate.
          findings.push(
            ...attributeTo(target, binding.resource.urn, [
              {
                rule: "kubernetes/rbac-escalation",
                message: `RoleBinding ${binding.resource.name} gives ServiceAccount ${saKey(namespace, subject.name ?? "")} rights in kube-system (${binding.roleRef.kind ?? "role"} ${refName})`,
                fix: "bind nothing to an agent in kube-system; aws-auth and the cluster's own ServiceAccounts live there",
              },
            ]),
          );
        }
        if (target && cluster) {
          findings.push(
            ...attributeTo(target, binding.resource.urn, [
              {
                rule: "kubernetes/cluster-role-binding",
                message: `ClusterRoleBinding ${binding.resource.name} binds ${refName} cluster-wide`,
                fix: "bind agents, if at all, with a RoleBinding in their own namespace",
              },
            ]),
          );
        }
        if (target && !rules) {
          findings.push(
            ...attributeTo(target, binding.resource.urn, [
              {
                rule: "stack/unknown-input",
                message: `is bound to ${binding.roleRef.kind ?? "role"} ${refName}, which is not defined in this stack, so its rules cannot be checked`,
                fix: "define the Role in the same stack, or do not bind it to an agent",
              },
            ]),
          );
        }
        if (target && rules) findings.push(...attributeTo(target, binding.resource.urn, checkRbacRules(rules)));
        if (target && rules)
          findings.push(
            ...attributeTo(
              target,
              binding.resource.urn,
              checkGuardEdit(saKey(namespace, subject.name ?? ""), `${binding.roleRef.kind ?? "Role"} ${refName}`, rules),
            ),
          );
        const sharedNamespace = (agentsByNamespace.get(namespace)?.size ?? 0) > 1;
        if (sharedNamespace && rules && rbacCreatesPods(rules)) {
          const problem = {
            rule: "kubernetes/shared-namespace-pod-create",
            message: `ServiceAccount ${saKey(namespace, subject.name ?? "")} can create pods in ${namespace}, shared by agents ${[...agentsByNamespace.get(namespace)!].join(", ")}`,
            fix: "give each agent its own namespace (namespacePerAgent: true), or remove pod creation",
          };
          // A subject no agent is: every agent of the shared namespace is exposed.
          const shared = agentNamespaces(ix).get(namespace);
          if (target) findings.push(...attributeTo(target, binding.resource.urn, [problem]));
          else if (shared) findings.push(...findingsFor(shared, binding.resource.urn, problem));
        }
      }
    }
  },
};
