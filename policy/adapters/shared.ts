/**
 * Helpers the adapters share: reading a resource's inputs in the stack pass, naming the agent role
 * an input points at, and attributing a problem to an agent identity.
 */
import type { PolicyDocument } from "../../components/core/iam-document";
import { IDENTITY_KINDS, roleNameOf, type IdentityKind } from "../../components/core/names";
import type { Problem } from "../../components/rules/define";
import { AGENT_LABEL, IDENTITY_LABEL } from "../../components/rules/kubernetes";
import { trustsPodIdentity } from "../../components/rules/trust";
import { asRecord, asString, readInputs, type KnownInputs } from "../inputs";
import type { StackIndex } from "../stack-index";
import { platformResourceKey } from "../platform-resources-config";
import type { PackFinding, PackResource } from "../types";

export const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/** A resource's inputs in the stack pass. */
export interface Read {
  readonly resource: PackResource;
  readonly v: Record<string, unknown>;
  readonly unknown: readonly string[];
}

export const isUnknown = (r: Read, field: string) => r.unknown.some((path) => path === field || path.startsWith(`${field}.`));
export const deps = (r: Read, field: string): readonly PackResource[] => r.resource.propertyDependencies?.[field] ?? [];

/** The stack's resources of some types, as read once by the index. */
export function readOfType(ix: StackIndex, ...types: string[]): Read[] {
  const out: Read[] = [];
  for (const type of types) for (const entry of ix.inputsOfType(type)) out.push({ resource: entry.resource, v: entry.value, unknown: entry.unknown });
  return out;
}

export function finding(owner: { agent: string; kind: IdentityKind | null }, urn: string, rule: string, message: string, fix: string): PackFinding {
  return { rule, message, fix, agent: owner.agent, identity: owner.kind, urn };
}

/** Problems attributed to an identity (or to an agent or resource, identity null). */
export function attributeTo(identity: { agent: string; kind: IdentityKind | null }, urn: string, problems: readonly Problem[]): PackFinding[] {
  return problems.map((problem) => ({ ...problem, agent: identity.agent, identity: identity.kind, urn }));
}

export interface AgentRole {
  readonly agent: string;
  readonly kind: IdentityKind | null;
  readonly name: string;
  readonly urn: string;
}

/** Agent roles of the stack (tagged agent), by lower-cased name; built once per stack. */
const agentRolesOf = new WeakMap<StackIndex, Map<string, AgentRole>>();
export function agentRoles(ix: StackIndex): Map<string, AgentRole> {
  let roles = agentRolesOf.get(ix);
  if (roles) return roles;
  roles = new Map();
  for (const r of ix.roles) {
    if (!r.tags.agent || !r.name) continue;
    const kind = isKind(r.tags.identity) ? r.tags.identity : null;
    roles.set(r.name.toLowerCase(), { agent: r.tags.agent, kind, name: r.name, urn: r.resource.urn });
  }
  agentRolesOf.set(ix, roles);
  return roles;
}

/** The agent role a field names: by its known value, or (unknown at preview) by the role resource it came from. */
export function namedAgentRole(roles: Map<string, AgentRole>, r: Read, field: string, value: string | undefined): AgentRole | "unknown" | undefined {
  if (value !== undefined) return roles.get(roleNameOf(value));
  if (!isUnknown(r, field)) return undefined;
  const from = deps(r, field)
    .map((d) => roles.get(roleNameOf(asString(readInputs(d.props).value.name) ?? "")))
    .find(Boolean);
  return from ?? "unknown";
}

export function unreadablePolicy(resource: PackResource, field: string): Problem {
  return {
    rule: "stack/unknown-input",
    message: `${resource.type} ${resource.name}: ${field} is not a readable IAM policy document`,
    fix: "pass a JSON policy document with a Statement list",
  };
}

