/**
 * kubernetes/object-placement: beside the dev stack (agents), a Kubernetes object outside agents'
 * namespaces is judged by where it lands. It states its namespace; nothing lands in kube-system; in
 * a namespace the stack does not create it adds only objects of its own (no Patch, RBAC, token
 * Secret, Secret read, volume of the namespace's, twin account, upsert, or custom resource of a kind
 * off the allowlist); a cluster-scoped Patch is refused. A Namespace the stack creates is relied on
 * as its own (an import twin of `vault` looks the same) only once declared. Each is refused unless
 * declared (kubernetesPlatformResources). Each case changes one property of an ordinary object.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaringKeys, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/object-placement";
const { added, addedFindings } = devBaseline();
/** The Vault's address, so stack/vault-host-identity judges certificates by name (web.example.com is not the Vault host). */
const vaultProvider: Resource = { type: "pulumi:providers:vault", name: "vault", props: { address: "https://vault.dev.acme.internal:8200" } };

const object = (type: string, namespace: unknown, extra: Record<string, unknown> = {}, name = "obj"): Resource => ({
  type,
  name,
  props: { metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, ...extra },
});
const template = (spec: Record<string, unknown>) => ({
  selector: { matchLabels: { a: "b" } },
  template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } },
});
const deployment = (namespace: unknown, spec: Record<string, unknown> = {}, type = "kubernetes:apps/v1:Deployment") =>
  object(type, namespace, { spec: template(spec) }, "web");
const namespace = (name: string, provider?: Resource): Resource => ({
  type: "kubernetes:core/v1:Namespace",
  name: `ns-${name}`,
  props: { metadata: { name } },
  ...(provider ? { provider } : {}),
});
const provider = (name: string, props: Record<string, unknown>): Resource => ({ type: "pulumi:providers:kubernetes", name, props });
const KUBECONFIG =
  "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://k.example'}}]\ncontexts: [{name: c, context: {cluster: c, user: u, namespace: kube-system}}]\ncurrent-context: c\nusers: [{name: u, user: {}}]\n";
const tokenSecret = (ns: string) => object("kubernetes:core/v1:Secret", ns, { type: "kubernetes.io/service-account-token" }, "tok");
const withAnnotation = (r: Resource, account: string): Resource => ({
  ...r,
  props: { ...r.props, metadata: { ...(r.props.metadata as object), annotations: { "kubernetes.io/service-account.name": account } } },
});
const role = (ns: string) =>
  object("kubernetes:rbac.authorization.k8s.io/v1:Role", ns, { rules: [{ apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["get"] }] });
const custom = (type: string, ns: string, spec: Record<string, unknown>) => object(type, ns, { spec });

