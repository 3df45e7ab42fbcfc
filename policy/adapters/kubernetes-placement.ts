/**
 * Where the stack's Kubernetes objects land (kubernetes/object-placement), in a stack with agents:
 * judged by namespace, the closed-world way, whatever the kind. Agents' namespaces are judged by
 * the other adapters. Everywhere else:
 * - a namespaced object states its namespace (metadata.namespace, or the provider's `namespace`
 *   input): without either it lands in the kubeconfig context's namespace, which the pack cannot read;
 * - kube-system, kube-public and kube-node-lease are the platform's: nothing lands there;
 * - a namespace the stack itself creates (a Namespace, through a provider that does not upsert) is
 *   the stack's own: anything (judged by the other adapters);
 * - an existing namespace (one the stack writes into but does not create: vault, argocd, tools ...)
 *   holds objects the stack does not own, so there the stack may only add objects of its own: no
 *   Patch, no RBAC, no ServiceAccount token Secret for an account it does not create there, no pod
 *   reading a Secret it does not create there, no EndpointSlice joining a Service it does not
 *   create there, no object through an upserting provider (it would adopt an existing one), and a
 *   custom resource only of a kind whose operator's effect is bounded to that namespace
 *   (BOUNDED_CUSTOM_KINDS);
 * - a Patch of a cluster-scoped object changes something the stack does not own.
 * Each is refused unless the security team declares the resource (kubernetesPlatformResources).
 */
import { asRecord, asString, readInputs } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackResource } from "../types";
import { isCustomResource, readElsewhere } from "./custom-resources";
import { agentNamespaces } from "./agent-namespaces";
import { clusterOf } from "./providers";
import { declarablePlatformFinding, isUnknown, type Read } from "./shared";
import { podTemplateOf } from "./workloads";

const RULE = "kubernetes/object-placement";
export const RESERVED_NAMESPACES: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Kubernetes' built-in cluster-scoped kinds (every other built-in kind is namespaced). */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ComponentStatus",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "VolumeAttributesClass",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "IPAddress",
  "ServiceCIDR",
  "ClusterCIDR",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "CustomResourceDefinition",
  "APIService",
  "CertificateSigningRequest",
  "ClusterTrustBundle",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "StorageVersion",
  "StorageVersionMigration",
  "DeviceClass",
  "ResourceSlice",
  "DeviceTaintRule",
  "PodSecurityPolicy",
  "TokenReview",
  "SubjectAccessReview",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "SelfSubjectReview",
  "AuditSink",
]);

/**
 * Custom kinds whose operator only reads the object and names nothing else of the namespace (no
 * Secret, no ServiceAccount, no pod, no manifest from elsewhere): allowed in an existing namespace.
 * Everything else is declared or refused there: Argo CD Applications, Flux Kustomizations and
 * HelmReleases, Tekton and Argo Workflows (pods under any account, templates naming their own,
 * Secret volumes), Prometheus ServiceMonitors and PodMonitors (they send a named Secret as scrape
 * credentials to any target), External Secrets (a Merge into an existing Secret), cert-manager
 * Certificates (a certificate written over an existing Secret).
 */
const BOUNDED_CUSTOM_KINDS: ReadonlySet<string> = new Set([
  // Prometheus Operator: alerting and recording rules only.
  "monitoring.coreos.com:PrometheusRule",
]);

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const ENDPOINT_SLICE = "kubernetes:discovery.k8s.io/v1:EndpointSlice";
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token";
/** Pulumi's component and chart tokens (their objects are registered and read one by one; Helm v3 Releases are the workloads adapter's). */
const NOT_OBJECTS = /^kubernetes:(?:yaml|kustomize|helm\.sh)\//;

/** `kubernetes:<group>/<version>:<Kind>` → group (`core` for the legacy one) and kind. */
function parseType(type: string): { group: string; kind: string } {
  const [path = "", kind = ""] = type.slice("kubernetes:".length).split(":");
  return { group: path.split("/")[0] ?? "", kind };
}

