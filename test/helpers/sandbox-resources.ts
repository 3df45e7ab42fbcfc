/** The resources the components register for stacks/Pulumi.sandbox.yaml (two clusters, bootstrap on), under mocks. */
import * as k8s from "@pulumi/kubernetes";
import { AgentFleet } from "../../components";
import { installMocks, resources, settle } from "./pulumi-mocks";
import { TODAY_DATE, stackDeclaration } from "./fixtures";
import type { Resource } from "./policy-args";

export async function sandboxResources(): Promise<Resource[]> {
  installMocks();
  const declaration = stackDeclaration("sandbox");
  const kubernetesProviders = { blue: new k8s.Provider("blue", {}), green: new k8s.Provider("green", {}) };
  new AgentFleet(
    "platform",
    { platform: declaration.platform, agents: declaration.agents ?? [], validationDate: TODAY_DATE, rootPasswords: { ledgerRootPassword: "test-only" } },
    { kubernetesProviders },
  );
  await settle();
  return resources()
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
}
