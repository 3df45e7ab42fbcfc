/**
 * IAM permission rules: checks over one permission policy document (and managed policy
 * attachments), shared by the plan rules and the policy pack. Wildcard and escalation rules
 * apply to Allow statements: a Deny, even of `*` on `*` (the revocation policy), only removes access.
 */
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import { actionExists, arnAcceptedByAction, expandAction, lookupAction, parseArn, resourceTypesFor, serviceExists } from "../core/iam-catalog";
import { globMatches, grantsIntersect, hasWildcard } from "../core/patterns";
import { attribute, familyRules, meta, type Problem, type RuleFinding } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const OVERPRIVILEGED = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const ESCALATION = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7", "GOVERN 1.4"]);
const CORRECTNESS = standards(["NHI6"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);

export const IAM_RULES: readonly RuleMeta[] = [
  meta("iam/action-wildcard", "iam", "error", "No Allow of every action (`*`).", OVERPRIVILEGED),
  meta("iam/service-wildcard", "iam", "error", "No Allow of a whole service (`s3:*`).", OVERPRIVILEGED),
  meta("iam/action-pattern", "iam", "warning", "Partial action wildcards (`s3:Get*`) are listed with what they expand to.", OVERPRIVILEGED),
  meta("iam/resource-wildcard", "iam", "error", 'No `Resource: "*"` in an Allow when the action can be scoped to resources.', OVERPRIVILEGED),
  meta("iam/not-action", "iam", "error", "No `NotAction` in an Allow (it grants everything not listed).", OVERPRIVILEGED),
  meta("iam/not-resource", "iam", "error", "No `NotResource` in an Allow (it grants every resource not listed).", OVERPRIVILEGED),
  meta("iam/privilege-escalation", "iam", "error", "No actions that let a role rewrite its own or others' permissions or mint credentials.", ESCALATION),
  meta("iam/passrole-wildcard", "iam", "error", "No `iam:PassRole` on `*` or on a wildcard role ARN.", ESCALATION),
  meta("iam/passrole-compute", "iam", "error", "No `iam:PassRole` together with an action that creates compute (it runs code as the passed role).", ESCALATION),
  meta("iam/assume-agent-role", "iam", "error", "No `sts:AssumeRole*` into any agent identity's role.", standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7"])),
  meta("iam/unknown-action", "iam", "error", "Every action exists in the IAM service reference, so a typo is an error, not a silent no-op.", CORRECTNESS),
  meta("iam/malformed-arn", "iam", "error", "Every resource is `*` or a well-formed ARN.", CORRECTNESS),
  meta("iam/resource-type", "iam", "error", "Every resource ARN is of a type its actions accept (`s3:ListBucket` takes a bucket, not `bucket/*`).", CORRECTNESS),
];

/** Rules about managed policy attachments, which only exist as stack resources (policy pack). */
export const IAM_RESOURCE_RULES: readonly RuleMeta[] = [
  meta("iam/managed-admin-policy", "iam", "error", "No AWS managed admin policies (AdministratorAccess, PowerUserAccess, IAMFullAccess) attached.", OVERPRIVILEGED),
];

/** Actions that let a principal change permissions or create long-lived credentials. */
export const ESCALATION_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
] as const;

/** Actions that start compute which can run as a passed role. */
export const COMPUTE_ACTIONS = [
  "ec2:RunInstances",
  "ec2:RequestSpotInstances",
  "ec2:CreateLaunchTemplate",
  "lambda:CreateFunction",
  "lambda:UpdateFunctionConfiguration",
  "ecs:RunTask",
  "ecs:RegisterTaskDefinition",
  "ecs:CreateService",
  "glue:CreateJob",
  "glue:CreateDevEndpoint",
  "sagemaker:CreateNotebookInstance",
  "sagemaker:CreateTrainingJob",
  "sagemaker:CreateProcessingJob",
  "cloudformation:CreateStack",
  "codebuild:CreateProject",
  "datapipeline:CreatePipeline",
  "bedrock-agentcore:CreateCodeInterpreter",
] as const;

export const MANAGED_ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"] as const;

const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];

export interface PermissionContext {
  /** Role ARNs of every agent identity (the fleet's, or the stack's); none may be assumed. */
  readonly agentRoleArns?: readonly string[];
}

