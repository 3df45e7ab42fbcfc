/**
 * Workloads: every kind that runs pods as a ServiceAccount (Pod, Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, CronJob, ReplicationController and their Patches), and kinds whose pods the pack
 * cannot see (Helm releases, custom resources). Workloads are tied to identities by namespace: in
 * an agent namespace a workload runs as one of that namespace's agent ServiceAccounts (never
 * `default` or another account), mounts no default token, and carries its identity's labels
 * (agent.workload(kind)); outside agents' namespaces no workload carries an agent's labels.
 */
import { platformResourceKey } from "../platform-resources-config";
import { LABEL_PREFIX } from "../../components/core/compile";
import { asRecord, asString } from "../inputs";
import type { Adapter } from "../types";
import { SERVICE_ACCOUNT_TYPES, accountsByName, unknownNamespace } from "./service-accounts";
import { finding, isKind, isUnknown, readOfType, type Read } from "./shared";
import { agentNamespaces, findingsFor } from "./agent-namespaces";
import { checkPodTokens } from "../checks/projected-token";
import { AGENT_LABEL, IDENTITY_LABEL } from "../../components/rules/kubernetes";

const WORKLOADS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:core/v1:Pod": [],
  "kubernetes:apps/v1:Deployment": ["spec", "template"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
  "kubernetes:batch/v1:Job": ["spec", "template"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template"],
};

/** Workload kinds (and their Patch, which may set the ServiceAccount of one outside the stack) and where their pod template is. */
export const WORKLOAD_TYPES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(WORKLOADS).flatMap(([type, path]) => [
    [type, path],
    [`${type}Patch`, path],
  ]),
);

/** A workload's pod template, read by the path WORKLOAD_TYPES names: the one reader every pod-spec check uses. */
export interface PodTemplate {
  /** Where the template sits in the inputs (`[]` for a Pod, `["spec", "template"]` for a Deployment). */
  readonly at: readonly string[];
  /** The template as written (metadata and spec), `{}` when absent. */
  readonly template: { readonly metadata?: { readonly labels?: unknown; readonly annotations?: unknown }; readonly spec?: unknown };
  readonly labels: Record<string, string>;
  readonly spec: { readonly serviceAccountName?: unknown; readonly serviceAccount?: unknown; readonly [field: string]: unknown } | undefined;
}

/** The pod template of a workload kind (or its Patch); undefined for any other type. */
export function podTemplateOf(type: string, value: Record<string, unknown>): PodTemplate | undefined {
  const at = WORKLOAD_TYPES[type];
  if (!at) return undefined;
  let template: unknown = value;
  for (const key of at) template = (template as Record<string, unknown> | undefined)?.[key];
  const t = (template && typeof template === "object" ? template : {}) as PodTemplate["template"];
  const spec = t.spec && typeof t.spec === "object" ? (t.spec as PodTemplate["spec"]) : undefined;
  return { at, template: t, labels: asRecord(t.metadata?.labels), spec };
}

const RULE = "kubernetes/service-account-use";

/** Helm v3 Release: the chart renders inside the provider (v4 Chart registers its objects). */
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

