/**
 * Principals of the stack that are not agent identities: IAM roles not tagged as an agent's, users,
 * groups, Identity Center permission sets, and the principals a resource policy admits. Each one's
 * effective grants (inline documents, customer policies of the stack, AWS managed policies judged by
 * their documents) are compared with what the agents own and hold (policy/aws-reach.ts): a grant
 * that reaches an agent's resource is an undeclared share (separation/undeclared-share) unless the
 * security team declared it in the pack's `shares` configuration. An AWS managed policy the data
 * file does not know, a customer policy not in the stack, or an ARN unknown at preview is refused
 * (iam/managed-policy-content): what cannot be read cannot be judged.
 */
import { asList, type PolicyStatement } from "../../components/core/iam-document";
import { roleNameOf } from "../../components/core/names";
import { agentResources, awsManagedPolicyName, documentReach, managedPolicyReach, reachedBy, type Reach } from "../aws-reach";
import { asRecord, asString, asStrings, readPolicyDocument } from "../inputs";
import type { Adapter, PackFinding, StackPass } from "../types";
import type { ShareScope } from "../shares-config";
import type { StackIndex } from "../stack-index";
import { IAM_ATTACHMENT_TYPES } from "./iam-attachments";
import { IAM_ROLE_TYPES } from "./iam-roles";
import { RESOURCE_POLICY_ADAPTER_TYPES, RESOURCE_POLICY_TYPES, policyInput } from "./resource-policies";
import { KMS_GRANT_TYPE, kmsGrantDocument } from "./kms-grants";
import { asBucketStatement } from "./s3-access-points";
import { principal, principalDocuments, principalOf, principalPolicyProblems, type Principal } from "./principal-documents";
import { agentAccounts, agentRoles, deps, isUnknown, readOfType, type Read } from "./shared";

export const AWS_PRINCIPAL_TYPES = {
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  groupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  userPolicyAttachmentsExclusive: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
  groupPolicyAttachmentsExclusive: "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
  ssoInlinePolicy: "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
  ssoManagedPolicyAttachment: "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
  ssoManagedPolicyAttachmentsExclusive: "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
  ssoCustomerPolicyAttachment: "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
  ssoCustomerPolicyAttachmentsExclusive: "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive",
} as const;

const SHARE = "separation/undeclared-share";
const CONTENT = "iam/managed-policy-content";
const SHARE_FIX =
  "grant an agent's resources only to its own identities; if this principal must reach them, the security team declares the share in the pack's `shares` configuration";

const role = (name: string): Principal => principal("role", name);
const user = (name: string): Principal => principal("user", name);
const group = (name: string): Principal => principal("group", name);
const permissionSet = (arn: string): Principal => principal("permission-set", arn);

/** What one principal is granted, and through which resource. */
export interface Granted {
  /** A principal of the stack, or one a resource policy admits (no kind). */
  readonly principal: Pick<Principal, "label" | "ids">;
  readonly reaches: readonly Reach[];
  readonly via: Read;
}

