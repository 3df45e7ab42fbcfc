/**
 * Grants to principals the stack does not define. A membership in a group, an Identity Center
 * assignment of a permission set, or a credential (access key, console password, SSH key, signing
 * certificate, service credential) for a user hands out whatever that group, permission set or user
 * holds; when the stack does not create it, the pack cannot read what that is (an existing
 * `Administrators` group, an admin permission set). So, in a stack with agents, the principal must be
 * one of the stack's own resources (whose policies the pack judges), named by a known value or by
 * that resource's output, or the security team declares the grant (kubernetesPlatformResources,
 * by URN and inputs digest).
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

/** Each grant type, the input naming the principal it extends, and the type that principal must be in the stack. */
const GRANTS: ReadonlyArray<{ readonly type: string; readonly field: string; readonly of: string; readonly what: string }> = [
  { type: "aws:iam/userGroupMembership:UserGroupMembership", field: "groups", of: GROUP, what: "adds a user to group(s)" },
  { type: "aws:iam/groupMembership:GroupMembership", field: "group", of: GROUP, what: "adds users to a group" },
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

/** What of a grant's principal is not one of the stack's own: names, or "unknown" when it cannot be told. */
function outside(r: Read, field: string, of: string, own: ReadonlySet<string>): string[] {
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

export const outsidePrincipals: Adapter = {
  family: "outside-principals",
  holdings: "none: it extends a principal the stack may not define, whose holdings the pack cannot read",
  types: GRANTS.map(({ type, what }) => ({
    type,
    route: `${what}: the grant is whatever that principal holds, read only when the stack creates it`,
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    // A permission set is known by ARN only: the stack's own are matched through the output they come from.
    const own = new Map([USER, GROUP].map((type) => [type, ownNames(ix, type)]));
    for (const { type, field, of, what } of GRANTS) {
      for (const r of readOfType(ix, type)) {
        const names = outside(r, field, of, own.get(of) ?? new Set());
        if (names.length === 0) continue;
        const key = platformResourceKey(type, r.resource.name);
        pass.findings.push({
          rule: RULE,
          agent: "platform",
          identity: null,
          urn: r.resource.urn,
          platformResource: key,
          message: `${type} ${r.resource.name} ${what} the stack does not create (${names.map((n) => n.slice(0, 200)).join(", ")}): it hands out whatever that ${of.split(":").pop()} holds, which the pack cannot read`,
          fix: `create the ${of.split(":").pop()} in this stack (its policies are then judged) and name it by its output, or have the security team declare the grant (kubernetesPlatformResources)`,
        });
      }
    }
  },
};
