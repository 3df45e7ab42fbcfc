/**
 * The custom kinds kubernetes/object-placement admits outside agents' namespaces (closed world):
 * every other custom resource, in any namespace, is refused unless the security team declares it
 * (kubernetesPlatformResources). Flux Kustomizations and HelmReleases, Argo CD Applications,
 * Crossplane claims and composites, Tekton and Argo Workflows, External Secrets ... apply manifests,
 * run pods or create cloud resources with their controller's rights (cluster-admin or a cloud
 * admin), which the pack cannot read: none is on a list. Each entry names the operator, what it does
 * with the object and why its effect stays inside the object's namespace.
 */
import { asRecord } from "../inputs";
import { isUnknown, type Read } from "./shared";

/** Why an admitted kind's object is refused after all (a field reaching outside the namespace), or undefined. */
type Bound = (r: Read, namespace: string) => string | undefined;

interface CustomKind {
  /** What the operator does with the object and why the effect stays in the namespace (the entry's source). */
  readonly source: string;
  readonly bound?: Bound;
}

const fields = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Admitted in any namespace outside agents' (one the stack does not create included): the operator
 * only reads the object and names nothing else of the namespace.
 */
export const CUSTOM_KINDS_ANYWHERE: ReadonlyMap<string, CustomKind> = new Map([
  [
    "monitoring.coreos.com:PrometheusRule",
    {
      source:
        "Prometheus Operator: renders alerting and recording rules into Prometheus' rule files; no Secret, account, pod or target of the namespace is named (prometheus-operator Documentation/api.md, PrometheusRuleSpec)",
    },
  ],
]);

/** A path-like key a Prometheus Operator endpoint reads from Prometheus' own filesystem (its ServiceAccount token, its client keys). */
const FILE_KEY = /File$/;

/** Whether a value holds, at any depth, a key naming a file (bearerTokenFile, tlsConfig.caFile/certFile/keyFile, credentialsFile ...). */
function namesFile(value: unknown, depth = 0): boolean {
  if (depth > 24) return true;
  if (Array.isArray(value)) return value.some((v) => namesFile(v, depth + 1));
  if (!value || typeof value !== "object") return false;
  return Object.entries(value).some(([key, v]) => FILE_KEY.test(key) || namesFile(v, depth + 1));
}

/** A monitor selects targets in its own namespace only: namespaceSelector absent, or matchNames exactly that namespace (no `any`). */
const monitorBound: Bound = (r, namespace) => {
  if (isUnknown(r, "spec")) return "its spec is unknown at preview";
  const spec = fields(r.v.spec);
  if (namesFile(spec))
    return "it names a file of Prometheus' own filesystem (bearerTokenFile, caFile, certFile, keyFile ...): Prometheus would send its own token or keys to the targets";
  const selector = fields(spec.namespaceSelector);
  const names = Array.isArray(selector.matchNames) ? selector.matchNames : [];
  if (spec.namespaceSelector !== undefined && (selector.any !== undefined || names.length !== 1 || names[0] !== namespace))
    return `its namespaceSelector reaches beyond namespace ${namespace}: it sends this namespace's scrape credentials to targets elsewhere`;
  return undefined;
};

/** A Certificate issued by an Issuer of its own namespace (cert-manager.io group), not a ClusterIssuer or an external issuer. */
const certificateBound: Bound = (r) => {
  if (isUnknown(r, "spec") || isUnknown(r, "spec.issuerRef")) return "its issuerRef is unknown at preview";
  const ref = asRecord(fields(r.v.spec).issuerRef);
  if ((ref.kind ?? "Issuer") !== "Issuer" || (ref.group ?? "cert-manager.io") !== "cert-manager.io")
    return `it is issued by ${ref.kind ?? "?"} ${ref.name ?? "?"} (${ref.group ?? "cert-manager.io"}), not an Issuer of its own namespace: a ClusterIssuer or external issuer signs with credentials outside it`;
  return undefined;
};

/** An Issuer that signs itself or with a CA Secret of its own namespace (no ACME solver pods, no Vault or cloud credentials). */
const issuerBound: Bound = (r) => {
  if (isUnknown(r, "spec")) return "its spec is unknown at preview";
  const kinds = Object.keys(fields(r.v.spec)).filter((key) => key !== "selfSigned" && key !== "ca");
  return kinds.length > 0 ? `it issues through ${kinds.join(", ")} (only selfSigned and ca stay inside the namespace)` : undefined;
};

/**
 * Admitted also in a namespace the stack creates (relied on as the stack's own, so the Namespace is
 * declared): the operator reads or writes Secrets of the object's own namespace only.
 */
export const CUSTOM_KINDS_OWN_NAMESPACE: ReadonlyMap<string, CustomKind> = new Map([
  ...CUSTOM_KINDS_ANYWHERE,
  [
    "cert-manager.io:Certificate",
    {
      source:
        "cert-manager: writes the issued key pair into spec.secretName, a Secret of the Certificate's own namespace (cert-manager.io/docs/usage/certificate); bounded to an Issuer of that namespace",
      bound: certificateBound,
    },
  ],
  [
    "cert-manager.io:Issuer",
    {
      source:
        "cert-manager: a namespaced Issuer only serves Certificates of its own namespace and reads a CA Secret there (cert-manager.io/docs/concepts/issuer); bounded to selfSigned and ca",
      bound: issuerBound,
    },
  ],
  [
    "monitoring.coreos.com:ServiceMonitor",
    {
      source:
        "Prometheus Operator: reads scrape credentials only from Secrets of the monitor's own namespace (prometheus-operator Documentation/api.md, SafeAuthorization); bounded to targets of that namespace and no Prometheus file",
      bound: monitorBound,
    },
  ],
  [
    "monitoring.coreos.com:PodMonitor",
    {
      source: "Prometheus Operator: as ServiceMonitor, for pods; bounded to targets of its own namespace and no Prometheus file",
      bound: monitorBound,
    },
  ],
]);

/** Why a custom resource of `group:kind` is refused in `namespace` under `list`, or undefined when admitted. */
export function customKindRefusal(list: ReadonlyMap<string, CustomKind>, key: string, r: Read, namespace: string): string | undefined {
  const entry = list.get(key);
  if (!entry) return "its kind is on no allowlist of custom kinds";
  return entry.bound?.(r, namespace);
}
