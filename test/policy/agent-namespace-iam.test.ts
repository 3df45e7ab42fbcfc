/**
 * The closed world over agents' namespaces for AWS identities: only an identity's planned
 * ServiceAccount gets an IAM role there, and only its planned role (Pod Identity, IRSA annotation,
 * IRSA trust). Each refused case has a passing twin differing in one property (mostly the namespace).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { TODAY, stackDeclaration } from "../helpers/fixtures";
import { ruleIds, runPack, UNKNOWN, type Resource, withExclusivePolicies, declaringPlatformIam } from "../helpers/policy-args";
import { podIdentityTrust } from "../helpers/pod-identity-trust";

const NS = "acme-dev-support-assistant";
const SA = "support-assistant-execution";
const ACC = "111122223333";
const OPS_ROLE = `arn:aws:iam::${ACC}:role/existing-ops-role`;
const OIDC = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);

const rules = async (extra: Resource[], resources: Resource[] = base) =>
  ruleIds(await runPack(withExclusivePolicies([...resources, ...extra]), TODAY, declaringPlatformIam([...resources, ...extra])));

/** A role the stack creates (not an agent's), which a Pod Identity association may lend outside agents' namespaces. */
const opsRole: Resource = {
  type: "aws:iam/role:Role",
  name: "ops-role",
  props: {
    name: "ops-role",
    assumeRolePolicy: podIdentityTrust("111122223333", "dev", "ops", "ops"),
  },
};
const OWN_ROLE = `arn:aws:iam::${ACC}:role/ops-role`;
const association = (props: Record<string, unknown>): Resource[] => [
  opsRole,
  {
    type: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    name: "pia",
    props: { clusterName: "dev", namespace: NS, serviceAccount: "default", roleArn: OWN_ROLE, ...props },
  },
];
const serviceAccount = (namespace: string, annotations: Record<string, string>): Resource => ({
  type: "kubernetes:core/v1:ServiceAccount",
  name: `helper-${namespace}`,
  props: { metadata: { name: "helper", namespace, annotations }, automountServiceAccountToken: false },
});
const irsaRole = (namespace: string, account: string): Resource => ({
  type: "aws:iam/role:Role",
  name: "r-helper",
  props: {
    name: "r-helper",
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${ACC}:oidc-provider/${OIDC}` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${OIDC}:sub`]: `system:serviceaccount:${namespace}:${account}`, [`${OIDC}:aud`]: "sts.amazonaws.com" } },
        },
      ],
    }),
  },
});

describe("Pod Identity associations in agent namespaces", () => {
  it("refuses the default ServiceAccount of an agent namespace, not of a platform namespace", async () => {
    expect(await rules([...association({})])).toEqual(["kubernetes/default-service-account"]);
    expect(await rules([...association({ namespace: "ci" })])).toEqual([]);
  });

  it("refuses another ServiceAccount of an agent namespace", async () => {
    expect(await rules([...association({ serviceAccount: "helper" })])).toEqual(["kubernetes/agent-namespace-objects"]);
  });

  it("refuses a namespace or a ServiceAccount unknown at preview", async () => {
    expect(await rules([...association({ namespace: UNKNOWN })])).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(await rules([...association({ namespace: "ci", serviceAccount: UNKNOWN })])).toEqual([]);
    expect(await rules([...association({ serviceAccount: UNKNOWN })])).toEqual(["kubernetes/agent-namespace-objects"]);
  });

  it("names the agent namespace, the ServiceAccount, the role and the fix", async () => {
    const reported = await runPack([...base, ...association({})], TODAY);
    const message = reported.map((r) => r.message).find((m) => m.includes("Pod Identity association pia"));
    expect(message).toContain(`${NS}/default`);
    expect(message).toContain("ops-role");
    expect(message).toContain("kubernetes/default-service-account");
    expect(message).toContain("Agent component");
  });
});

describe("IRSA role annotations in agent namespaces", () => {
  it("refuses an extra annotated ServiceAccount in an agent namespace, not in a platform namespace", async () => {
    expect(await rules([serviceAccount(NS, { "eks.amazonaws.com/role-arn": OPS_ROLE })])).toEqual(["kubernetes/agent-namespace-objects"]);
    // Outside agents' namespaces this rule does not apply (kubernetes/object-placement judges where it lands).
    expect(await rules([serviceAccount("ci", { "eks.amazonaws.com/role-arn": OPS_ROLE })])).not.toContain("kubernetes/agent-namespace-objects");
  });

  it("lets an extra ServiceAccount without the annotation be", async () => {
    expect(await rules([serviceAccount(NS, {})])).toEqual([]);
  });

  it("refuses an identity's ServiceAccount annotated with a role other than its planned one", async () => {
    const swapped = base.map((r) => {
      const metadata = (r.props as { metadata?: { name?: string; annotations?: Record<string, string> } }).metadata;
      if (r.type !== "kubernetes:core/v1:ServiceAccount" || metadata?.name !== SA) return r;
      return { ...r, props: { ...r.props, metadata: { ...metadata, annotations: { ...metadata.annotations, "eks.amazonaws.com/role-arn": OPS_ROLE } } } };
    });
    expect(await rules([], swapped)).toContain("kubernetes/agent-namespace-objects");
  });
});

describe("IRSA trusts naming a ServiceAccount of an agent namespace", () => {
  it("refuses a role trusting a ServiceAccount that is not an identity's, in an agent namespace only", async () => {
    expect(await rules([serviceAccount(NS, {}), irsaRole(NS, "helper")])).toEqual(["kubernetes/agent-namespace-objects"]);
    expect(await rules([serviceAccount("ci", {}), irsaRole("ci", "helper")])).not.toContain("kubernetes/agent-namespace-objects");
  });

  it("refuses a trust in every namespace a pattern may be", async () => {
    const role = irsaRole("acme-dev-*", "helper");
    const document = (role.props as { assumeRolePolicy: string }).assumeRolePolicy.replace("StringEquals", "StringLike");
    expect(await rules([{ ...role, props: { ...role.props, assumeRolePolicy: document } }])).toContain("kubernetes/agent-namespace-objects");
  });
});
