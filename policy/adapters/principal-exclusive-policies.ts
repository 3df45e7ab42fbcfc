/**
 * Every IAM role, user and group the stack creates holds only the policies the stack writes
 * (iam/principal-exclusive-policies).
 *
 * Why: a policy does not see a resource's `import` option, and since pulumi/pulumi #19339 an import
 * whose inputs differ imports the existing object and then updates it. A Role named like an existing
 * one (`vault-server`) is then that role, with every managed and inline policy it already carries;
 * the pack, which judges a principal by the policies the stack writes, would count it as the stack's
 * own and let the stack lend it (Pod Identity, a Lambda, an ECS task ...), or add a stack user to a
 * twin of an `Administrators` group. Attachments and inline policies are separate IAM objects, so
 * updating the Role, User or Group itself keeps them.
 *
 * So each principal manages both of its policy sets exclusively, and the reconciliation removes
 * whatever the stack does not write, on create and on import alike:
 * - managed policies: an `aws.iam.{Role,User,Group}PolicyAttachmentsExclusive` for it (its
 *   `policyArns` are judged as attachments by iam-attachments.ts and principal-documents.ts), or a
 *   Role's own `managedPolicyArns` (deprecated in @pulumi/aws 7, still exclusive: "an empty set
 *   removes all managed policy attachments");
 * - inline policies: an `aws.iam.{Role,User,Group}PoliciesExclusive` whose `policyNames` are only
 *   inline policies the stack writes on it (`RolePolicy`/`UserPolicy`/`GroupPolicy` resources, a
 *   Role's `inlinePolicies`): a name the stack does not write would keep an existing policy of that
 *   name unread. On an agent's role exactly those: one missing would delete the components' own (the
 *   audit Deny). Or a Role's own non-empty `inlinePolicies` (deprecated, exclusive once set).
 * Source: @pulumi/aws 7.48 docs of the six *Exclusive resources ("Policies attached to this role but
 * not configured in this argument will be removed"; "set `policyArns` to an empty list") and of
 * Role.managedPolicyArns. A user twin also keeps its group memberships, which no resource removes:
 * outside-principals.ts refuses credentials for any user unless declared.
 *
 * What stays open (README): the reconciliation runs during `pulumi up`, in parallel with whatever
 * uses the principal unless that waits for it; for the seconds in between, an imported principal keeps
 * its old policies. IAM evaluates a session's role policies per request, so they stop working once
 * removed. A platform principal the security team declares (kubernetesPlatformResources) is exempt.
 * A principal whose name is not known at preview is matched to its exclusives only through their
 * name input's dependency on it.
 */
import type { IdentityKind } from "../../components/core/names";
import { asRecord, asString, asStrings } from "../inputs";
import type { Adapter, PackResource, TypeEntry } from "../types";
import { declarablePlatformFinding, deps, finding, isKind, isUnknown, readOfType, type Read } from "./shared";

const RULE = "iam/principal-exclusive-policies";

interface PrincipalKind {
  readonly kind: "role" | "user" | "group";
  readonly type: string;
  /** The exclusive over its managed policies, and the input naming the principal. */
  readonly managed: string;
  /** The exclusive over its inline policies. */
  readonly inline: string;
  readonly nameField: string;
  /** The inline policy resource, and its input naming the principal. */
  readonly inlinePolicy: string;
  readonly inlinePolicyField: string;
}

const KINDS: readonly PrincipalKind[] = [
  {
    kind: "role",
    type: "aws:iam/role:Role",
    managed: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    inline: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    nameField: "roleName",
    inlinePolicy: "aws:iam/rolePolicy:RolePolicy",
    inlinePolicyField: "role",
  },
  {
    kind: "user",
    type: "aws:iam/user:User",
    managed: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    inline: "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
    nameField: "userName",
    inlinePolicy: "aws:iam/userPolicy:UserPolicy",
    inlinePolicyField: "user",
  },
  {
    kind: "group",
    type: "aws:iam/group:Group",
    managed: "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    inline: "aws:iam/groupPoliciesExclusive:GroupPoliciesExclusive",
    nameField: "groupName",
    inlinePolicy: "aws:iam/groupPolicy:GroupPolicy",
    inlinePolicyField: "group",
  },
];

