/**
 * IAM roles and their inline policies: an agent identity's role (trust, inline policies, tags), any
 * role a pod may assume, and a tool role (tagged-sessions). Per resource: trust, permission policy,
 * size and lifecycle checks. Across the stack: whose ServiceAccount the trust names, and whether
 * every grant is bound to the role's region and account.
 */
import type { Problem } from "../../components/rules/define";
import { checkServiceAccountReference } from "../../components/rules/kubernetes";
import { checkRoleLimits } from "../../components/rules/limits";
import { isToolRoleTags } from "../../components/rules/tool-session-checks";
import { checkTrustPolicy, trustedSubjects } from "../../components/rules/trust";
import { agentSessionCeiling, checkAgentRole } from "../agent-metadata-checks";
import { checkAgentRoleGrants } from "../context-stack";
import { asNumber, asRecord, asString, readPolicyDocument, type KnownInputs } from "../inputs";
import { toolRoleProblems } from "../tool-roles";
import { principalDocuments, principalPolicyProblems } from "./principal-documents";
import type { Adapter, PackContext, PackResource } from "../types";
import { attributeTo, isAgentOrFederatedRole, isKind, only, saKey, sharedIdentity, unreadablePolicy } from "./shared";

export const IAM_ROLE_TYPES = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

const IAM_CHECKS = ["iam/action-wildcard", "iam/privilege-escalation", "iam/resource-wildcard", "separation/cross-agent-grant"];

function roleProblems(resource: PackResource, inputs: KnownInputs, context: PackContext): Problem[] {
  const v = inputs.value;
  const problems: Problem[] = [];
  const trust = readPolicyDocument(v.assumeRolePolicy);
  if (v.assumeRolePolicy !== undefined && !trust) problems.push(unreadablePolicy(resource, "assumeRolePolicy"));
  // Inline documents and managed ARNs: the checks every principal kind goes through.
  problems.push(...principalPolicyProblems(resource, v));
  const inline = principalDocuments(resource, v).flatMap(({ document }) => (document ? [document] : []));
  const tags = asRecord(v.tags);
  const federated = trust !== undefined && isAgentOrFederatedRole(tags, trust);
  // A tool role (tagged-sessions) is assumed by Vault's AWS engine only: judged by its own rules.
  const toolRole = isToolRoleTags(tags);
  if (toolRole) problems.push(...toolRoleProblems(asString(v.name) ?? resource.name, tags, trust, inline));
  if (trust && federated && !toolRole) {
    problems.push(...checkTrustPolicy(trust));
    for (const subject of trustedSubjects(trust)) {
      const [namespace, name] = subject.split("/");
      // kube-system is for the platform's controllers (the EBS CSI driver's IRSA role), never an agent's: refused on agent roles only.
      const references = checkServiceAccountReference(namespace, name ?? "");
      problems.push(...(tags.agent === undefined ? references.filter((p) => p.rule !== "kubernetes/system-namespace") : references));
    }
  }
  problems.push(
    ...checkRoleLimits(
      { name: asString(v.name), trustPolicy: trust, inlinePolicies: inline, maxSessionDuration: asNumber(v.maxSessionDuration) },
      // An agent role's ceiling is its tier's, read without any plan record (compile sets exactly it).
      tags.agent !== undefined ? agentSessionCeiling(tags.tier) : undefined,
    ),
  );
  const boundarySet = v.permissionsBoundary !== undefined || inputs.unknown.includes("permissionsBoundary");
  // A tool role's sessions are named by Vault (username template) and traced by their tags, not by a pod's session name.
  problems.push(
    ...checkAgentRole(
      {
        name: asString(v.name) ?? resource.name,
        tags,
        trust: toolRole ? undefined : trust,
        boundarySet,
        permissionsBoundary: asString(v.permissionsBoundary),
        federated,
      },
      context.now,
    ),
  );
  return problems;
}

