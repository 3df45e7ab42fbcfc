/**
 * The workload helper's result spreads into `@pulumi/kubernetes` pod specs and containers with the
 * type checker's approval: `npm test` type-checks this file (`tsc --noEmit -p .`), and the
 * `@ts-expect-error` lines fail that check if the types ever loosen to something that accepts anything.
 */
import type * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { compileAgent, workloadIdentity, type WorkloadIdentity } from "../components";
import { parsePlatform, parseAgent } from "../components/core/schema";
import { PLATFORM, agent } from "./helpers/fixtures";

function sample(): WorkloadIdentity {
  const plan = compileAgent(parsePlatform(PLATFORM), parseAgent(agent("worker")));
  return workloadIdentity(
    plan.identities.find((i) => i.kind === "execution")!,
    { vaultAudience: "vault" },
  );
}

/** The sample program: what the README tells users to write. */
function podSpecFor(workload: WorkloadIdentity): k8s.types.input.core.v1.PodSpec {
  return {
    ...workload.podSpec,
    containers: [{ name: "agent", image: "example/agent:1.0", ...workload.container }],
  };
}

/** Or field by field, from the flat fields. */
function podSpecFromFields(workload: WorkloadIdentity): k8s.types.input.core.v1.PodSpec {
  const container: k8s.types.input.core.v1.Container = { name: "agent", image: "example/agent:1.0", volumeMounts: workload.volumeMounts, env: workload.env };
  return {
    serviceAccountName: workload.serviceAccountName,
    automountServiceAccountToken: workload.automountServiceAccountToken,
    volumes: workload.volumes,
    containers: [container],
  };
}

describe("workload helper types", () => {
  it("metadata carries the ServiceAccount's namespace and the labels, and spreads into an ObjectMeta", () => {
    const workload = sample();
    const metadata: k8s.types.input.meta.v1.ObjectMeta = { name: "worker", ...workload.metadata };
    const plan = compileAgent(parsePlatform(PLATFORM), parseAgent(agent("worker")));
    const namespace = plan.identities.find((i) => i.kind === "execution")!.serviceAccount.namespace;
    expect(namespace).toMatch(/worker/);
    expect(metadata.namespace).toBe(namespace);
    expect(metadata.labels).toEqual(workload.labels);
  });

  it("spreads into a @pulumi/kubernetes PodSpec and Container", () => {
    const workload = sample();
    const spec = podSpecFor(workload);
    expect(spec.serviceAccountName).toBe(workload.serviceAccountName);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(podSpecFromFields(workload)).toEqual(spec);
    // Pod-level and container-level fields stay apart: nothing container-only lands on the pod.
    expect(Object.keys(workload.podSpec).sort()).toEqual(["automountServiceAccountToken", "serviceAccountName", "volumes"]);
    expect(Object.keys(workload.container).sort()).toEqual(["env", "volumeMounts"]);
  });

  it("is typed, not a bag of records (checked by the type checker)", () => {
    const workload = sample();
    // @ts-expect-error env entries are EnvVars, not numbers
    const wrongEnv: number[] = workload.env;
    // @ts-expect-error the mount path is a string
    const wrongMount: number = workload.volumeMounts[0].mountPath;
    // @ts-expect-error automount is the literal false
    const automount: true = workload.automountServiceAccountToken;
    expect([wrongEnv, wrongMount, automount]).toHaveLength(3);
  });
});
