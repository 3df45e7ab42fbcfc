/**
 * Kubernetes ServiceAccounts: an agent identity's own (labelled with its agent and identity), and
 * what else may act as one: a ServiceAccountPatch changing it, a token Secret for it. Per resource:
 * token mounting, system namespaces and lifecycle labels. Across the stack: every agent has three
 * identities, each with one ServiceAccount, and nothing else holds or changes them.
 */
import { IDENTITY_KINDS, roleNameOf, type IdentityKind } from "../../components/core/names";
import { AGENT_LABEL, checkServiceAccount } from "../../components/rules/kubernetes";
import { checkAgentServiceAccount } from "../agent-metadata-checks";
import { asBoolean, asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter } from "../types";
import { agentRoles, finding, isUnknown, readOfType, saKey, sharedIdentity, type Read } from "./shared";

/** The annotation EKS reads to give a ServiceAccount's pods an IAM role (IRSA). */
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

export const SERVICE_ACCOUNT_TYPES = {
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  serviceAccountPatch: "kubernetes:core/v1:ServiceAccountPatch",
  secret: "kubernetes:core/v1:Secret",
  secretPatch: "kubernetes:core/v1:SecretPatch",
} as const;

/** A resource naming an agent ServiceAccount's name without a known namespace: the provider picks one (maybe the agent's). */
export function unknownNamespace(r: Read, saName: string | undefined, agentNames: ReadonlyMap<string, { agent: string; kind: IdentityKind }>, what: string) {
  const owner = saName === undefined ? undefined : agentNames.get(saName);
  if (asString(asRecord(r.v.metadata).namespace) !== undefined || owner === undefined) return undefined;
  // Attributed to the agent identity whose ServiceAccount's name it uses (the first, if several agents share the name).
  return finding(
    owner,
    r.resource.urn,
    "kubernetes/service-account-use",
    `${r.resource.type} ${r.resource.name} ${what} ServiceAccount ${saName} (an agent ServiceAccount's name) and its metadata.namespace is missing or unknown at preview, so which ServiceAccount it is cannot be checked`,
    "set metadata.namespace explicitly, with a known value",
  );
}

/** Agent ServiceAccounts by name (the first of each name, in stack order): whose identity a bare name points at. */
export function accountsByName(ix: StackIndex): ReadonlyMap<string, { agent: string; kind: IdentityKind }> {
  const out = new Map<string, { agent: string; kind: IdentityKind }>();
  for (const sa of ix.serviceAccounts) if (!out.has(sa.name)) out.set(sa.name, { agent: sa.agent, kind: sa.kind });
  return out;
}

