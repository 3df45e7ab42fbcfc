/** A readable summary of a plan: agents, identities, grants and TTLs. */
import { asList } from "../components/core/iam-document";
import { formatDuration } from "../components/core/durations";
import type { AgentPlan, FleetPlan, IdentityPlan } from "../components/core/plan-types";
import { formatViolation, formatWaiver, type Evaluation } from "../components/rules";

// Lines are pushed onto one array: a 1,000-agent plan is some 30,000 lines.
function identityLines(identity: IdentityPlan, lines: string[]): void {
  lines.push(
    `  ${identity.kind}`,
    `    serviceaccount  ${identity.serviceAccount.namespace}/${identity.serviceAccount.name} (automount off)`,
    `    iam role        ${identity.iamRole.name}  session<=${formatDuration(identity.iamRole.maxSessionDuration)}${identity.iamRole.permissionsBoundary ? "  boundary" : ""}${identity.sessionNamePrefix ? `  session name ${identity.sessionNamePrefix}*` : ""}`,
  );
  for (const policy of identity.iamRole.policies) {
    for (const statement of policy.document.Statement) {
      const condition = statement.Condition ? `  if ${JSON.stringify(statement.Condition)}` : "";
      lines.push(
        `      ${statement.Effect.toLowerCase().padEnd(5)} ${asList(statement.Action).join(", ")} on ${asList(statement.Resource).join(", ")}${condition}`,
      );
    }
  }
  if (identity.iamRole.policies.length === 0)
    lines.push(
      identity.toolRole ? "      (no AWS permissions: tool grants are on the tool role, one Vault-minted session per tool)" : "      (no AWS permissions)",
    );
  const toolRole = identity.toolRole;
  if (toolRole) {
    const principals = [...new Set(toolRole.trustPolicy.Statement.flatMap((s) => (s.Principal && s.Principal !== "*" ? asList(s.Principal.AWS) : [])))];
    lines.push(
      `    tool role       ${toolRole.name}  session<=${formatDuration(toolRole.maxSessionDuration)}${toolRole.permissionsBoundary ? "  boundary" : ""}  assumed only by ${principals.join(", ")} with a tool's session tags`,
    );
    for (const policy of toolRole.policies) {
      for (const statement of policy.document.Statement) {
        const condition = statement.Condition ? `  if ${JSON.stringify(statement.Condition)}` : "";
        lines.push(
          `      ${statement.Effect.toLowerCase().padEnd(5)} ${asList(statement.Action).join(", ")} on ${asList(statement.Resource).join(", ")}${condition}`,
        );
      }
    }
  }
  // Shown where it says more than the single IRSA cluster always had.
  if (identity.bindings.length > 1 || identity.bindings.some((b) => b.binding !== "irsa")) {
    for (const binding of identity.bindings) {
      const association = binding.podIdentityAssociation;
      lines.push(
        `    binding         ${binding.cluster}: ${binding.binding}${association ? `  association ${association.clusterName} (${association.region}) ${association.namespace}/${association.serviceAccount}, session tags on` : ""}`,
      );
    }
  }
  const { role, additionalRoles, policy, secretRoles } = identity.vault;
  if (role && policy) {
    lines.push(
      `    vault role      ${role.backend}/${role.name}  ttl ${formatDuration(role.tokenTtl)} max ${formatDuration(role.tokenMaxTtl)}  policy ${policy.name}`,
    );
    for (const other of additionalRoles) lines.push(`    vault role      ${other.backend}/${other.name}  (same role, further cluster)`);
    for (const path of policy.paths) lines.push(`      ${path.capabilities.join(",").padEnd(6)} ${path.path}`);
  } else {
    lines.push("    vault role      (removed: agent revoked)");
  }
  for (const secret of secretRoles) {
    const ttl =
      secret.type === "database"
        ? `ttl ${formatDuration(secret.defaultTtl)} max ${formatDuration(secret.maxTtl)}`
        : `sts ttl ${formatDuration(secret.defaultStsTtl)} max ${formatDuration(secret.maxStsTtl)}`;
    const tags =
      secret.type === "aws" && secret.sessionTags
        ? `  tags ${Object.entries(secret.sessionTags)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")}${secret.externalId ? `  external id ${secret.externalId}` : ""}`
        : "";
    const target = secret.type === "database" ? `db ${secret.dbName}` : `assume ${secret.roleArns.join(", ")}${tags}`;
    lines.push(`    secret role     ${secret.credentialsPath}  ${target}  ${ttl}`);
  }
}