/** IAM role, user and group names are unique case-insensitively within an account. */
const key = (name: string) => name.toLowerCase();

/** The principal an input names: its known value (a name, or an ARN whose last segment is the name), else the stack principal it came from. */
function principalNamed(r: Read, field: string, byUrn: ReadonlyMap<string, string>): string | undefined {
  const value = asString(r.v[field]);
  if (value !== undefined) return key(value.split("/").pop() ?? value);
  if (!isUnknown(r, field)) return undefined;
  const from = deps(r, field).find((d) => byUrn.has(d.urn));
  return from ? byUrn.get(from.urn) : undefined;
}

const groupBy = (reads: readonly Read[], of: (r: Read) => string | undefined) => {
  const out = new Map<string, Read[]>();
  for (const r of reads) {
    const id = of(r);
    if (id !== undefined) (out.get(id) ?? out.set(id, []).get(id)!).push(r);
  }
  return out;
};

function typesOf(k: PrincipalKind): TypeEntry[] {
  return [
    {
      type: k.type,
      route: `a ${k.kind} the stack creates manages its managed and inline policies exclusively, so an imported existing ${k.kind} keeps none the stack does not write`,
      checkedBy: [RULE],
    },
    { type: k.managed, route: `removes every managed policy of the ${k.kind} it names but those it lists`, checkedBy: [RULE] },
    {
      type: k.inline,
      route: `removes every inline policy of the ${k.kind} it names but those it lists, which must be inline policies the stack writes on that ${k.kind}`,
      checkedBy: [RULE],
    },
  ];
}