export const serviceAccounts: Adapter = {
  family: "service-accounts",
  holdings:
    "a ServiceAccount labelled agent/identity is that identity (IdentityHoldings.agent and .identity); its owns annotation is read as the agent's declared owned resources",
  types: [
    {
      type: SERVICE_ACCOUNT_TYPES.serviceAccount,
      key: "serviceAccount",
      route: "the agent's ServiceAccount",
      agentMetadata: ["metadata.labels", "metadata.annotations"],
      checkedBy: ["kubernetes/automount-token", "kubernetes/system-namespace", "stack/three-identities", "stack/no-shared-identity"],
    },
    {
      type: SERVICE_ACCOUNT_TYPES.serviceAccountPatch,
      key: "serviceAccountPatch",
      route: "changes a ServiceAccount's labels, annotations or token mounting",
      checkedBy: ["kubernetes/service-account-use"],
    },
    { type: SERVICE_ACCOUNT_TYPES.secret, key: "secret", route: "a long-lived token for a ServiceAccount", checkedBy: ["kubernetes/service-account-use"] },
    {
      type: SERVICE_ACCOUNT_TYPES.secretPatch,
      key: "secretPatch",
      route: "a long-lived token for a ServiceAccount",
      checkedBy: ["kubernetes/service-account-use"],
    },
  ],
  check: (resource, inputs, context) => {
    if (resource.type !== SERVICE_ACCOUNT_TYPES.serviceAccount) return [];
    const v = inputs.value;
    const metadata = (v.metadata ?? {}) as Record<string, unknown>;
    const labels = asRecord(metadata.labels);
    if (!labels[AGENT_LABEL]) return [];
    return [
      ...checkServiceAccount({
        namespace: asString(metadata.namespace) ?? "default",
        name: asString(metadata.name) ?? "",
        automountServiceAccountToken: asBoolean(v.automountServiceAccountToken),
      }),
      ...checkAgentServiceAccount(labels, asRecord(metadata.annotations), context.now),
    ];
  },
  stack: (ix, pass) => {
    const { findings } = pass;
    const ofType = (...types: string[]) => readOfType(ix, ...types);
    // Every agent has three identities; no ServiceAccount is shared.
    for (const [agent, accounts] of [...ix.by.serviceAccountsOfAgent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const kinds = IDENTITY_KINDS.filter((kind) => ix.by.serviceAccountsOf(agent, kind).length > 0);
      if (kinds.length !== IDENTITY_KINDS.length)
        findings.push({
          rule: "stack/three-identities",
          agent,
          identity: null,
          urn: accounts[0].resource.urn,
          message: `has ServiceAccounts for [${kinds.join(", ")}] only`,
          fix: "create the agent with the Agent component so it gets orchestration, execution and audit",
        });
    }
    for (const sa of ix.serviceAccounts) {
      // The same namespace/name in several clusters (one copy per cluster provider) is one identity, not two.
      const twins = ix.by.serviceAccountsOf(sa.agent, sa.kind).filter((o) => o !== sa && saKey(o.namespace, o.name) !== saKey(sa.namespace, sa.name));
      if (twins.length)
        findings.push(sharedIdentity(`identity ${sa.agent}/${sa.kind}`, sa.resource.urn, sa, twins.map((t) => saKey(t.namespace, t.name)).join(", ")));
    }
    const saRule = "kubernetes/service-account-use";
    const saAt = (namespace: string, name: string | undefined) => ix.by.serviceAccountAt(namespace, name);
    const agentSaNames = accountsByName(ix);
    const noNamespace = (r: Read, saName: string | undefined, what: string) => {
      const problem = unknownNamespace(r, saName, agentSaNames, what);
      if (problem) findings.push(problem);
      return problem !== undefined;
    };
    for (const r of ofType(SERVICE_ACCOUNT_TYPES.secret, SERVICE_ACCOUNT_TYPES.secretPatch)) {
      const metadata = (r.v.metadata ?? {}) as Record<string, unknown>;
      const annotations = asRecord(metadata.annotations);
      if (noNamespace(r, annotations["kubernetes.io/service-account.name"], "holds a token for")) continue;
      const sa = saAt(asString(metadata.namespace) ?? "default", annotations["kubernetes.io/service-account.name"]);
      if (sa && (asString(r.v.type) === "kubernetes.io/service-account-token" || isUnknown(r, "type"))) {
        findings.push(
          finding(
            { agent: sa.agent, kind: sa.kind },
            r.resource.urn,
            saRule,
            `Secret ${r.resource.name} holds a long-lived token for ServiceAccount ${sa.namespace}/${sa.name}`,
            "each identity uses only its own short-lived projected token",
          ),
        );
      }
    }
    // An agent's IRSA role on any other ServiceAccount: its trust admits only the agent's own, but the
    // annotation hands the role to pods there (and a trust rewritten later would follow it).
    const roles = agentRoles(ix);
    for (const r of ofType(SERVICE_ACCOUNT_TYPES.serviceAccount, SERVICE_ACCOUNT_TYPES.serviceAccountPatch)) {
      const metadata = asRecord(r.v.metadata);
      const arn = asRecord((r.v.metadata as { annotations?: unknown } | undefined)?.annotations)[IRSA_ANNOTATION];
      const role = arn === undefined ? undefined : roles.get(roleNameOf(arn).toLowerCase());
      if (!role) continue;
      const labels = asRecord((r.v.metadata as { labels?: unknown } | undefined)?.labels);
      const own = ix.by
        .serviceAccountsOf(role.agent, role.kind ?? "execution")
        .some((sa) => sa.namespace === (metadata.namespace ?? "default") && sa.name === metadata.name);
      if (own && labels[AGENT_LABEL] === role.agent && r.resource.type === SERVICE_ACCOUNT_TYPES.serviceAccount) continue;
      findings.push(
        sharedIdentity(
          `IAM role ${role.name} (agent ${role.agent}'s ${role.kind ?? "role"})`,
          r.resource.urn,
          { agent: role.agent, kind: role.kind ?? "execution" },
          `ServiceAccount ${metadata.namespace ?? "default"}/${metadata.name ?? r.resource.name}, annotated ${IRSA_ANNOTATION}`,
        ),
      );
    }
    for (const r of ofType(SERVICE_ACCOUNT_TYPES.serviceAccountPatch)) {
      const metadata = asRecord(r.v.metadata);
      const sa = saAt(metadata.namespace ?? "default", metadata.name);
      const unknownTarget = isUnknown(r, "metadata.name") || isUnknown(r, "metadata.namespace") || isUnknown(r, "metadata");
      if (sa || unknownTarget) {
        const who = sa ? { agent: sa.agent, kind: sa.kind } : { agent: "platform", kind: null };
        findings.push(
          finding(
            who,
            r.resource.urn,
            saRule,
            `ServiceAccountPatch ${r.resource.name} changes ${sa ? `agent ServiceAccount ${sa.namespace}/${sa.name}` : "a ServiceAccount unknown at preview"}`,
            "change an agent's ServiceAccount through its declaration only",
          ),
        );
      }
    }
  },
};
