/**
 * Grants that extend a principal the stack does not create (a group membership, a permission set
 * assignment, a user's credentials) are refused in a stack with agents until declared; the same
 * group membership in the stack's own group passes; a credential for a user is refused even when the
 * stack creates the user (an imported user keeps its group memberships), and so are an Identity Center
 * group membership and permission set assignment (an imported group or permission set keeps its
 * assignments and attachments). A PolicyAttachment (exclusive per policy across the account) of a
 * policy the stack does not create is refused until declared. Each case changes one
 * property beside the dev stack; the stack's users and groups hold only their own policies.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { TODAY } from "../helpers/fixtures";
import { UNKNOWN, declaringKeys, ruleIds, runPack, withExclusivePolicies, declaringPlatformIam, type Resource } from "../helpers/policy-args";

const dev = devBaseline();

/** The stack's users and groups manage their policies exclusively (iam/principal-exclusive-policies has its own tests). */
const added = (extra: Resource[], config?: object) => dev.added(withExclusivePolicies(extra), declaringPlatformIam(extra, config));

const user: Resource = { type: "aws:iam/user:User", name: "ci", props: { name: "ci-bot" } };
const group: Resource = { type: "aws:iam/group:Group", name: "readers", props: { name: "readers" } };
const membership = (groups: unknown): Resource => ({ type: "aws:iam/userGroupMembership:UserGroupMembership", name: "m", props: { user: "ci-bot", groups } });
const key = (name: unknown): Resource => ({ type: "aws:iam/accessKey:AccessKey", name: "k", props: { user: name } });

