/**
 * An identity in several clusters has one Vault Kubernetes-auth role per cluster's auth mount, and the
 * ServiceAccount lists those mounts: the pack accepts exactly those roles and refuses a further copy
 * on any other mount (another cluster whose workloads could then log in as the identity).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../../cli/stack-file";
import { AgentFleet } from "../../components";
import { installMocks, resources, settle } from "../helpers/pulumi-mocks";
import { ruleIds, runPack, type Resource } from "../helpers/policy-args";

const NOW = new Date("2026-11-28T12:00:00Z");

async function sandboxResources(): Promise<Resource[]> {
  installMocks("sandbox");
  const declaration = readStackFile("stacks/Pulumi.sandbox.yaml").declaration as { platform: { clusters?: { name: string }[] }; agents: never[] };
  const kubernetesProviders = Object.fromEntries(
    (declaration.platform.clusters ?? []).map((c) => [c.name, new k8s.Provider(`cluster-${c.name}`, { context: c.name })]),
  );
  new AgentFleet(
    "platform",
    {
      platform: declaration.platform as never,
      agents: declaration.agents,
      validationDate: "2026-11-28",
      rootPasswords: { ledgerRootPassword: pulumi.secret("pw") },
    },
    { kubernetesProviders },
  );
  await settle();
  // Each object keeps the cluster provider it is created through (a provider reference is `<urn>::<id>`).
  const custom = resources().filter((r) => r.custom);
  const byUrn = new Map(custom.map((r) => [r.urn, { type: r.type, name: r.name, props: r.inputs }]));
  return custom.map((r) => {
    const provider = r.provider ? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined;
    return { type: r.type, name: r.name, props: r.inputs, ...(provider ? { provider } : {}) };
  });
}

describe("Vault roles of an identity in several clusters", () => {
  it("one role per listed auth mount passes the pack", async () => {
    const stack = await sandboxResources();
    const roles = stack.filter(
      (r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && String(r.props.roleName).endsWith("invoice-triage-execution"),
    );
    expect(roles.map((r) => r.props.backend).sort()).toEqual(["kubernetes-blue", "kubernetes-green"]);
    expect(ruleIds(await runPack(stack, NOW))).toEqual([]);
  });

  it("a copy on a mount the ServiceAccount does not list is refused", async () => {
    const stack = await sandboxResources();
    const role = stack.find(
      (r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole" && String(r.props.roleName).endsWith("invoice-triage-execution"),
    )!;
    const rogue = { ...role, name: "rogue-copy", props: { ...role.props, backend: "kubernetes-other" } };
    expect(ruleIds(await runPack([...stack, rogue], NOW))).toContain("stack/no-shared-identity");
  });
});
