/** Every manifest the components produce validates against the Kubernetes schema (kubernetes-models). */
import { Namespace, Pod, ServiceAccount } from "kubernetes-models/v1";
import { beforeEach, describe, expect, it } from "vitest";
import { Agent, AgentFleet, type AgentFleetArgs } from "../components";
import { PLATFORM, TODAY_DATE, agent, stackDeclaration } from "./helpers/fixtures";
import { installMocks, resources, settle } from "./helpers/pulumi-mocks";

beforeEach(() => installMocks("dev"));

describe("Kubernetes manifests", () => {
  it("ServiceAccounts and Namespaces of the dev stack validate", async () => {
    const fleet = new AgentFleet("platform", { ...(stackDeclaration("dev") as AgentFleetArgs), validationDate: TODAY_DATE });
    await settle();
    const accounts = resources().filter((r) => r.type === "kubernetes:core/v1:ServiceAccount");
    const namespaces = resources().filter((r) => r.type === "kubernetes:core/v1:Namespace");
    expect(accounts.length).toBe(fleet.plan.agents.length * 3);
    expect(namespaces.length).toBe(fleet.plan.agents.length);
    for (const sa of accounts) expect(() => new ServiceAccount(sa.inputs as never).validate()).not.toThrow();
    for (const ns of namespaces) expect(() => new Namespace(ns.inputs as never).validate()).not.toThrow();
  });

  it("the validator is not a rubber stamp: a bad label value fails", () => {
    expect(() =>
      new ServiceAccount({ metadata: { name: "Bad_Name!", labels: { x: "y".repeat(70) } }, automountServiceAccountToken: "no" as never }).validate(),
    ).toThrow();
  });

  it("the workload helper yields a pod spec that validates and runs as exactly one identity", async () => {
    const payout = new Agent("payout", {
      ...agent("payout", { tier: "high-risk", approval: { ticket: "SEC-1", approvedBy: "sec@example.com" } }),
      platform: PLATFORM,
      validationDate: TODAY_DATE,
    });
    const workload = payout.workload("execution");
    const pod = new Pod({
      metadata: { name: "payout-worker", labels: { ...workload.labels } },
      spec: {
        serviceAccountName: workload.serviceAccountName,
        automountServiceAccountToken: workload.automountServiceAccountToken,
        volumes: workload.volumes,
        containers: [{ name: "agent", image: "example/agent:1.0", volumeMounts: workload.volumeMounts, env: workload.env }],
      },
    });
    expect(() => pod.validate()).not.toThrow();
    expect(workload.serviceAccountName).toBe("payout-execution");
    // The labels the policy pack requires of a workload running as an agent's ServiceAccount.
    expect(workload.labels).toEqual({ "agent-identity.io/agent": "payout", "agent-identity.io/identity": "execution" });
    const projected = (workload.volumes[0] as { projected: { sources: Array<{ serviceAccountToken: { audience: string; expirationSeconds: number } }> } })
      .projected.sources[0].serviceAccountToken;
    expect(projected).toEqual({ audience: "vault", expirationSeconds: 600, path: "token" });
    const sessionName = workload.env.find((e) => e.name === "AWS_ROLE_SESSION_NAME");
    expect(sessionName?.value).toBe("payout-exec-$(POD_UID)");
    // The trust policy demands exactly that prefix for a high-risk agent.
    const trust = payout.plan.identities.find((i) => i.kind === "execution")!.iamRole.trustPolicy.Statement[0];
    expect(trust.Condition?.StringLike).toEqual({ "sts:RoleSessionName": "payout-exec-*" });
    await settle();
  });
});
