/**
 * Agent identities as principals of resource policies. A statement whose principal can be an agent
 * identity role or one of its STS sessions (its ARN in any case, an assumed-role ARN, a pattern that
 * matches it, a role's unique id that the pack cannot resolve) hands that identity what the
 * statement allows, outside its identity policies. The grant must be within what the identity's plan
 * holds: the statements of its role-plan record (components/core/role-plan.ts, the record the
 * components write on its ServiceAccount) or, for a role the components did not plan, its own
 * identity policies, compared by the holdings model's `grantOf` and `grantsNotHeld`. Anything else
 * is an undeclared share. An account (`<id>` or `:root`), a service or a federated provider is no
 * agent identity by itself: in the same account the identity's own policies still decide.
 */
import { ROLE_PLAN_ANNOTATION } from "../../components/core/compile";
import type { AwsGrant } from "../../components/core/holdings";
import type { PolicyStatement } from "../../components/core/iam-document";
import { asList } from "../../components/core/iam-document";
import { globMatches, globsIntersect, hasWildcard } from "../../components/core/patterns";
import { grantsNotHeld, grantsOf, readRolePlanRecord, type GrantPair } from "../../components/core/role-plan";
import type { StackIndex } from "../stack-index";
import type { ShareScope } from "../shares-config";
import type { PackFinding, StackPass } from "../types";
import type { AgentRole } from "./shared";

export const SHARE_RULE = "separation/undeclared-share";
export const PRINCIPAL_RULE = "iam/resource-policy";

/** Which agent roles a principal can be: those it names or matches, or `unknown` when the pack cannot tell. */
export type PrincipalMatch = { readonly roles: readonly AgentRole[] } | "unknown";

const NONE: PrincipalMatch = { roles: [] };

/** The roles of the stack whose name (any case) a name pattern matches. */
function rolesNamed(roles: ReadonlyMap<string, AgentRole>, pattern: string): AgentRole[] {
  const lower = pattern.toLowerCase();
  if (!hasWildcard(lower)) return roles.has(lower) ? [roles.get(lower)!] : [];
  return [...roles.values()].filter((role) => globMatches(lower, role.name.toLowerCase()));
}

/**
 * The agent roles one AWS principal value can be. `*` is judged per resource (iam/resource-policy),
 * so it matches none here. A role's unique id (`AROA…`, as a principal or `aws:userid`) is an output
 * the pack cannot tie to a role: unknown.
 */
export function agentRolesOfPrincipal(value: string, roles: ReadonlyMap<string, AgentRole>): PrincipalMatch {
  if (value === "*" || /^\d{12}$/.test(value)) return NONE;
  if (/^AROA[A-Z0-9]+(:.*)?$/i.test(value)) return "unknown";
  if (/^A[A-Z]{3}[A-Z0-9]{12,}$/.test(value)) return NONE; // a user, group or policy id: never an agent role
  const parts = value.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return "unknown";
  const service = parts[2];
  const resource = parts.slice(5).join(":");
  if (!globMatches(service, "iam") && !globMatches(service, "sts")) return NONE;
  if (resource === "root") return NONE;
  const segments = resource.split("/");
  if (/^role$/i.test(segments[0]) && segments.length >= 2) return { roles: rolesNamed(roles, segments[segments.length - 1]) };
  if (/^assumed-role$/i.test(segments[0]) && segments.length >= 2) return { roles: rolesNamed(roles, segments[1]) };
  // A wildcard that may stand for `role/…` or `assumed-role/…`: every role it can name.
  if (hasWildcard(segments[0]) && (globsIntersect(resource, "role/x") || globsIntersect(resource, "assumed-role/x/y")))
    return {
      roles: [...roles.values()].filter((role) => globsIntersect(resource, `role/${role.name}`) || globsIntersect(resource, `assumed-role/${role.name}/x`)),
    };
  return NONE;
}

/** The AWS principals a statement names, as written (Service, Federated and CanonicalUser are never agent roles). */
export function awsPrincipalsOf(statement: PolicyStatement): string[] {
  const principal = (statement as { Principal?: unknown }).Principal;
  if (!principal || typeof principal !== "object") return [];
  return asList((principal as { AWS?: string | string[] }).AWS);
}

/**
 * What an agent role holds by its plan: the statements of its identity's role-plan record when the
 * record names this role; nothing when the record names another (a second role tagged as the
 * identity is planned nothing); its own identity policies when no record is readable (a role the
 * components did not create, or a record unknown at preview).
 */