export const iamRoles: Adapter = {
  family: "iam-roles",
  holdings: "a role tagged agent/identity is that identity's role: its inline policies and the RolePolicies naming it are the identity's AWS grants",
  types: [
    {
      type: IAM_ROLE_TYPES.role,
      key: "role",
      route: "the agent's role: trust, inline and managed policies",
      required: ["assumeRolePolicy"],
      readIfSet: ["inlinePolicies"],
      agentMetadata: ["tags"],
      checkedBy: ["trust/own-service-account", ...IAM_CHECKS, "iam/attached-policy", "stack/unknown-input"],
    },
    {
      type: IAM_ROLE_TYPES.rolePolicy,
      key: "rolePolicy",
      route: "an inline policy on a role",
      required: ["policy", "role"],
      checkedBy: [...IAM_CHECKS, "stack/unknown-input"],
    },
  ],
  check: (resource, inputs, context) => {
    if (resource.type === IAM_ROLE_TYPES.role) return roleProblems(resource, inputs, context);
    return principalPolicyProblems(resource, inputs.value);
  },
  stack: (ix, pass) => {
    const { findings } = pass;
    for (const role of ix.roles) {
      if (!role.trust) continue;
      const own = role.tags.agent && isKind(role.tags.identity) ? { agent: role.tags.agent, kind: role.tags.identity } : undefined;
      for (const subject of trustedSubjects(role.trust)) {
        const [namespace, name] = subject.split("/");
        const sa = ix.by.serviceAccountAt(namespace, name);
        if (sa && saKey(sa.namespace, sa.name) === subject && (!own || own.agent !== sa.agent || own.kind !== sa.kind))
          findings.push(sharedIdentity(`ServiceAccount ${subject}`, role.resource.urn, sa, `IAM role ${role.name ?? role.resource.name}`));
      }
      // A tool role trusts Vault's AWS engine, not a ServiceAccount (trust/tool-role-vault-only).
      if (own && !isToolRoleTags(role.tags)) {
        const sa = ix.by.serviceAccountsOf(own.agent, own.kind)[0];
        const expected = sa ? { namespace: sa.namespace, serviceAccount: sa.name } : undefined;
        const problems = expected
          ? only(["trust/own-service-account"], checkTrustPolicy(role.trust, expected))
          : isAgentOrFederatedRole(role.tags, role.trust)
            ? [
                {
                  rule: "trust/own-service-account",
                  message: `trusts ${trustedSubjects(role.trust).join(", ") || "no ServiceAccount"}, and no agent ServiceAccount is labelled ${own.agent}/${own.kind}`,
                  fix: "trust only the identity's own ServiceAccount, created by the Agent component",
                },
              ]
            : [];
        findings.push(...attributeTo(own, role.resource.urn, problems));
      }
    }
    // At most one IAM role per identity (and one tool role per agent): a second role tagged as the
    // identity's would hold grants the identity's checks never see together.
    for (const [agent, roles] of ix.by.rolesOfAgent) {
      const groups = new Map<string, typeof roles>();
      for (const role of roles) {
        if (!isKind(role.tags.identity)) continue;
        const key = `${role.tags.identity}${isToolRoleTags(role.tags) ? " tool role" : ""}`;
        groups.set(key, [...(groups.get(key) ?? []), role]);
      }
      for (const [what, group] of groups) {
        if (group.length < 2) continue;
        const kind = isKind(group[0].tags.identity) ? group[0].tags.identity : null;
        for (const role of group)
          findings.push({
            rule: "stack/no-shared-identity",
            agent,
            identity: kind,
            urn: role.resource.urn,
            message: `has ${group.length} IAM roles tagged as its ${what} (${group.map((r) => r.name ?? r.resource.name).join(", ")})`,
            fix: "keep exactly one IAM role per identity (and one tool role per agent), the one its Agent component creates",
          });
      }
    }
    // Agent roles' grants bound to region and account.
    findings.push(...checkAgentRoleGrants(ix));
  },
};
