/**
 * The pack runs the plan's ownership rules on what it can see: each agent's `owns`, read back from
 * the annotation on its ServiceAccounts, is of an ownable type (separation/ownable-type), and its
 * identities use what they own only as the type allows (iam/owned-action). Each case changes one
 * property of the components' own resources.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { OWNS_ANNOTATION } from "../../components/core/compile";
import { componentResources } from "../helpers/component-resources";
import { PLATFORM, agent } from "../helpers/fixtures";
import { runPack, ruleIds, type Resource } from "../helpers/policy-args";
import { replanned } from "../helpers/replan";

let base: Resource[];
beforeAll(async () => {
  base = await componentResources({ platform: PLATFORM, agents: [agent("billing"), agent("search")] });
});

/** The resources with billing's ServiceAccounts claiming `owns` as written. */
function claiming(owns: string[]): Resource[] {
  return base.map((r) => {
    const metadata = (r.props as { metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> } }).metadata;
    if (
      r.type !== "kubernetes:core/v1:ServiceAccount" ||
      metadata?.annotations?.[OWNS_ANNOTATION] === undefined ||
      !metadata.annotations[OWNS_ANNOTATION].includes("billing")
    )
      return r;
    return { ...r, props: { ...r.props, metadata: { ...metadata, annotations: { ...metadata.annotations, [OWNS_ANNOTATION]: JSON.stringify(owns) } } } };
  });
}

describe("pack: what an agent owns", () => {
  it("passes the components' own resources", async () => {
    expect(ruleIds(await runPack(base))).toEqual([]);
    expect(ruleIds(await runPack(claiming(["arn:aws:s3:::acme-data/billing/*"])))).toEqual([]);
  });

  it("refuses an owns annotation naming a type no agent may own (the organisation's SSO instance)", async () => {
    const reported = await runPack(claiming(["arn:aws:s3:::acme-data/billing/*", "arn:aws:sso:::instance/ssoins-1234567890abcdef"]));
    expect(ruleIds(reported)).toEqual(["separation/ownable-type"]);
    expect(reported[0].message).toMatch(
      /^billing\/\*: separation\/ownable-type: owns "arn:aws:sso:::instance\/ssoins-1234567890abcdef", whose type .+ — ask the platform to share it/,
    );
  });

  it("refuses a hand-written grant on an owned KMS key beyond cryptographic use", async () => {
    const key = `arn:aws:kms:us-east-1:${PLATFORM.aws.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const grant = (action: string): Resource => ({
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "extra-kms",
      props: {
        role: "acme-test-billing-execution",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: key }] }),
      },
    });
    // A hand-written statement carries no aws:RequestedRegion condition (context/region-bound either way); the plan
    // record is rewritten with it, so only what is owned decides (iam/agent-role-as-planned refuses it otherwise).
    const rules = async (action: string) =>
      ruleIds(await runPack(replanned([...claiming(["arn:aws:s3:::acme-data/billing/*", key]), grant(action)]))).filter((id) => id !== "context/region-bound");
    expect(await rules("kms:Decrypt")).toEqual([]);
    expect(await rules("kms:ScheduleKeyDeletion")).toEqual(["iam/owned-action"]);
  });
});