export const workloads: Adapter = {
  family: "workloads",
  holdings: "none: a workload runs as an identity, it holds nothing of its own",
  types: [
    ...Object.keys(WORKLOAD_TYPES).map((type) => ({
      type,
      route: type.endsWith("Patch") ? "may set the ServiceAccount of a workload, in or outside the stack" : "runs pods as a ServiceAccount",
      checkedBy: [RULE],
    })),
    {
      type: "kubernetes:helm.sh/* (Release, Chart) and every other kubernetes:* kind (custom resources: Argo Rollouts, Workflows ...)",
      route: "runs pods the pack cannot see (rendered inside the provider, or started by an operator)",
      checkedBy: [RULE, "kubernetes/rbac-pod-create", "kubernetes/agent-namespace-objects"],
    },
  ],
  stack: (ix, pass) => {
    const { findings } = pass;
    const saRule = RULE;
    const saAt = (namespace: string, name: string | undefined) => ix.by.serviceAccountAt(namespace, name);
    const agentSaNames = accountsByName(ix);
    const namespaces = agentNamespaces(ix);
    const noNamespace = (r: Read, saName: string | undefined, what: string) => {
      const problem = unknownNamespace(r, saName, agentSaNames, what);
      if (problem) findings.push(problem);
      return problem !== undefined;
    };
    for (const r of readOfType(ix, ...Object.keys(WORKLOAD_TYPES))) {
      const { at: path, labels, spec } = podTemplateOf(r.resource.type, r.v)!;
      if (noNamespace(r, asString(spec?.serviceAccountName) ?? asString(spec?.serviceAccount), "runs as")) continue;
      const namespace = asString(asRecord(r.v.metadata).namespace) ?? "default";
      const specPath = [...path, "spec"].join(".");
      if (isUnknown(r, `${specPath}.serviceAccountName`) || isUnknown(r, `${specPath}.serviceAccount`)) {
        const agentNamespace = namespaces.get(namespace);
        if (agentNamespace)
          findings.push(
            ...findingsFor(agentNamespace, r.resource.urn, {
              rule: saRule,
              message: `${r.resource.type} ${r.resource.name}: its ServiceAccount is unknown at preview, in namespace ${namespace} where agents run`,
              fix: "name the ServiceAccount with a known value",
            }),
          );
        continue;
      }
      const saName = asString(spec?.serviceAccountName) ?? asString(spec?.serviceAccount);
      const sa = saAt(namespace, saName);
      const agentNamespace = namespaces.get(namespace);
      const kind = r.resource.type.split(":").pop();
      if (agentNamespace) {
        // Tied by namespace: in an agent's namespace a pod runs as one of that namespace's identities, and
        // mounts no default token whatever its labels say (the per-resource pass saw only labelled pods).
        if (!sa)
          findings.push(
            ...findingsFor(agentNamespace, r.resource.urn, {
              rule: saRule,
              message: `${kind} ${r.resource.name} runs in agent namespace ${namespace} as ServiceAccount ${saName ?? "default (none named)"}, which is none of the agents' identities there`,
              fix: "run only the agents' own workloads in their namespace, each as its identity's ServiceAccount (agent.workload(kind)); run other workloads elsewhere",
            }),
          );
        if (labels[AGENT_LABEL] === undefined)
          for (const problem of checkPodTokens(`${kind} ${r.resource.name}`, spec, { automount: true, projected: false }))
            findings.push(
              ...(sa
                ? [finding({ agent: sa.agent, kind: sa.kind }, r.resource.urn, problem.rule, problem.message, problem.fix)]
                : findingsFor(agentNamespace, r.resource.urn, problem)),
            );
      } else if (labels[AGENT_LABEL] !== undefined) {
        // An agent's labels outside its namespaces: a copy that selectors (NetworkPolicies, Services) would take for the agent.
        const claimed = labels[AGENT_LABEL];
        findings.push(
          finding(
            { agent: claimed, kind: isKind(labels[IDENTITY_LABEL]) ? labels[IDENTITY_LABEL] : null },
            r.resource.urn,
            saRule,
            `${kind} ${r.resource.name} carries agent ${claimed}'s labels in namespace ${namespace}, where no identity of that agent lives`,
            "run an agent's workloads only in its own namespace, as its identities' ServiceAccounts; other workloads carry no agent labels",
          ),
        );
      }
      if (!sa) continue;
      if (labels[`${LABEL_PREFIX}/agent`] !== sa.agent || labels[`${LABEL_PREFIX}/identity`] !== sa.kind) {
        findings.push(
          finding(
            { agent: sa.agent, kind: sa.kind },
            r.resource.urn,
            saRule,
            `${r.resource.type} ${r.resource.name} runs as ServiceAccount ${sa.namespace}/${sa.name} without the labels ${LABEL_PREFIX}/agent=${sa.agent}, ${LABEL_PREFIX}/identity=${sa.kind} on its pod template`,
            "build the pod spec with agent.workload(kind) and spread its labels into the pod template",
          ),
        );
      }
    }

    // Kinds whose pods the pack cannot see: a Helm release renders its chart inside the provider, and
    // custom resources (Argo Rollouts, Workflows...) start pods through their operator.
    const seen = new Set<string>([
      ...Object.keys(WORKLOAD_TYPES),
      SERVICE_ACCOUNT_TYPES.serviceAccount,
      SERVICE_ACCOUNT_TYPES.serviceAccountPatch,
      SERVICE_ACCOUNT_TYPES.secret,
      SERVICE_ACCOUNT_TYPES.secretPatch,
    ]);
    for (const r of ix.inputs
      .filter((x) => x.resource.type.startsWith("kubernetes:") && !seen.has(x.resource.type))
      .map((x): Read => ({ resource: x.resource, v: x.value, unknown: x.unknown }))) {
      const helm = r.resource.type.startsWith("kubernetes:helm.sh/");
      const namespaceField = helm ? "namespace" : "metadata.namespace";
      const namespace = helm ? asString(r.v.namespace) : asString(asRecord(r.v.metadata).namespace);
      const namespaceUnknown = isUnknown(r, namespaceField) || (!helm && isUnknown(r, "metadata"));
      const inAgentNamespace = namespaceUnknown || (namespace !== undefined && namespaces.has(namespace));
      // Attributed to the agents of the namespace it is in, else to the identity whose ServiceAccount it names.
      const report = (named: readonly string[], problem: { rule: string; message: string; fix: string }) => {
        const ns = namespaceUnknown ? "unknown" : namespace === undefined ? undefined : namespaces.get(namespace);
        const exact = named.length && namespace !== undefined ? ix.by.serviceAccountAt(namespace, named[0]) : undefined;
        const owner = exact ? { agent: exact.agent, kind: exact.kind } : named.length ? agentSaNames.get(named[0]) : undefined;
        if (ns && !(ns === "unknown" && owner) && !exact) findings.push(...findingsFor(ns, r.resource.urn, problem));
        else findings.push(finding(owner ?? { agent: "platform", kind: null }, r.resource.urn, problem.rule, problem.message, problem.fix));
      };
      if (helm) {
        const named = stringsIn(r.v.values).filter((value) => agentSaNames.has(value));
        if (inAgentNamespace || named.length) {
          report(named, {
            rule: saRule,
            message: `${r.resource.type} ${r.resource.name} ${inAgentNamespace ? `installs into ${namespaceUnknown ? "a namespace unknown at preview" : `agent namespace ${namespace}`}` : `has values naming agent ServiceAccount ${named.join(", ")}`}; the chart's pods are not visible to the pack`,
            fix: "install charts outside agents' namespaces and never name an agent ServiceAccount in their values; run agent pods with agent.workload(kind)",
          });
        } else if (r.resource.type === HELM_RELEASE && namespaces.size > 0) {
          // A v3 Release renders its chart inside the provider: its templates may set any namespace
          // (RoleBindings, webhooks, pods into agents'), and none of it reaches the pack.
          findings.push({
            rule: "kubernetes/agent-namespace-objects",
            agent: "platform",
            identity: null,
            urn: r.resource.urn,
            platformResource: platformResourceKey(r.resource.type, r.resource.name),
            message: `Helm Release ${r.resource.name} renders its chart inside the provider in a stack with agents; its templates may create objects in any namespace (RoleBindings, webhooks, pods in agents' namespaces) the pack cannot read`,
            fix: `use kubernetes:helm.sh/v4:Chart (its objects are registered and read one by one), deploy the release from a stack without agents, or have the security team declare it (kubernetesPlatformResources)`,
          });
        }
        continue;
      }
      const accounts = serviceAccountNames(r.v);
      const unknownAccount = r.unknown.some((p) => /(^|\.)serviceAccount(Name)?$/.test(p));
      const named = accounts.filter((name) => agentSaNames.has(name) && (namespace === undefined || ix.by.serviceAccountAt(namespace, name) !== undefined));
      if (named.length || (unknownAccount && inAgentNamespace)) {
        report(named, {
          rule: saRule,
          message: `${r.resource.type} ${r.resource.name} is a kind the pack cannot read pods from, and it runs as ${named.length ? `agent ServiceAccount ${named.join(", ")}` : "a ServiceAccount unknown at preview in an agent namespace"}`,
          fix: "run agent pods only through the workload kinds the pack reads (Deployment, Job ...), built with agent.workload(kind)",
        });
      }
    }
  },
};

/** Every string at any depth (bounded), e.g. in a Helm release's values. */
function stringsIn(value: unknown, depth = 0): string[] {
  if (typeof value === "string") return [value];
  if (!value || typeof value !== "object" || depth > 16) return [];
  return Object.values(value).flatMap((child) => stringsIn(child, depth + 1));
}

/** Values of `serviceAccountName` / `serviceAccount` keys at any depth (bounded): where a pod template names its ServiceAccount. */
function serviceAccountNames(value: unknown, depth = 0): string[] {
  if (!value || typeof value !== "object" || depth > 16) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...((key === "serviceAccountName" || key === "serviceAccount") && typeof child === "string" ? [child] : []),
    ...serviceAccountNames(child, depth + 1),
  ]);
}