function judgeKind(ix: Parameters<NonNullable<Adapter["stack"]>>[0], pass: Parameters<NonNullable<Adapter["stack"]>>[1], k: PrincipalKind): void {
  const principals = readOfType(ix, k.type);
  if (principals.length === 0) return;
  // A principal without a known name (autonamed, or unknown at preview) is matched only through the
  // dependency of an exclusive's name input on it.
  const byUrn = new Map<string, string>();
  for (const p of principals) {
    const name = asString(p.v.name);
    byUrn.set(p.resource.urn, name !== undefined ? key(name) : `urn:${p.resource.urn}`);
  }
  // Inline policies the stack writes, by principal.
  const written = new Map<string, Set<string>>();
  const unnamedInline = new Set<string>();
  for (const policy of readOfType(ix, k.inlinePolicy)) {
    const owner = principalNamed(policy, k.inlinePolicyField, byUrn);
    if (owner === undefined) continue;
    const name = asString(policy.v.name);
    // No name at all is autonamed by the provider (known in a real preview), so no exclusive lists it.
    if (name === undefined) {
      if (isUnknown(policy, "name")) unnamedInline.add(owner);
    } else (written.get(owner) ?? written.set(owner, new Set()).get(owner)!).add(name);
  }
  const managedBy = groupBy(readOfType(ix, k.managed), (e) => principalNamed(e, k.nameField, byUrn));
  const inlineBy = groupBy(readOfType(ix, k.inline), (e) => principalNamed(e, k.nameField, byUrn));

  for (const p of principals) {
    const tags = asRecord(p.v.tags);
    // An agent's role is the components' (they write its exclusives): no declaration waives it.
    const agent: { agent: string; kind: IdentityKind | null } | undefined =
      k.kind === "role" && tags.agent ? { agent: tags.agent, kind: isKind(tags.identity) ? tags.identity : null } : undefined;
    const refuse = (resource: PackResource, message: string, fix: string) =>
      pass.findings.push(agent ? finding(agent, resource.urn, RULE, message, fix) : declarablePlatformFinding(resource, RULE, message, fix));
    const name = asString(p.v.name);
    const id = byUrn.get(p.resource.urn)!;
    const label = `IAM ${k.kind} ${name ?? "(name not known at preview)"} (${p.resource.name})`;
    const exclusiveType = (t: string) => `aws.iam.${t.split(":").pop()}`;

    const ownManaged = k.kind === "role" && p.v.managedPolicyArns !== undefined && !isUnknown(p, "managedPolicyArns");
    if (!ownManaged && !managedBy.has(id))
      refuse(
        p.resource,
        `${label} does not manage its managed policies exclusively: if a ${k.kind} of that name exists, importing it keeps every policy attached to it, unread by the pack`,
        `add new ${exclusiveType(k.managed)}("${p.resource.name}-attachments", { ${k.nameField}: ${k.kind}.name, policyArns: [/* the ARNs this stack attaches */] })`,
      );

    const inlineInputs = k.kind === "role" && Array.isArray(p.v.inlinePolicies) ? (p.v.inlinePolicies as unknown[]) : [];
    const ownInline = inlineInputs.length > 0 && !isUnknown(p, "inlinePolicies");
    const exclusives = inlineBy.get(id) ?? [];
    if (!ownInline && exclusives.length === 0) {
      refuse(
        p.resource,
        `${label} does not manage its inline policies exclusively: if a ${k.kind} of that name exists, importing it keeps every inline policy it carries, unread by the pack`,
        `add new ${exclusiveType(k.inline)}("${p.resource.name}-inline", { ${k.nameField}: ${k.kind}.name, policyNames: [/* the inline policies this stack writes on it */] })`,
      );
      continue;
    }
    if (unnamedInline.has(id))
      refuse(p.resource, `${label}: an inline policy on it is named by a value unknown at preview`, "name every inline policy by a known value");
    const expected = new Set<string>(written.get(id) ?? []);
    for (const entry of inlineInputs) {
      const inlineName = asString((entry as { name?: unknown } | null)?.name);
      if (inlineName !== undefined) expected.add(inlineName);
    }
    for (const e of exclusives) {
      if (isUnknown(e, "policyNames")) {
        refuse(
          e.resource,
          `${e.resource.type} ${e.resource.name} for ${label}: its policyNames are unknown at preview`,
          "list the inline policy names by known values",
        );
        continue;
      }
      const listed = new Set(asStrings(e.v.policyNames));
      const kept = [...listed].filter((n) => !expected.has(n));
      const removed = [...expected].filter((n) => !listed.has(n));
      if (kept.length > 0)
        refuse(
          e.resource,
          `${e.resource.type} ${e.resource.name} keeps inline policies ${kept.join(", ")} on ${label} that the stack does not write: an existing ${k.kind}'s policies of those names would stay, unread`,
          `list only the names of ${k.inlinePolicy.split(":").pop()} resources this stack creates on the ${k.kind}`,
        );
      // Only an agent's role is judged on what its exclusive drops: there it may be the audit Deny.
      if (agent && removed.length > 0)
        refuse(
          e.resource,
          `${e.resource.type} ${e.resource.name} removes inline policies ${removed.join(", ")} that the stack writes on ${label}, an agent's role: it keeps exactly the inline policies the stack writes on it, the components' audit Deny among them`,
          "write no inline policy on an agent role by hand, and keep the components' RolePoliciesExclusive as they create it",
        );
    }
  }
}

export const principalExclusivePolicies: Adapter = {
  family: "principal-exclusive-policies",
  holdings: "none added: makes the stack's own policies the whole of a role's, user's or group's holdings, which the IAM rules then judge",
  types: KINDS.flatMap(typesOf),
  stack: (ix, pass) => {
    for (const k of KINDS) judgeKind(ix, pass, k);
  },
};
