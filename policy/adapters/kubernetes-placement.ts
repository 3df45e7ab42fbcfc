/**
 * Where the stack's Kubernetes objects land (kubernetes/object-placement), in a stack with agents:
 * judged by namespace, the closed-world way, whatever the kind. Agents' namespaces are judged by
 * the other adapters. Everywhere else:
 * - a namespaced object states its namespace (metadata.namespace, or the provider's `namespace`
 *   input): without either it lands in the kubeconfig context's namespace, which the pack cannot read;
 *   one unknown at preview is refused, wherever it comes from (see below);
 * - kube-system, kube-public and kube-node-lease are the platform's: nothing lands there;
 * - an existing namespace (one the stack writes into but does not create: vault, argocd, tools ...)
 *   holds objects the stack does not own, and any object the stack "creates" there may be an
 *   imported twin of one of them (see below), so every object there is refused unless declared; the
 *   message names the sharper reason where there is one: a Patch, RBAC, a ServiceAccount token
 *   Secret, a pod reading a Secret (env) or mounting a volume of the namespace's (placement-volumes.ts:
 *   only emptyDir, downwardAPI, projected tokens and the cluster CA, new ephemeral claims), a pod
 *   running as an account the stack declares there, an EndpointSlice, an object through an upserting
 *   provider (it would adopt an existing one), a custom resource of a kind not admitted anywhere
 *   (placement-custom-kinds.ts);
 * - a namespace the stack itself creates (a Namespace, through a provider that does not upsert)
 *   admits all of that too, and a few more custom kinds (CUSTOM_KINDS_OWN_NAMESPACE), but each such
 *   object relies on the Namespace being the stack's own: a policy cannot tell it from an existing
 *   namespace imported under the same name (a policy's resource options carry no `import`:
 *   PolicyResourceOptions of @pulumi/policy 1.21.0, AnalyzerResourceOptions of @pulumi/pulumi
 *   3.248.0's proto/analyzer_pb.js; and since the "import then
 *   update" engine, pulumi/pulumi PR #19339, an import whose inputs differ no longer fails, it updates
 *   the live object, so no label or annotation the stack writes proves it created the object). So
 *   that Namespace is refused until the security team declares it. Names of ServiceAccounts,
 *   Secrets and Services the stack declares in an existing namespace prove nothing either: an
 *   imported twin of Vault's token reviewer looks the same, so none is an exemption there;
 * - a custom resource of a kind on neither list is refused in any namespace;
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
import { CUSTOM_KINDS_ANYWHERE, CUSTOM_KINDS_OWN_NAMESPACE, customKindRefusal } from "./placement-custom-kinds";
import { foreignVolumes } from "./placement-volumes";

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
 * The cluster-scoped kinds a stack with agents may create because another rule reads them whole:
 * Namespaces (context, pod security, placement), ClusterRoles and bindings (the RBAC rules),
 * PersistentVolumes, StorageClasses and CSIDrivers (node access, persistent volumes), admission
 * webhooks and policies (admission rules), CertificateSigningRequests (custom-resources.ts). Every
 * other cluster-scoped kind is refused unless declared.
 */
const JUDGED_CLUSTER_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "PersistentVolume",
  "StorageClass",
  "CSIDriver",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "CertificateSigningRequest",
]);

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const SECRET = "kubernetes:core/v1:Secret";
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

