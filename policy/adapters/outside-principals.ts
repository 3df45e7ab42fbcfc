/**
 * Grants to principals the stack does not define. A membership in a group, an Identity Center
 * assignment of a permission set, or a credential (access key, console password, SSH key, signing
 * certificate, service credential) for a user hands out whatever that group, permission set or user
 * holds; when the stack does not create it, the pack cannot read what that is (an existing
 * `Administrators` group, an admin permission set). So, in a stack with agents, the principal must be
 * one of the stack's own resources (whose policies the pack judges), named by a known value or by
 * that resource's output, or the security team declares the grant (kubernetesPlatformResources,
 * by URN and inputs digest). A credential for a user is refused unless declared even when the stack
 * creates the user: a User named like an existing one may be that user imported (a policy does not
 * see the import option), and its group memberships stay whatever the stack writes, since no
 * resource removes the others (principal-exclusive-policies.ts strips only its policies).
 *
 * Identity Center groups and permission sets get the same answer as users: a membership in any
 * identity-store group, and an account assignment of any permission set, is refused unless declared,
 * even when the stack creates the group or permission set. An identity-store Group or PermissionSet
 * named like an existing one may be that one imported (an import with other inputs imports, then
 * updates), and it keeps its account assignments and managed-policy attachments: they are separate
 * objects (AccountAssignment, ManagedPolicyAttachment), and no exclusive resource strips them. An
 * assignment's principal (principalType, principalId) is named in the finding; the declaration pins it
 * by the inputs digest, so a principal unknown at preview stays refused until known.
 *
 * An aws.iam.PolicyAttachment is exclusive per policy across the account (Pulumi aws.iam.PolicyAttachment:
 * "users/roles/groups that have the attached policy via any other mechanism ... will have that attached
 * policy revoked by this resource"). One of a policy the stack does not
 * create (a guardrail Deny attached to every role of the account) strips it from principals the
 * pack cannot see, so its policyArn must come from an aws.iam.Policy of this stack (its output, or
 * a known ARN whose name is one of the stack's policies), or the security team declares it.
 */
import { asString, asStrings } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { deps, isUnknown, readOfType, type Read } from "./shared";

const RULE = "iam/outside-principal";
const USER = "aws:iam/user:User";
const GROUP = "aws:iam/group:Group";
const PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet";
const IDENTITY_GROUP = "aws:identitystore/group:Group";
const POLICY = "aws:iam/policy:Policy";
const POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";

/** Principal types whose grants are refused unless declared even when the stack creates them: an import twin keeps what the pack cannot read. */
const TWIN_KEEPS: Readonly<Record<string, string>> = {
  [USER]: "a user may be an existing one imported, with its group memberships and keys",
  [IDENTITY_GROUP]: "an Identity Center group may be an existing one imported, with its account assignments",
  [PERMISSION_SET]: "a permission set may be an existing one imported, with its managed-policy attachments and assignments",
};

/** Each grant type, the input naming the principal it extends, and the type that principal must be in the stack. */
const GRANTS: ReadonlyArray<{ readonly type: string; readonly field: string; readonly of: string; readonly what: string }> = [
  { type: "aws:iam/userGroupMembership:UserGroupMembership", field: "groups", of: GROUP, what: "adds a user to group(s)" },
  { type: "aws:iam/groupMembership:GroupMembership", field: "group", of: GROUP, what: "adds users to a group" },
  {
    type: "aws:identitystore/groupMembership:GroupMembership",
    field: "groupId",
    of: IDENTITY_GROUP,
    what: "adds a member to an Identity Center group",
  },
  { type: "aws:ssoadmin/accountAssignment:AccountAssignment", field: "permissionSetArn", of: PERMISSION_SET, what: "assigns a permission set in an account" },
  { type: "aws:iam/accessKey:AccessKey", field: "user", of: USER, what: "creates an access key for a user" },
  { type: "aws:iam/userLoginProfile:UserLoginProfile", field: "user", of: USER, what: "gives a user a console password" },
  { type: "aws:iam/sshKey:SshKey", field: "username", of: USER, what: "gives a user an SSH key (CodeCommit)" },
  { type: "aws:iam/signingCertificate:SigningCertificate", field: "userName", of: USER, what: "gives a user a signing certificate" },
  { type: "aws:iam/serviceSpecificCredential:ServiceSpecificCredential", field: "userName", of: USER, what: "gives a user a service credential" },
];

/** The names by which the stack's own users or groups are known. */
function ownNames(ix: Parameters<NonNullable<Adapter["stack"]>>[0], type: string): Set<string> {
  const out = new Set<string>();
  for (const r of readOfType(ix, type)) {
    const name = asString(r.v.name);
    if (name !== undefined) out.add(name);
  }
  return out;
}

/** How an input names a principal: its known value, the stack resource it comes from, or unknown at preview. */
function named(r: Read, field: string): string {
  const from = deps(r, field);
  if (from.length > 0) return `${from.map((d) => `${d.type.split(":").pop()} ${d.name}`).join(", ")} of this stack`;
  if (isUnknown(r, field)) return "(unknown at preview)";
  return asString(r.v[field]) ?? "(none given)";
}

