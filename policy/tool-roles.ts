/**
 * The pack's checks of task-context binding (`toolSessions: tagged-sessions`). A role tagged
 * `role=tool-sessions` is an agent's tool role: its trust is judged as Vault-only (not as a
 * ServiceAccount's), every grant on it must be bound to one tool's session, and a Vault AWS secret
 * role that mints its sessions must set exactly the session tags. Per resource: the shapes. Across
 * the stack: the engine role is the stack's AWS secret backend's, RolePolicies and managed policies
 * attached to the tool role are bound too, and a session's tags name the role's own agent and a
 * tool its trust admits.
 */
import type { PolicyDocument } from "../components/core/iam-document";
import { asList } from "../components/core/iam-document";
import { SESSION_TAG } from "../components/core/tool-sessions";
import type { Problem } from "../components/rules/define";
import { checkToolRoleStatements, checkToolRoleTrust, checkToolSessionSecretRole, isToolRoleTags } from "../components/rules/tool-session-checks";
import { namedLikeToolRole, roleNameOf } from "../components/core/names";
import { asString, asStrings } from "./inputs";
import { engineRoleProblem } from "../components/core/tool-session-schema";
import type { PackFinding } from "./types";
import type { StackIndex } from "./stack-index";

export const VAULT_AWS_BACKEND = "vault:aws/secretBackend:SecretBackend";

/** A tool role's own checks, on its inputs alone. */
export function toolRoleProblems(
  name: string,
  tags: Readonly<Record<string, string>>,
  trust: PolicyDocument | undefined,
  inline: readonly PolicyDocument[],
): Problem[] {
  const problems: Problem[] = [];
  if (!tags.agent || tags.identity !== "execution" || !tags.environment) {
    problems.push({
      rule: "trust/tool-role-vault-only",
      message: `role ${name} is tagged role=tool-sessions but not agent=<agent>, identity=execution, environment=<env>`,
      fix: "a tool role belongs to one agent's execution identity; let the Agent component create it",
    });
  }
  if (trust) problems.push(...checkToolRoleTrust(trust));
  for (const [index, document] of inline.entries()) problems.push(...checkToolRoleStatements(document, `inline policy #${index + 1} of ${name}`));
  return problems;
}

/** Session tags as set on a Vault AWS secret role: undefined when none (absent or empty). */
export function sessionTagsOf(v: Record<string, unknown>): Record<string, unknown> | undefined {
  const tags = v.sessionTags;
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== "object" || Array.isArray(tags)) return { "(unreadable)": tags };
  return Object.keys(tags).length ? (tags as Record<string, unknown>) : undefined;
}

/** A Vault AWS secret role minting tool sessions: session tags set, or a role named `…-tools`. */
export function mintsToolSession(v: Record<string, unknown>): boolean {
  return sessionTagsOf(v) !== undefined || asStrings(v.roleArns).some(namedLikeToolRole);
}

/** vault/tool-session-tags on one Vault AWS secret role's inputs. */
export function secretRoleToolSessionProblems(v: Record<string, unknown>): Problem[] {
  if (!mintsToolSession(v)) return [];
  return checkToolSessionSecretRole({ roleArns: asStrings(v.roleArns), sessionTags: sessionTagsOf(v) });
}

type IndexedRole = StackIndex["roles"][number];

/** Lower-cased names of the stack's roles tagged as an agent's (identity or tool role), with whose they are. */
const agentRoleNamesOf = new WeakMap<StackIndex, Map<string, string>>();
function agentRoleNames(ix: StackIndex): Map<string, string> {
  let names = agentRoleNamesOf.get(ix);
  if (!names) {
    names = new Map();
    for (const role of ix.roles)
      if (role.name && role.tags.agent)
        names.set(role.name.toLowerCase(), `${role.tags.agent}/${role.tags.identity ?? "?"}${isToolRoleTags(role.tags) ? " tool" : ""}`);
    agentRoleNamesOf.set(ix, names);
  }
  return names;
}

/** The AWS principals a tool role's Allow statements trust. */
function trustedPrincipals(role: IndexedRole): string[] {
  return (role.trust?.Statement ?? []).filter((s) => s.Effect === "Allow").flatMap((s) => (s.Principal && s.Principal !== "*" ? asList(s.Principal.AWS) : []));
}