/** The Secret names a pod spec's containers read through env (envFrom, env valueFrom), init and ephemeral containers' included; volumes are placement-volumes.ts's. */
function envSecretsRead(spec: Record<string, unknown>): string[] {
  const out: string[] = [];
  const push = (name: unknown) => out.push(typeof name === "string" ? name : "(unnamed or unknown)");
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

const DEFAULT_ACCOUNT = "default";

/** Why an object would be refused in a namespace the stack does not own, with the fix; undefined when it only adds an object of its own. */
interface Refusal {
  readonly why: string;
  /** What the object does that relies on the namespace being the stack's own, in a few words. */
  readonly relies: string;
  readonly fix: string;
}

export const kubernetesPlacement: Adapter = {
  family: "kubernetes-placement",
  holdings: "none: where an object lands decides whose objects it changes, not what an identity holds",
  types: [
    {
      type: "every kubernetes:* object outside agents' namespaces (Patches, RBAC, Secrets, ServiceAccounts, workloads, custom resources)",
      route:
        "lands in a namespace: kube-system and existing namespaces hold the platform's objects (Vault, Argo CD, Flux), which a Patch, a grant, a token, a Secret read or a volume reaches",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const agents = agentNamespaces(ix);
    if (agents.size === 0) return;
    const created = createdNamespaces(ix);
    // The ServiceAccounts the stack declares, by `<namespace>/<name>`: in a namespace it does not own, one of them may be an imported twin of an existing account.
    const declaredAccounts = new Set<string>();
    for (const x of ix.inputsOfType(SERVICE_ACCOUNT)) {
      const m = asRecord(x.value.metadata);
      const namespace = m.namespace ?? asString(providerInput(x.resource.provider, "namespace"));
      if (m.name !== undefined && namespace !== undefined) declaredAccounts.add(`${namespace}/${m.name}`);
    }
    // What relies on a Namespace the stack creates being its own, by `<cluster>\u0000<name>`.
    const reliance = new Map<string, string[]>();

    /**
     * Why an object would be refused were its namespace not the stack's own (an existing one): the
     * whole regime of existing namespaces, as one function, so a namespace the stack creates is
     * relied on exactly where an existing one would refuse.
     */
    const existingRefusal = (r: Read, type: string, group: string, kind: string, patch: boolean, custom: boolean, namespace: string): Refusal | undefined => {
      const existing = `existing namespace ${namespace} (one this stack writes into but does not create: its objects are the platform's, e.g. Vault's, Argo CD's, Flux's)`;
      const fixOwn = `create the Namespace in this stack (and have the security team declare it), or add only objects of your own to ${namespace}`;
      const name = asString(asRecord(r.v.metadata).name) ?? "?";
      if (patch || upserts(r.resource.provider))
        return {
          why: patch
            ? `patches ${kind} ${name} in ${existing}`
            : `is created in ${existing} through a provider that upserts (upsertExistingObjects, or pulumi-kubernetes before 4.29 under Server-Side Apply): it adopts and rewrites an existing ${kind} ${name}`,
          fix: patch ? fixOwn : `${fixOwn}, through a provider without upsertExistingObjects`,
          relies: patch ? "patches an object there" : "upserts",
        };
      if (group === "rbac.authorization.k8s.io")
        return {
          why: `grants rights in ${existing}: over objects this stack does not own (Secrets, pods/exec, workloads)`,
          fix: fixOwn,
          relies: "grants rights there",
        };
      // Ownership of an account, Secret or Service there cannot be told from a same-named import (README, "Twins").
      if (type === SECRET && (asString(r.v.type) === TOKEN_SECRET_TYPE || isUnknown(r, "type"))) {
        const account = asString(asRecord(fields(r.v.metadata).annotations)["kubernetes.io/service-account.name"]);
        return {
          why: `is a ServiceAccount token Secret for ${account ?? "an account unknown at preview"} in ${existing}: the token (also in Pulumi state) carries that account's rights, and an account of that namespace cannot be told from an imported one`,
          fix: `request tokens only in a Namespace this stack creates (declared by the security team)`,
          relies: `a token for ServiceAccount ${account ?? "(unknown at preview)"}`,
        };
      }
      if (type === ENDPOINT_SLICE) {
        const service = asString(asRecord(fields(r.v.metadata).labels)[SERVICE_NAME_LABEL]);
        if (isUnknown(r, "metadata.labels") || service !== undefined)
          return {
            why: `adds endpoints to Service ${service ?? "(unknown at preview)"} in ${existing}: that Service's clients (e.g. agents' Vault logins) reach the addresses it lists`,
            fix: fixOwn,
            relies: `joins Service ${service ?? "(unknown at preview)"}`,
          };
      }
      const pod = podTemplateOf(type, r.v);
      if (pod) {
        const spec = fields(pod.spec);
        const specPath = [...pod.at, "spec"].join(".");
        // Unknown at preview: the pod spec (or what holds it), or a list that may name Secrets, volumes or the account.
        const lists = ["volumes", "containers", "initContainers", "ephemeralContainers"].map((f) => `${specPath}.${f}`);
        const unread = r.unknown.some(
          (path) => specPath === path || specPath.startsWith(`${path}.`) || lists.some((l) => path === l || path.startsWith(`${l}.`)),
        );
        if (unread)
          return {
            why: `in ${existing} has a pod spec unknown at preview (its volumes, Secrets or account may be the namespace's)`,
            fix: fixOwn,
            relies: "a pod spec unknown at preview",
          };
        const reached = [...foreignVolumes(spec), ...envSecretsRead(spec).map((secret) => `Secret ${secret} (env)`)];
        if (reached.length > 0)
          return {
            why: `in ${existing} mounts or reads what the namespace holds (${reached.join("; ")}): the platform's data and credentials (audit logs, unseal keys, repository and admin credentials)`,
            fix: `mount only emptyDir, downwardAPI, projected serviceAccountToken and kube-root-ca.crt, or ephemeral claims there; ${fixOwn}`,
            relies: `mounts or reads ${reached.join("; ")}`,
          };
        // An account the stack declares there may be an imported existing one (others are kubernetes/service-account-use's).
        const account = asString(spec.serviceAccountName) ?? asString(spec.serviceAccount);
        // Unknown at preview: one of the stack's accounts when it comes from one (any other is kubernetes/service-account-use's).
        const accountUnknown = isUnknown(r, `${specPath}.serviceAccountName`) || isUnknown(r, `${specPath}.serviceAccount`);
        const fromAccount = (r.resource.propertyDependencies?.[pod.at[0] ?? "spec"] ?? []).some((d) => d.type === SERVICE_ACCOUNT);
        if (accountUnknown && fromAccount)
          return {
            why: `in ${existing} runs as a ServiceAccount unknown at preview that this stack declares: an account of that namespace declared by this stack cannot be told from an existing one it imports`,
            fix: `run as ${DEFAULT_ACCOUNT} there; ${fixOwn}`,
            relies: "runs as a ServiceAccount unknown at preview",
          };
        if (account !== undefined && account !== DEFAULT_ACCOUNT && declaredAccounts.has(`${namespace}/${account}`))
          return {
            why: `in ${existing} runs as ServiceAccount ${account}: an account of that namespace declared by this stack cannot be told from an existing one it imports, whose rights the pack does not read`,
            fix: `run as ${DEFAULT_ACCOUNT} there; ${fixOwn}`,
            relies: `runs as ServiceAccount ${account}`,
          };
      }
      // Cilium policies and Gateway API routes are read by network-exposure.
      if (custom && !readElsewhere(type)) {
        const why = customKindRefusal(CUSTOM_KINDS_ANYWHERE, `${group}:${kind}`, r, namespace);
        if (why)
          return {
            why: `(${group}) is a custom resource in ${existing}: ${why}; its operator runs pods, applies manifests, creates cloud resources or hands over a Secret of that namespace with its own rights, which the pack cannot read`,
            fix: `use a kind on the pack's allowlist (placement-custom-kinds.ts), or create the Namespace in this stack for a kind admitted there`,
            relies: "a custom kind admitted only in the stack's own namespace",
          };
      }
      // Anything else may be an imported twin of the namespace's own object (import then update
      // rewrites it: a ConfigMap argocd-rbac-cm, a Deployment vault), which a policy cannot tell apart.
      const { name: objectName } = asRecord(r.v.metadata);
      return {
        why: `${objectName ?? "(name unknown at preview)"} is in ${existing}: a policy cannot tell an object the stack creates there from an existing one of the same name it imports (the import option is not sent to policies, and an import with other inputs imports then updates, rewriting the platform's object)`,
        fix: fixOwn,
        relies: "an object that could be an imported twin",
      };
    };

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
      const rely = (namespace: string, what: string) => {
        const key = `${cluster}\u0000${namespace}`;
        reliance.set(key, [...(reliance.get(key) ?? []), `${fullKind} ${r.resource.name} (${what})`]);
      };
      /** Judges the object in a namespace outside agents': reserved, one the stack creates (relied on), or an existing one. */
      const judgeIn = (namespace: string) => {
        if (RESERVED_NAMESPACES.has(namespace)) {
          // kube-system's workloads and ConfigMaps are refused by their own rules; aws-auth is kubernetes/eks-access's.
          if (podTemplateOf(type, r.v) || kind === "ConfigMap") return;
          refuse(
            `is in ${namespace}, the platform's own namespace: its controllers' ServiceAccounts, tokens and configuration reach every namespace, agents' included`,
            `leave ${namespace} to the platform's own stack`,
          );
          return;
        }
        const refusal = existingRefusal(r, type, group, kind, patch, custom, namespace);
        if (!refusal) return;
        if (!created.has(`${cluster}\u0000${namespace}`)) return refuse(refusal.why, refusal.fix);
        // In a namespace the stack creates: what an existing one would refuse relies on it being the stack's own.
        const why = custom && !readElsewhere(type) ? customKindRefusal(CUSTOM_KINDS_OWN_NAMESPACE, `${group}:${kind}`, r, namespace) : undefined;
        if (why)
          return refuse(
            `(${group}) is a custom resource in namespace ${namespace}: ${why}; its operator (GitOps, Crossplane, pipelines, jobs) applies manifests, runs pods or creates cloud resources with its controller's rights, which the pack cannot read`,
            `use a kind on the pack's allowlist (placement-custom-kinds.ts)`,
          );
        rely(namespace, refusal.relies);
      };
      if (!custom && CLUSTER_SCOPED_KINDS.has(kind)) {
        const name = asString(asRecord(r.v.metadata).name);
        if (patch && kind === "Namespace" && name !== undefined && (agents.has(name) || created.has(`${cluster}\u0000${name}`))) {
          // Agents' are judged by kubernetes/pod-security; a Namespace the stack creates is relied on as its own.
          if (!agents.has(name)) rely(name, "patches it");
        } else if (patch)
          refuse(
            `patches cluster-scoped ${kind} ${name ?? "(name unknown at preview)"}, which this stack does not create: it changes the platform's object`,
            `create and own the ${kind} in this stack instead of patching it`,
          );
        else if (!JUDGED_CLUSTER_KINDS.has(kind))
          refuse(
            `creates cluster-scoped ${kind} ${name ?? "(name unknown at preview)"}: it changes how the whole cluster, agents' namespaces included, serves, trusts, schedules or runs (an APIService routes an API group to a Service, a CRD's conversion webhook receives every object of its kind, a ClusterTrustBundle adds a trust anchor, a RuntimeClass picks the runtime handler), which no rule of the pack reads, and it may be an imported twin of an existing one`,
            `leave cluster-scoped ${kind} objects to the platform's own stack`,
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
        // Refused even when it comes from one of the stack's Namespaces: a value computed from that
        // Namespace's outputs (`ns.metadata.uid.apply(() => "vault")`) is any namespace at update,
        // and this is a stack policy, which the engine runs only after every resource of the update
        // exists (no per-resource check can catch it before creation: the engine's Analyze request
        // carries no dependencies, @pulumi/policy server.js). The legitimate shape is known at preview:
        // pulumi-kubernetes names an object in Check (metadata.AssignNameIfAutonamable, auto-names
        // included) and returns the checked inputs as a preview's outputs, so `ns.metadata.name` is known.
        refuse(
          `has a namespace unknown at preview${(r.resource.propertyDependencies?.metadata ?? []).length > 0 ? " (computed from another resource's outputs, which may make it any namespace at update)" : ""} (maybe kube-system or a platform namespace)`,
          "take metadata.namespace from a Namespace's metadata.name (known at preview) or write it literally",
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
      if (agents.has(namespace)) continue;
      judgeIn(namespace);
    }

    // One finding per Namespace relied on: the pack cannot tell one the stack creates from an existing one it imports.
    for (const ns of ix.namespaces) {
      const key = `${clusterOf(ns.resource.provider)}\u0000${ns.name}`;
      const reliers = ns.name === undefined || !created.has(key) ? undefined : reliance.get(key);
      if (!reliers) continue;
      pass.findings.push(
        declarablePlatformFinding(
          ns.resource,
          RULE,
          `Namespace ${ns.resource.name} (${ns.name}) is relied on as this stack's own by ${reliers.slice(0, 5).join(", ")}${reliers.length > 5 ? ` and ${reliers.length - 5} more` : ""}: a policy cannot tell a Namespace the stack creates from an existing one (vault, argocd ...) it imports under the same name (the import option is not sent to policies, and an import with other inputs imports then updates)`,
          "keep in it only objects an existing namespace admits",
        ),
      );
    }
  },
};
