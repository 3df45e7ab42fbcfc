/**
 * An agent role as planned: every identity's ServiceAccount carries its IAM role as `compile` planned
 * it (annotation `agent-identity.io/role-plan`, components/core/role-plan.ts). Across the stack the
 * role the stack really creates is compared with that record: its trust, permissions boundary,
 * maximum session, path and tags (exactly the planned ones), and every (action, resource, condition) its inline
 * policies, RolePolicies and attached managed policies allow, read as grants by the holdings
 * model's own `grantOf` on both sides. A pair the plan does not grant, or a planned Deny no longer
 * in force, is refused: a transformation or a hand-written policy on an agent role cannot widen it,
 * even on a resource the agent owns. An input unknown at preview is not a change (skipped).
 */
import { ROLE_PLAN_ANNOTATION } from "../../components/core/compile";
import type { PolicyDocument } from "../../components/core/iam-document";
import {
  DEFAULT_MAX_SESSION_DURATION,
  PLANNED_ROLE_PATH,
  canonicalJson,
  grantsBeyondPlan,
  grantsOf,
  readRolePlanRecord,
  type GrantPair,
  type RolePlanRecord,
} from "../../components/core/role-plan";
import { asNumber, asRecord, asString, readPolicyDocument } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";
import { IAM_ATTACHMENT_TYPES } from "./iam-attachments";
import { providerDefaultTags } from "./providers";
import { IAM_ROLE_TYPES } from "./iam-roles";
import { isUnknown, readOfType, type Read } from "./shared";

const RULE = "iam/agent-role-as-planned";
const MANAGED_BY = "pulumi-agent-identity";
/** Pairs named in one finding; the rest are counted. */
const SHOWN = 5;

const describe = (pair: GrantPair) => `${pair.action} on ${pair.resource}${pair.condition ? ` if ${pair.condition}` : ""} (statement ${pair.statement})`;

/** The documents of a role's inline policies that are known (an unknown one is not a change). */
function inlineDocuments(role: Read): PolicyDocument[] {
  const entries = Array.isArray(role.v.inlinePolicies) ? role.v.inlinePolicies : [];
  return entries.flatMap((entry) => {
    const document = readPolicyDocument((entry as { policy?: unknown }).policy);
    return document ? [document] : [];
  });
}

/** How one role differs from its record, in words; none when it is as planned. */
function propertyChanges(role: Read, record: RolePlanRecord): string[] {
  const v = role.v;
  const changes: string[] = [];
  if (!isUnknown(role, "maxSessionDuration")) {
    const seconds = asNumber(v.maxSessionDuration) ?? DEFAULT_MAX_SESSION_DURATION;
    if (seconds !== record.maxSessionDuration) changes.push(`maxSessionDuration is ${seconds} s, planned ${record.maxSessionDuration} s`);
  }
  if (!isUnknown(role, "permissionsBoundary")) {
    const boundary = asString(v.permissionsBoundary) ?? null;
    if (boundary !== record.permissionsBoundary)
      changes.push(`permissionsBoundary is ${boundary ?? "(none)"}, planned ${record.permissionsBoundary ?? "(none)"}`);
  }
  if (!isUnknown(role, "path")) {
    const path = asString(v.path) ?? PLANNED_ROLE_PATH;
    if (path !== PLANNED_ROLE_PATH) changes.push(`path is ${path}, planned ${PLANNED_ROLE_PATH}`);
  }
  if (!isUnknown(role, "assumeRolePolicy")) {
    const trust = readPolicyDocument(v.assumeRolePolicy);
    if (!trust || canonicalJson(trust.Statement) !== canonicalJson(record.trustPolicy.Statement)) changes.push("the trust policy is not the planned one");
  }
  if (!isUnknown(role, "tags")) {
    // The role's tags as AWS sets them: its provider's defaultTags and tagsAll, under its own tags.
    const tags = { ...providerDefaultTags(role.resource.provider), ...asRecord(v.tagsAll), ...asRecord(v.tags) };
    // Tags the plan sets keep their values (the pack reads tier, data class and expiry from them). Closed
    // world: a tag the plan does not set is refused too, as an ABAC tag (aws:PrincipalTag) widens what
    // the role reaches; the platform declares no harmless tag keys, and provider defaultTags count.
    const changed = Object.entries(record.tags).filter(([key, value]) => tags[key] !== value);
    for (const [key, value] of changed) changes.push(`tag ${key} is ${tags[key] ?? "(none)"}, planned ${value}`);
    const added = Object.keys(tags).filter((key) => !Object.hasOwn(record.tags, key));
    for (const key of added) changes.push(`tag ${key} is set, which the plan does not set`);
  }
  return changes;
}

const recordsRead = new WeakMap<StackIndex, Map<string, RolePlanRecord | undefined>>();

/** An identity ServiceAccount's role-plan record, read once per stack (undefined when absent or not the components'). */
export function rolePlanRecordOf(ix: StackIndex, sa: StackIndex["serviceAccounts"][number]): RolePlanRecord | undefined {
  const text = sa.annotations[ROLE_PLAN_ANNOTATION];
  if (text === undefined) return undefined;
  let byText = recordsRead.get(ix);
  if (!byText) recordsRead.set(ix, (byText = new Map()));
  if (!byText.has(text)) byText.set(text, readRolePlanRecord(text));
  return byText.get(text);
}

