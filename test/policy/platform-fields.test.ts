/**
 * Where the pack sees a platform field on a resource, it refuses what the declaration schema refuses:
 * the Vault role's audience, the OIDC provider a role trusts, the permissions boundary of an agent role.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { replanned } from "../helpers/replan";
import { runPack, ruleIds, type Resource } from "../helpers/policy-args";

const ROLE = "aws:iam/role:Role";
const VAULT_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole";

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({ platform: PLATFORM, agents: [agent("billing")] });
});

/** The components' own resources with one resource of `type` edited. */
function edited(type: string, match: (r: Resource) => boolean, edit: (props: Record<string, unknown>) => Record<string, unknown>): Resource[] {
  let done = false;
  const out = base.map((r) => {
    if (done || r.type !== type || !match(r)) return r;
    done = true;
    return { ...r, props: edit(r.props) };
  });
  expect(done, `no ${type} to edit`).toBe(true);
  return out;
}

const execution = (r: Resource) => JSON.stringify(r.props).includes("execution");

describe("the pack on platform fields", () => {
  it("passes the components' own resources", async () => {
    expect(await runPack(base)).toEqual([]);
  });

  for (const [audience, reason] of [
    ["sts.amazonaws.com", "is the IRSA audience"],
    ["https://kubernetes.default.svc", "another consumer's audience"],
    ["pods.eks.amazonaws.com", "another consumer's audience"],
    ["https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF", "the cluster's issuer"],
    ["  ", "blank"],
  ]) {
    it(`refuses a Vault role with audience ${JSON.stringify(audience)}`, async () => {
      const reported = await runPack(replanned(edited(VAULT_ROLE, execution, (p) => ({ ...p, audience }))));
      expect(ruleIds(reported)).toEqual(["vault/audience"]);
      expect(reported[0].message).toContain(reason);
    });
  }

  it("refuses a role that trusts an OIDC provider that is not an EKS issuer", async () => {
    const github = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    const reported = await runPack(
      edited(ROLE, execution, (p) => ({ ...p, assumeRolePolicy: String(p.assumeRolePolicy).split(PLATFORM.aws.oidcProviderArn!).join(github) })),
    );
    expect(ruleIds(reported)).toContain("trust/single-provider");
    expect(reported.find((r) => r.message.includes("trust/single-provider"))!.message).toContain("not an EKS cluster's IAM OIDC provider");
  });

  for (const [boundary, reason] of [
    ["arn:aws:iam::111122223333:policy/*", "contains a wildcard"],
    ["arn:aws:iam::aws:policy/PowerUserAccess", "an AWS managed policy"],
    ["*", "contains a wildcard"],
  ]) {
    it(`refuses an agent role with permissions boundary ${boundary}`, async () => {
      const reported = await runPack(edited(ROLE, execution, (p) => ({ ...p, permissionsBoundary: boundary })));
      // The edited role's boundary also differs from its siblings' (one boundary for every agent role) and from its plan.
      expect(ruleIds(reported)).toEqual(["context/permissions-boundary-required", "iam/agent-role-as-planned", "iam/permissions-boundary-policy"]);
      expect(reported.find((r) => r.message.includes("context/permissions-boundary-required"))!.message).toContain(reason);
    });
  }
});
