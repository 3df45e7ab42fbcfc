/**
 * Managed policies on roles: customer-managed `aws.iam.Policy` documents and the attachments that put
 * them (or AWS managed policies) on a role. Per resource: an attached ARN that is one of AWS's admin
 * policies. Across the stack: which role an attachment names and which document it attaches; a
 * document reaching an agent role counts in that identity's holdings.
 */
import type { PolicyDocument } from "../../components/core/iam-document";
import { checkPermissionPolicy } from "../../components/rules/iam";
import { asString, asStrings, readPolicyDocument } from "../inputs";
import type { Adapter, PackFinding } from "../types";
import { IAM_ROLE_TYPES } from "./iam-roles";
import { principalPolicyProblems } from "./principal-documents";
import { agentRoles, deps, finding, isUnknown, namedAgentRole, readOfType, type AgentRole, type Read } from "./shared";

const ROLE_POLICIES_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive";

export const IAM_ATTACHMENT_TYPES = {
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  rolePolicyAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
} as const;

const IAM_CHECKS = ["iam/action-wildcard", "iam/privilege-escalation", "iam/resource-wildcard", "separation/cross-agent-grant"];

export const iamAttachments: Adapter = {
  family: "iam-attachments",
  holdings: "a policy document attached to an agent role (by name, or traced through the attachment's dependency) is added to that identity's AWS grants",
  types: [
    {
      type: IAM_ATTACHMENT_TYPES.rolePolicyAttachment,
      key: "rolePolicyAttachment",
      route: "attaches a managed policy to a role",
      // policyArn: resolved across the stack (iam/attached-policy), where `policy.arn` unknown at preview is traced to its Policy.
      required: ["role"],
      checkedBy: ["iam/attached-policy", "iam/managed-admin-policy", ...IAM_CHECKS],
    },
    {
      type: IAM_ATTACHMENT_TYPES.policyAttachment,
      key: "policyAttachment",
      route: "attaches a managed policy to roles, users and groups",
      checkedBy: ["iam/attached-policy", "iam/managed-admin-policy", ...IAM_CHECKS],
    },
    {
      type: IAM_ATTACHMENT_TYPES.rolePolicyAttachmentsExclusive,
      key: "rolePolicyAttachmentsExclusive",
      route: "sets a role's managed policies",
      checkedBy: ["iam/attached-policy", "iam/managed-admin-policy", ...IAM_CHECKS],
    },
    {
      type: IAM_ATTACHMENT_TYPES.policy,
      key: "policy",
      route:
        "a customer-managed policy: its document is judged as any principal's (it reaches whoever it is attached to) and counts in an agent role's holdings once attached to it",
      checkedBy: ["iam/attached-policy", ...IAM_CHECKS],
    },
    {
      type: ROLE_POLICIES_EXCLUSIVE,
      key: "rolePoliciesExclusive",
      route:
        "lists which inline policies a role keeps: for a role unknown at preview it is refused (it could strip an agent role's audit Deny); iam/principal-exclusive-policies judges the list",
      checkedBy: ["iam/attached-policy"],
    },
  ],
  // A customer policy's document and every attached ARN: the checks every principal kind goes through.
  check: (resource, inputs) => principalPolicyProblems(resource, inputs.value),
  stack: (ix, pass) => {
    const { findings, extraPolicies, attachedPolicies } = pass;
    const roles = agentRoles(ix);
    // Which inline policies a role keeps is judged by iam/principal-exclusive-policies (exactly those the
    // stack writes on it); a role unknown at preview may be an agent's, whose audit Deny it would strip.
    for (const r of readOfType(ix, ROLE_POLICIES_EXCLUSIVE)) {
      if (namedAgentRole(roles, r, "roleName", asString(r.v.roleName)) !== "unknown") continue;
      // Even traced to a non-agent role, the value may be an agent role's name at update
      // (`other.name.apply(() => agentRole)`), when the stack policy runs after the exclusive stripped it.
      findings.push({
        rule: "iam/attached-policy",
        agent: r.resource.name,
        identity: null,
        urn: r.resource.urn,
        message: `${r.resource.type} ${r.resource.name} sets which inline policies a role unknown at preview keeps: it could remove an agent role's inline policies, the audit Deny included`,
        fix: "name the role by a known value, or pass the role resource's name",
      });
    }
    const ofType = (...types: string[]) => readOfType(ix, ...types);
    const hold = (role: AgentRole, document: PolicyDocument) => {
      const key = role.name.toLowerCase();
      for (const held of [extraPolicies, attachedPolicies]) {
        const list = held.get(key);
        if (list) list.push(document);
        else held.set(key, [document]);
      }
    };
    const permissionChecks = (role: AgentRole, urn: string, document: PolicyDocument) => {
      hold(role, document);
      findings.push(...checkPermissionPolicy(document).map((p): PackFinding => ({ ...p, agent: role.agent, identity: role.kind, urn })));
    };
    const customerPolicies = ofType(IAM_ATTACHMENT_TYPES.policy);
    // The first customer policy with a URN or a name (what `find` over the list gave), looked up once each.
    const firstBy = (keyOf: (r: Read) => string | undefined) => {
      const first = new Map<string, Read>();
      for (const p of customerPolicies) {
        const key = keyOf(p);
        if (key !== undefined && !first.has(key)) first.set(key, p);
      }
      return first;
    };
    const policyByUrn = firstBy((p) => p.resource.urn);
    const policyByName = firstBy((p) => asString(p.v.name));
    const attach = (role: AgentRole, r: Read, field: string, arn: string | undefined) => {
      const rule = "iam/attached-policy";
      const fix = "grant the agent what its tools need in its declaration; attach nothing else to agent roles";
      let source: Read | undefined;
      if (arn === undefined) {
        // Unknown at preview: traced to the one Policy it came from. A known ARN is judged as written,
        // never by its dependencies (`policy.arn.apply(() => adminArn)` depends on the Policy too).
        const from = deps(r, field).filter((d) => d.type === IAM_ATTACHMENT_TYPES.policy);
        source = from.length === 1 && deps(r, field).length === 1 ? policyByUrn.get(from[0].urn) : undefined;
        if (!source)
          return findings.push(
            finding(
              role,
              r.resource.urn,
              rule,
              `${r.resource.type} ${r.resource.name} attaches a policy to agent role ${role.name} whose ARN is unknown at preview and not from one aws.iam.Policy of this stack`,
              fix,
            ),
          );
      } else if (/^arn:[^:]+:iam::aws:policy\//.test(arn)) {
        return findings.push(
          finding(role, r.resource.urn, rule, `${r.resource.type} ${r.resource.name} attaches AWS managed policy ${arn} to agent role ${role.name}`, fix),
        );
      } else {
        const name = /:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
        source = name === undefined ? undefined : policyByName.get(name);
        if (!source)
          return findings.push(
            finding(
              role,
              r.resource.urn,
              rule,
              `${r.resource.type} ${r.resource.name} attaches ${arn} to agent role ${role.name}, which is not an aws.iam.Policy of this stack (by name), so its document cannot be read`,
              "attach only policies of this stack, named explicitly (`name:`), or better none: grant the agent what its tools need in its declaration",
            ),
          );
      }
      const document = readPolicyDocument(source.v.policy);
      if (!document) {
        const why = isUnknown(source, "policy") ? "unknown at preview" : "not a readable IAM policy document";
        return findings.push(
          finding(
            role,
            r.resource.urn,
            rule,
            `policy ${source.resource.name} attached to agent role ${role.name} has a document ${why}`,
            "write the policy document from known values",
          ),
        );
      }
      permissionChecks(role, source.resource.urn, document);
      return undefined;
    };
    const attachments: Array<{ r: Read; roleField: string; roleValues: Array<string | undefined>; arnField: string; arns: Array<string | undefined> }> = [];
    for (const r of ofType(IAM_ATTACHMENT_TYPES.rolePolicyAttachment))
      attachments.push({ r, roleField: "role", roleValues: [asString(r.v.role)], arnField: "policyArn", arns: [asString(r.v.policyArn)] });
    for (const r of ofType(IAM_ATTACHMENT_TYPES.policyAttachment))
      attachments.push({
        r,
        roleField: "roles",
        roleValues: isUnknown(r, "roles") ? [undefined] : asStrings(r.v.roles),
        arnField: "policyArn",
        arns: [asString(r.v.policyArn)],
      });
    for (const r of ofType(IAM_ATTACHMENT_TYPES.rolePolicyAttachmentsExclusive)) {
      attachments.push({
        r,
        roleField: "roleName",
        roleValues: [asString(r.v.roleName)],
        arnField: "policyArns",
        arns: isUnknown(r, "policyArns") ? [...asStrings(r.v.policyArns), undefined] : asStrings(r.v.policyArns),
      });
    }
    for (const r of ofType(IAM_ROLE_TYPES.role)) {
      const name = asString(r.v.name);
      const role = name ? roles.get(name.toLowerCase()) : undefined;
      if (role)
        attachments.push({
          r,
          roleField: "name",
          roleValues: [name],
          arnField: "managedPolicyArns",
          arns: isUnknown(r, "managedPolicyArns") ? [...asStrings(r.v.managedPolicyArns), undefined] : asStrings(r.v.managedPolicyArns),
        });
    }
    for (const a of attachments) {
      for (const value of a.roleValues) {
        const role = namedAgentRole(roles, a.r, a.roleField, value);
        if (role === "unknown") {
          findings.push(
            finding(
              { agent: a.r.resource.name, kind: null },
              a.r.resource.urn,
              "iam/attached-policy",
              `${a.r.resource.type} ${a.r.resource.name}: the role is unknown at preview and not traced to an agent role, so the pack cannot tell whether it names one`,
              "name the role with a known value",
            ),
          );
        } else if (role) {
          for (const arn of a.arns) attach(role, a.r, a.arnField, arn);
        } else if (a.arns.includes(undefined) && !deps(a.r, a.arnField).some((d) => d.type === IAM_ATTACHMENT_TYPES.policy)) {
          // Not an agent role, but an ARN nobody can read could be an admin policy (iam/managed-admin-policy).
          findings.push(
            finding(
              { agent: a.r.resource.name, kind: null },
              a.r.resource.urn,
              "stack/unknown-input",
              `${a.r.resource.type} ${a.r.resource.name}: ${a.arnField} is unknown at preview and not from an aws.iam.Policy of this stack`,
              "attach a policy of this stack, or name the ARN with a known value",
            ),
          );
        }
      }
    }
  },
};
