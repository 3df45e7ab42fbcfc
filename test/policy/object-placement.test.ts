/**
 * kubernetes/object-placement: beside the dev stack (agents), a Kubernetes object outside agents'
 * namespaces is judged by where it lands. It states its namespace; nothing lands in kube-system; in
 * a namespace the stack does not create it adds only objects of its own (no Patch, RBAC, foreign
 * token Secret or Secret read, upsert, or custom resource of an unbounded kind); a cluster-scoped
 * Patch is refused. Each is refused unless declared (kubernetesPlatformResources). Each case changes
 * one property of an ordinary object in an existing namespace.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaringKeys, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/object-placement";
const { added } = devBaseline();

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
  it("a Deployment and a ConfigMap in an existing namespace pass (the happy path)", async () => {
    expect(await added([deployment("tools"), object("kubernetes:core/v1:ConfigMap", "tools", { data: { a: "b" } })])).toEqual([]);
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
    it("passes the provider's explicit namespace", async () => {
      expect(await added([{ ...deployment(undefined), provider: provider("tools", { namespace: "tools" }) }])).toEqual([]);
    }, 120_000);
    it("refuses a namespace unknown at preview that comes from no Namespace of the stack", async () => {
      expect(await added([object("kubernetes:core/v1:ConfigMap", UNKNOWN)])).toEqual([RULE]);
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
    it("passes the Patch in a namespace the stack creates", async () => {
      expect(await added([namespace("tools"), deployment("tools", {}, "kubernetes:apps/v1:DeploymentPatch")])).toEqual([]);
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
    it("passes the same through pulumi-kubernetes 4.29", async () => {
      expect(await added([{ ...deployment("argocd"), provider: provider("default_4_29_0", {}) }])).toEqual([]);
    }, 120_000);
    it("refuses a Role there (pods/exec in vault)", async () => {
      expect(await added([role("vault")])).toEqual([RULE]);
    }, 120_000);
    it("passes the Role in a namespace the stack creates", async () => {
      expect(await added([namespace("tools"), role("tools")])).toEqual([]);
    }, 120_000);
    it("refuses a token Secret for an account the stack does not create there", async () => {
      expect(await added([withAnnotation(tokenSecret("argocd"), "argocd-application-controller")])).toEqual([RULE]);
    }, 120_000);
    it("passes a token Secret for an account the stack creates there", async () => {
      const sa = object("kubernetes:core/v1:ServiceAccount", "argocd", {}, "mine");
      expect(await added([sa, withAnnotation(tokenSecret("argocd"), "mine")])).toEqual([]);
    }, 120_000);
    it("refuses a pod mounting a Secret the stack does not create there (Vault's unseal keys)", async () => {
      expect(await added([deployment("vault", { volumes: [{ name: "k", secret: { secretName: "vault-unseal-keys" } }] })])).toEqual([RULE]);
    }, 120_000);
    it("refuses envFrom of such a Secret", async () => {
      const spec = { containers: [{ name: "c", image: "nginx", envFrom: [{ secretRef: { name: "argocd-secret" } }] }] };
      expect(await added([deployment("argocd", spec)])).toEqual([RULE]);
    }, 120_000);
    it("passes a Secret the stack creates there", async () => {
      const secret = object("kubernetes:core/v1:Secret", "tools", { stringData: { k: "v" } }, "web-secret");
      expect(await added([secret, deployment("tools", { volumes: [{ name: "k", secret: { secretName: "web-secret" } }] })])).toEqual([]);
    }, 120_000);
    it("refuses an EndpointSlice joining a Service the stack does not create there (vault)", async () => {
      const slice = object("kubernetes:discovery.k8s.io/v1:EndpointSlice", "vault", { addressType: "IPv4", endpoints: [{ addresses: ["203.0.113.9"] }] });
      (slice.props.metadata as Record<string, unknown>).labels = { "kubernetes.io/service-name": "vault" };
      expect(await added([slice])).toEqual([RULE]);
      const service = object("kubernetes:core/v1:Service", "vault", { spec: { ports: [{ port: 80 }] } }, "vault");
      expect(await added([service, slice])).toEqual([]);
    }, 120_000);
    it("refuses an Argo CD Application (its controller applies another repository's manifests)", async () => {
      const app = custom("kubernetes:argoproj.io/v1alpha1:Application", "argocd", { source: { repoURL: "https://example.com/x" } });
      expect(await added([app])).toEqual([RULE]);
    }, 120_000);
    it("passes a PrometheusRule (its operator reads rules and names nothing of the namespace)", async () => {
      const rule = custom("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "tools", { groups: [{ name: "g", rules: [] }] });
      expect(await added([rule])).toEqual([]);
    }, 120_000);
    it("refuses a cert-manager Certificate there (it writes over a Secret of the namespace)", async () => {
      const crt = custom("kubernetes:cert-manager.io/v1:Certificate", "tools", { secretName: "web-tls", dnsNames: ["web.example.com"] });
      expect(await added([crt])).toEqual([RULE]);
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

  describe("cluster-scoped Patches", () => {
    it("refuses a NodePatch", async () => {
      expect(await added([object("kubernetes:core/v1:NodePatch", undefined, { spec: { unschedulable: true } })])).toEqual([RULE]);
    }, 120_000);
    it("passes a NamespacePatch of a namespace the stack creates", async () => {
      const patch = object("kubernetes:core/v1:NamespacePatch", undefined, {}, "tools");
      expect(await added([namespace("tools"), patch])).toEqual([]);
    }, 120_000);
  });

  it("passes a refused object the security team declared, by its type and inputs", async () => {
    const patch = deployment("vault", {}, "kubernetes:apps/v1:DeploymentPatch");
    expect(await added([patch], declaringKeys([patch], "kubernetes:apps/v1:DeploymentPatch::web"))).toEqual([]);
    expect(await added([patch], declaringKeys([patch], "kubernetes:apps/v1:Deployment::web"))).toEqual([RULE]);
  }, 120_000);
});