/** Does an action entry (possibly a wildcard) cover the named action? */
function covers(entry: string, action: string): boolean {
  return globMatches(entry.toLowerCase(), action.toLowerCase());
}

function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement ${statement.Sid}` : `statement #${index + 1}`;
}

function checkAllowStatement(statement: PolicyStatement, label: string, context: PermissionContext): Problem[] {
  const problems: Problem[] = [];
  const actions = asList(statement.Action);
  const resources = asList(statement.Resource);
  if (statement.NotAction !== undefined) {
    problems.push({ rule: "iam/not-action", message: `${label} uses NotAction in an Allow`, fix: "list the actions the tool needs under Action" });
  }
  if (statement.NotResource !== undefined) {
    problems.push({ rule: "iam/not-resource", message: `${label} uses NotResource in an Allow`, fix: "list the resource ARNs the tool needs under Resource" });
  }
  for (const action of actions) {
    if (action === "*" || action === "*:*") {
      problems.push({ rule: "iam/action-wildcard", message: `${label} allows every action ("${action}")`, fix: "name each action the tool needs, e.g. s3:GetObject" });
    } else if (/^[^:]+:\*$/.test(action)) {
      problems.push({ rule: "iam/service-wildcard", message: `${label} allows every ${action.split(":")[0]} action ("${action}")`, fix: "name each action the tool needs instead of the service wildcard" });
    } else if (hasWildcard(action)) {
      const expanded = expandAction(action);
      if (expanded.length > 0) {
        problems.push({ rule: "iam/action-pattern", message: `${label}: "${action}" expands to ${expanded.length} actions (${expanded.slice(0, 6).join(", ")}${expanded.length > 6 ? ", ..." : ""})`, fix: "list the exact actions instead of a pattern" });
      }
    }
  }
  // `*` and `svc:*` are reported above; expanding `*` would load the whole reference for nothing.
  const expanded = actions
    .filter((action) => action !== "*" && action !== "*:*")
    .flatMap((action) => (hasWildcard(action) ? expandAction(action) : actionExists(action) ? [lookupAction(action)!.action] : []));

  for (const escalation of ESCALATION_ACTIONS) {
    if (actions.some((action) => covers(action, escalation))) {
      problems.push({ rule: "iam/privilege-escalation", message: `${label} allows ${escalation}, which can be used to gain more privileges`, fix: `remove ${escalation}; permissions are managed by the platform, not by agents` });
    }
  }
  const passRole = actions.some((action) => covers(action, "iam:PassRole"));
  if (passRole) {
    const wildcard = resources.filter((resource) => resource === "*" || /:role\/.*[*?]/.test(resource) || /^arn:[^:]*:iam::[^:]*:\*$/.test(resource));
    if (wildcard.length > 0) {
      problems.push({ rule: "iam/passrole-wildcard", message: `${label} allows iam:PassRole on ${wildcard.join(", ")}`, fix: "pass only named roles, or none" });
    }
    const compute = COMPUTE_ACTIONS.filter((candidate) => actions.some((action) => covers(action, candidate)));
    if (compute.length > 0) {
      problems.push({ rule: "iam/passrole-compute", message: `${label} allows iam:PassRole together with ${compute.join(", ")}, which runs code as the passed role`, fix: "split compute creation from PassRole, or drop one of them" });
    }
  }
  const assumes = actions.some((action) => ASSUME_ACTIONS.some((assume) => covers(action, assume)));
  if (assumes && context.agentRoleArns) {
    const targets = context.agentRoleArns.filter((arn) => resources.some((resource) => resource !== "*" && grantsIntersect(resource, arn)));
    if (targets.length > 0) {
      problems.push({ rule: "iam/assume-agent-role", message: `${label} allows assuming agent identity role(s) ${targets.join(", ")}`, fix: "an agent never acts as another identity; use a vaultAws tool for a non-agent role" });
    }
  }

  for (const resource of resources) {
    if (resource === "*") {
      const scopable = expanded.filter((action) => resourceTypesFor(action).length > 0);
      if (scopable.length > 0) {
        problems.push({ rule: "iam/resource-wildcard", message: `${label} allows ${scopable.slice(0, 4).join(", ")}${scopable.length > 4 ? ", ..." : ""} on every resource ("*")`, fix: "name the resource ARNs (bucket prefix, table, queue) the tool needs" });
      }
      continue;
    }
    if (!parseArn(resource)) continue; // reported once for the whole document
    for (const action of actions.filter((a) => !hasWildcard(a) && actionExists(a))) {
      const types = resourceTypesFor(action);
      if (types.length === 0) {
        problems.push({ rule: "iam/resource-type", message: `${label}: ${action} cannot be scoped to a resource, so "${resource}" never matches`, fix: `grant ${action} in a statement of its own with Resource "*"` });
      } else if (!arnAcceptedByAction(action, resource)) {
        problems.push({ rule: "iam/resource-type", message: `${label}: ${action} does not act on "${resource}" (it takes ${types.map((t) => t.name).join(", ")})`, fix: `use an ARN of the form ${types.slice(0, 3).map((t) => t.arn).join(" or ")}` });
      }
    }
  }
  return problems;
}

