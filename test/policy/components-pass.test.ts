import { describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent, stackDeclaration } from "../helpers/fixtures";
import { runPack } from "../helpers/policy-args";
import { sandboxResources } from "../helpers/sandbox-resources";

describe("policy pack on the components' own resources", () => {
  for (const stack of ["dev", "prod"]) {
    it(`reports nothing for stacks/Pulumi.${stack}.yaml`, async () => {
      const resources = await componentResources(stackDeclaration(stack));
      const types = new Set(resources.map((r) => r.type));
      // The stack exercises every resource type the pack has rules for.
      expect([...types]).toEqual(
        expect.arrayContaining([
          "aws:iam/role:Role",
          "aws:iam/rolePolicy:RolePolicy",
          "kubernetes:core/v1:ServiceAccount",
          "vault:index/policy:Policy",
          "vault:kubernetes/authBackendRole:AuthBackendRole",
        ]),
      );
      expect(await runPack(resources)).toEqual([]);
    });
  }

  it("reports nothing for stacks/Pulumi.sandbox.yaml (audit device, auth configs, connection, AWS engine, namespaces, NetworkPolicies)", async () => {
    const resources = await sandboxResources();
    const types = new Set(resources.map((r) => r.type));
    expect([...types]).toEqual(
      expect.arrayContaining([
        "vault:index/audit:Audit",
        "vault:kubernetes/authBackendConfig:AuthBackendConfig",
        "vault:database/secretBackendConnection:SecretBackendConnection",
        "vault:aws/secretBackend:SecretBackend",
        "kubernetes:core/v1:Namespace",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      ]),
    );
    expect(await runPack(resources)).toEqual([]);
  });

  it("reports nothing for a revoked agent, a high-risk agent and a shared namespace", async () => {
    const platform = {
      ...PLATFORM,
      kubernetes: { namespacePerAgent: false, namespace: "agents" },
      shared: [
        {
          name: "warehouse",
          vaultAwsRole: "arn:aws:iam::444455556666:role/warehouse",
          agents: ["ab"],
          risk: "assumed read-only through Vault; the platform team reviewed what the role can read",
        },
      ],
    };
    const resources = await componentResources({
      platform,
      agents: [
        agent("a", { revoked: { at: "2026-11-01T00:00:00Z", reason: "leaked prompt" } }),
        agent("ab", { tools: [{ name: "warehouse", vaultAws: { roleArn: "arn:aws:iam::444455556666:role/warehouse", ttl: "15m" } }] }),
      ],
    });
    expect(await runPack(resources)).toEqual([]);
  });
});
