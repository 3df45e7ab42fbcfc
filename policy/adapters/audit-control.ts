/**
 * Who controls the agents' audit trail from outside their identities: AWS Organizations policies
 * (service and resource control policies), which can deny the audit identities the log writes they
 * hold, and delegated administration of CloudTrail, which lets another account stop or delete the
 * organisation's trails. Per resource: a CloudTrail delegated administrator. Across the stack: an
 * SCP or RCP whose Deny meets what an agent's audit identity is granted (the holdings model), or its
 * sign-in (sts:AssumeRoleWithWebIdentity on its role, which an RCP can deny).
 */
import type { PolicyStatement } from "../../components/core/iam-document";
import { asList } from "../../components/core/iam-document";
import type { Problem } from "../../components/rules/define";
import { globMatches, globsIntersect, grantsIntersect } from "../../components/core/patterns";
import { holdingsFromStackOnce } from "../holdings";
import { asString, readPolicyDocument, type KnownInputs } from "../inputs";
import type { Adapter, PackResource } from "../types";
import { agentRoles, isUnknown, readOfType } from "./shared";

export const AUDIT_CONTROL_TYPES = {
  organizationsPolicy: "aws:organizations/policy:Policy",
  cloudtrailDelegatedAdmin: "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount",
  organizationsDelegatedAdmin: "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
} as const;
const T = AUDIT_CONTROL_TYPES;
const RULE = "stack/audit-trail";
/** Policy types that deny principals or resources of member accounts (an absent type is an SCP). */
const DENYING_TYPES = new Set(["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]);
const AUDIT_SERVICES = new Set(["cloudtrail.amazonaws.com"]);

/** A delegated administrator of CloudTrail can stop, narrow or delete every trail of the organisation. */
function delegatedAdminProblems(resource: PackResource, inputs: KnownInputs): Problem[] {
  const v = inputs.value;
  if (resource.type === T.organizationsDelegatedAdmin) {
    const service = asString(v.servicePrincipal);
    if (!(service !== undefined ? AUDIT_SERVICES.has(service) : inputs.unknown.includes("servicePrincipal"))) return [];
  }
  return [
    {
      rule: RULE,
      message: `${resource.type} ${resource.name} makes account ${asString(v.accountId) ?? "(unknown at preview)"} CloudTrail's delegated administrator: it can stop, narrow or delete the trails that record what agents do`,
      fix: "delegate CloudTrail administration from the organisation's management stack, which holds no agents; a stack with agents never changes who controls their trail",
    },
  ];
}

const lower = (values: readonly string[]) => values.map((value) => value.toLowerCase());

/** Does a Deny statement meet an Allow grant (an action and a resource both)? Conditions are not read: a Deny counts as if its condition held. */
function denies(deny: PolicyStatement, grant: { actions: readonly string[]; resources: readonly string[] }): boolean {
  const granted = lower(grant.actions);
  const actions = lower(asList(deny.Action));
  const notActions = lower(asList(deny.NotAction));
  const actionMet =
    deny.NotAction !== undefined
      ? granted.some((a) => !notActions.some((n) => globMatches(n, a)))
      : granted.some((a) => actions.some((d) => globsIntersect(d, a)));
  if (!actionMet) return false;
  if (deny.NotResource !== undefined) return grant.resources.some((r) => !asList(deny.NotResource).some((n) => n === "*" || globMatches(n, r)));
  return grant.resources.some((r) => asList(deny.Resource).some((d) => d === "*" || grantsIntersect(d, r)));
}

export const auditControl: Adapter = {
  family: "audit-control",
  holdings: "reads the audit identities' AWS grants from the holdings model; an organisation policy denying them is compared with them, not added to them",
  types: [
    {
      type: T.organizationsPolicy,
      key: "organizationsPolicy",
      route: "a service or resource control policy may deny the agents' audit identities the writes of their trail",
      checkedBy: [RULE],
    },
    {
      type: T.cloudtrailDelegatedAdmin,
      key: "cloudtrailDelegatedAdmin",
      route: "makes another account administrator of the organisation's trails",
      checkedBy: [RULE],
    },
    {
      type: T.organizationsDelegatedAdmin,
      key: "organizationsDelegatedAdmin",
      route: "makes another account administrator of an AWS service for the organisation (CloudTrail's is the audit trail's)",
      checkedBy: [RULE],
    },
  ],
  check: (resource, inputs) => (resource.type === T.organizationsPolicy ? [] : delegatedAdminProblems(resource, inputs)),
  stack: (ix, pass) => {
    const policies = readOfType(ix, T.organizationsPolicy);
    if (policies.length === 0) return;
    const audit = holdingsFromStackOnce(ix, pass.extraPolicies).fleet.identities.filter((h) => h.identity === "audit");
    if (audit.length === 0) return;
    // The audit identity signs in with its ServiceAccount token: a Deny of that on its role stops its trail as surely.
    const auditSignIns = new Map<string, Array<{ effect: "Allow"; actions: string[]; resources: string[] }>>();
    for (const role of agentRoles(ix).values())
      if (role.kind === "audit")
        auditSignIns.set(role.agent, [
          ...(auditSignIns.get(role.agent) ?? []),
          { effect: "Allow", actions: ["sts:AssumeRoleWithWebIdentity"], resources: [`arn:aws:iam::*:role/${role.name}`] },
        ]);
    for (const r of policies) {
      const type = asString(r.v.type) ?? (isUnknown(r, "type") ? undefined : "SERVICE_CONTROL_POLICY");
      if (type !== undefined && !DENYING_TYPES.has(type)) continue;
      const document = isUnknown(r, "content") ? undefined : readPolicyDocument(r.v.content);
      if (!document) {
        pass.findings.push({
          rule: RULE,
          agent: r.resource.name,
          identity: null,
          urn: r.resource.urn,
          message: `${r.resource.type} ${r.resource.name}: content is ${isUnknown(r, "content") ? "unknown at preview" : "not a readable policy document"}, so whether it denies the agents' audit identities their trail cannot be told`,
          fix: "write the control policy as a JSON document from known values",
        });
        continue;
      }
      const denying = document.Statement.filter((s) => s.Effect === "Deny");
      for (const holdings of audit) {
        const signIn = auditSignIns.get(holdings.agent) ?? [];
        const hit = [...signIn, ...holdings.aws].find((grant) => grant.effect === "Allow" && denying.some((deny) => denies(deny, grant)));
        if (!hit) continue;
        pass.findings.push({
          rule: RULE,
          agent: holdings.agent,
          identity: "audit",
          urn: r.resource.urn,
          message: `${r.resource.type} ${r.resource.name} (${type ?? "type unknown at preview"}) has a Deny meeting what agent ${holdings.agent}'s audit identity needs to sign in or write its trail (${hit.actions.join(", ")} on ${hit.resources.join(", ")}; conditions are not read)`,
          fix: "never deny the agents' audit identities their sign-in or log writes: deny only actions they do not hold, or only resources outside their roles and audit log groups",
        });
      }
    }
  },
};
