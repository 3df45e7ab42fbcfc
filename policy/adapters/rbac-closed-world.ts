/**
 * The closed world over agents' namespaces, for RBAC (kubernetes/agent-namespace-rbac). The
 * components create no RBAC, so in an agent's namespace the only subjects a RoleBinding may name are
 * that namespace's own agent ServiceAccounts (what they get is judged by the other RBAC rules).
 * Anyone else with rights there, or cluster-wide, holds an undeclared grant over the agents: refused
 * unless a declared platform operator (operators-config.ts) holds read-only rights on ordinary
 * objects. Rules the stack adds to roles bound outside it (aggregation labels, Patches of built-in
 * roles, Patches of Roles in agent namespaces) are judged as bound to unknown subjects.
 */
import type { RbacRule } from "../../components/rules/kubernetes";
import { reachOf } from "../checks/rbac-reach";
import { subjectKey } from "../operators-config";
import type { StackIndex } from "../stack-index";
import type { PackFinding } from "../types";
import { agentNamespaces, findingsFor, type AgentNamespace } from "./agent-namespaces";

const RULE = "kubernetes/agent-namespace-rbac";
const FIX_BINDING =
  "bind only the namespace's own agent ServiceAccounts there; a platform operator needs a kubernetesOperators entry in the pack's configuration and read-only rights (get, list, watch; no Secrets, tokens or exec)";
const FIX_ROLE =
  "add to roles bound outside this stack only read-only rights on ordinary objects (get, list, watch; no Secrets, tokens or exec), or bind a role of your own to named subjects";

type Binding = StackIndex["bindings"][number];

/** The agent ServiceAccount a subject is (by kind ServiceAccount, or its User name), if any. */
function agentAccountOf(ix: StackIndex, subject: Readonly<Record<string, string>>, bindingNamespace: string) {
  const name = subject.name ?? "";
  if (subject.kind === "ServiceAccount") return ix.by.serviceAccountAt(subject.namespace ?? bindingNamespace, name);
  if (subject.kind === "User" && name.startsWith("system:serviceaccount:")) {
    const [namespace, saName] = name.slice("system:serviceaccount:".length).split(":");
    return ix.by.serviceAccountAt(namespace, saName);
  }
  return undefined;
}

const listAgents = (namespaces: ReadonlyMap<string, AgentNamespace>) => {
  const names = [...namespaces.keys()].sort();
  return names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
};

/** What a role gives beyond an operator's read-only rights, in words (the unknown role counts as everything). */
function judge(rules: readonly RbacRule[] | undefined) {
  if (!rules) return { reaches: true, beyond: ["a role not defined in this stack, read as everything"] };
  const { reaching, beyond } = reachOf(rules);
  return { reaches: reaching.length > 0, beyond };
}

function checkBinding(ix: StackIndex, binding: Binding, rules: readonly RbacRule[] | undefined, cluster: boolean, findings: PackFinding[]) {
  const namespaces = agentNamespaces(ix);
  const where: AgentNamespace | "unknown" | "cluster" | undefined = cluster
    ? "cluster"
    : !binding.namespaceKnown
      ? "unknown"
      : namespaces.get(binding.namespace);
  if (!where) return;
  const { reaches, beyond } = judge(rules);
  if (!reaches) return;
  const role = `${binding.roleRef.kind ?? "role"} ${binding.roleRef.name ?? "?"}`;
  const kind = binding.resource.type.split(":").pop();
  for (const subject of binding.subjects) {
    const account = agentAccountOf(ix, subject, binding.namespace);
    // An agent's own ServiceAccount in its namespace, or any agent cluster-wide (kubernetes/cluster-role-binding): judged elsewhere.
    if (account && (where === "cluster" || (where !== "unknown" && account.namespace === where.name))) continue;
    const key = subjectKey(subject, binding.namespace);
    const other = account ? ` (agent ${account.agent}'s ${account.kind} identity, from another namespace)` : "";
    const what = beyond.length ? `: ${beyond.join("; ")}` : " (read-only)";
    const scope =
      where === "cluster"
        ? `over every agent namespace (${listAgents(namespaces)})`
        : where === "unknown"
          ? "in a namespace missing or unknown at preview, which may be an agent's"
          : `in agent namespace ${where.name}`;
    const problem = { rule: RULE, message: `${kind} ${binding.resource.name} gives ${key}${other} ${role} ${scope}${what}`, fix: FIX_BINDING };
    // Only a non-agent subject with read-only rights may be covered by a declaration.
    const extra = !account && beyond.length === 0 ? { operatorSubject: key } : {};
    if (where === "cluster") findings.push({ ...problem, ...extra, agent: "platform", identity: null, urn: binding.resource.urn });
    else findings.push(...findingsFor(where, binding.resource.urn, problem, extra));
  }
}

/** Roles whose rules reach subjects bound outside the stack: aggregated into another, a built-in one, or a Patch of a Role in an agent namespace. */
function checkRolesBoundElsewhere(ix: StackIndex, builtins: ReadonlySet<string>, findings: PackFinding[]) {
  const namespaces = agentNamespaces(ix);
  for (const role of ix.rbacRoles) {
    const kind = role.resource.type.split(":").pop() ?? "";
    const name = role.name ?? "";
    const how = role.cluster
      ? role.aggregateTo.length
        ? `is aggregated into ClusterRole ${role.aggregateTo.join(", ")}, so every subject bound to that role anywhere gets its rules`
        : builtins.has(name) || name.startsWith("system:")
          ? `changes the built-in ClusterRole ${name}, bound outside this stack`
          : undefined
      : kind.endsWith("Patch") && role.namespace !== undefined && namespaces.has(role.namespace)
        ? `changes Role ${name} in agent namespace ${role.namespace}, which bindings outside this stack may name`
        : undefined;
    if (!how) continue;
    const { reaches, beyond } = judge(role.rules);
    if (!reaches || beyond.length === 0) continue;
    const problem = { rule: RULE, message: `${kind} ${role.resource.name} ${how}: ${beyond.join("; ")}`, fix: FIX_ROLE };
    const ns = role.cluster ? undefined : namespaces.get(role.namespace ?? "");
    if (ns) findings.push(...findingsFor(ns, role.resource.urn, problem));
    else findings.push({ ...problem, agent: "platform", identity: null, urn: role.resource.urn });
  }
}

/** The closed-world RBAC findings of a stack with agent namespaces (none without). */
export function checkAgentNamespaceRbac(
  ix: StackIndex,
  rulesOf: (binding: Binding) => RbacRule[] | undefined,
  isCluster: (binding: Binding) => boolean,
  builtins: ReadonlySet<string>,
): PackFinding[] {
  if (agentNamespaces(ix).size === 0) return [];
  const findings: PackFinding[] = [];
  for (const binding of ix.bindings) checkBinding(ix, binding, rulesOf(binding), isCluster(binding), findings);
  checkRolesBoundElsewhere(ix, builtins, findings);
  return findings;
}
