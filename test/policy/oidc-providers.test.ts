/**
 * An IAM OIDC provider the stack names may be the cluster's existing one (an import twin: the engine
 * imports it, then updates its client IDs and thumbprints), so beside agents it is refused until the
 * security team declares it (iam/platform-object-declared). Declared, it gains nothing either: every
 * trust the pack admits pins aud to sts.amazonaws.com, so an audience the twin adds (say Vault's)
 * admits no token to any role. The happy path is the components' own stack (stacks/Pulumi.dev.yaml) and
 * a CI role trusting one ServiceAccount of the cluster; each case changes one thing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaringPlatformIam, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;
const ciRole = (aud: string): Resource => ({
  type: "aws:iam/role:Role",
  name: "ci",
  props: {
    name: "ci-runner",
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:ci:runner", [`${ISSUER}:aud`]: aud } },
        },
      ],
    }),
  },
});
/** The cluster's provider as a resource of the stack, listing the client IDs given. */
const twin = (clientIdLists: string[]): Resource => ({
  type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  name: "cluster-oidc",
  props: { url: `https://${ISSUER}`, clientIdLists, thumbprintLists: [] },
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
/** The pack's rule ids with the hand-written CI role and provider declared (iam/platform-*-declared have their own cases). */
const rulesOf = async (...extra: Resource[]) => ruleIds(await runPack([...base, ...extra], undefined, declaringPlatformIam(extra)));

describe("the cluster's OIDC provider named by the stack (an import twin)", () => {
  it("is refused until declared", async () => {
    const undeclared = ruleIds(await runPack([...base, twin(["sts.amazonaws.com"])]));
    expect(undeclared).toContain("iam/platform-object-declared");
    expect(await rulesOf(twin(["sts.amazonaws.com"]))).not.toContain("iam/platform-object-declared");
  }, 120_000);

  it("passes as the provider alone, and leaves the components' agent roles as they were", async () => {
    const alone = await rulesOf();
    expect(await rulesOf(twin(["sts.amazonaws.com"]))).toEqual(alone);
    expect(await rulesOf(twin(["sts.amazonaws.com", "vault"]))).toEqual(alone);
  }, 120_000);

  it("a role trusting the audience the twin adds is refused as without the twin", async () => {
    expect(await rulesOf(ciRole("sts.amazonaws.com"))).not.toContain("trust/own-service-account");
    const without = await rulesOf(ciRole("vault"));
    expect(without).toContain("trust/own-service-account");
    expect(await rulesOf(twin(["sts.amazonaws.com", "vault"]), ciRole("vault"))).toEqual(without);
  }, 120_000);
});