/** Who a grant reaches besides the principal it extends: an assignment's user or group, a membership's member. */
function grantee(r: Read): string {
  if (r.resource.type === "aws:ssoadmin/accountAssignment:AccountAssignment") {
    const kind = isUnknown(r, "principalType") ? "principal of a type unknown at preview" : (asString(r.v.principalType) ?? "principal");
    return ` to ${kind} ${named(r, "principalId")} in ${asString(r.v.targetType) ?? "target"} ${named(r, "targetId")}`;
  }
  if (r.resource.type === "aws:identitystore/groupMembership:GroupMembership") return ` for member ${named(r, "memberId")}`;
  return "";
}

/** What of a grant's principal is not one of the stack's own: names, or "unknown" when it cannot be told. */
function outside(r: Read, field: string, of: string, own: ReadonlySet<string>): string[] {
  // A user, identity-store group or permission set the stack creates may be an imported twin that keeps what it holds: never its own.
  const twin = TWIN_KEEPS[of];
  if (twin !== undefined) return [`${named(r, field)}: ${twin}`];
  // Named by an output of one of the stack's own principals: that principal's policies are judged.
  const from = deps(r, field);
  if (from.length > 0 && from.every((d) => d.type === of)) return [];
  if (isUnknown(r, field)) return ["(unknown at preview)"];
  const values = field === "groups" ? asStrings(r.v.groups) : [asString(r.v[field])].filter((v): v is string => v !== undefined);
  if (values.length === 0) return ["(none given)"];
  // A permission set is known by ARN only; the stack's own are matched through the dependency above.
  if (of === PERMISSION_SET) return values;
  return values.filter((value) => !own.has(value));
}

/** Whether a PolicyAttachment's policy is an aws.iam.Policy of this stack: by the output it comes from, or a known ARN whose name is one of the stack's policies. */
function ownPolicy(r: Read, ownPolicies: ReadonlySet<string>): boolean {
  const from = deps(r, "policyArn");
  if (from.length > 0) return from.every((d) => d.type === POLICY);
  if (isUnknown(r, "policyArn")) return false;
  // An AWS managed policy (account `aws`) is never the stack's; a customer policy's ARN ends in its name (after its path).
  const name = /^arn:[^:]+:iam::\d{12}:policy\/(?:.*\/)?([^/]+)$/.exec(asString(r.v.policyArn) ?? "")?.[1];
  return name !== undefined && ownPolicies.has(name);
}

export const outsidePrincipals: Adapter = {
  family: "outside-principals",
  holdings: "none: it extends a principal the stack may not define, whose holdings the pack cannot read",
  types: [
    ...GRANTS.map(({ type, what }) => ({
      type,
      route: `${what}: the grant is whatever that principal holds, read only when the stack creates it`,
      checkedBy: [RULE],
    })),
    {
      type: POLICY_ATTACHMENT,
      route:
        "is exclusive per policy across the account: it detaches the policy from every principal it does not list, so its policy must be one the stack creates",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    // A permission set is known by ARN only: the stack's own are matched through the output they come from.
    const own = new Map([USER, GROUP].map((type) => [type, ownNames(ix, type)]));
    for (const { type, field, of, what } of GRANTS) {
      const principal = of.split(":").pop()!;
      for (const r of readOfType(ix, type)) {
        const names = outside(r, field, of, own.get(of) ?? new Set());
        if (names.length === 0) continue;
        const twin = TWIN_KEEPS[of] !== undefined;
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          platformResource: platformResourceKey(type, r.resource.name),
          message: twin
            ? `${type} ${r.resource.name} ${what}${grantee(r)} (${names.map((n) => n.slice(0, 200)).join(", ")}): whether the stack creates the ${principal} or not, the pack cannot read all it holds`
            : `${type} ${r.resource.name} ${what} the stack does not create (${names.map((n) => n.slice(0, 200)).join(", ")}): it hands out whatever that ${principal} holds, which the pack cannot read`,
          fix:
            of === USER
              ? "give workloads roles, not users' long-lived credentials, or have the security team declare the grant (kubernetesPlatformResources)"
              : twin
                ? `have the security team declare the grant (kubernetesPlatformResources), which pins the ${principal} and the principal it reaches`
                : `create the ${principal} in this stack (its policies are then judged) and name it by its output, or have the security team declare the grant (kubernetesPlatformResources)`,
        });
      }
    }
    const ownPolicies = ownNames(ix, POLICY);
    for (const r of readOfType(ix, POLICY_ATTACHMENT)) {
      if (ownPolicy(r, ownPolicies)) continue;
      const arn = isUnknown(r, "policyArn") ? "(unknown at preview)" : (asString(r.v.policyArn) ?? "(none given)");
      pass.findings.push({
        rule: RULE,
        agent: "platform",
        identity: null,
        urn: r.resource.urn,
        platformResource: platformResourceKey(POLICY_ATTACHMENT, r.resource.name),
        message: `${POLICY_ATTACHMENT} ${r.resource.name} attaches ${arn.slice(0, 200)}, which is not an aws.iam.Policy of this stack: a PolicyAttachment is exclusive per policy, so it detaches that policy from every principal of the account it does not list (a guardrail Deny, an audit protection)`,
        fix: "attach the policy with RolePolicyAttachment, UserPolicyAttachment or GroupPolicyAttachment (not exclusive), attach only a Policy this stack creates, named by its output, or have the security team declare it (kubernetesPlatformResources)",
      });
    }
  },
};
