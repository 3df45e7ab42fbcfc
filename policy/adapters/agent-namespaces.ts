/**
 * Agents' namespaces, the unit the Kubernetes closed world is drawn around: every namespace an agent
 * ServiceAccount lives in, and every Namespace the stack labels with an agent. Findings about what
 * happens in one are attributed to its agents (not to the resource that did it), so they read like
 * `plan`'s: the agent, the rule, what is wrong and the fix.
 */
import { LABEL_PREFIX } from "../../components/core/compile";
import { asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { PackFinding } from "../types";
import { isUnknown, type Read } from "./shared";

export interface AgentNamespace {
  readonly name: string;
  /** The agents whose ServiceAccounts live there (or whose label the Namespace carries), sorted. */
  readonly agents: readonly string[];
  /** The Namespace's labels when the stack creates it (all of them known), else undefined. */
  readonly labels: Readonly<Record<string, string>> | undefined;
}

const cache = new WeakMap<StackIndex, ReadonlyMap<string, AgentNamespace>>();

/** Agents' namespaces by name, built once per stack. */
export function agentNamespaces(ix: StackIndex): ReadonlyMap<string, AgentNamespace> {
  const known = cache.get(ix);
  if (known) return known;
  const agents = new Map<string, Set<string>>();
  const add = (namespace: string, agent: string) => agents.set(namespace, (agents.get(namespace) ?? new Set()).add(agent));
  for (const sa of ix.serviceAccounts) add(sa.namespace, sa.agent);
  for (const ns of ix.namespaces) {
    const agent = ns.labels[`${LABEL_PREFIX}/agent`];
    if (ns.name !== undefined && agent) add(ns.name, agent);
  }
  const out = new Map<string, AgentNamespace>();
  for (const [name, set] of agents) {
    const declared = ix.by.namespacesNamed.get(name)?.[0];
    out.set(name, { name, agents: [...set].sort(), labels: declared ? { ...declared.labels, "kubernetes.io/metadata.name": name } : undefined });
  }
  cache.set(ix, out);
  return out;
}

/**
 * Where a namespaced resource lives: its known namespace, or `unknown` when metadata.namespace is
 * missing (the provider picks its default, which may be an agent's) or unknown at preview.
 */
export function namespaceOf(r: Read): string | "unknown" {
  if (isUnknown(r, "metadata") || isUnknown(r, "metadata.namespace")) return "unknown";
  return asString(asRecord(r.v.metadata).namespace) ?? "unknown";
}

/** One finding per agent of a namespace; `platform` when the namespace is unknown (it may be any agent's). */
export function findingsFor(
  namespace: AgentNamespace | "unknown",
  urn: string,
  problem: { rule: string; message: string; fix: string },
  extra: Partial<PackFinding> = {},
): PackFinding[] {
  const agents = namespace === "unknown" ? ["platform"] : namespace.agents;
  return agents.map((agent) => ({ ...problem, ...extra, agent, identity: null, urn }));
}

/** The agent namespace a resource is in, `unknown` when it may be one, or undefined when it is not (none exist, or known elsewhere). */
export function agentNamespaceOf(ix: StackIndex, r: Read): AgentNamespace | "unknown" | undefined {
  const namespaces = agentNamespaces(ix);
  if (namespaces.size === 0) return undefined;
  const namespace = namespaceOf(r);
  return namespace === "unknown" ? "unknown" : namespaces.get(namespace);
}