/** Checks that apply to every statement: names must exist, ARNs must parse. */
function checkNames(statement: PolicyStatement, label: string): Problem[] {
  const problems: Problem[] = [];
  for (const action of [...asList(statement.Action), ...asList(statement.NotAction)]) {
    if (action === "*") continue;
    const [service] = action.split(":");
    if (!action.includes(":") || (!hasWildcard(service) && !serviceExists(service))) {
      problems.push({ rule: "iam/unknown-action", message: `${label}: "${action}" is not an action of any AWS service`, fix: "use service:Action as in the AWS Service Authorization Reference" });
    } else if (hasWildcard(action) ? expandAction(action).length === 0 : !actionExists(action)) {
      problems.push({ rule: "iam/unknown-action", message: `${label}: AWS has no action "${action}" (a typo is a silent no-op)`, fix: "check the action name in the AWS Service Authorization Reference" });
    }
  }
  for (const resource of [...asList(statement.Resource), ...asList(statement.NotResource)]) {
    if (resource !== "*" && !parseArn(resource)) {
      problems.push({ rule: "iam/malformed-arn", message: `${label}: "${resource}" is not an ARN`, fix: "write arn:<partition>:<service>:<region>:<account>:<resource>, e.g. arn:aws:s3:::bucket/prefix/*" });
    }
  }
  return problems;
}

/** Every problem of one permission policy document. */
export function checkPermissionPolicy(document: PolicyDocument, context: PermissionContext = {}): Problem[] {
  const problems = document.Statement.flatMap((statement, index) => {
    const label = statementLabel(statement, index);
    return [...checkNames(statement, label), ...(statement.Effect === "Allow" ? checkAllowStatement(statement, label, context) : [])];
  });
  return [...problems, ...(problems.some((p) => p.rule === "iam/passrole-compute") ? [] : checkPassRoleAcrossStatements(document))];
}

/** PassRole and compute creation split over two Allow statements (global actions get their own) still combine. */
function checkPassRoleAcrossStatements(document: PolicyDocument): Problem[] {
  const allowed = document.Statement.filter((statement) => statement.Effect === "Allow").flatMap((statement) => asList(statement.Action));
  if (!allowed.some((action) => covers(action, "iam:PassRole"))) return [];
  const compute = COMPUTE_ACTIONS.filter((candidate) => allowed.some((action) => covers(action, candidate)));
  if (compute.length === 0) return [];
  return [{ rule: "iam/passrole-compute", message: `the policy allows iam:PassRole together with ${compute.join(", ")} (in separate statements), which runs code as the passed role`, fix: "split compute creation from PassRole, or drop one of them" }];
}

/** A managed policy attached to an agent role (pack only: the components attach none). */
export function checkManagedPolicyArn(policyArn: string): Problem[] {
  const name = policyArn.split("/").pop() ?? "";
  if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(policyArn) && (MANAGED_ADMIN_POLICIES as readonly string[]).includes(name)) {
    return [{ rule: "iam/managed-admin-policy", message: `the AWS managed policy ${name} is attached`, fix: "detach it and grant the actions the agent needs through its declaration" }];
  }
  return [];
}

export const iamRules = familyRules(IAM_RULES, ({ plan }) => {
  const agentRoleArns = plan.agents.flatMap((agent) => agent.identities.map((identity) => identity.iamRole.arn));
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      for (const policy of identity.iamRole.policies) {
        findings.push(...attribute(agent.name, identity.kind, checkPermissionPolicy(policy.document, { agentRoleArns })));
      }
    }
  }
  return findings;
});