function agentLines(agent: AgentPlan, lines: string[]): void {
  const header = `agent ${agent.name}  tier=${agent.tier}  owner=${agent.owner}  sponsor=${agent.sponsor}  expires=${agent.expires}  data<=${agent.maxDataClass}`;
  lines.push(
    header,
    `  namespace ${agent.namespace.name}${agent.namespace.create ? " (own)" : " (shared)"}  audit log ${agent.auditLogGroup.name} (${agent.auditLogGroup.retentionDays}d)`,
  );
  const guards = agent.namespace.guards;
  if (guards) {
    const egress = [
      `dns`,
      `vault ${guards.egress.vaultCidrs.join(",")}:${guards.egress.vaultPort}`,
      ...(guards.egress.awsEndpointCidrs.length ? [`aws ${guards.egress.awsEndpointCidrs.join(",")}:443`] : []),
    ];
    lines.push(
      `  network policy  default deny; egress ${egress.join(", ")}  quota pods ${guards.quota.pods} cpu ${guards.quota.limitsCpu} memory ${guards.quota.limitsMemory}`,
    );
  }
  if (agent.approval) lines.push(`  approval ${agent.approval.ticket} by ${agent.approval.approvedBy}`);
  if (agent.revoked) {
    lines.push(`  REVOKED at ${agent.revoked.at}: ${agent.revoked.reason}`);
    if (agent.revoked.leaseRevokeCommands.length > 0) {
      lines.push("  run after `pulumi up` to end credentials already issued:");
      for (const command of agent.revoked.leaseRevokeCommands) lines.push(`    ${command}`);
    }
  }
  for (const identity of agent.identities) identityLines(identity, lines);
}

export function renderPlan(plan: FleetPlan, evaluation: Evaluation): string {
  const identities = plan.agents.reduce((n, agent) => n + agent.identities.length, 0);
  const out = [
    `stack ${plan.stack}: ${plan.agents.length} agent(s), ${identities} identities, environment ${plan.platform.environment}, account ${plan.platform.aws.accountId} ${plan.platform.aws.region}`,
    "",
    ...bootstrapLines(plan),
  ];
  for (const agent of plan.agents) {
    agentLines(agent, out);
    out.push("");
  }
  const warnings = evaluation.violations.filter((v) => v.severity === "warning");
  if (warnings.length) out.push("warnings:", ...warnings.map((v) => `  ${formatViolation(v)}`), "");
  out.push(...exceptionLines(evaluation));
  return out.join("\n");
}

function bootstrapLines(plan: FleetPlan): string[] {
  const b = plan.bootstrap;
  if (!b) return [];
  return [
    "bootstrap (AgentPlatform)",
    ...b.authBackends.map(
      (a) => `  auth backend    auth/${a.path}  kubernetes, cluster ${a.cluster}  host ${a.kubernetesHost}${a.disableLocalCaJwt ? "  disableLocalCaJwt" : ""}`,
    ),
    `  mount           ${b.kvMount.path}  kv v2`,
    ...(b.databaseMount ? [`  mount           ${b.databaseMount.path}  database`] : []),
    ...b.databaseConnections.map(
      (c) =>
        `  connection      ${c.backend}/config/${c.name}  ${c.pluginName}  root ${c.username} (password: secret config ${c.passwordConfigKey})  allowed roles ${c.allowedRoles.join(", ") || "(none)"}`,
    ),
    ...(b.awsMount ? [`  mount           ${b.awsMount.path}  aws, credentials by plugin identity token as ${b.awsMount.roleArn}`] : []),
    `  audit device    ${b.audit.path}  ${b.audit.type} ${Object.entries(b.audit.options)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
    "",
  ];
}

/** Every exception in force and every violation it waives: shown whether the plan passes or fails. */
export function exceptionLines(evaluation: Evaluation): string[] {
  if (evaluation.waivers.length === 0 && evaluation.waived.length === 0) return [];
  const waivedCount = evaluation.waived.length;
  return [
    `exceptions in force: ${evaluation.waivers.length} (waiving ${waivedCount} violation${waivedCount === 1 ? "" : "s"})`,
    ...evaluation.waivers.map((w) => `  ${formatWaiver(w)}`),
    ...(waivedCount
      ? [
          "waived violations:",
          ...evaluation.waived.map((v) => `  ${formatViolation(v)} [waived until ${v.waiver.expires} by ${v.waiver.approvedBy}: ${v.waiver.reason}]`),
        ]
      : []),
    "",
  ];
}
