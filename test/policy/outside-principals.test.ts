/**
 * Grants that extend a principal the stack does not create (a group membership, a permission set
 * assignment, a user's credentials) are refused in a stack with agents until declared; the same
 * group membership in the stack's own group passes; a credential for a user is refused even when the
 * stack creates the user (an imported user keeps its group memberships). Each case changes one
 * property beside the dev stack; the stack's users and groups hold only their own policies.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { TODAY } from "../helpers/fixtures";
import { UNKNOWN, declaringKeys, ruleIds, runPack, withExclusivePolicies, declaringPlatformRoles, type Resource } from "../helpers/policy-args";

const dev = devBaseline();

/** The stack's users and groups manage their policies exclusively (iam/principal-exclusive-policies has its own tests). */
const added = (extra: Resource[], config?: object) => dev.added(withExclusivePolicies(extra), declaringPlatformRoles(extra, config));

const user: Resource = { type: "aws:iam/user:User", name: "ci", props: { name: "ci-bot" } };
const group: Resource = { type: "aws:iam/group:Group", name: "readers", props: { name: "readers" } };
const membership = (groups: unknown): Resource => ({ type: "aws:iam/userGroupMembership:UserGroupMembership", name: "m", props: { user: "ci-bot", groups } });
const key = (name: unknown): Resource => ({ type: "aws:iam/accessKey:AccessKey", name: "k", props: { user: name } });

describe("grants to principals the stack does not create", () => {
  it("a membership in the stack's own group passes (the happy path)", async () => {
    expect(await added([user, group, membership(["readers"])])).toEqual([]);
  }, 60_000);

  it("a key for the stack's own user is refused until declared: the user may be an existing one imported, with its memberships", async () => {
    const extra = [user, key("ci-bot")];
    expect(await added(extra)).toEqual(["iam/outside-principal"]);
    expect(await added(extra, declaringKeys(extra, "aws:iam/accessKey:AccessKey::k"))).toEqual([]);
  }, 60_000);

  it.each([
    ["a membership in a group the stack does not create", [user, group, membership(["readers", "Administrators"])]],
    ["a membership in a group unknown at preview", [user, group, membership(UNKNOWN)]],
    ["an access key for a user the stack does not create", [user, key("platform-admin")]],
    ["an access key for a user unknown at preview", [user, key(UNKNOWN)]],
    [
      "an Identity Center assignment of a permission set the stack does not create",
      [
        {
          type: "aws:ssoadmin/accountAssignment:AccountAssignment",
          name: "aa",
          props: {
            instanceArn: "arn:aws:sso:::instance/ssoins-1",
            permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-admin",
            principalId: "g-1",
            principalType: "GROUP",
            targetId: "111122223333",
            targetType: "AWS_ACCOUNT",
          },
        },
      ],
    ],
  ])(
    "%s is refused",
    async (_what, extra) => {
      expect(await added(extra as Resource[])).toContain("iam/outside-principal");
    },
    60_000,
  );

  it("is waived only by a declaration of that grant", async () => {
    const extra = [user, key("platform-admin")];
    expect(await added(extra, declaringKeys(extra, "aws:iam/accessKey:AccessKey::k"))).toEqual([]);
    expect(await added(extra, declaringKeys(extra, "aws:iam/accessKey:AccessKey::other"))).toContain("iam/outside-principal");
  }, 60_000);

  it("is not judged in a stack without agents (the platform's own stack)", async () => {
    expect(ruleIds(await runPack([key("platform-admin")], TODAY))).toEqual([]);
  }, 60_000);
});
