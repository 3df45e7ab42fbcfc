/**
 * The EKS cluster resource (policy/adapters/eks-clusters.ts): access entries only
 * (authenticationMode `API`, kubernetes/eks-access) and the audit and authenticator control plane
 * logs on (stack/audit-trail). One property of a compliant cluster changes per case.
 */
import { describe, expect, it } from "vitest";
import { TODAY } from "../helpers/fixtures";
import { UNKNOWN, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const GOOD = {
  name: "dev",
  roleArn: "arn:aws:iam::111122223333:role/eks-cluster",
  vpcConfig: { subnetIds: ["subnet-1"] },
  accessConfig: { authenticationMode: "API" },
  enabledClusterLogTypes: ["api", "audit", "authenticator"],
};
const cluster = (change: (props: Record<string, unknown>) => void): Resource => {
  const props: Record<string, unknown> = structuredClone(GOOD);
  change(props);
  return { type: "aws:eks/cluster:Cluster", name: "eks", props };
};
const rules = async (resource: Resource) => ruleIds(await runPack([resource], TODAY));

describe("EKS cluster authentication mode (kubernetes/eks-access)", () => {
  it("passes a cluster with access entries only and its audit logs on", async () => {
    expect(await rules(cluster(() => {}))).toEqual([]);
  });

  it("refuses API_AND_CONFIG_MAP and CONFIG_MAP (aws-auth maps IAM roles), and no accessConfig (the EKS API's default is CONFIG_MAP)", async () => {
    expect(await rules(cluster((p) => (p.accessConfig = { authenticationMode: "API_AND_CONFIG_MAP" })))).toEqual(["kubernetes/eks-access"]);
    expect(await rules(cluster((p) => (p.accessConfig = { authenticationMode: "CONFIG_MAP" })))).toEqual(["kubernetes/eks-access"]);
    expect(await rules(cluster((p) => delete p.accessConfig))).toEqual(["kubernetes/eks-access"]);
  });

  it("reports an authentication mode unknown at preview as unknown, not as compliant", async () => {
    expect(await rules(cluster((p) => (p.accessConfig = UNKNOWN)))).toEqual(["stack/unknown-input"]);
  });
});

describe("EKS control plane logs (stack/audit-trail)", () => {
  it("refuses a cluster that drops the audit or the authenticator log, or sends none (logging is off unless listed)", async () => {
    expect(await rules(cluster((p) => (p.enabledClusterLogTypes = ["api", "authenticator"])))).toEqual(["stack/audit-trail"]);
    expect(await rules(cluster((p) => (p.enabledClusterLogTypes = ["api", "audit"])))).toEqual(["stack/audit-trail"]);
    expect(await rules(cluster((p) => (p.enabledClusterLogTypes = [])))).toEqual(["stack/audit-trail"]);
    expect(await rules(cluster((p) => delete p.enabledClusterLogTypes))).toEqual(["stack/audit-trail"]);
  });

  it("reports log types unknown at preview as unknown", async () => {
    expect(await rules(cluster((p) => (p.enabledClusterLogTypes = UNKNOWN)))).toEqual(["stack/unknown-input"]);
  });
});
