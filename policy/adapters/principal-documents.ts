/**
 * The one reader of permission documents for every principal kind the stack can grant: IAM roles
 * (inline `inlinePolicies`, `RolePolicy`), users (`UserPolicy`), groups (`GroupPolicy`), Identity
 * Center permission sets (`PermissionSetInlinePolicy`) and customer-managed policies (`Policy`, whose
 * document reaches whoever it is attached to), and of the managed-policy ARNs attached to any of
 * them. Every document goes through the same checks (`checkPrincipalDocument`): escalation, code
 * execution, wildcards, names. A principal that is not an agent's can escalate to every agent as
 * surely as an agent's role can, so no kind gets a lighter check.
 */
import type { PolicyDocument } from "../../components/core/iam-document";
import type { Problem } from "../../components/rules/define";
import { checkManagedPolicyArn, checkPermissionPolicy } from "../../components/rules/iam";
import { checkUniqueSids } from "../../components/rules/limits";
import { asString, asStrings, readPolicyDocument } from "../inputs";
import type { PackResource } from "../types";
import { unreadablePolicy } from "./shared";

export type PrincipalKind = "role" | "user" | "group" | "permission-set" | "managed-policy";

/** A principal (or a managed policy, which reaches whoever it is attached to), with every id a declared share may name it by. */
export interface Principal {
  readonly kind: PrincipalKind;
  readonly label: string;
  readonly ids: readonly string[];
}

const LABEL: Record<PrincipalKind, string> = {
  role: "IAM role",
  user: "IAM user",
  group: "IAM group",
  "permission-set": "SSO permission set",
  "managed-policy": "managed policy",
};
const ID: Record<PrincipalKind, string> = {
  role: "iam:role/",
  user: "iam:user/",
  group: "iam:group/",
  "permission-set": "sso:permission-set/",
  "managed-policy": "iam:policy/",
};

export function principal(kind: PrincipalKind, name: string): Principal {
  return { kind, label: `${LABEL[kind]} ${name}`, ids: [`${ID[kind]}${name}`] };
}

/** Where each type holds its principal's name and its documents (a list field's entries hold `policy`). */
const DOCUMENT_INPUTS: Readonly<Record<string, { kind: PrincipalKind; name: string; document: string; list?: boolean }>> = {
  "aws:iam/role:Role": { kind: "role", name: "name", document: "inlinePolicies", list: true },
  "aws:iam/rolePolicy:RolePolicy": { kind: "role", name: "role", document: "policy" },
  "aws:iam/userPolicy:UserPolicy": { kind: "user", name: "user", document: "policy" },
  "aws:iam/groupPolicy:GroupPolicy": { kind: "group", name: "group", document: "policy" },
  "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": { kind: "permission-set", name: "permissionSetArn", document: "inlinePolicy" },
  "aws:iam/policy:Policy": { kind: "managed-policy", name: "name", document: "policy" },
};

/** Where each attachment type holds the managed-policy ARNs it attaches (AWS managed or customer). */
const ATTACHED_ARNS: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "managedPolicyArns",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
  "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
  "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
  "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
  "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": "managedPolicyArn",
  "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": "managedPolicyArns",
};

/** One permission document of a principal, or where one could not be read. */
export interface PrincipalDocument {
  readonly principal: Principal;
  /** The input it was read from (`inlinePolicies[1].policy` for a role's list entry). */
  readonly field: string;
  readonly document: PolicyDocument | undefined;
}

/** The principal a resource's documents belong to (the name as written; an ARN's last segment for roles, users and groups). */
export function principalOf(resource: PackResource, v: Record<string, unknown>): Principal | undefined {
  const entry = DOCUMENT_INPUTS[resource.type];
  if (!entry) return undefined;
  const written = asString(v[entry.name]);
  const name = written === undefined ? resource.name : entry.kind === "permission-set" ? written : (written.split("/").pop() ?? written);
  return principal(entry.kind, name);
}

/** Every permission document a resource writes, for any principal kind; none for types that write none. */
export function principalDocuments(resource: PackResource, v: Record<string, unknown>): PrincipalDocument[] {
  const entry = DOCUMENT_INPUTS[resource.type];
  const who = principalOf(resource, v);
  if (!entry || !who) return [];
  if (!entry.list) return v[entry.document] === undefined ? [] : [{ principal: who, field: entry.document, document: readPolicyDocument(v[entry.document]) }];
  const list = Array.isArray(v[entry.document]) ? (v[entry.document] as unknown[]) : [];
  return list.flatMap((item, index) => {
    const policy = (item as { policy?: unknown } | null)?.policy;
    return policy === undefined ? [] : [{ principal: who, field: `${entry.document}[${index}].policy`, document: readPolicyDocument(policy) }];
  });
}

/** The managed-policy ARNs an attachment (or a role's managedPolicyArns) writes, as known. */
export function attachedPolicyArns(resource: PackResource, v: Record<string, unknown>): string[] {
  const field = ATTACHED_ARNS[resource.type];
  return field === undefined ? [] : Array.isArray(v[field]) ? asStrings(v[field]) : [asString(v[field])].filter((a): a is string => a !== undefined);
}

/** The one set of checks every principal's permission document goes through. */
export function checkPrincipalDocument(document: PolicyDocument): Problem[] {
  return checkPermissionPolicy(document);
}

/**
 * The per-resource checks of a resource that writes a principal's permissions: each document through
 * the same checks (a standalone document also for repeated Sids: a role's own are in its limits), and
 * each attached ARN that is one of AWS's admin policies.
 */
export function principalPolicyProblems(resource: PackResource, v: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const entry = DOCUMENT_INPUTS[resource.type];
  const standalone = entry !== undefined && !entry.list;
  const label = `${entry?.kind === "managed-policy" ? "policy" : "inline policy"} ${resource.name}`;
  for (const { field, document } of principalDocuments(resource, v)) {
    if (!document) problems.push(unreadablePolicy(resource, field));
    else problems.push(...checkPrincipalDocument(document), ...(standalone ? checkUniqueSids(document, label) : []));
  }
  for (const arn of attachedPolicyArns(resource, v)) problems.push(...checkManagedPolicyArn(arn));
  return problems;
}