describe("where the stack's Kubernetes objects land", () => {
  it("refuses a Deployment or a ConfigMap in an existing namespace (either may be an imported twin of the namespace's own), passes them declared", async () => {
    const objects = [deployment("tools"), object("kubernetes:core/v1:ConfigMap", "tools", { data: { a: "b" } })];
    for (const one of objects) expect(await added([one])).toEqual([RULE]);
    expect(await added(objects, declaringKeys(objects, "kubernetes:apps/v1:Deployment::web", "kubernetes:core/v1:ConfigMap::obj"))).toEqual([]);
  }, 120_000);
  it("refuses the imported-twin shapes of the platform's objects: Argo CD's RBAC ConfigMap, Vault's server Deployment", async () => {
    const rbacCm = object("kubernetes:core/v1:ConfigMap", "argocd", { data: { "policy.csv": "g, attackers, role:admin" } }, "argocd-rbac-cm");
    expect(await added([rbacCm])).toEqual([RULE]);
    expect(await added([deployment("vault")])).toEqual([RULE]);
  }, 120_000);

  describe("the namespace is stated", () => {
    it("refuses an object with no namespace through a kubeconfig (its context's namespace is not read)", async () => {
      const cm = { ...object("kubernetes:core/v1:ServiceAccount", undefined), provider: provider("ctx", { kubeconfig: KUBECONFIG }) };
      expect(await added([cm])).toEqual([RULE]);
    }, 120_000);
    it("refuses a DaemonSetPatch with no namespace (kube-proxy through a kubeconfig context)", async () => {
      const patch = { ...deployment(undefined, {}, "kubernetes:apps/v1:DaemonSetPatch"), provider: provider("ctx", { kubeconfig: KUBECONFIG }) };
      expect(await added([patch])).toContain(RULE);
    }, 120_000);
    it("reads the provider's explicit namespace (a declared Namespace of the stack passes, an existing one is refused)", async () => {
      const ns = namespace("tools");
      const web = { ...deployment(undefined), provider: provider("tools", { namespace: "tools" }) };
      expect(await added([ns, web], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-tools"))).toEqual([]);
      expect(await added([web])).toEqual([RULE]);
    }, 120_000);
    it("refuses a ConfigMap whose namespace, unknown at preview, comes from a Namespace of the stack; its known twin passes", async () => {
      // At preview `ns.metadata.name` is known (pulumi-kubernetes names objects in Check): an unknown value was
      // computed from the Namespace's other outputs and may be any namespace at update, judged only after creation.
      const cm = (ns: unknown) => ({ ...object("kubernetes:core/v1:ConfigMap", ns, { data: { a: "b" } }), dependsOn: { metadata: ["ns-tools"] } });
      const ns = namespace("tools");
      const declared = declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-tools");
      expect(await added([ns, cm(UNKNOWN)], declared)).toEqual([RULE]);
      expect(await added([ns, cm("tools")], declared)).toEqual([]);
    }, 120_000);
    it("refuses a Role whose namespace, unknown at preview, comes from a Namespace of the stack, declared or not", async () => {
      const ns = namespace("vault");
      const rbac = { ...role(UNKNOWN as string), dependsOn: { metadata: ["ns-vault"] } };
      expect(await added([ns, rbac])).toEqual([RULE]);
      expect(await added([ns, rbac], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-vault"))).toEqual([RULE]);
    }, 120_000);
    it("refuses a namespace unknown at preview that comes from no Namespace of the stack", async () => {
      expect(await added([object("kubernetes:core/v1:ConfigMap", UNKNOWN)])).toEqual([RULE]);
    }, 120_000);
    it('refuses a namespace unknown at preview computed from a Namespace of the stack (ns.metadata.uid.apply(() => "vault"))', async () => {
      // The value is "vault" at update, where this stack policy runs only after the object exists.
      const secret = { ...withAnnotation(tokenSecret(UNKNOWN as string), "vault"), dependsOn: { metadata: ["ns-tools"] } };
      expect(await added([namespace("tools"), secret])).toEqual([RULE]);
    }, 120_000);
  });

  describe("kube-system", () => {
    it("refuses a Role there", async () => {
      expect(await added([role("kube-system")])).toEqual([RULE]);
    }, 120_000);
    it("refuses a token Secret there, even for an account the stack creates", async () => {
      const sa = object("kubernetes:core/v1:ServiceAccount", "kube-system", {}, "mine");
      expect(await added([sa, withAnnotation(tokenSecret("kube-system"), "mine")])).toContain(RULE);
    }, 120_000);
    it("refuses a custom resource there (an Argo Workflow as a controller's account)", async () => {
      const wf = custom("kubernetes:argoproj.io/v1alpha1:Workflow", "kube-system", { serviceAccountName: "clusterrole-aggregation-controller" });
      expect(await added([wf])).toEqual([RULE]);
    }, 120_000);
  });

  describe("an existing namespace", () => {
    it("refuses a Patch there (the Vault agent injector's image)", async () => {
      expect(await added([deployment("vault", {}, "kubernetes:apps/v1:DeploymentPatch")])).toEqual([RULE]);
    }, 120_000);
    it("passes the Patch in a namespace the stack creates, once the security team declares the Namespace", async () => {
      const ns = namespace("tools");
      const patch = deployment("tools", {}, "kubernetes:apps/v1:DeploymentPatch");
      expect(await added([ns, patch])).toEqual([RULE]);
      expect(await added([ns, patch], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-tools"))).toEqual([]);
    }, 120_000);
    it("refuses the Patch when the stack's Namespace comes through a provider that upserts (it adopts an existing one)", async () => {
      const ns = namespace("tools", provider("up", { upsertExistingObjects: true }));
      expect(await added([ns, deployment("tools", {}, "kubernetes:apps/v1:DeploymentPatch")])).toEqual([RULE]);
    }, 120_000);
    it("refuses the Patch when the stack creates that Namespace on another cluster only", async () => {
      const ns = namespace("tools", provider("other", { context: "other-cluster" }));
      expect(await added([ns, deployment("tools", {}, "kubernetes:apps/v1:DeploymentPatch")])).toEqual([RULE]);
    }, 120_000);
    it("refuses an object created through a provider that upserts (upsertExistingObjects)", async () => {
      expect(await added([{ ...deployment("argocd"), provider: provider("up", { upsertExistingObjects: "true", namespace: "argocd" }) }])).toEqual([RULE]);
    }, 120_000);
    it("refuses an object created through pulumi-kubernetes before 4.29 (Server-Side Apply upserts)", async () => {
      expect(await added([{ ...deployment("argocd"), provider: provider("default_4_20_0", {}) }])).toEqual([RULE]);
    }, 120_000);
    it("passes a declared Namespace and its Deployment through pulumi-kubernetes 4.29, not through 4.20 (the Namespace itself is upserted)", async () => {
      const through = (version: string) => {
        const p = provider(version, {});
        const ns = namespace("ops", p);
        return { objects: [ns, { ...deployment("ops"), provider: p }], config: declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-ops") };
      };
      const v429 = through("default_4_29_0");
      expect(await added(v429.objects, v429.config)).toEqual([]);
      const v420 = through("default_4_20_0");
      expect(await added(v420.objects, v420.config)).toEqual([RULE]);
    }, 120_000);
    it("refuses a Role there (pods/exec in vault)", async () => {
      expect(await added([role("vault")])).toEqual([RULE]);
    }, 120_000);
    it("passes the Role in a namespace the stack creates, once the Namespace is declared", async () => {
      const ns = namespace("tools");
      expect(await added([ns, role("tools")], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-tools"))).toEqual([]);
    }, 120_000);
    it("refuses a token Secret for an account the stack does not create there", async () => {
      expect(await added([withAnnotation(tokenSecret("argocd"), "argocd-application-controller")])).toEqual([RULE]);
    }, 120_000);
    it("refuses a token Secret for an account the stack declares there (an imported twin of an existing account looks the same)", async () => {
      const sa = object("kubernetes:core/v1:ServiceAccount", "vault", {}, "vault-token-reviewer");
      expect(await added([sa, withAnnotation(tokenSecret("vault"), "vault-token-reviewer")])).toEqual([RULE]);
    }, 120_000);
    it("refuses a pod mounting a Secret the stack does not create there (Vault's unseal keys)", async () => {
      expect(await added([deployment("vault", { volumes: [{ name: "k", secret: { secretName: "vault-unseal-keys" } }] })])).toEqual([RULE]);
    }, 120_000);
    it("refuses envFrom of such a Secret", async () => {
      const spec = { containers: [{ name: "c", image: "nginx", envFrom: [{ secretRef: { name: "argocd-secret" } }] }] };
      expect(await added([deployment("argocd", spec)])).toEqual([RULE]);
    }, 120_000);
    it("refuses a Secret the stack declares there (an imported twin of vault-unseal-keys looks the same); passes it in a declared Namespace", async () => {
      const secret = object("kubernetes:core/v1:Secret", "tools", { stringData: { k: "v" } }, "web-secret");
      const web = deployment("tools", { volumes: [{ name: "k", secret: { secretName: "web-secret" } }] });
      expect(await added([secret, web])).toEqual([RULE]);
      const ns = namespace("tools");
      expect(await added([ns, secret, web], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-tools"))).toEqual([]);
    }, 120_000);
    it("refuses an EndpointSlice joining a Service the stack does not create there (vault)", async () => {
      const slice = object("kubernetes:discovery.k8s.io/v1:EndpointSlice", "vault", { addressType: "IPv4", endpoints: [{ addresses: ["203.0.113.9"] }] });
      (slice.props.metadata as Record<string, unknown>).labels = { "kubernetes.io/service-name": "vault" };
      expect(await added([slice])).toEqual([RULE]);
      // A Service the stack declares there may be an imported twin of Vault's.
      const service = object("kubernetes:core/v1:Service", "vault", { spec: { ports: [{ port: 80 }] } }, "vault");
      expect(await added([service, slice])).toEqual([RULE]);
    }, 120_000);
    it("refuses an Argo CD Application (its controller applies another repository's manifests)", async () => {
      const app = custom("kubernetes:argoproj.io/v1alpha1:Application", "argocd", { source: { repoURL: "https://example.com/x" } });
      expect(await added([app])).toEqual([RULE]);
    }, 120_000);
    it("refuses a PrometheusRule there undeclared (it may be an imported twin replacing the platform's alerts), passes it declared", async () => {
      const rule = custom("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "tools", { groups: [{ name: "g", rules: [] }] });
      expect(await added([rule])).toEqual([RULE]);
      expect(await added([rule], declaringKeys([rule], "kubernetes:monitoring.coreos.com/v1:PrometheusRule::obj"))).toEqual([]);
    }, 120_000);
    it("refuses a cert-manager Certificate there (it writes over a Secret of the namespace)", async () => {
      const crt = custom("kubernetes:cert-manager.io/v1:Certificate", "tools", { secretName: "web-tls", dnsNames: ["web.example.com"] });
      expect(await added([vaultProvider, crt])).toEqual([RULE]);
    }, 120_000);
    it("refuses a ServiceMonitor there (it sends a named Secret as scrape credentials)", async () => {
      const monitor = custom("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "tools", {
        endpoints: [{ port: "web", bearerTokenSecret: { name: "vault-token", key: "token" } }],
      });
      expect(await added([monitor])).toEqual([RULE]);
    }, 120_000);
    it("refuses an Argo Workflow there, even as an account the stack creates (templates name their own accounts and Secret volumes)", async () => {
      const sa = object("kubernetes:core/v1:ServiceAccount", "ci", {}, "wf");
      const wf = custom("kubernetes:argoproj.io/v1alpha1:Workflow", "ci", { serviceAccountName: "wf", entrypoint: "m" });
      expect(await added([sa, wf])).toEqual([RULE]);
    }, 120_000);
  });

  describe("custom resources: a sourced allowlist of kinds, everywhere", () => {
    const ns = namespace("ops");
    const declared = declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-ops");
    it("refuses a Flux Kustomization in a namespace the stack creates, even declared (kustomize-controller applies a source's manifests as itself)", async () => {
      const ks = custom("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "ops", {
        sourceRef: { kind: "GitRepository", name: "x" },
        path: "./",
        prune: true,
      });
      expect(await added([ns, ks], declared)).toEqual([RULE]);
    }, 120_000);
    it("refuses a Flux HelmRelease there", async () => {
      const hr = custom("kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease", "ops", {
        chart: { spec: { chart: "x", sourceRef: { kind: "HelmRepository", name: "x" } } },
      });
      expect(await added([ns, hr], declared)).toEqual([RULE]);
    }, 120_000);
    it("refuses an Argo CD Application there", async () => {
      const app = custom("kubernetes:argoproj.io/v1alpha1:Application", "ops", { source: { repoURL: "https://example.com/x" } });
      expect(await added([ns, app], declared)).toEqual([RULE]);
    }, 120_000);
    it("refuses a Crossplane claim there (its composition creates cloud resources with the provider's credentials)", async () => {
      const claim = custom("kubernetes:database.example.org/v1alpha1:PostgreSQLInstance", "ops", { parameters: { storageGB: 20 } });
      expect(await added([ns, claim], declared)).toEqual([RULE]);
    }, 120_000);
    it("passes a PrometheusRule in a declared Namespace the stack creates; undeclared, the Namespace is refused", async () => {
      const rule = custom("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "ops", { groups: [{ name: "g", rules: [] }] });
      expect(await added([ns, rule], declared)).toEqual([]);
      expect(await added([ns, rule])).toEqual([RULE]);
    }, 120_000);
    it("passes a Deployment and a ConfigMap in a declared Namespace the stack creates; undeclared, the Namespace is refused", async () => {
      const objects = [ns, deployment("ops"), object("kubernetes:core/v1:ConfigMap", "ops", { data: { a: "b" } })];
      expect(await added(objects, declared)).toEqual([]);
      expect(await added(objects)).toEqual([RULE]);
    }, 120_000);
    it("passes an empty Namespace the stack creates without a declaration (nothing relies on it)", async () => {
      expect(await added([ns])).toEqual([]);
    }, 120_000);
    const certificate = (kind: string) =>
      custom("kubernetes:cert-manager.io/v1:Certificate", "ops", { secretName: "web-tls", dnsNames: ["web.example.com"], issuerRef: { name: "ca", kind } });
    const issuer = custom("kubernetes:cert-manager.io/v1:Issuer", "ops", { ca: { secretName: "ca" } });
    it("passes a Certificate from an Issuer of its namespace in a declared Namespace the stack creates", async () => {
      expect(await added([vaultProvider, ns, issuer, certificate("Issuer")], declared)).toEqual([]);
    }, 120_000);
    it("refuses the Certificate without the Namespace's declaration (it relies on the namespace being the stack's)", async () => {
      expect(await added([vaultProvider, ns, issuer, certificate("Issuer")])).toEqual([RULE]);
    }, 120_000);
    it("refuses a Certificate from a ClusterIssuer", async () => {
      expect(await added([vaultProvider, ns, issuer, certificate("ClusterIssuer")], declared)).toEqual([RULE]);
    }, 120_000);
    it("refuses an Issuer signing through Vault", async () => {
      const vault = custom("kubernetes:cert-manager.io/v1:Issuer", "ops", { vault: { server: "https://vault", path: "pki/sign/x", auth: {} } });
      expect(await added([ns, vault], declared)).toEqual([RULE]);
    }, 120_000);
    const monitor = (extra: Record<string, unknown>, endpoint: Record<string, unknown> = {}) =>
      custom("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "ops", { selector: {}, endpoints: [{ port: "web", ...endpoint }], ...extra });
    it("passes a ServiceMonitor of its own namespace's targets in a declared Namespace", async () => {
      expect(await added([ns, monitor({ namespaceSelector: { matchNames: ["ops"] } })], declared)).toEqual([]);
    }, 120_000);
    it("refuses a ServiceMonitor selecting any namespace", async () => {
      expect(await added([ns, monitor({ namespaceSelector: { any: true } })], declared)).toEqual([RULE]);
    }, 120_000);
    it("refuses a ServiceMonitor sending Prometheus' own token file", async () => {
      expect(await added([ns, monitor({}, { bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" })], declared)).toEqual([RULE]);
    }, 120_000);
  });

  describe("twins: a Namespace or account named like the platform's", () => {
    it("refuses a Namespace vault (an import of Vault's) with a Role in it, unless declared", async () => {
      expect(await added([namespace("vault"), role("vault")])).toEqual([RULE]);
    }, 120_000);
    it("refuses a pod in vault as an account the stack declares there (an import of Vault's token reviewer)", async () => {
      const sa = object("kubernetes:core/v1:ServiceAccount", "vault", {}, "vault-token-reviewer");
      expect(await added([sa, deployment("vault", { serviceAccountName: "vault-token-reviewer" })])).toEqual([RULE]);
    }, 120_000);
    it("refuses a pod as its own account in a Namespace the stack creates until the Namespace is declared", async () => {
      const ns = namespace("ops");
      const sa = object("kubernetes:core/v1:ServiceAccount", "ops", {}, "web-sa");
      const web = deployment("ops", { serviceAccountName: "web-sa" });
      expect(await added([ns, sa, web])).toEqual([RULE]);
      expect(await added([ns, sa, web], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-ops"))).toEqual([]);
    }, 120_000);
  });

  describe("volumes of a pod in a namespace the stack does not create", () => {
    const mounting = (volume: Record<string, unknown>) => deployment("vault", { volumes: [{ name: "v", ...volume }] });
    it("refuses Vault's audit claim, as the namespace's default account", async () => {
      expect(await added([mounting({ persistentVolumeClaim: { claimName: "audit-vault-0" } })])).toEqual([RULE]);
    }, 120_000);
    it("refuses an nfs volume", async () => {
      expect(await added([mounting({ nfs: { server: "10.0.0.1", path: "/" } })])).toEqual([RULE]);
    }, 120_000);
    it("refuses an inline CSI volume (a SecretProviderClass of the namespace)", async () => {
      expect(await added([mounting({ csi: { driver: "secrets-store.csi.k8s.io", volumeAttributes: { secretProviderClass: "vault" } } })])).toContain(RULE);
    }, 120_000);
    it("refuses an ephemeral claim cloned from the audit claim", async () => {
      const spec = {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        dataSource: { kind: "PersistentVolumeClaim", name: "audit-vault-0" },
      };
      expect(await added([mounting({ ephemeral: { volumeClaimTemplate: { spec } } })])).toEqual([RULE]);
    }, 120_000);
    it("refuses an ephemeral claim binding an existing volume by name", async () => {
      const spec = { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeName: "pvc-audit-vault-0" };
      expect(await added([mounting({ ephemeral: { volumeClaimTemplate: { spec } } })])).toEqual([RULE]);
    }, 120_000);
    it("passes emptyDir, downwardAPI, an ephemeral claim and a projected token with the cluster CA", async () => {
      const volumes = [
        { name: "a", emptyDir: {} },
        { name: "b", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
        { name: "c", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } } },
        {
          name: "d",
          projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 600 } }, { configMap: { name: "kube-root-ca.crt" } }] },
        },
      ];
      // Refused there only as a possible imported twin of the namespace's own Deployment, not for its volumes.
      const messages = (await addedFindings([deployment("vault", { volumes })])).map((r) => r.message);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/imports/);
      expect(messages[0]).not.toMatch(/mounts or reads/);
    }, 120_000);
    it("passes a claim in a declared Namespace the stack creates", async () => {
      const ns = namespace("ops");
      const web = deployment("ops", { volumes: [{ name: "v", persistentVolumeClaim: { claimName: "data" } }] });
      expect(await added([ns, web], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-ops"))).toEqual([]);
    }, 120_000);
  });

  describe("cluster-scoped objects the stack creates", () => {
    const kinds: Array<[string, Record<string, unknown>]> = [
      [
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        { spec: { group: "metrics.k8s.io", version: "v1beta1", service: { name: "evil", namespace: "tools" } } },
      ],
      [
        "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
        { spec: { group: "argoproj.io", names: { kind: "Application", plural: "applications" } } },
      ],
      ["kubernetes:certificates.k8s.io/v1beta1:ClusterTrustBundle", { spec: { trustBundle: "-----BEGIN CERTIFICATE-----" } }],
      ["kubernetes:node.k8s.io/v1:RuntimeClass", { handler: "runc-privileged" }],
      ["kubernetes:scheduling.k8s.io/v1:PriorityClass", { value: 1000000000 }],
    ];
    it("refuses a kind no other rule reads (APIService, CRD, ClusterTrustBundle, RuntimeClass, PriorityClass) until declared", async () => {
      for (const [type, extra] of kinds) {
        const r = object(type, undefined, extra, "x");
        expect(await added([r])).toEqual([RULE]);
        expect(await added([r], declaringKeys([r], `${type}::x`))).toEqual([]);
      }
    }, 120_000);
    it("leaves a ClusterRole to the RBAC rules", async () => {
      const view = object("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", undefined, { rules: [] }, "reader");
      expect(await added([view])).not.toContain(RULE);
    }, 120_000);
  });

  describe("cluster-scoped Patches", () => {
    it("refuses a NodePatch", async () => {
      expect(await added([object("kubernetes:core/v1:NodePatch", undefined, { spec: { unschedulable: true } })])).toEqual([RULE]);
    }, 120_000);
    it("passes a NamespacePatch of a namespace the stack creates, once the Namespace is declared", async () => {
      const ns = namespace("tools");
      const patch = object("kubernetes:core/v1:NamespacePatch", undefined, {}, "tools");
      expect(await added([ns, patch])).toEqual([RULE]);
      expect(await added([ns, patch], declaringKeys([ns], "kubernetes:core/v1:Namespace::ns-tools"))).toEqual([]);
    }, 120_000);
  });

  it("passes a refused object the security team declared, by its type and inputs", async () => {
    const patch = deployment("vault", {}, "kubernetes:apps/v1:DeploymentPatch");
    expect(await added([patch], declaringKeys([patch], "kubernetes:apps/v1:DeploymentPatch::web"))).toEqual([]);
    expect(await added([patch], declaringKeys([patch], "kubernetes:apps/v1:Deployment::web"))).toEqual([RULE]);
  }, 120_000);
});