/** The account a tool role lives in, as its trust says (the engine is in the role's own account); undefined when unsaid. */
function toolRoleAccount(role: IndexedRole): string | undefined {
  const accounts = new Set(trustedPrincipals(role).map((arn) => arn.split(":")[4]));
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** The tool role a tagged secret role's one ARN names, among the stack's roles (IAM names: any case). */
const rolesByName = new WeakMap<StackIndex, Map<string, IndexedRole>>();
function targetRole(ix: StackIndex, arn: string | undefined): IndexedRole | undefined {
  if (!arn) return undefined;
  // Built once per stack: a lookup per secret role, not a scan of every role.
  let byName = rolesByName.get(ix);
  if (!byName) {
    byName = new Map();
    for (const role of ix.roles) if (role.name && !byName.has(role.name.toLowerCase())) byName.set(role.name.toLowerCase(), role);
    rolesByName.set(ix, byName);
  }
  const role = byName.get(roleNameOf(arn).toLowerCase());
  // Same name in another account is another role: never this stack's tool role.
  const account = role && isToolRoleTags(role.tags) ? toolRoleAccount(role) : undefined;
  return account !== undefined && arn.split(":")[4] !== account ? undefined : role;
}

/** True when a Vault secret role is the session of a tool role of this stack, of the agent its tags name. */
export function isToolSessionOf(ix: StackIndex, secretRole: { readonly v: Record<string, unknown> }): boolean {
  const tags = sessionTagsOf(secretRole.v);
  const arns = asStrings(secretRole.v.roleArns);
  if (!tags || arns.length !== 1) return false;
  const role = targetRole(ix, arns[0]);
  return role !== undefined && isToolRoleTags(role.tags) && role.tags.agent === tags[SESSION_TAG.agent] && role.tags.identity === "execution";
}

/** The cross-resource checks of tool roles and their sessions. */
export function checkToolRoles(ix: StackIndex, extraPolicies: ReadonlyMap<string, readonly PolicyDocument[]>): PackFinding[] {
  const findings: PackFinding[] = [];
  const engineRoles = ix.inputs
    .filter((entry) => entry.resource.type === VAULT_AWS_BACKEND)
    .flatMap((entry) => {
      const roleArn = asString(entry.value.roleArn);
      return roleArn ? [roleArn] : [];
    });
  const toolRoles = ix.roles.filter((r) => isToolRoleTags(r.tags));
  for (const role of toolRoles) {
    const owner = { agent: role.tags.agent ?? role.name ?? role.resource.name, identity: role.tags.identity === "execution" ? ("execution" as const) : null };
    const add = (urn: string, problems: readonly Problem[]) => findings.push(...problems.map((problem) => ({ ...problem, ...owner, urn })));
    if (role.trust && engineRoles.length) {
      // Vault's AWS engine of this stack: the tool role trusts its role and no other.
      const principals = role.trust.Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
        s.Principal && s.Principal !== "*" ? asList(s.Principal.AWS) : [],
      );
      const foreign = principals.filter((p) => !engineRoles.some((engine) => engine.toLowerCase() === p.toLowerCase()));
      if (foreign.length) {
        add(role.resource.urn, [
          {
            rule: "trust/tool-role-vault-only",
            message: `tool role ${role.name ?? role.resource.name} trusts ${[...new Set(foreign)].join(", ")}, not the role of this stack's Vault AWS secrets engine (${engineRoles.join(", ")})`,
            fix: "trust only the role the Vault AWS secret backend runs as (its roleArn)",
          },
        ]);
      }
    }
    // The engine is never an agent's identity or tool role, nor a service-linked role (any path or case).
    for (const principal of new Set(trustedPrincipals(role))) {
      // By name (any path or case), and by membership: a role of this stack tagged as an agent's is
      // an agent role whatever its name (long names are cut and hashed and lose their -<kind> ending).
      const agentRole = agentRoleNames(ix).get(roleNameOf(principal).toLowerCase());
      const problem =
        engineRoleProblem(principal) ?? (agentRole ? `${principal}, the ${agentRole} role of this stack: its sessions could mint every tool session` : null);
      if (problem)
        add(role.resource.urn, [
          {
            rule: "trust/tool-role-vault-only",
            message: `tool role ${role.name ?? role.resource.name} trusts ${problem}`,
            fix: "trust only the role Vault's AWS secrets engine runs as",
          },
        ]);
    }
    // The TagSession statement names the role's own agent and environment: otherwise a session could carry another's.
    for (const statement of (role.trust?.Statement ?? []).filter(
      (s) => s.Effect === "Allow" && asList(s.Action).some((action) => action.toLowerCase() === "sts:tagsession"),
    )) {
      const equals = (statement.Condition?.StringEquals ?? {}) as Record<string, string | string[]>;
      for (const [key, own] of [
        [SESSION_TAG.agent, role.tags.agent],
        [SESSION_TAG.environment, role.tags.environment],
      ] as const) {
        const value = asList(equals[`aws:RequestTag/${key}`]);
        if (own !== undefined && (value.length !== 1 || value[0] !== own)) {
          add(role.resource.urn, [
            {
              rule: "trust/tool-role-vault-only",
              message: `tool role ${role.name ?? role.resource.name} (${key === SESSION_TAG.agent ? "agent" : "environment"} ${own}) admits sessions tagged ${key}=${value.join("|") || "(any)"}`,
              fix: `pin aws:RequestTag/${key} to ${own}`,
            },
          ]);
        }
      }
    }
    // The engine role is in the tool role's own account: the account its execution ServiceAccount's role is in, when annotated.
    const sa = ix.by.serviceAccountsOf(role.tags.agent, "execution")[0];
    const account = (sa?.annotations["eks.amazonaws.com/role-arn"] ?? "").split(":")[4];
    if (role.trust && account && /^\d{12}$/.test(account))
      add(
        role.resource.urn,
        checkToolRoleTrust(role.trust, { accountId: account }).filter((problem) => problem.message.includes("not the tool role's account")),
      );
    const name = role.name?.toLowerCase();
    for (const policy of (name === undefined ? [] : (ix.by.rolePoliciesOn.get(name) ?? [])).filter((p) => p.document)) {
      add(policy.resource.urn, checkToolRoleStatements(policy.document!, `inline policy ${asString(policy.v.name) ?? policy.resource.name}`));
    }
    for (const document of (name ? extraPolicies.get(name) : undefined) ?? [])
      add(role.resource.urn, checkToolRoleStatements(document, "an attached or resource policy"));
  }
  // Whatever a tool role trusts mints every tool session: no Vault AWS secret role may assume it.
  const engines = new Set([...engineRoles, ...toolRoles.flatMap(trustedPrincipals)].map((arn) => arn.toLowerCase()));
  for (const secretRole of ix.secretRoles) {
    const assumed = asStrings(secretRole.v.roleArns).filter((arn) => engines.has(arn.toLowerCase()));
    if (assumed.length) {
      findings.push({
        rule: "vault/secret-role-arns",
        message: `AWS secret role ${asString(secretRole.v.name) ?? secretRole.resource.name} assumes ${assumed.join(", ")}, the role Vault's AWS engine runs as (every tool role trusts it)`,
        fix: "an agent never assumes the engine role: it could mint every tool session of every agent",
        agent: asString(secretRole.v.name) ?? secretRole.resource.name,
        identity: null,
        urn: secretRole.resource.urn,
      });
    }
  }
  for (const secretRole of ix.secretRoles) {
    const tags = sessionTagsOf(secretRole.v);
    if (!tags) continue;
    const arns = asStrings(secretRole.v.roleArns);
    const role = arns.length === 1 ? targetRole(ix, arns[0]) : undefined;
    const problems: Problem[] = [];
    const rule = "vault/tool-session-tags";
    if (!role || !isToolRoleTags(role.tags)) {
      problems.push({
        rule,
        message: `AWS secret role sets session tags and assumes ${arns.join(", ") || "no role"}, which is not a tool role (tagged role=tool-sessions) of this stack, so the session's reach cannot be checked`,
        fix: "mint tool sessions only on the agent's tool role, created in the same stack by the Agent component",
      });
    } else {
      if (role.tags.agent !== tags[SESSION_TAG.agent])
        problems.push({
          rule,
          message: `session tag ${SESSION_TAG.agent} is ${JSON.stringify(tags[SESSION_TAG.agent])}, but tool role ${role.name} belongs to agent ${role.tags.agent}`,
          fix: "a tool session names the agent whose tool role it assumes",
        });
      if (role.tags.environment !== undefined && role.tags.environment !== tags[SESSION_TAG.environment])
        problems.push({
          rule,
          message: `session tag ${SESSION_TAG.environment} is ${JSON.stringify(tags[SESSION_TAG.environment])}, but tool role ${role.name} is of environment ${role.tags.environment}`,
          fix: "tag the session with the tool role's environment",
        });
      // An AssumeRole statement may list the tools of one data class.
      const admitted = (role.trust?.Statement ?? []).some((s) => {
        if (s.Effect !== "Allow" || !asList(s.Action).some((action) => action.toLowerCase() === "sts:assumerole")) return false;
        const equals = (s.Condition?.StringEquals ?? {}) as Record<string, string | string[]>;
        return (
          asList(equals[`aws:RequestTag/${SESSION_TAG.tool}`]).includes(String(tags[SESSION_TAG.tool])) &&
          asList(equals[`aws:RequestTag/${SESSION_TAG.dataClass}`]).includes(String(tags[SESSION_TAG.dataClass]))
        );
      });
      if (!admitted)
        problems.push({
          rule,
          message: `tool role ${role.name} admits no session of tool ${JSON.stringify(tags[SESSION_TAG.tool])} with data class ${JSON.stringify(tags[SESSION_TAG.dataClass])}`,
          fix: "tag the session with a tool (and its data class) the tool role's trust names",
        });
    }
    findings.push(
      ...problems.map((problem) => ({
        ...problem,
        agent: String(tags[SESSION_TAG.agent] ?? asString(secretRole.v.name) ?? secretRole.resource.name),
        identity: null,
        urn: secretRole.resource.urn,
      })),
    );
  }
  return findings;
}