/** A role is an agent role when tagged as one, when anything but AWS services may assume it, or when EKS Pod Identity may (pods are workloads, not a service). */
export function isAgentOrFederatedRole(tags: Record<string, string>, trust: PolicyDocument): boolean {
  if (tags.agent && tags.identity) return true;
  if (trustsPodIdentity(trust)) return true;
  return trust.Statement.some(
    (s) =>
      s.Principal === "*" ||
      (s.Effect === "Allow" && (s as { NotPrincipal?: unknown }).NotPrincipal !== undefined) ||
      (typeof s.Principal === "object" && (s.Principal.AWS !== undefined || s.Principal.Federated !== undefined)),
  );
}

/** Who a resource belongs to: the agent and identity from its tags, labels or Vault alias metadata. */
export function ownerOf(resource: PackResource, inputs: KnownInputs): { agent: string; identity: IdentityKind | null } {
  const v = inputs.value;
  const metadata = asRecord(v.metadata);
  const labels = asRecord((v.metadata as { labels?: unknown } | undefined)?.labels);
  const candidates = [asRecord(v.tags), asRecord(v.aliasMetadata), { agent: labels[AGENT_LABEL], identity: labels[IDENTITY_LABEL] }];
  for (const source of candidates) {
    if (source.agent) return { agent: source.agent, identity: isKind(source.identity) ? source.identity : null };
  }
  // A Kubernetes object that carries no agent's labels is the platform's (its own name is no agent's).
  if (resource.type.startsWith("kubernetes:")) return { agent: "platform", identity: null };
  // An inline policy or attachment is named after the role it is attached to.
  const role = asString(v.role)?.split("/").pop();
  return { agent: role ?? asString(v.name) ?? asString(v.roleName) ?? metadata.name ?? resource.name, identity: null };
}

/** `stack/no-shared-identity` on an identity whose ServiceAccount, role or Vault role something else also uses. */
export function sharedIdentity(what: string, urn: string, identity: { agent: string; kind: IdentityKind }, other: string): PackFinding {
  return {
    rule: "stack/no-shared-identity",
    agent: identity.agent,
    identity: identity.kind,
    urn,
    message: `${what} is shared with ${other}`,
    fix: "give every identity its own ServiceAccount, IAM role and Vault role",
  };
}

export const saKey = (namespace: string, name: string) => `${namespace}/${name}`;

export const only = (rules: readonly string[], problems: readonly Problem[]) => problems.filter((problem) => rules.includes(problem.rule));

/** The agents' account(s): of the IRSA roles the components annotate on agents' ServiceAccounts. */
const accountsCache = new WeakMap<StackIndex, ReadonlySet<string>>();
export function agentAccounts(ix: StackIndex): ReadonlySet<string> {
  const known = accountsCache.get(ix);
  if (known) return known;
  const out = new Set<string>();
  for (const sa of ix.serviceAccounts) {
    const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(sa.annotations["eks.amazonaws.com/role-arn"] ?? "")?.[1];
    if (account) out.add(account);
  }
  accountsCache.set(ix, out);
  return out;
}

/**
 * A refusal the security team may lift by declaring the resource (kubernetesPlatformResources, by
 * URN and inputs digest): owned by the platform, keyed by the resource's type and Pulumi name.
 */
export function declarablePlatformFinding(resource: Pick<PackResource, "type" | "name" | "urn">, rule: string, message: string, fix: string): PackFinding {
  return {
    rule,
    agent: "platform",
    identity: null,
    urn: resource.urn,
    platformResource: platformResourceKey(resource.type, resource.name),
    message,
    fix: `${fix}, or have the security team declare it (kubernetesPlatformResources)`,
  };
}

/**
 * A Kubernetes provider's default namespace (`namespace` input), read through the engine's unknown
 * markers: `unknown` when it is unknown at preview, so a caller fails closed instead of guessing.
 */
export function providerNamespace(provider: PackResource["provider"]): { readonly namespace?: string; readonly unknown: boolean } {
  if (!provider) return { unknown: false };
  const inputs = readInputs(provider.props as Record<string, unknown>);
  if (inputs.unknown.some((path) => path === "namespace")) return { unknown: true };
  return { namespace: asString(inputs.value.namespace), unknown: false };
}
