/**
 * Workloads outside agents' namespaces in a stack with agents (kubernetes/service-account-use): every
 * workload kind and its Patch in kube-system is the platform's and refused unless declared
 * (kubernetesPlatformResources); elsewhere a workload runs only as `default` or a ServiceAccount the
 * stack creates in its namespace. Each case changes one property of an ordinary Deployment in
 * `monitoring` beside the dev stack.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaring, declaringKeys, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/service-account-use";

const dev = devBaseline();

const { added } = dev;

/** `monitoring` as a Namespace the stack creates and the security team declares (in an existing one every object is kubernetes/object-placement's). */
const monitoring: Resource = { type: "kubernetes:core/v1:Namespace", name: "ns-monitoring", props: { metadata: { name: "monitoring" } } };
const inMonitoring = (extra: readonly Resource[]) => added([monitoring, ...extra], declaring(monitoring));

const deployment = (namespace: unknown, spec: Record<string, unknown> = {}, type = "kubernetes:apps/v1:Deployment"): Resource => ({
  type,
  name: "dep",
  props: {
    metadata: { name: "exporter", namespace },
    spec: {
      selector: { matchLabels: { a: "b" } },
      template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } },
    },
  },
});
const serviceAccount = (namespace: string, name: string): Resource => ({
  type: "kubernetes:core/v1:ServiceAccount",
  name: `sa-${name}`,
  props: { metadata: { name, namespace } },
});

describe("workloads outside agents' namespaces", () => {
  it("a Deployment in monitoring with no ServiceAccount passes (the happy path)", async () => {
    expect(await inMonitoring([deployment("monitoring")])).toEqual([]);
    // In an existing monitoring namespace it may be an imported twin: only object-placement refuses it.
    expect(await added([deployment("monitoring")])).toEqual(["kubernetes/object-placement"]);
  }, 120_000);
  it("passes the default ServiceAccount named explicitly", async () => {
    expect(await inMonitoring([deployment("monitoring", { serviceAccountName: "default" })])).toEqual([]);
  }, 120_000);
  it("passes a ServiceAccount the stack creates in that namespace (kubernetes/object-placement still refuses it in an existing namespace)", async () => {
    const sa = serviceAccount("monitoring", "exporter");
    const web = deployment("monitoring", { serviceAccountName: "exporter" });
    // In an existing namespace the account may be an imported twin of the platform's: object-placement, not this rule.
    expect(await added([sa, web])).toEqual(["kubernetes/object-placement"]);
    // In a Namespace the stack creates and the security team declares, it passes.
    const ns: Resource = { type: "kubernetes:core/v1:Namespace", name: "ns-monitoring", props: { metadata: { name: "monitoring" } } };
    expect(await added([ns, sa, web], declaring(ns))).toEqual([]);
  }, 120_000);
  it("refuses an existing ServiceAccount the stack does not create", async () => {
    expect(await inMonitoring([deployment("monitoring", { serviceAccountName: "prometheus-operator" })])).toEqual([RULE]);
  }, 120_000);
  it("refuses a ServiceAccount of that name the stack creates in another namespace", async () => {
    // The account in ci is itself an object in an existing namespace (object-placement).
    expect(await inMonitoring([serviceAccount("ci", "exporter"), deployment("monitoring", { serviceAccountName: "exporter" })])).toEqual([
      "kubernetes/object-placement",
      RULE,
    ]);
  }, 120_000);
  it("refuses a ServiceAccount unknown at preview that comes from none of the stack's ServiceAccounts", async () => {
    expect(await inMonitoring([deployment("monitoring", { serviceAccountName: UNKNOWN })])).toEqual([RULE]);
  }, 120_000);
  it('refuses a ServiceAccount unknown at preview computed from one of the stack\'s ServiceAccounts (sa.metadata.uid.apply(() => "vault"))', async () => {
    const dep = { ...deployment("monitoring", { serviceAccountName: UNKNOWN }), dependsOn: { spec: ["sa-exporter"] } };
    // kubernetes/object-placement also refuses it (an account declared there may be an imported existing one).
    expect(await added([serviceAccount("monitoring", "exporter"), dep])).toContain(RULE);
  }, 120_000);
  it("refuses a Deployment in kube-system, even as default", async () => {
    expect(await added([deployment("kube-system")])).toEqual([RULE]);
  }, 120_000);
  it("refuses a DaemonSetPatch in kube-system (an image swap of kube-proxy)", async () => {
    expect(await added([deployment("kube-system", {}, "kubernetes:apps/v1:DaemonSetPatch")])).toEqual([RULE]);
  }, 120_000);
  it("refuses a Deployment whose namespace is unknown at preview", async () => {
    expect(await added([deployment(UNKNOWN)])).toEqual([RULE]);
  }, 120_000);
  it("refuses a Deployment that states no namespace through a provider whose default namespace is unknown at preview", async () => {
    const provider: Resource = { type: "pulumi:providers:kubernetes", name: "k", props: { namespace: UNKNOWN } };
    expect(await added([{ ...deployment(undefined), provider }])).toContain(RULE);
  }, 120_000);
  it("passes a kube-system workload the security team declared, by its type", async () => {
    const patch = deployment("kube-system", {}, "kubernetes:apps/v1:DeploymentPatch");
    expect(await added([patch], declaringKeys([patch], "kubernetes:apps/v1:DeploymentPatch::dep"))).toEqual([]);
    expect(await added([patch], declaringKeys([patch], "kubernetes:apps/v1:Deployment::dep"))).toEqual([RULE]);
  }, 120_000);
});
