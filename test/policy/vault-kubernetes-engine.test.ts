/**
 * vault/kubernetes-secrets-engine: beside the dev stack (agents), a Vault Kubernetes secrets engine
 * mount or role mints tokens for whoever reads its creds path. Refused unless declared; a role whose
 * namespaces include an agent's is refused even declared. Each case changes one field of a role.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { UNKNOWN, declaring, type Resource } from "../helpers/policy-args";

const RULE = "vault/kubernetes-secrets-engine";
const dev = devBaseline();

/** An agent namespace of the dev stack, read from its own ServiceAccounts. */
const agentNamespace = () => {
  const sa = dev.base().find((r) => r.type === "kubernetes:core/v1:ServiceAccount");
  return (sa!.props.metadata as { namespace: string }).namespace;
};
const role = (props: Record<string, unknown>): Resource => ({
  type: "vault:kubernetes/secretBackendRole:SecretBackendRole",
  name: "k8s-role",
  props: { backend: "kubernetes", name: "ci-deployer", allowedKubernetesNamespaces: ["ci"], serviceAccountName: "deployer", ...props },
});
const backend: Resource = {
  type: "vault:kubernetes/secretBackend:SecretBackend",
  name: "k8s-engine",
  props: { path: "kubernetes-secrets", kubernetesHost: "https://k8s.example:443", serviceAccountJwt: "jwt" },
};

describe("Vault's Kubernetes secrets engine in a stack with agents", () => {
  it("refuses the mount and a role in a non-agent namespace until declared", async () => {
    // The engine moves with its path (no disableRemount), so vault/mount-path refuses it too.
    expect(await dev.added([backend])).toEqual([RULE, "vault/mount-path"]);
    expect(await dev.added([backend], declaring(backend))).toEqual([]);
    const ci = role({});
    expect(await dev.added([ci])).toEqual([RULE]);
    expect(await dev.added([ci], declaring(ci))).toEqual([]);
  }, 120_000);
  it("refuses, even declared, a role minting an agent's ServiceAccount token in its namespace", async () => {
    const minted = role({ allowedKubernetesNamespaces: [agentNamespace()], serviceAccountName: "billing-execution" });
    expect(await dev.added([minted])).toEqual([RULE]);
    expect(await dev.added([minted], declaring(minted))).toEqual([RULE]);
  }, 120_000);
  it("refuses, even declared, every namespace, a selector or namespaces unknown at preview", async () => {
    for (const change of [
      { allowedKubernetesNamespaces: ["*"], serviceAccountName: undefined, kubernetesRoleType: "ClusterRole", kubernetesRoleName: "cluster-admin" },
      { allowedKubernetesNamespaces: undefined, allowedKubernetesNamespaceSelector: '{"matchLabels":{"team":"x"}}' },
      { allowedKubernetesNamespaces: UNKNOWN },
      { allowedKubernetesNamespaces: ["acme-*"] },
    ]) {
      const r = role(change);
      expect(await dev.added([r], declaring(r))).toEqual([RULE]);
    }
  }, 120_000);
});
