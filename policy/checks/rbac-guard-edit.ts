/**
 * RBAC an agent ServiceAccount is bound to may not reach the objects that fence it in: its
 * NetworkPolicies (egress), RBAC (what it may do) and ServiceAccounts (who it is, its token).
 * A rule matches when its API group and resource name those objects (or `*`) and a verb changes them.
 */
import type { RbacRule } from "../../components/rules/kubernetes";
import type { Problem } from "../../components/rules/define";

const GUARDED: ReadonlyArray<{ group: string; resources: readonly string[] }> = [
  { group: "networking.k8s.io", resources: ["networkpolicies"] },
  { group: "rbac.authorization.k8s.io", resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"] },
  { group: "", resources: ["serviceaccounts", "serviceaccounts/token"] },
];
const WRITES = new Set(["*", "create", "update", "patch", "delete", "deletecollection", "bind", "escalate", "impersonate"]);

const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase()) : []);

/** The guarded `group/resource` pairs the rules let a subject change. */
export function guardedWrites(rules: readonly RbacRule[]): string[] {
  const hits = new Set<string>();
  for (const rule of rules) {
    const r = rule as unknown as Record<string, unknown>;
    if (!names(r.verbs).some((verb) => WRITES.has(verb))) continue;
    const groups = names(r.apiGroups);
    const resources = names(r.resources);
    for (const guarded of GUARDED)
      for (const resource of guarded.resources)
        if ((groups.includes("*") || groups.includes(guarded.group)) && (resources.includes("*") || resources.includes(resource)))
          hits.add(`${guarded.group || "core"}/${resource}`);
  }
  return [...hits];
}

export function checkGuardEdit(subject: string, roleLabel: string, rules: readonly RbacRule[]): Problem[] {
  const hits = guardedWrites(rules);
  return hits.length
    ? [
        {
          rule: "kubernetes/rbac-guard-edit",
          message: `${roleLabel} lets ServiceAccount ${subject} change ${hits.join(", ")}: an agent could open its own egress, widen its own RBAC or take another identity's token`,
          fix: "bind agents only to roles that read what their tools need; NetworkPolicies, RBAC and ServiceAccounts are the platform's",
        },
      ]
    : [];
}
