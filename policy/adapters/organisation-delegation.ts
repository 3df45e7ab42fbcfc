/**
 * Organisation-wide delegation, in a stack with agents (iam/outside-principal). An
 * `aws.organizations.DelegatedAdministrator` makes another account the administrator of an AWS service
 * across the organisation: for `sso.amazonaws.com` it assigns permission sets in every member account
 * (agents' data and roles included), for `access-analyzer`, `guardduty`, `securityhub` ... it reads or
 * changes what those services hold everywhere. The pack cannot read what that account will do, so every
 * service's delegated administrator is declared by the security team (CloudTrail's is refused outright
 * by stack/audit-trail, Observability Admin's by stack/audit-log-group: each also fires here).
 *
 * An `aws.organizations.PolicyAttachment` attaches a policy to an account, OU or root: an SCP or RCP the
 * stack does not write has content the pack never reads (it may deny the audit identities' log writes,
 * which stack/audit-trail judges for the stack's own policies). Its `policyId` must come from an
 * `aws.organizations.Policy` of this stack (its output), or the attachment is declared.
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, deps, isUnknown, readOfType } from "./shared";

const RULE = "iam/outside-principal";
const DELEGATED_ADMIN = "aws:organizations/delegatedAdministrator:DelegatedAdministrator";
const POLICY_ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment";
const ORG_POLICY = "aws:organizations/policy:Policy";

export const organisationDelegation: Adapter = {
  family: "organisation-delegation",
  holdings: "none: it hands another account a service's administration, or attaches an organisation policy, across accounts the stack cannot read",
  types: [
    {
      type: DELEGATED_ADMIN,
      route: "makes another account an AWS service's administrator for the whole organisation: declared in a stack with agents",
      checkedBy: [RULE],
    },
    {
      type: POLICY_ATTACHMENT,
      route: "attaches an organisation policy (SCP, RCP, tag, backup ...) to accounts: only a Policy of this stack, whose content is read, or declared",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, DELEGATED_ADMIN)) {
      const service = isUnknown(r, "servicePrincipal") ? "(a service unknown at preview)" : (asString(r.v.servicePrincipal) ?? "(none)");
      const account = isUnknown(r, "accountId") ? "(unknown at preview)" : (asString(r.v.accountId) ?? "(none)");
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `${r.resource.type} ${r.resource.name} makes account ${account} the delegated administrator of ${service} for the whole organisation: what that account then does in every member account (sso.amazonaws.com assigns permission sets, agents' accounts included) is outside what the pack reads`,
          "delegate administration from the organisation's management stack, which holds no agents",
        ),
      );
    }
    for (const r of readOfType(ix, POLICY_ATTACHMENT)) {
      const from = deps(r, "policyId");
      if (from.length > 0 && from.every((d) => d.type === ORG_POLICY)) continue;
      const policy = isUnknown(r, "policyId") ? "(unknown at preview)" : (asString(r.v.policyId) ?? "(none)");
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `${r.resource.type} ${r.resource.name} attaches organisation policy ${policy}, which this stack does not write, to ${asString(r.v.targetId) ?? "(a target unknown at preview)"}: its content (a service or resource control policy may deny the audit identities' writes or CloudTrail's delivery) is not read`,
          "attach only an aws.organizations.Policy of this stack (by its id output), whose content is judged",
        ),
      );
    }
  },
};
