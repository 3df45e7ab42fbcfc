/**
 * Every IAM role the stack creates holds only the policies the stack writes (iam/role-exclusive-policies).
 *
 * Why: a policy does not see a resource's `import` option, and since pulumi/pulumi #19339 an import
 * whose inputs differ imports the existing object and then updates it. A Role named like an existing
 * one (`vault-server`) is then that role, with every managed and inline policy it already carries;
 * the pack, which judges a role by the policies the stack writes, would count the role as the stack's
 * own and let the stack lend it (Pod Identity, a Lambda, an ECS task ...). Attachments are separate
 * IAM objects, so updating the Role itself keeps them.
 *
 * So each role manages both of its policy sets exclusively, and the reconciliation removes whatever
 * the stack does not write, on create and on import alike:
 * - managed policies: an `aws.iam.RolePolicyAttachmentsExclusive` for the role (its `policyArns` are
 *   judged as attachments by iam-attachments.ts and principal-documents.ts), or the Role's own
 *   `managedPolicyArns` (deprecated in @pulumi/aws 7, still exclusive: "an empty set removes all
 *   managed policy attachments");
 * - inline policies: an `aws.iam.RolePoliciesExclusive` for the role whose `policyNames` are exactly
 *   the inline policies the stack writes on it (`aws.iam.RolePolicy` resources, the Role's
 *   `inlinePolicies`); a name the stack does not write would keep an existing policy of that name
 *   unread; on an agent's role, one missing would delete the components' own (the audit Deny). Or the
 *   Role's own non-empty `inlinePolicies` (deprecated, exclusive once set).
 * Source: @pulumi/aws 7.48 docs of RolePolicyAttachmentsExclusive ("Policies attached to this role
 * but not configured in this argument will be removed"; "set `policyArns` to an empty list"),
 * RolePoliciesExclusive (the same for inline policies), and Role.managedPolicyArns.
 *
 * What stays open (README): the reconciliation runs during `pulumi up`, in parallel with whatever
 * uses the role unless that waits for it; for the seconds in between, an imported role keeps its old
 * policies. IAM evaluates a session's role policies per request, so they stop working once removed.
 * A role the security team declares (kubernetesPlatformResources) is exempt. A role whose name is not
 * known at preview is matched to its exclusives only through their `roleName`'s dependency on it.
 */
import type { IdentityKind } from "../../components/core/names";
import { asRecord, asString, asStrings } from "../inputs";
import type { Adapter, PackResource } from "../types";
import { IAM_ATTACHMENT_TYPES } from "./iam-attachments";
import { IAM_ROLE_TYPES } from "./iam-roles";
import { declarablePlatformFinding, deps, finding, isKind, isUnknown, readOfType, type Read } from "./shared";

const RULE = "iam/role-exclusive-policies";
const ROLE_POLICIES_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive";

/** IAM role names are unique case-insensitively within an account. */
const key = (name: string) => name.toLowerCase();

/** The role an input names: its known value (a name, or an ARN whose last segment is the name), else the stack role it came from. */
function roleNamed(r: Read, field: string, rolesByUrn: ReadonlyMap<string, string>): string | undefined {
  const value = asString(r.v[field]);
  if (value !== undefined) return key(value.split("/").pop() ?? value);
  if (!isUnknown(r, field)) return undefined;
  const from = deps(r, field).find((d) => rolesByUrn.has(d.urn));
  return from ? rolesByUrn.get(from.urn) : undefined;
}