/** Provider inputs may arrive JSON-encoded (the engine sends provider configuration as strings). */
function providerInput(provider: PackResource["provider"], field: string): unknown {
  if (!provider) return undefined;
  const inputs = readInputs(provider.props);
  if (inputs.unknown.some((path) => path === field || path.startsWith(`${field}.`))) return "(unknown at preview)";
  const value = inputs.value[field];
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The first pulumi-kubernetes release whose creates fail on an existing object (client-side create, PR #4278) unless `upsertExistingObjects` is set. */
const FIRST_NON_UPSERTING = [4, 29, 0] as const;

/** The plugin version a provider names: its `version` input, or a default provider's name (`default_4_34_2`). */
function pluginVersion(provider: NonNullable<PackResource["provider"]>): number[] | undefined {
  const text = asString(providerInput(provider, "version")) ?? /^default_(\d+_\d+_\d+)/.exec(provider.name)?.[1]?.replace(/_/g, ".");
  const match = text === undefined ? null : /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})/.exec(text);
  return match ? match.slice(1, 4).map(Number) : undefined;
}

const older = (version: readonly number[], than: readonly number[]) => {
  for (let i = 0; i < than.length; i++) if (version[i] !== than[i]) return version[i]! < than[i]!;
  return false;
};

/**
 * Whether the provider may adopt an existing object on create (an "upsert": a Patch in effect):
 * pulumi-kubernetes 4.0 to 4.28 did by default under Server-Side Apply; from 4.29 a create fails with
 * AlreadyExists unless `upsertExistingObjects` is true (an unknown value counts as true). Without a
 * provider or a known version, the project's pinned @pulumi/kubernetes (≥ 4.29) is assumed. The
 * PULUMI_K8S_UPSERT_EXISTING_OBJECTS variable of the engine's environment is not visible here (README).
 */
const upsertsOf = new WeakMap<object, boolean>();
const upserts = (provider: PackResource["provider"]) => {
  if (!provider) return false;
  let known = upsertsOf.get(provider);
  if (known === undefined) upsertsOf.set(provider, (known = providerUpserts(provider)));
  return known;
};
function providerUpserts(provider: NonNullable<PackResource["provider"]>): boolean {
  const value = providerInput(provider, "upsertExistingObjects");
  if (value !== undefined && value !== false && value !== "false") return true;
  const version = pluginVersion(provider);
  const ssa = providerInput(provider, "enableServerSideApply");
  return version !== undefined && version[0] === 4 && older(version, FIRST_NON_UPSERTING) && ssa !== false && ssa !== "false";
}

/** The namespaces the stack creates (not agents', not reserved), through a provider that does not upsert, by `<cluster>\u0000<name>`. */
function createdNamespaces(ix: StackIndex): ReadonlySet<string> {
  const agents = agentNamespaces(ix);
  const out = new Set<string>();
  for (const ns of ix.namespaces)
    if (ns.name !== undefined && !agents.has(ns.name) && !RESERVED_NAMESPACES.has(ns.name) && !upserts(ns.resource.provider))
      out.add(`${clusterOf(ns.resource.provider)}\u0000${ns.name}`);
  return out;
}

/** An object's fields, of any type (asRecord keeps only string fields). */
const fields = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The Secret names a pod spec reads (volumes, projected sources, envFrom, env valueFrom), its containers' and init containers' included. */
function secretsRead(spec: Record<string, unknown> | undefined): string[] {
  if (!spec) return [];
  const out: string[] = [];
  const push = (name: unknown) => out.push(typeof name === "string" ? name : "(unnamed or unknown)");
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const v = fields(volume);
    if (v.secret !== undefined) push(fields(v.secret).secretName);
    const sources: unknown = fields(v.projected).sources;
    for (const source of Array.isArray(sources) ? sources : []) if (fields(source).secret !== undefined) push(fields(fields(source).secret).name);
  }
  for (const field of ["containers", "initContainers", "ephemeralContainers"])
    for (const container of Array.isArray(spec[field]) ? (spec[field] as unknown[]) : []) {
      const c = fields(container);
      for (const from of Array.isArray(c.envFrom) ? c.envFrom : []) if (fields(from).secretRef !== undefined) push(fields(fields(from).secretRef).name);
      for (const env of Array.isArray(c.env) ? c.env : []) {
        const ref = fields(fields(env).valueFrom).secretKeyRef;
        if (ref !== undefined) push(fields(ref).name);
      }
    }
  return out;
}

