/**
 * kubernetes/service-interception: beside the dev stack (agents), a Service outside the agents'
 * namespaces with externalIPs (CVE-2020-8554: kube-proxy sends every pod's traffic for those IPs to
 * it) or of type ExternalName (its in-cluster name answers with another host) is refused until the
 * security team declares it; a plain ClusterIP or LoadBalancer Service there passes.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/service-interception";
const dev = devBaseline();

/** A namespace the stack creates (declared, as a platform namespace beside agents is), so only the Service is judged. */
const platformNs: Resource = { type: "kubernetes:core/v1:Namespace", name: "platform-ns", props: { metadata: { name: "platform" } } };
const service = (name: string, namespace: string, spec: Record<string, unknown>): Resource => ({
  type: "kubernetes:core/v1:Service",
  name: `${namespace}-${name}`,
  props: { metadata: { name, namespace }, spec },
});
const grab = service("grab", "platform", { selector: { app: "grab" }, ports: [{ port: 8200, targetPort: 8200 }], externalIPs: ["10.0.50.10"] });
const alias = service("vault", "vault", { type: "ExternalName", externalName: "evil.example.com" });
const vaultNs: Resource = { type: "kubernetes:core/v1:Namespace", name: "vault-ns", props: { metadata: { name: "vault" } } };

const added = (extra: readonly Resource[], ...declared: Resource[]) => dev.added(extra, declaring(platformNs, vaultNs, ...declared));

describe("Services that intercept traffic or names beside agents are declared", () => {
  it("passes a ClusterIP and a LoadBalancer Service in a platform namespace", async () => {
    const plain = service("api", "platform", { selector: { app: "api" }, ports: [{ port: 80 }] });
    const lb = service("lb", "platform", { type: "LoadBalancer", selector: { app: "api" }, ports: [{ port: 443 }] });
    expect(await added([platformNs, plain, lb])).toEqual([]);
  }, 120_000);

  it("refuses externalIPs in a platform namespace (Vault's IP on 8200) until declared, and again once they change", async () => {
    expect(await added([platformNs, grab])).toEqual([RULE]);
    expect(await added([platformNs, grab], grab)).toEqual([]);
    const moved = { ...grab, props: { ...grab.props, spec: { ...(grab.props.spec as object), externalIPs: ["10.0.50.11"] } } };
    expect(await added([platformNs, moved], grab)).toEqual([RULE]);
  }, 120_000);

  it("refuses externalIPs set by a ServicePatch, and externalIPs or a type unknown at preview", async () => {
    const patch: Resource = { ...grab, type: "kubernetes:core/v1:ServicePatch" };
    expect(await added([platformNs, patch])).toEqual([RULE]);
    // stack/unknown-input reports the unknown too (network-exposure reads both when set).
    expect(await added([platformNs, service("u", "platform", { externalIPs: UNKNOWN })])).toContain(RULE);
    expect(await added([platformNs, service("t", "platform", { type: UNKNOWN })])).toContain(RULE);
  }, 120_000);

  it("refuses an ExternalName Service vault/vault (vault.vault.svc answers with another host) until declared", async () => {
    expect(await added([vaultNs, alias])).toEqual([RULE]);
    expect(await added([vaultNs, alias], alias)).toEqual([]);
  }, 120_000);

  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([platformNs, grab, vaultNs, alias]))).not.toContain(RULE);
  }, 120_000);
});
