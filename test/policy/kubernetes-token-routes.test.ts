/**
 * Kubernetes routes to an agent's token or its Vault traffic that no RBAC grants: a CSIDriver's
 * tokenRequests (the kubelet hands the driver a token of every pod mounting its volumes), an
 * ExternalName Service in an agent namespace (shadows the names agents resolve), and a Kubernetes
 * provider for a cluster other than the agents' (the pack would judge its objects against the wrong
 * cluster). Each case changes one property of a passing input beside the dev stack's components.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaring, declaringKeys, ruleIds, runPack, type Reported, type Resource } from "../helpers/policy-args";

const NS = "acme-dev-support-assistant";

let base: Resource[];
let before: Set<string>;
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
  before = new Set((await runPack(base)).map((r) => r.message));
}, 120_000);

const added = async (extra: Resource[], config: object = {}): Promise<Reported[]> =>
  (await runPack([...base, ...extra], undefined, config)).filter((r) => !before.has(r.message));

const csiDriver = (audiences: Array<string | undefined>, type = "kubernetes:storage.k8s.io/v1:CSIDriver"): Resource => ({
  type,
  name: "csi",
  props: {
    metadata: { name: "secrets.csi.example.com" },
    spec: { tokenRequests: audiences.map((audience) => (audience === undefined ? {} : { audience })), requiresRepublish: true },
  },
});

describe("a CSIDriver requests no token for an audience agents' credentials accept", () => {
  it("an audience of its own passes (the happy path)", async () => {
    expect(ruleIds(await added([csiDriver(["secrets.csi.example.com"])]))).toEqual([]);
  }, 60_000);
  it.each([["vault"], ["sts.amazonaws.com"], ["pods.eks.amazonaws.com"], [undefined], ["https://kubernetes.default.svc"]])(
    "refuses audience %s",
    async (audience) => {
      const reported = await added([csiDriver([audience])]);
      expect(ruleIds(reported)).toEqual(["kubernetes/projected-token"]);
      expect(reported[0].message).toMatch(/CSIDriver csi requests ServiceAccount tokens for/);
    },
    60_000,
  );
  it("passes a declared driver, but never a Patch", async () => {
    expect(ruleIds(await added([csiDriver(["vault"])], declaringKeys([csiDriver(["vault"])], "kubernetes:storage.k8s.io/v1:CSIDriver::csi")))).toEqual([]);
    const patch = csiDriver(["vault"], "kubernetes:storage.k8s.io/v1:CSIDriverPatch");
    expect(ruleIds(await added([patch], declaringKeys([patch], "kubernetes:storage.k8s.io/v1:CSIDriverPatch::csi")))).toEqual(["kubernetes/projected-token"]);
  }, 60_000);
});

const service = (spec: Record<string, unknown>, namespace = NS): Resource => ({
  type: "kubernetes:core/v1:Service",
  name: "vault-alias",
  props: { metadata: { name: "vault", namespace }, spec },
});

describe("no ExternalName Service in an agent namespace", () => {
  it("a ClusterIP Service there passes (the happy path)", async () => {
    expect(ruleIds(await added([service({ type: "ClusterIP", selector: { app: "x" }, ports: [{ port: 80 }] })]))).toEqual([]);
  }, 60_000);
  it("refuses one of type ExternalName", async () => {
    const reported = await added([service({ type: "ExternalName", externalName: "evil.example.com" })]);
    expect(ruleIds(reported)).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(reported[0].message).toMatch(
      /^support-assistant\/\*: kubernetes\/agent-namespace-objects: Service vault-alias in agent namespace acme-dev-support-assistant is of type ExternalName \(to evil.example.com\)/,
    );
  }, 60_000);
  it("refuses one outside the agents' namespaces only until declared (kubernetes/service-interception)", async () => {
    // Where it lands is judged too (an object in an existing namespace may be an imported twin).
    expect(ruleIds(await added([service({ type: "ExternalName", externalName: "vault.example.com" }, "platform-tools")]))).toEqual([
      "kubernetes/object-placement",
      "kubernetes/service-interception",
    ]);
  }, 60_000);
});

const endpointSlice = (namespace: string): Resource => ({
  type: "kubernetes:discovery.k8s.io/v1:EndpointSlice",
  name: "vault-endpoints",
  props: {
    metadata: { name: "vault-1", namespace, labels: { "kubernetes.io/service-name": "vault" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["203.0.113.9"] }],
    ports: [{ port: 8200 }],
  },
});

describe("no hand-written endpoints in an agent namespace (a selectorless Service there goes anywhere)", () => {
  it("passes them outside the agents' namespaces (the happy path)", async () => {
    // In a namespace the stack creates, declared by the security team (in an existing one, or in an undeclared one the
    // stack relies on as its own, kubernetes/object-placement refuses joining its Services).
    const namespace: Resource = { type: "kubernetes:core/v1:Namespace", name: "ns-tools", props: { metadata: { name: "platform-tools" } } };
    expect(ruleIds(await added([namespace, endpointSlice("platform-tools")], declaring(namespace)))).toEqual([]);
  }, 60_000);
  it("refuses them in an agent namespace", async () => {
    const reported = await added([endpointSlice(NS)]);
    expect(ruleIds(reported)).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(reported[0].message).toMatch(/EndpointSlice vault-endpoints in agent namespace acme-dev-support-assistant is a hand-written endpoint list/);
  }, 60_000);
});

const provider = (props: Record<string, unknown>): Resource => ({ type: "pulumi:providers:kubernetes", name: "other", props });
const OTHER_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n";

describe("Kubernetes providers are the agents' clusters, or declared", () => {
  it("a provider for the agents' (ambient) cluster passes (the happy path)", async () => {
    expect(ruleIds(await added([provider({ namespace: "platform-tools" })]))).toEqual([]);
  }, 60_000);
  it("refuses a provider for another cluster until declared", async () => {
    const other = provider({ kubeconfig: OTHER_KUBECONFIG });
    const reported = await added([other]);
    expect(ruleIds(reported)).toEqual(["stack/provider-endpoints"]);
    expect(reported[0].message).toMatch(/Kubernetes provider other targets a cluster other than the agents' cluster \(the ambient kubeconfig\)/);
    expect(ruleIds(await added([other], declaring(other)))).toEqual([]);
  }, 60_000);
  it("refuses, declared or not, one whose default namespace is an agent's, and what it creates there", async () => {
    const other = provider({ context: "other-cluster", namespace: NS });
    const configMap: Resource = { type: "kubernetes:core/v1:ConfigMap", name: "cm", props: { metadata: { name: "cm" }, data: {} }, provider: other };
    const reported = await added([other, configMap], declaring(other, configMap));
    expect(ruleIds(reported)).toEqual(["stack/provider-endpoints"]);
    expect(reported.map((r) => r.message.split(": ")[0]).sort()).toEqual(["platform/*", "support-assistant/*"]);
  }, 60_000);
});