const plannedOf = new WeakMap<StackIndex, Map<string, { grants: readonly AwsGrant[]; from: string }>>();
export function plannedGrants(ix: StackIndex, pass: StackPass, role: AgentRole): { grants: readonly AwsGrant[]; from: string } {
  // Once per role and stack: many statements may name one role.
  let known = plannedOf.get(ix);
  if (!known) plannedOf.set(ix, (known = new Map()));
  const key = role.name.toLowerCase();
  const cached = known.get(key);
  if (cached) return cached;
  const planned = readPlannedGrants(ix, pass, role);
  known.set(key, planned);
  return planned;
}

function readPlannedGrants(ix: StackIndex, pass: StackPass, role: AgentRole): { grants: readonly AwsGrant[]; from: string } {
  const record = role.kind ? readRolePlanRecord(ix.by.serviceAccountsOf(role.agent, role.kind)[0]?.annotations[ROLE_PLAN_ANNOTATION] ?? "") : undefined;
  if (record) return { grants: record.name.toLowerCase() === role.name.toLowerCase() ? grantsOf(record.statements) : [], from: "its plan" };
  const key = role.name.toLowerCase();
  const documents = [
    ...ix.roles.filter((r) => r.name?.toLowerCase() === key).flatMap((r) => r.inlineDocuments().map((entry) => entry.document)),
    ...(ix.by.rolePoliciesOn.get(key) ?? []).flatMap((p) => (p.document ? [p.document] : [])),
    ...(pass.attachedPolicies.get(key) ?? []),
  ];
  return { grants: documents.flatMap((document) => grantsOf(document.Statement)), from: "its own identity policies" };
}

const SHOWN = 5;
const describe = (pair: GrantPair) => `${pair.action} on ${pair.resource}${pair.condition ? ` if ${pair.condition}` : ""}`;

export const SHARE_FIX =
  "remove the statement, or declare the access in the agent's declaration (a tool that needs it, and a platform share when another agent owns the resource) so its plan holds it; a share outside the plan is declared by the security team in the pack's `shares` configuration";

/** A finding for a grant to an agent identity beyond what it holds, with what a declared share must cover. */
export function beyondPlanFinding(
  role: AgentRole,
  principal: string,
  via: { readonly what: string; readonly urn: string },
  beyond: readonly GrantPair[],
  from: string,
): PackFinding & { share: ShareScope } {
  return {
    rule: SHARE_RULE,
    agent: role.agent,
    identity: role.kind,
    urn: via.urn,
    message: `${via.what} gives agent ${role.agent}'s ${role.kind ?? "(untagged)"} identity (role ${role.name}, as principal ${principal}) what ${from} does not hold: ${beyond
      .slice(0, SHOWN)
      .map(describe)
      .join(", ")}${beyond.length > SHOWN ? ` and ${beyond.length - SHOWN} more` : ""}`,
    fix: SHARE_FIX,
    share: {
      principals: [principal, `iam:role/${role.name}`],
      resources: [...new Set(beyond.map((pair) => pair.resource))],
      actions: [...new Set(beyond.map((pair) => pair.action))],
    },
  };
}

/** The finding for a principal the pack cannot tie to a role, which may be an agent identity. */
export function unknownPrincipalFinding(principal: string, via: { readonly what: string; readonly urn: string; readonly name: string }): PackFinding {
  return {
    rule: PRINCIPAL_RULE,
    agent: via.name,
    identity: null,
    urn: via.urn,
    message: `${via.what} names principal ${principal.slice(0, 200)}, which the pack cannot tie to a role: it may be an agent identity, given what its plan does not hold`,
    fix: "name principals by role ARN (arn:<partition>:iam::<account>:role/<name>) or account, from known values",
  };
}

/** Judge one statement's grant to every agent role its principals can be. */
export function judgeAgentPrincipals(
  ix: StackIndex,
  pass: StackPass,
  roles: ReadonlyMap<string, AgentRole>,
  principals: readonly string[],
  grant: PolicyStatement,
  via: { readonly what: string; readonly urn: string; readonly name: string },
): AgentRole[] {
  const matched: AgentRole[] = [];
  for (const principal of principals) {
    const match = agentRolesOfPrincipal(principal, roles);
    if (match === "unknown") {
      pass.findings.push(unknownPrincipalFinding(principal, via));
      continue;
    }
    for (const role of match.roles) {
      matched.push(role);
      const { grants, from } = plannedGrants(ix, pass, role);
      const beyond = grantsNotHeld(grants, grantsOf([grant]));
      if (beyond.length) pass.findings.push(beyondPlanFinding(role, principal, via, beyond, from));
    }
  }
  return matched;
}
