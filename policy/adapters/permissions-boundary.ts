/**
 * The agents' permissions boundary: the ceiling the platform sets on every agent role
 * (`platform.aws.permissionsBoundaryArn`). Across the stack: every agent role names the same
 * boundary (one swapped on a role, or dropped from it, is refused), and when that boundary is an
 * `aws.iam.Policy` of this stack (by name, or by the input it came from), its document is read
 * and judged with the IAM rules' own checks: a boundary that allows every action, allows by
 * NotAction, or allows privilege escalation no longer bounds anything, whoever rewrote it.
 */
import { roleNameOf } from "../../components/core/names";
import { checkPermissionPolicy } from "../../components/rules/iam";
import { tierOf } from "../agent-metadata-checks";
import { asString, readPolicyDocument } from "../inputs";
import type { Adapter, PackFinding } from "../types";
import { IAM_ATTACHMENT_TYPES } from "./iam-attachments";
import { IAM_ROLE_TYPES } from "./iam-roles";
import { deps, isKind, isUnknown, only, readOfType, type Read } from "./shared";

const RULE = "iam/permissions-boundary-policy";
const JUDGED = ["iam/action-wildcard", "iam/privilege-escalation"];

/** `arn:…:policy/<path>/<name>` → `<name>`. */
const policyName = (arn: string) => /:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];

export const permissionsBoundary: Adapter = {
  family: "permissions-boundary",
  holdings: "none: a boundary caps what an agent role's holdings may grant; it is judged as the platform's ceiling, not added to them",
  types: [
    { type: IAM_ROLE_TYPES.role, route: "an agent role names the agents' one permissions boundary", checkedBy: [RULE] },
    { type: IAM_ATTACHMENT_TYPES.policy, route: "a customer-managed policy that may be the agents' permissions boundary", checkedBy: [RULE] },
  ],
  stack: (ix, pass) => {
    const agentRoles = readOfType(ix, IAM_ROLE_TYPES.role).filter((r) => asString((r.v.tags as Record<string, unknown> | undefined)?.agent) !== undefined);
    if (agentRoles.length === 0) return;
    const boundaryOf = (r: Read) => (isUnknown(r, "permissionsBoundary") ? "(unknown at preview)" : (asString(r.v.permissionsBoundary) ?? "(none)"));
    const counts = new Map<string, number>();
    // Only boundaries that are set and known are compared: a missing one is context/permissions-boundary-required's, an unknown one is set.
    const compared = agentRoles.filter((r) => asString(r.v.permissionsBoundary) !== undefined);
    for (const r of compared) counts.set(boundaryOf(r), (counts.get(boundaryOf(r)) ?? 0) + 1);
    const owner = (r: Read) => {
      const tags = r.v.tags as Record<string, unknown>;
      const kind = asString(tags.identity);
      return { agent: asString(tags.agent)!, identity: isKind(kind) ? kind : null };
    };
    // One boundary for every agent role: the most common stands for the platform's; every other one was swapped or dropped.
    if (counts.size > 1) {
      const [usual] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
      const tie = [...counts.values()].filter((n) => n === counts.get(usual)).length > 1;
      for (const r of compared) {
        if (!tie && boundaryOf(r) === usual) continue;
        pass.findings.push({
          rule: RULE,
          ...owner(r),
          urn: r.resource.urn,
          message: `role ${asString(r.v.name) ?? r.resource.name} has permissions boundary ${boundaryOf(r)}, while agent roles of this stack have ${[...counts.keys()].filter((b) => b !== boundaryOf(r)).join(", ")}: one agent's ceiling was swapped or dropped`,
          fix: "give every agent role the platform's one boundary (`agent-identity:platform.aws.permissionsBoundaryArn`); never override it per role",
        } satisfies PackFinding);
      }
    }
    // compile gives every agent role the platform's one boundary, whatever the tier, or gives none to
    // any: with a boundary on some agent role, one without any had it dropped (no plan record read).
    if (compared.length > 0) {
      const usual = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
      for (const r of agentRoles) {
        if (asString(r.v.permissionsBoundary) !== undefined || isUnknown(r, "permissionsBoundary")) continue;
        // A tier that requires a boundary: context/permissions-boundary-required reports it already.
        if (tierOf(asString((r.v.tags as Record<string, unknown>).tier))?.requiresPermissionsBoundary) continue;
        pass.findings.push({
          rule: RULE,
          ...owner(r),
          urn: r.resource.urn,
          message: `role ${asString(r.v.name) ?? r.resource.name} has no permissions boundary, while agent roles of this stack have ${usual}: the components set the platform's boundary on every agent role, whatever its tier, so this one was dropped`,
          fix: "give every agent role the platform's one boundary (`agent-identity:platform.aws.permissionsBoundaryArn`); never remove it from a role",
        } satisfies PackFinding);
      }
    }
    // The boundary's document, when this stack writes it.
    const policies = readOfType(ix, IAM_ATTACHMENT_TYPES.policy);
    for (const r of agentRoles) {
      const arn = asString(r.v.permissionsBoundary);
      const fromInput = deps(r, "permissionsBoundary").filter((d) => d.type === IAM_ATTACHMENT_TYPES.policy);
      const name = arn === undefined ? undefined : policyName(arn);
      const sources = policies.filter((p) => (name !== undefined && asString(p.v.name) === name) || fromInput.some((d) => d.urn === p.resource.urn));
      for (const source of sources) {
        const document = readPolicyDocument(source.v.policy);
        const role = asString(r.v.name) ?? roleNameOf(r.resource.name);
        const problems = document
          ? [
              ...only(JUDGED, checkPermissionPolicy(document)).map((p) => p.message),
              ...document.Statement.filter((s) => s.Effect === "Allow" && s.NotAction !== undefined).map(
                () => "allows by NotAction (every action but those listed)",
              ),
            ]
          : ["is unknown at preview or not a readable policy document"];
        for (const problem of problems)
          pass.findings.push({
            rule: RULE,
            ...owner(r),
            urn: source.resource.urn,
            message: `permissions boundary ${asString(source.v.name) ?? source.resource.name} of role ${role}: ${problem}`,
            fix: "keep the agents' boundary a ceiling: name the services agents may use, never `*`, NotAction or IAM writes; the platform team changes it in a reviewed change of its own",
          } satisfies PackFinding);
      }
    }
  },
};
