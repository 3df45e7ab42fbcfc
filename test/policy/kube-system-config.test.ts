/**
 * kubernetes/kube-system-config: the ConfigMaps cluster DNS and kube-proxy read (every ConfigMap in
 * kube-system, and the DNS and kube-proxy names anywhere) are refused before creation unless the
 * security team declares them (kubernetesPlatformResources); a hosts entry in the Corefile would send
 * the agents' Vault logins elsewhere. Each case changes one property of an ordinary ConfigMap.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN, declaringKeys, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/kube-system-config";
const COREFILE = ".:53 {\n  hosts {\n    203.0.113.9 vault.dev.acme.internal\n    fallthrough\n  }\n  forward . /etc/resolv.conf\n}\n";

const configMap = (metadata: Record<string, unknown>, type = "kubernetes:core/v1:ConfigMap"): Resource => ({
  type,
  name: "cm",
  props: { metadata, data: { Corefile: COREFILE } },
});

describe("kube-system and cluster DNS configuration", () => {
  it("an ordinary ConfigMap in an application namespace passes (the happy path)", async () => {
    expect(ruleIds(await runPack([configMap({ name: "app-config", namespace: "platform-tools" })]))).toEqual([]);
  }, 60_000);
  it("refuses a ConfigMapPatch of kube-system/coredns", async () => {
    const reported = await runPack([configMap({ name: "coredns", namespace: "kube-system" }, "kubernetes:core/v1:ConfigMapPatch")]);
    expect(ruleIds(reported)).toEqual([RULE]);
    expect(reported[0].message).toMatch(/ConfigMapPatch cm is in kube-system: cluster DNS .* redirects the agents' Vault logins/);
  }, 60_000);
  it("refuses any other ConfigMap in kube-system", async () => {
    expect(ruleIds(await runPack([configMap({ name: "app-config", namespace: "kube-system" })]))).toEqual([RULE]);
  }, 60_000);
  it("refuses a DNS configuration name in another namespace", async () => {
    expect(ruleIds(await runPack([configMap({ name: "node-local-dns", namespace: "platform-tools" })]))).toEqual([RULE]);
  }, 60_000);
  it("refuses a DNS configuration name whose namespace is unknown at preview", async () => {
    expect(ruleIds(await runPack([configMap({ name: "coredns-custom", namespace: UNKNOWN })]))).toEqual([RULE]);
  }, 60_000);
  it("refuses an ordinary name in the provider's default namespace kube-system", async () => {
    const provider: Resource = { type: "pulumi:providers:kubernetes", name: "system", props: { namespace: "kube-system" } };
    const reported = await runPack([{ ...configMap({ name: "app-config" }), provider }]);
    expect(ruleIds(reported)).toContain(RULE);
  }, 60_000);
  it("refuses a ConfigMapList with a kube-system item", async () => {
    const list: Resource = {
      type: "kubernetes:core/v1:ConfigMapList",
      name: "cms",
      props: { items: [{ metadata: { name: "coredns", namespace: "kube-system" } }] },
    };
    expect(ruleIds(await runPack([list]))).toEqual([RULE]);
  }, 60_000);
  it("leaves aws-auth to kubernetes/eks-access", async () => {
    expect(ruleIds(await runPack([configMap({ name: "aws-auth", namespace: "kube-system" })]))).not.toContain(RULE);
  }, 60_000);
  it("passes a ConfigMap the security team declared", async () => {
    const patch = configMap({ name: "coredns", namespace: "kube-system" }, "kubernetes:core/v1:ConfigMapPatch");
    expect(ruleIds(await runPack([patch], undefined, declaringKeys([patch], "kubernetes:core/v1:ConfigMapPatch::cm")))).toEqual([]);
    expect(ruleIds(await runPack([patch], undefined, declaringKeys([patch], "kubernetes:core/v1:ConfigMap::cm")))).toEqual([RULE]);
  }, 60_000);
});
