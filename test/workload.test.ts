/** The pod wiring of one identity: the Vault token's audience, expiry and mount path are bounded. */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration } from "../components/core/schema";
import { mountPathProblem, workloadIdentity } from "../components/core/workload";
import { PLATFORM, agent } from "./helpers/fixtures";

const plan = compileFleet(parseDeclaration({ platform: PLATFORM, agents: [agent("alpha")] }), "test");
const execution = plan.agents[0].identities.find((identity) => identity.kind === "execution")!;

describe("workloadIdentity", () => {
  it("wires the platform's audience, a 600 s token and the default mount path", () => {
    const workload = workloadIdentity(execution, { vaultAudience: "vault" });
    expect(JSON.stringify(workload.volumes)).toContain('"audience":"vault","expirationSeconds":600');
    expect(workload.volumeMounts).toEqual([{ name: "vault-token", mountPath: "/var/run/secrets/vault", readOnly: true }]);
  });

  it.each([
    ["the API server's audience", { vaultAudience: "https://kubernetes.default.svc" }, /agent alpha, identity execution: workload Vault audience/],
    ["the IRSA audience", { vaultAudience: "sts.amazonaws.com" }, /IRSA audience/],
    ["an audience the Vault role does not accept", { vaultAudience: "other-vault" }, /is not the audience "vault"/],
    ["a token under Kubernetes' minimum", { vaultAudience: "vault", tokenExpirationSeconds: 599 }, /outside 600\.\.3600/],
    ["a day-long token", { vaultAudience: "vault", tokenExpirationSeconds: 86400 }, /outside 600\.\.3600/],
    [
      "the Kubernetes token directory",
      { vaultAudience: "vault", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
      /inside \/var\/run\/secrets\/kubernetes\.io/,
    ],
    ["the EKS token directory", { vaultAudience: "vault", mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount" }, /eks\.amazonaws\.com/],
    ["a parent that hides both", { vaultAudience: "vault", mountPath: "/var/run/secrets" }, /would hide/],
    ["a relative path", { vaultAudience: "vault", mountPath: "vault" }, /not absolute/],
    ["a path with ..", { vaultAudience: "vault", mountPath: "/var/run/vault/../secrets/kubernetes.io" }, /not normalised/],
  ])("refuses %s", (_, options, message) => {
    expect(() => workloadIdentity(execution, options)).toThrow(message);
  });

  it("accepts a normalised path of its own and an hour-long token", () => {
    expect(mountPathProblem("/etc/vault")).toBeUndefined();
    expect(() => workloadIdentity(execution, { vaultAudience: "vault", tokenExpirationSeconds: 3600, mountPath: "/etc/vault" })).not.toThrow();
  });
});