const SSO = "arn:aws:sso:::instance/ssoins-1";
const idUser: Resource = {
  type: "aws:identitystore/user:User",
  name: "u",
  props: { identityStoreId: "d-123", userName: "mallory", displayName: "M", name: { givenName: "M", familyName: "X" } },
};
const idGroup: Resource = { type: "aws:identitystore/group:Group", name: "ig", props: { displayName: "AWSAdmins", identityStoreId: "d-123" } };
const idMembership = (groupId: unknown, extra: Partial<Resource> = {}): Resource => ({
  type: "aws:identitystore/groupMembership:GroupMembership",
  name: "gm",
  props: { identityStoreId: "d-123", groupId, memberId: UNKNOWN },
  ...extra,
});
const permissionSet: Resource = { type: "aws:ssoadmin/permissionSet:PermissionSet", name: "ps", props: { name: "AdministratorAccess", instanceArn: SSO } };
const assignment = (props: Record<string, unknown>, extra: Partial<Resource> = {}): Resource => ({
  type: "aws:ssoadmin/accountAssignment:AccountAssignment",
  name: "aa",
  props: {
    instanceArn: SSO,
    permissionSetArn: UNKNOWN,
    principalId: UNKNOWN,
    principalType: "GROUP",
    targetId: "111122223333",
    targetType: "AWS_ACCOUNT",
    ...props,
  },
  ...extra,
});
const policyAttachment = (policyArn: unknown, extra: Partial<Resource> = {}): Resource => ({
  type: "aws:iam/policyAttachment:PolicyAttachment",
  name: "pa",
  props: { name: "pa", policyArn, roles: [], users: [], groups: [] },
  ...extra,
});
const ownPolicy: Resource = {
  type: "aws:iam/policy:Policy",
  name: "own",
  props: {
    name: "platform-reader",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::platform-docs/*" }] }),
  },
};

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

  it.each([
    // Round 11 b1 iam-identitystore-membership-existing-admin-group: a stack user added to an existing group by id.
    ["a membership in an existing Identity Center group", [idUser, idMembership("a1b2c3-admins", { dependsOn: { memberId: ["u"] } })]],
    // Round 11 b9 iam-identitystore-group-twin-admins: the group is the stack's, but may be the existing AWSAdmins imported.
    [
      "a membership in an Identity Center group the stack creates",
      [idUser, idGroup, idMembership(UNKNOWN, { dependsOn: { groupId: ["ig"], memberId: ["u"] } })],
    ],
    ["a membership in an Identity Center group unknown at preview", [idUser, idMembership(UNKNOWN, { dependsOn: { memberId: ["u"] } })]],
    // Round 11 b1 iam-sso-permissionset-twin-admin-assigned-to-stack-group: the permission set may be the existing AdministratorAccess.
    [
      "an assignment of a permission set the stack creates, to a group the stack creates",
      [permissionSet, idGroup, assignment({}, { dependsOn: { permissionSetArn: ["ps"], principalId: ["ig"] } })],
    ],
    ["an assignment of a stack permission set to a principal unknown at preview", [permissionSet, assignment({}, { dependsOn: { permissionSetArn: ["ps"] } })]],
  ])(
    "%s is refused until declared: an imported group or permission set keeps its assignments and attachments",
    async (_what, extra) => {
      const resources = extra as Resource[];
      expect(await added(resources)).toEqual(["iam/outside-principal"]);
      const grant = resources[resources.length - 1]!;
      // A preview's unknown input cannot be declared (no digest): the declaration covers the grant once its inputs are known.
      const known = { ...grant, props: { ...grant.props, groupId: "g-admins", memberId: "u-mallory", permissionSetArn: `${SSO}/ps-1`, principalId: "g-ops" } };
      const known2 = [...resources.slice(0, -1), known];
      expect(await added(known2, declaringKeys(known2, `${grant.type}::${grant.name}`))).toEqual([]);
    },
    60_000,
  );

  it("names an assignment's principal, and a declaration pins it", async () => {
    const known = assignment({ permissionSetArn: `${SSO}/ps-1`, principalId: "g-ops" });
    const findings = await dev.addedFindings([known]);
    expect(findings.map((f) => f.message).join("\n")).toContain("GROUP g-ops");
    const other = assignment({ permissionSetArn: `${SSO}/ps-1`, principalId: "g-admins" });
    expect(await added([other], declaringKeys([known], "aws:ssoadmin/accountAssignment:AccountAssignment::aa"))).toEqual(["iam/outside-principal"]);
  }, 60_000);

  describe("a PolicyAttachment detaches its policy from every principal it does not list", () => {
    // Round 11 b1 iam-policyattachment-detach-guardrail-from-all.
    it("refuses one of a policy the stack does not create (a guardrail Deny, lists empty) until declared", async () => {
      const guardrail = policyAttachment("arn:aws:iam::111122223333:policy/deny-cloudtrail-stop");
      expect(await added([guardrail])).toEqual(["iam/outside-principal"]);
      expect(await added([guardrail], declaringKeys([guardrail], "aws:iam/policyAttachment:PolicyAttachment::pa"))).toEqual([]);
    }, 60_000);

    it.each([
      ["an AWS managed policy", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
      ["a policy ARN unknown at preview and from no resource", UNKNOWN],
    ])(
      "refuses %s",
      async (_what, arn) => {
        expect(await added([policyAttachment(arn)])).toContain("iam/outside-principal");
      },
      60_000,
    );

    it("lets one of a Policy of this stack through, by its output or by its ARN", async () => {
      expect(await added([ownPolicy, policyAttachment(UNKNOWN, { dependsOn: { policyArn: ["own"] } })])).toEqual([]);
      expect(await added([ownPolicy, policyAttachment("arn:aws:iam::111122223333:policy/platform-reader")])).toEqual([]);
    }, 60_000);
  });

  it("is waived only by a declaration of that grant", async () => {
    const extra = [user, key("platform-admin")];
    expect(await added(extra, declaringKeys(extra, "aws:iam/accessKey:AccessKey::k"))).toEqual([]);
    expect(await added(extra, declaringKeys(extra, "aws:iam/accessKey:AccessKey::other"))).toContain("iam/outside-principal");
  }, 60_000);

  it("is not judged in a stack without agents (the platform's own stack)", async () => {
    expect(ruleIds(await runPack([key("platform-admin")], TODAY))).toEqual([]);
  }, 60_000);
});