export const agentRolePlan: Adapter = {
  family: "agent-role-plan",
  holdings:
    "none added: an agent role's effective grants (inline, RolePolicy, attached) are compared with the grants its identity's plan record lists, which the components write on the identity's ServiceAccount",
  types: [
    {
      type: IAM_ROLE_TYPES.role,
      route: "an agent role keeps its planned trust, boundary, maximum session, path, tags (no others) and grants",
      checkedBy: [RULE],
    },
    { type: IAM_ROLE_TYPES.rolePolicy, route: "an inline policy on an agent role grants only what the role's plan grants", checkedBy: [RULE] },
    { type: IAM_ATTACHMENT_TYPES.rolePolicyAttachment, route: "a policy attached to an agent role grants only what the role's plan grants", checkedBy: [RULE] },
    { type: IAM_ATTACHMENT_TYPES.policyAttachment, route: "a policy attached to an agent role grants only what the role's plan grants", checkedBy: [RULE] },
    {
      type: IAM_ATTACHMENT_TYPES.rolePolicyAttachmentsExclusive,
      route: "a policy attached to an agent role grants only what the role's plan grants",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    const rolesNamed = new Map<string, Read[]>();
    for (const role of readOfType(ix, IAM_ROLE_TYPES.role)) {
      const name = asString(role.v.name)?.toLowerCase();
      if (name === undefined) continue;
      const list = rolesNamed.get(name);
      if (list) list.push(role);
      else rolesNamed.set(name, [role]);
    }
    const judged = new Set<string>();
    const saReads = new Map(readOfType(ix, "kubernetes:core/v1:ServiceAccount").map((r) => [r.resource.urn, r]));
    // In a stack the components build (some identity carries its record), every agent identity comes
    // from them: one without a record had its label and annotations stripped, not written by hand.
    const componentsStack = ix.serviceAccounts.some((sa) => sa.annotations[ROLE_PLAN_ANNOTATION] !== undefined);
    for (const sa of ix.serviceAccounts) {
      const owner = { agent: sa.agent, identity: sa.kind };
      const read = saReads.get(sa.resource.urn);
      // Annotations from an output (a declaration holding outputs) are unknown at preview: not a change.
      if (!read || isUnknown(read, "metadata.annotations") || isUnknown(read, "metadata")) continue;
      const text = sa.annotations[ROLE_PLAN_ANNOTATION];
      const at = (urn: string, message: string, fix: string): PackFinding => ({ rule: RULE, ...owner, urn, message, fix });
      if (text === undefined) {
        // The components write the record on every identity's ServiceAccount; a hand-written agent has none to compare with.
        if (sa.labels["app.kubernetes.io/managed-by"] === MANAGED_BY || componentsStack)
          pass.findings.push(
            at(
              sa.resource.urn,
              `ServiceAccount ${sa.namespace}/${sa.name} of agent ${sa.agent}'s ${sa.kind} identity carries no ${ROLE_PLAN_ANNOTATION} record (it is labelled as the components', or the stack's other identities come from them), so its role cannot be compared with its plan`,
              "let the Agent component create the ServiceAccount and keep its annotations as planned",
            ),
          );
        continue;
      }
      const record = rolePlanRecordOf(ix, sa);
      if (!record) {
        pass.findings.push(
          at(
            sa.resource.urn,
            `the ${ROLE_PLAN_ANNOTATION} record on ServiceAccount ${sa.namespace}/${sa.name} of agent ${sa.agent}'s ${sa.kind} identity is not the components' record`,
            "let the Agent component write the ServiceAccount's annotations",
          ),
        );
        continue;
      }
      const key = record.name.toLowerCase();
      if (judged.has(`${key}\u0000${sa.agent}\u0000${sa.kind}`)) continue;
      judged.add(`${key}\u0000${sa.agent}\u0000${sa.kind}`);
      const roles = rolesNamed.get(key) ?? [];
      if (roles.length === 0) {
        pass.findings.push(
          at(
            sa.resource.urn,
            `agent ${sa.agent}'s ${sa.kind} identity plans IAM role ${record.name}, which no aws.iam.Role of the stack names: the role was renamed or removed after compilation`,
            "let the Agent component create the identity's role under its planned name",
          ),
        );
        continue;
      }
      const planned = grantsOf(record.statements);
      const rolePolicies = (ix.by.rolePoliciesOn.get(key) ?? []).flatMap((p) => (p.document ? [p.document] : []));
      for (const role of roles) {
        const roleName = asString(role.v.name) ?? role.resource.name;
        const changes = propertyChanges(role, record);
        if (changes.length)
          pass.findings.push(
            at(
              role.resource.urn,
              `agent ${sa.agent}'s ${sa.kind} role ${roleName} is not as planned: ${changes.join("; ")}`,
              "change the agent's declaration or the platform configuration, not the role: never transform an agent role's properties after compilation",
            ),
          );
        const documents = [...inlineDocuments(role), ...rolePolicies, ...(pass.attachedPolicies.get(key) ?? [])];
        const { extra, droppedDenies } = grantsBeyondPlan(
          planned,
          documents.flatMap((document) => grantsOf(document.Statement)),
        );
        if (extra.length)
          pass.findings.push(
            at(
              role.resource.urn,
              `agent ${sa.agent}'s ${sa.kind} role ${roleName} allows what its declared tools do not need: ${extra.slice(0, SHOWN).map(describe).join(", ")}${extra.length > SHOWN ? ` and ${extra.length - SHOWN} more` : ""}`,
              "declare a tool that needs the access in the agent's declaration (reviewed as a plan change); never add statements to an agent role by a transformation, a RolePolicy or an attached policy",
            ),
          );
        if (droppedDenies.length)
          pass.findings.push(
            at(
              role.resource.urn,
              `agent ${sa.agent}'s ${sa.kind} role ${roleName} no longer denies what its plan denies: ${droppedDenies.slice(0, SHOWN).map(describe).join(", ")}${droppedDenies.length > SHOWN ? ` and ${droppedDenies.length - SHOWN} more` : ""}`,
              "keep the components' Deny statements on agent roles",
            ),
          );
      }
    }
  },
};