export const kubernetesPlacement: Adapter = {
  family: "kubernetes-placement",
  holdings: "none: where an object lands decides whose objects it changes, not what an identity holds",
  types: [
    {
      type: "every kubernetes:* object outside agents' namespaces (Patches, RBAC, Secrets, ServiceAccounts, workloads, custom resources)",
      route:
        "lands in a namespace: kube-system and existing namespaces hold the platform's objects (Vault, Argo CD, Flux), which a Patch, a grant, a token or a Secret read reaches",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const agents = agentNamespaces(ix);
    if (agents.size === 0) return;
    const created = createdNamespaces(ix);
    // What the stack itself creates in each namespace (ServiceAccounts not adopted, Secrets), by `<namespace>/<name>`.
    const ownAccounts = new Set<string>();
    const ownSecrets = new Set<string>();
    const ownServices = new Set<string>();
    const owned = new Map([
      [SERVICE_ACCOUNT, ownAccounts],
      [SECRET, ownSecrets],
      [SERVICE, ownServices],
    ]);
    for (const x of ix.inputs) {
      const own = owned.get(x.resource.type);
      if (!own || upserts(x.resource.provider)) continue;
      const m = asRecord(x.value.metadata);
      const namespace = asString(m.namespace) ?? asString(providerInput(x.resource.provider, "namespace"));
      if (m.name !== undefined && namespace !== undefined) own.add(`${namespace}/${m.name}`);
    }
    for (const x of ix.inputs) {
      const type = x.resource.type;
      if (!type.startsWith("kubernetes:") || NOT_OBJECTS.test(type) || type.endsWith("List")) continue;
      const r: Read = { resource: x.resource, v: x.value, unknown: x.unknown };
      const { group, kind: fullKind } = parseType(type);
      const patch = fullKind.endsWith("Patch");
      const kind = patch ? fullKind.slice(0, -"Patch".length) : fullKind;
      const custom = isCustomResource(type);
      // A namespace the stack creates on one cluster is not the stack's on another.
      const cluster = clusterOf(r.resource.provider);
      const refuse = (why: string, fix: string) =>
        pass.findings.push(declarablePlatformFinding(r.resource, RULE, `${fullKind} ${r.resource.name} ${why}`, fix));
      if (!custom && CLUSTER_SCOPED_KINDS.has(kind)) {
        const name = asString(asRecord(r.v.metadata).name);
        // A NamespacePatch of a namespace the stack creates (agents' are judged by kubernetes/pod-security) changes its own object.
        if (patch && !(kind === "Namespace" && name !== undefined && (agents.has(name) || created.has(`${cluster}\u0000${name}`))))
          refuse(
            `patches cluster-scoped ${kind} ${name ?? "(name unknown at preview)"}, which this stack does not create: it changes the platform's object`,
            `create and own the ${kind} in this stack instead of patching it`,
          );
        continue;
      }
      // Namespace-less custom resources are judged as cluster-scoped by custom-resources.ts.
      const namespaceUnknown = isUnknown(r, "metadata") || isUnknown(r, "metadata.namespace");
      const explicit = asString(asRecord(r.v.metadata).namespace);
      if (custom && explicit === undefined && !namespaceUnknown) continue;
      const providerNamespace = providerInput(r.resource.provider, "namespace");
      const namespace = namespaceUnknown ? undefined : (explicit ?? (typeof providerNamespace === "string" ? providerNamespace : undefined));
      if (namespaceUnknown) {
        // Workloads with a namespace unknown at preview are refused by kubernetes/service-account-use.
        if (podTemplateOf(type, r.v)) continue;
        // Unknown at preview: still the stack's own when it comes from one of its Namespaces.
        const fromNamespace = (r.resource.propertyDependencies?.metadata ?? []).some((d) => d.type === "kubernetes:core/v1:Namespace");
        if (!fromNamespace)
          refuse(
            "has a namespace unknown at preview (maybe kube-system or a platform namespace)",
            "take metadata.namespace from a Namespace this stack creates",
          );
        continue;
      }
      if (namespace === undefined) {
        refuse(
          `states no namespace (no metadata.namespace, no provider namespace): it lands in the kubeconfig context's namespace, which the pack cannot read (kube-system, or a platform namespace)`,
          "set metadata.namespace",
        );
        continue;
      }
      if (agents.has(namespace) || created.has(`${cluster}\u0000${namespace}`)) continue;
      if (RESERVED_NAMESPACES.has(namespace)) {
        // kube-system's workloads and ConfigMaps are refused by their own rules; aws-auth is kubernetes/eks-access's.
        if (podTemplateOf(type, r.v) || kind === "ConfigMap") continue;
        refuse(
          `is in ${namespace}, the platform's own namespace: its controllers' ServiceAccounts, tokens and configuration reach every namespace, agents' included`,
          `leave ${namespace} to the platform's own stack`,
        );
        continue;
      }
      const existing = `existing namespace ${namespace} (one this stack writes into but does not create: its objects are the platform's, e.g. Vault's, Argo CD's, Flux's)`;
      const fixOwn = `create the Namespace in this stack, or add only objects of your own to ${namespace}`;
      if (patch || upserts(r.resource.provider)) {
        const name = asString(asRecord(r.v.metadata).name) ?? "?";
        refuse(
          patch
            ? `patches ${kind} ${name} in ${existing}`
            : `is created in ${existing} through a provider that upserts (upsertExistingObjects, or pulumi-kubernetes before 4.29 under Server-Side Apply): it adopts and rewrites an existing ${kind} ${name}`,
          patch ? fixOwn : `${fixOwn}, through a provider without upsertExistingObjects`,
        );
        continue;
      }
      if (group === "rbac.authorization.k8s.io") {
        refuse(`grants rights in ${existing}: over objects this stack does not own (Secrets, pods/exec, workloads)`, fixOwn);
        continue;
      }
      if (type === SECRET && (asString(r.v.type) === TOKEN_SECRET_TYPE || isUnknown(r, "type"))) {
        const account = asString(asRecord(fields(r.v.metadata).annotations)["kubernetes.io/service-account.name"]);
        if (account === undefined || !ownAccounts.has(`${namespace}/${account}`))
          refuse(
            `is a ServiceAccount token Secret for ${account ?? "an account unknown at preview"} in ${existing}, an account this stack does not create there: the token (also in Pulumi state) carries that account's rights`,
            "request tokens only for ServiceAccounts this stack creates",
          );
        continue;
      }
      if (type === ENDPOINT_SLICE) {
        // An EndpointSlice joins the Service its label names: one the stack does not create there is re-pointed.
        const service = asString(asRecord(fields(r.v.metadata).labels)[SERVICE_NAME_LABEL]);
        if (isUnknown(r, "metadata.labels") || (service !== undefined && !ownServices.has(`${namespace}/${service}`)))
          refuse(
            `adds endpoints to Service ${service ?? "(unknown at preview)"} in ${existing}, which this stack does not create there: that Service's clients (e.g. agents' Vault logins) reach the addresses it lists`,
            `add endpoints only to Services this stack creates in ${namespace}`,
          );
        continue;
      }
      const pod = podTemplateOf(type, r.v);
      if (pod) {
        const spec = fields(pod.spec);
        const specPath = [...pod.at, "spec"].join(".");
        // Unknown at preview: the pod spec (or what holds it), or a list that may name Secrets.
        const lists = ["volumes", "containers", "initContainers", "ephemeralContainers"].map((f) => `${specPath}.${f}`);
        const unread = r.unknown.some(
          (path) => specPath === path || specPath.startsWith(`${path}.`) || lists.some((l) => path === l || path.startsWith(`${l}.`)),
        );
        const foreign = secretsRead(spec).filter((name) => !ownSecrets.has(`${namespace}/${name}`));
        if (unread || foreign.length > 0)
          refuse(
            `in ${existing} reads Secret${foreign.length === 1 ? "" : "s"} ${unread ? "unknown at preview" : foreign.join(", ")}, which this stack does not create there: the platform's credentials (unseal keys, repository and admin credentials)`,
            `read only Secrets this stack creates in ${namespace}`,
          );
        continue;
      }
      // Cilium policies and Gateway API routes are read by network-exposure.
      if (custom && !readElsewhere(type)) {
        const key = `${group}:${kind}`;
        if (!BOUNDED_CUSTOM_KINDS.has(key))
          refuse(
            `(${group}) is a custom resource in ${existing}: its operator runs pods, applies manifests or hands over a Secret of that namespace with its own rights (GitOps, pipelines, jobs, scrape credentials), which the pack cannot read`,
            `create the Namespace in this stack for it`,
          );
      }
    }
  },
};