export const roleExclusivePolicies: Adapter = {
  family: "role-exclusive-policies",
  holdings: "none added: makes the stack's own policies the whole of a role's holdings, which the IAM rules then judge",
  types: [
    {
      type: IAM_ROLE_TYPES.role,
      route: "a role the stack creates manages its managed and inline policies exclusively, so an imported existing role keeps none the stack does not write",
      checkedBy: [RULE],
    },
    {
      type: IAM_ATTACHMENT_TYPES.rolePolicyAttachmentsExclusive,
      route: "removes every managed policy of the role it names but those it lists",
      checkedBy: [RULE],
    },
    {
      type: ROLE_POLICIES_EXCLUSIVE,
      route: "removes every inline policy of the role it names but those it lists, which must be exactly the inline policies the stack writes on that role",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const roles = readOfType(ix, IAM_ROLE_TYPES.role);
    if (roles.length === 0) return;
    // A role without a known name (autonamed, or unknown at preview) is matched only through the
    // dependency of an exclusive's roleName on it.
    const rolesByUrn = new Map<string, string>();
    for (const role of roles) {
      const name = asString(role.v.name);
      rolesByUrn.set(role.resource.urn, name !== undefined ? key(name) : `urn:${role.resource.urn}`);
    }
    // Inline policies the stack writes, by role: RolePolicy resources (named by a known value).
    const written = new Map<string, Set<string>>();
    const unnamedInline = new Set<string>();
    for (const rp of readOfType(ix, IAM_ROLE_TYPES.rolePolicy)) {
      const role = roleNamed(rp, "role", rolesByUrn);
      if (role === undefined) continue;
      const name = asString(rp.v.name);
      // No name at all is autonamed by the provider (known in a real preview), so no exclusive lists it.
      if (name === undefined) {
        if (isUnknown(rp, "name")) unnamedInline.add(role);
      } else (written.get(role) ?? written.set(role, new Set()).get(role)!).add(name);
    }
    const managedBy = new Map<string, Read[]>();
    for (const e of readOfType(ix, IAM_ATTACHMENT_TYPES.rolePolicyAttachmentsExclusive)) {
      const role = roleNamed(e, "roleName", rolesByUrn);
      if (role !== undefined) (managedBy.get(role) ?? managedBy.set(role, []).get(role)!).push(e);
    }
    const inlineBy = new Map<string, Read[]>();
    for (const e of readOfType(ix, ROLE_POLICIES_EXCLUSIVE)) {
      const role = roleNamed(e, "roleName", rolesByUrn);
      if (role !== undefined) (inlineBy.get(role) ?? inlineBy.set(role, []).get(role)!).push(e);
    }

    // An agent's role is the components' (they write its exclusives): no declaration waives it.
    let owner: { agent: string; kind: IdentityKind | null } | undefined;
    const refuse = (resource: PackResource, message: string, fix: string) =>
      pass.findings.push(owner ? finding(owner, resource.urn, RULE, message, fix) : declarablePlatformFinding(resource, RULE, message, fix));

    for (const role of roles) {
      const tags = asRecord(role.v.tags);
      owner = tags.agent ? { agent: tags.agent, kind: isKind(tags.identity) ? tags.identity : null } : undefined;
      const name = asString(role.v.name);
      const id = rolesByUrn.get(role.resource.urn)!;
      const label = name !== undefined ? `IAM role ${name} (${role.resource.name})` : `IAM role ${role.resource.name} (name not known at preview)`;
      const ownManaged = role.v.managedPolicyArns !== undefined && !isUnknown(role, "managedPolicyArns");
      if (!ownManaged && !managedBy.has(id))
        refuse(
          role.resource,
          `${label} does not manage its managed policies exclusively: if a role of that name exists, importing it keeps every policy attached to it, unread by the pack`,
          `add new aws.iam.RolePolicyAttachmentsExclusive("${role.resource.name}-attachments", { roleName: role.name, policyArns: [/* the ARNs this stack attaches */] })`,
        );

      const inlineInputs = Array.isArray(role.v.inlinePolicies) ? (role.v.inlinePolicies as unknown[]) : [];
      const ownInline = inlineInputs.length > 0 && !isUnknown(role, "inlinePolicies");
      const exclusives = inlineBy.get(id) ?? [];
      if (!ownInline && exclusives.length === 0) {
        refuse(
          role.resource,
          `${label} does not manage its inline policies exclusively: if a role of that name exists, importing it keeps every inline policy it carries, unread by the pack`,
          `add new aws.iam.RolePoliciesExclusive("${role.resource.name}-inline", { roleName: role.name, policyNames: [/* the RolePolicy names this stack writes on it */] })`,
        );
        continue;
      }
      if (unnamedInline.has(id))
        refuse(role.resource, `${label}: an inline policy on it is named by a value unknown at preview`, "name every RolePolicy by a known value");
      const expected = new Set<string>(written.get(id) ?? []);
      for (const entry of inlineInputs) {
        const inlineName = asString((entry as { name?: unknown } | null)?.name);
        if (inlineName !== undefined) expected.add(inlineName);
      }
      for (const e of exclusives) {
        if (isUnknown(e, "policyNames")) {
          refuse(e.resource, `${e.resource.type} ${e.resource.name} for ${label}: its policyNames are unknown at preview`, "list the inline policy names by known values");
          continue;
        }
        const listed = new Set(asStrings(e.v.policyNames));
        const kept = [...listed].filter((n) => !expected.has(n));
        const removed = [...expected].filter((n) => !listed.has(n));
        if (kept.length > 0)
          refuse(
            e.resource,
            `${e.resource.type} ${e.resource.name} keeps inline policies ${kept.join(", ")} on ${label} that the stack does not write: an existing role's policies of those names would stay, unread`,
            "list only the names of RolePolicy resources this stack creates on the role",
          );
        // Only an agent's role is judged on what its exclusive drops: there it may be the audit Deny.
        if (owner && removed.length > 0)
          refuse(
            e.resource,
            `${e.resource.type} ${e.resource.name} removes inline policies ${removed.join(", ")} that the stack writes on ${label}, an agent's role: it keeps exactly the inline policies the stack writes on it, the components' audit Deny among them`,
            "write no inline policy on an agent role by hand, and keep the components' RolePoliciesExclusive as they create it",
          );
      }
    }
  },
};