/** The reaches of a policy ARN: an AWS managed policy by its data, a customer policy of the stack by its document. */
function policyReaches(
  ix: StackIndex,
  r: Read,
  field: string,
  arn: string | undefined,
  principal: Granted["principal"],
  findings: PackFinding[],
): readonly Reach[] {
  const refuse = (message: string, fix: string) => {
    findings.push({
      rule: CONTENT,
      agent: principal.label,
      identity: null,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name}: ${message}`,
      fix,
    });
    return [];
  };
  if (arn === undefined) {
    const from = deps(r, field).filter((d) => d.type === IAM_ATTACHMENT_TYPES.policy);
    const source = from.length === 1 && deps(r, field).length === 1 ? customerPolicies(ix).byUrn.get(from[0].urn) : undefined;
    // On a role, iam-attachments already reports it (stack/unknown-input): once is enough.
    if (!source && principal.ids[0].startsWith("iam:role/") && r.resource.type !== IAM_ROLE_TYPES.role && from.length === 0) return [];
    if (!source) return refuse(`${field} is unknown at preview and not from one aws.iam.Policy of this stack`, "name the policy with a known ARN");
    return documentOf(source, principal, refuse);
  }
  const managed = awsManagedPolicyName(arn);
  if (managed !== undefined) {
    const reach = managedPolicyReach(managed);
    return (
      reach ??
      refuse(
        `AWS managed policy ${arn} is not in components/rules/data/aws-managed-policies.json, so what it grants ${principal.label} cannot be judged`,
        "attach a policy the pack knows, or regenerate the data file (scripts/generate-managed-policies.ts)",
      )
    );
  }
  const name = /:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
  const source = name === undefined ? undefined : customerPolicies(ix).byName.get(name);
  if (!source)
    return refuse(
      `${arn} attached to ${principal.label} is not an aws.iam.Policy of this stack (by name), so its document cannot be read`,
      "attach only policies of this stack, named explicitly (`name:`), or AWS managed policies",
    );
  return documentOf(source, principal, refuse);
}

function documentOf(source: Read, principal: Granted["principal"], refuse: (message: string, fix: string) => never[]): readonly Reach[] {
  const document = readPolicyDocument(source.v.policy);
  if (!document)
    return refuse(
      `policy ${source.resource.name} on ${principal.label} has a document unknown at preview or unreadable`,
      "write the policy document from known values",
    );
  return documentReach(document);
}

const policiesOf = new WeakMap<StackIndex, { byUrn: Map<string, Read>; byName: Map<string, Read> }>();
function customerPolicies(ix: StackIndex) {
  let out = policiesOf.get(ix);
  if (!out) {
    out = { byUrn: new Map(), byName: new Map() };
    for (const p of readOfType(ix, IAM_ATTACHMENT_TYPES.policy)) {
      if (!out.byUrn.has(p.resource.urn)) out.byUrn.set(p.resource.urn, p);
      const name = asString(p.v.name);
      if (name !== undefined && !out.byName.has(name)) out.byName.set(name, p);
    }
    policiesOf.set(ix, out);
  }
  return out;
}

/** Types whose inputs write a principal's own documents (read by principal-documents). */
const INLINE_TYPES = [
  IAM_ROLE_TYPES.role,
  IAM_ROLE_TYPES.rolePolicy,
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
  "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
];

/** A resource's documents for its principal, as reaches; a finding when one is unknown at preview or unreadable. */
function inlineReaches(r: Read, findings: PackFinding[]): Granted[] {
  const documents = principalDocuments(r.resource, r.v);
  const who = principalOf(r.resource, r.v);
  if (!who) return [];
  // A role's unknown inlinePolicies are reported per resource (stack/unknown-input).
  const unknown = ["policy", "inlinePolicy"].filter((field) => isUnknown(r, field));
  const unread = [...documents.filter((d) => !d.document).map((d) => d.field), ...unknown];
  for (const field of unread)
    findings.push({
      rule: SHARE,
      agent: who.label,
      identity: null,
      urn: r.resource.urn,
      message: `${r.resource.type} ${r.resource.name}: ${field} of ${who.label} is unknown at preview or unreadable, so what it reaches cannot be judged`,
      fix: "write the policy document from known values",
    });
  return documents.flatMap((d) => (d.document ? [{ principal: who, reaches: documentReach(d.document), via: r }] : []));
}

/** Every non-agent principal's grants in the stack. */
function grantsOf(ix: StackIndex, findings: PackFinding[]): Granted[] {
  const agents = agentRoles(ix);
  const isAgentRole = (name: string | undefined) => name !== undefined && agents.has(roleNameOf(name).toLowerCase());
  const out: Granted[] = [];
  const attach = (principal: Principal, r: Read, field: string, arns: Array<string | undefined>) => {
    for (const arn of arns) out.push({ principal, reaches: policyReaches(ix, r, field, arn, principal, findings), via: r });
  };
  const arnsOf = (r: Read, field: string): Array<string | undefined> =>
    isUnknown(r, field) ? [...asStrings(r.v[field]), undefined] : Array.isArray(r.v[field]) ? asStrings(r.v[field]) : [asString(r.v[field])];

  // Every principal's own documents (roles not tagged as an agent's, users, groups, permission sets), one reader.
  const roleReads = new Map(readOfType(ix, IAM_ROLE_TYPES.role).map((x) => [x.resource.urn, x]));
  for (const type of INLINE_TYPES) {
    for (const r of type === IAM_ROLE_TYPES.role
      ? ix.roles.map((x) => roleReads.get(x.resource.urn) ?? { resource: x.resource, v: x.v, unknown: [] })
      : readOfType(ix, type)) {
      const who = principalOf(r.resource, r.v);
      if (type === IAM_ROLE_TYPES.role ? asRecord(r.v.tags).agent || !asString(r.v.name) : who?.kind === "role" && isAgentRole(asString(r.v.role))) continue;
      out.push(...inlineReaches(r, findings));
    }
  }
  // Roles' managed policies.
  for (const r of ix.roles) {
    if (r.tags.agent || !r.name) continue;
    const full = roleReads.get(r.resource.urn) ?? { resource: r.resource, v: r.v, unknown: [] };
    if (r.v.managedPolicyArns !== undefined || isUnknown(full, "managedPolicyArns"))
      attach(role(r.name), full, "managedPolicyArns", arnsOf(full, "managedPolicyArns"));
  }
  for (const r of readOfType(ix, IAM_ATTACHMENT_TYPES.rolePolicyAttachment)) {
    const name = asString(r.v.role)?.split("/").pop();
    if (name && !isAgentRole(name)) attach(role(name), r, "policyArn", [asString(r.v.policyArn)]);
  }
  for (const r of readOfType(ix, IAM_ATTACHMENT_TYPES.rolePolicyAttachmentsExclusive)) {
    const name = asString(r.v.roleName);
    if (name && !isAgentRole(name)) attach(role(name), r, "policyArns", arnsOf(r, "policyArns"));
  }
  for (const r of readOfType(ix, IAM_ATTACHMENT_TYPES.policyAttachment)) {
    const principals = [
      ...asStrings(r.v.roles)
        .filter((name) => !isAgentRole(name))
        .map(role),
      ...asStrings(r.v.users).map(user),
      ...asStrings(r.v.groups).map(group),
    ];
    for (const principal of principals) attach(principal, r, "policyArn", [asString(r.v.policyArn)]);
  }
  // Users and groups: never agent identities.
  const T = AWS_PRINCIPAL_TYPES;
  for (const r of readOfType(ix, T.userPolicyAttachment)) attach(user(asString(r.v.user) ?? r.resource.name), r, "policyArn", [asString(r.v.policyArn)]);
  for (const r of readOfType(ix, T.groupPolicyAttachment)) attach(group(asString(r.v.group) ?? r.resource.name), r, "policyArn", [asString(r.v.policyArn)]);
  for (const r of readOfType(ix, T.userPolicyAttachmentsExclusive))
    attach(user(asString(r.v.userName) ?? r.resource.name), r, "policyArns", arnsOf(r, "policyArns"));
  for (const r of readOfType(ix, T.groupPolicyAttachmentsExclusive))
    attach(group(asString(r.v.groupName) ?? r.resource.name), r, "policyArns", arnsOf(r, "policyArns"));
  // Identity Center permission sets: people's roles in accounts, never agent identities.
  const ps = (r: Read) => permissionSet(asString(r.v.permissionSetArn) ?? r.resource.name);
  for (const r of readOfType(ix, T.ssoManagedPolicyAttachment)) attach(ps(r), r, "managedPolicyArn", [asString(r.v.managedPolicyArn)]);
  for (const r of readOfType(ix, T.ssoManagedPolicyAttachmentsExclusive)) attach(ps(r), r, "managedPolicyArns", arnsOf(r, "managedPolicyArns"));
  const customerRefs = (r: Read, field: string) =>
    (Array.isArray(r.v[field]) ? r.v[field] : r.v[field] === undefined ? [] : [r.v[field]]).map((ref) => asString(asRecord(ref).name));
  for (const r of readOfType(ix, T.ssoCustomerPolicyAttachment))
    attach(
      ps(r),
      r,
      "customerManagedPolicyReference",
      isUnknown(r, "customerManagedPolicyReference")
        ? [undefined]
        : customerRefs(r, "customerManagedPolicyReference").map((n) => (n ? `arn:*:iam::*:policy/${n}` : undefined)),
    );
  for (const r of readOfType(ix, T.ssoCustomerPolicyAttachmentsExclusive))
    attach(
      ps(r),
      r,
      "customerManagedPolicyReferences",
      isUnknown(r, "customerManagedPolicyReferences")
        ? [undefined]
        : customerRefs(r, "customerManagedPolicyReferences").map((n) => (n ? `arn:*:iam::*:policy/${n}` : undefined)),
    );
  // A customer policy the stack creates may be an existing one imported under its name (a policy does
  // not see the import option; an import with other inputs imports then updates it, writing a new
  // default version): every principal it is already attached to, outside the stack, then holds its
  // document. So each one's document is judged as an outside principal's grant too.
  for (const p of customerPolicies(ix).byUrn.values()) {
    const document = readPolicyDocument(p.v.policy);
    if (!document) continue; // unknown or unreadable: judged per resource (principal-documents) and where attached
    const name = asString(p.v.name) ?? p.resource.name;
    out.push({
      principal: {
        label: `whoever already holds a policy named ${name} (${p.resource.name} may be that existing policy, imported)`,
        ids: [`iam:policy/${name}`],
      },
      reaches: documentReach(document),
      via: p,
    });
  }
  // Lambda permissions for a principal that is not an agent role (another account, a service): a grant on the function.
  for (const r of readOfType(ix, RESOURCE_POLICY_ADAPTER_TYPES.lambdaPermission)) {
    const principal = asString(r.v.principal);
    const fn = asString(r.v.function);
    if (principal === undefined || principal === "*" || fn === undefined || isAgentRole(principal)) continue; // `*` and agent roles: resource-policies
    const arn = fn.startsWith("arn:") ? fn : `arn:*:lambda:*:*:function:${fn}`;
    out.push({
      principal: { label: `${principal} (admitted by Lambda permission ${r.resource.name})`, ids: [principal] },
      reaches: [{ services: { lambda: "" }, resources: [arn, `${arn}:*`], actions: [asString(r.v.action) ?? "lambda:InvokeFunction"] }],
      via: r,
    });
  }
  // Principals a resource policy admits that are not agent roles: the statement is their grant.
  // A KMS grant with a known grantee is read as the key-policy statement it is equivalent to (kms-grants.ts).
  const documents = [
    ...Object.keys(RESOURCE_POLICY_TYPES).flatMap((type) =>
      readOfType(ix, type).map((r) => ({ r, type, document: readPolicyDocument(policyInput(type, r.v)) })),
    ),
    ...readOfType(ix, KMS_GRANT_TYPE).map((r) => ({ r, type: KMS_GRANT_TYPE, document: kmsGrantDocument(r) })),
  ];
  for (const { r, type, document } of documents) {
    if (!document) continue; // unknown or unreadable: iam/resource-policy per resource
    for (const statement of document.Statement.filter((s) => s.Effect === "Allow")) {
      for (const principal of admitted(statement)) {
        // An agent role or one of its STS sessions: the statement is in that identity's holdings (resource-policies).
        if (/:(assumed-)?role\//.test(principal) && isAgentRole(principal)) continue;
        // Through an access point, the bucket behind it (s3-access-points.ts).
        const grant = asBucketStatement(
          ix,
          r,
          Object.fromEntries(Object.entries(statement).filter(([field]) => field !== "Principal")) as unknown as PolicyStatement,
        );
        const reaches = documentReach({ Version: "2012-10-17", Statement: [{ ...grant, Resource: grant.Resource ?? grant.NotResource ?? "*" }] });
        // `iam:role/<name>` (how shares name a role) only for a role of the agents' account: a same-named
        // role of another account is another principal, declared by its full ARN.
        const account = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
        const ownAccount = account !== undefined && agentAccounts(ix).has(account);
        const name = /:(assumed-)?role\//.test(principal) && ownAccount ? roleNameOf(principal) : undefined;
        out.push({
          principal: {
            label: `${principal} (admitted by ${type.split(":")[1]} ${r.resource.name})`,
            ids: [principal, ...(name ? [`iam:role/${name}`] : [])],
          },
          reaches,
          via: r,
        });
      }
    }
  }
  return out;
}

const grantsCache = new WeakMap<StackIndex, { readonly granted: readonly Granted[]; readonly unreadable: readonly PackFinding[] }>();
function grantsOnce(ix: StackIndex) {
  let known = grantsCache.get(ix);
  if (!known) {
    const unreadable: PackFinding[] = [];
    known = { granted: grantsOf(ix, unreadable), unreadable };
    grantsCache.set(ix, known);
  }
  return known;
}
/** Every non-agent principal's grants in the stack, read once per stack (unreadable documents are reported by checkPrincipals). */
export const nonAgentGrants = (ix: StackIndex): readonly Granted[] => grantsOnce(ix).granted;

/** Every principal a statement admits, as written (`*` and NotPrincipal are refused per resource). */
function admitted(statement: PolicyStatement): string[] {
  const principal = (statement as { Principal?: unknown }).Principal;
  if (!principal || principal === "*" || typeof principal !== "object") return [];
  return Object.values(principal as Record<string, unknown>)
    .flatMap((value) => asList(value as string | string[]))
    .filter((p) => p !== "*");
}

export const awsPrincipals: Adapter = {
  family: "aws-principals",
  holdings: "reads what agents own and hold from the holdings model; principals that are not agent identities are compared with it, not added to it",
  types: [
    ...Object.entries(AWS_PRINCIPAL_TYPES).map(([key, type]) => ({
      type,
      key,
      route: type.includes("ssoadmin") ? "grants an Identity Center permission set (people's roles in accounts)" : "grants an IAM user or group",
      checkedBy: [SHARE, CONTENT, "iam/privilege-escalation", "iam/action-wildcard", "iam/resource-wildcard", "iam/managed-admin-policy"],
    })),
  ],
  // The same per-resource checks as a role's own documents and attachments (principal-documents).
  check: (resource, inputs) => principalPolicyProblems(resource, inputs.value),
  stack: (ix, pass) => checkPrincipals(ix, pass),
};

/** Findings carry what a declared share must cover: the principal's ids and the agent resources reached. */
export interface ShareFinding extends PackFinding {
  readonly share: ShareScope;
}

function checkPrincipals(ix: StackIndex, pass: StackPass): void {
  // The agents' resources are indexed only when some principal that is not an agent's is granted anything.
  const { granted, unreadable } = grantsOnce(ix);
  if (granted.length === 0 && unreadable.length === 0) return;
  const agents = agentResources(ix, pass);
  if (agents.byService.size === 0) return;
  pass.findings.push(...unreadable);
  // One finding per principal, resource (policy, attachment) and agent.
  const byKey = new Map<
    string,
    { g: Granted; agent: string; identity: PackFinding["identity"]; hits: string[]; unlisted: string[]; how: Set<string>; actions: Set<string> }
  >();
  for (const g of granted) {
    for (const hit of reachedBy(g.reaches, agents, 10)) {
      const key = `${g.principal.label}\u0000${g.via.resource.urn}\u0000${hit.resource.agent}`;
      const entry = byKey.get(key) ?? {
        g,
        agent: hit.resource.agent,
        identity: hit.resource.identity,
        hits: [],
        unlisted: [],
        how: new Set<string>(),
        actions: new Set<string>(),
      };
      if (!entry.hits.includes(hit.resource.pattern)) entry.hits.push(hit.resource.pattern);
      for (const pattern of hit.unlisted) if (!entry.unlisted.includes(pattern)) entry.unlisted.push(pattern);
      entry.how.add(hit.how);
      for (const action of hit.actions) entry.actions.add(action);
      byKey.set(key, entry);
    }
  }
  for (const { g, agent, identity, hits, unlisted, how, actions } of byKey.values()) {
    const finding: ShareFinding = {
      rule: SHARE,
      agent,
      identity,
      urn: g.via.resource.urn,
      message: `${g.principal.label} is not an agent identity and reaches ${hits.join(", ")}${unlisted.length > 0 ? ` and ${unlisted.length} more` : ""}, which agent ${agent} ${identity ? `holds (${identity} identity)` : "owns"}, through ${g.via.resource.type} ${g.via.resource.name}: ${[...how].slice(0, 3).join("; ")}`,
      fix: SHARE_FIX,
      share: { principals: g.principal.ids, resources: [...hits, ...unlisted], actions: [...actions] },
    };
    pass.findings.push(finding);
  }
}
