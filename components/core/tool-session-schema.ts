/**
 * Declaration checks for `platform.toolSessions` (task-context binding): what the tagged-sessions
 * mode needs from the platform (a known Vault AWS engine principal, a Vault that sets session tags)
 * and from each agent (a `session` only on aws tools, only in that mode). Plain data in, issues out.
 */
import { reservedRoleProblem } from "../rules/ownable-roots";
import { VAULT_FEATURES, vaultSupports } from "./vault-features";
import { namedLikeIdentityRole, namedLikeToolRole } from "./names";

export const TOOL_SESSION_MODES = ["role", "tagged-sessions"] as const;
export type ToolSessionMode = (typeof TOOL_SESSION_MODES)[number];

/** AWS's minimum AssumeRole duration: a tool session lives exactly as long as it must. */
export const DEFAULT_TOOL_SESSION_TTL = "15m";

interface PlatformScope {
  readonly toolSessions: ToolSessionMode;
  readonly namePrefix: string;
  readonly environment: string;
  readonly aws: { readonly accountId: string; readonly partition: string };
  readonly shared?: ReadonlyArray<object>;
  readonly vault: { readonly version?: string; readonly edition: "community" | "enterprise"; readonly awsEngineRoleArn?: string };
  readonly bootstrap?: { readonly aws?: { readonly roleArn: string } };
}

interface AgentScope {
  readonly tools: ReadonlyArray<{
    readonly name: string;
    readonly aws?: unknown;
    readonly session?: unknown;
    readonly vaultAws?: { readonly roleArn: string };
  }>;
}

/**
 * Why a role cannot be the Vault AWS engine's principal, or null. Every tool role trusts that
 * principal to mint any of its tools' sessions, so it must be a role of its own: never an agent's
 * identity or tool role (its pods or sessions could then mint every tool's session, of any agent),
 * nothing under this platform's agent names, and no service-linked role (an AWS service acts as it).
 */
export function engineRoleProblem(arn: string, platform?: Pick<PlatformScope, "namePrefix" | "environment">): string | null {
  const path = arn.slice(arn.indexOf(":role/") + ":role/".length).toLowerCase();
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (namedLikeIdentityRole(name) || namedLikeToolRole(name))
    return `${arn} is named like an agent identity or tool role (…-orchestration, -execution, -audit, -tools): its sessions could mint every tool session of every agent; name the role Vault's AWS engine runs as`;
  if (platform && name.startsWith(`${platform.namePrefix}-`.toLowerCase()))
    return `${arn} is named under this platform's prefix "${platform.namePrefix}-", which belongs to agent roles; name the role Vault's AWS engine runs as`;
  if (path.startsWith("aws-service-role/") || name.startsWith("awsservicerole")) return `${arn} is a service-linked role: an AWS service acts as it, not Vault`;
  const reserved = reservedRoleProblem(arn);
  if (reserved) return `${arn} ${reserved}; name the role Vault's AWS engine runs as`;
  // Closed: the engine role is named for what it is, so an SSO, CI or admin role is never trusted by mistake.
  if (!name.includes("vault"))
    return `${arn} is not named as Vault's AWS engine role (its name must contain "vault", e.g. role/vault-aws-engine): a CI, SSO or admin role named here would be trusted by every tool role`;
  return null;
}

export interface SessionIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The principal Vault's AWS engine calls AssumeRole as: declared, or the bootstrap mount's role. */
export function vaultAwsEnginePrincipal(platform: Pick<PlatformScope, "vault" | "bootstrap">): string | undefined {
  return platform.vault.awsEngineRoleArn ?? platform.bootstrap?.aws?.roleArn;
}

export function toolSessionPlatformIssues(platform: PlatformScope): SessionIssue[] {
  const issues: SessionIssue[] = [];
  const declared = platform.vault.awsEngineRoleArn;
  const bootstrapRole = platform.bootstrap?.aws?.roleArn;
  for (const [path, arn] of [
    [["vault", "awsEngineRoleArn"], declared],
    [["bootstrap", "aws", "roleArn"], bootstrapRole],
  ] as const) {
    const problem = arn === undefined ? null : engineRoleProblem(arn, platform);
    if (problem) issues.push({ path, message: problem });
  }
  const engine = vaultAwsEnginePrincipal(platform);
  (platform.shared ?? []).forEach((share, index) => {
    const role = "vaultAwsRole" in share ? String(share.vaultAwsRole) : undefined;
    if (engine && role?.toLowerCase() === engine.toLowerCase()) {
      issues.push({
        path: ["shared", index, "vaultAwsRole"],
        message: `${role} is the role Vault's AWS engine runs as: an agent assuming it could mint every tool session of every agent; share a role of the target system`,
      });
    }
  });
  if (declared !== undefined) {
    const [, partition, , , account] = declared.split(":");
    if (account !== platform.aws.accountId || partition !== platform.aws.partition) {
      issues.push({
        path: ["vault", "awsEngineRoleArn"],
        message: `the Vault AWS engine role must be in the platform account ${platform.aws.accountId} and partition ${platform.aws.partition}`,
      });
    }
    if (bootstrapRole !== undefined && bootstrapRole.toLowerCase() !== declared.toLowerCase()) {
      issues.push({
        path: ["vault", "awsEngineRoleArn"],
        message: `differs from platform.bootstrap.aws.roleArn ${bootstrapRole}, the role the AWS engine this platform creates runs as: declare one of them`,
      });
    }
  }
  if (platform.toolSessions !== "tagged-sessions") {
    if (declared !== undefined)
      issues.push({
        path: ["vault", "awsEngineRoleArn"],
        message: "only used with toolSessions: tagged-sessions; leave it out (an unused principal is a reviewer's false lead)",
      });
    return issues;
  }
  if (declared === undefined && bootstrapRole === undefined) {
    issues.push({
      path: ["vault", "awsEngineRoleArn"],
      message:
        "toolSessions tagged-sessions: declare the IAM role Vault's AWS secrets engine runs as (or platform.bootstrap.aws), the only principal a tool role trusts",
    });
  }
  if (!vaultSupports(platform.vault, "awsSessionTags")) {
    const version = platform.vault.version;
    issues.push({
      path: ["vault", "version"],
      message: `toolSessions tagged-sessions needs Vault ${VAULT_FEATURES.awsSessionTags.minVersion}+ (session_tags and external_id on AWS secret roles); ${version === undefined ? "declare platform.vault.version" : `declared ${version}`}`,
    });
  }
  return issues;
}

export function toolSessionAgentIssues(platform: Pick<PlatformScope, "toolSessions" | "vault" | "bootstrap">, agent: AgentScope): SessionIssue[] {
  const issues: SessionIssue[] = [];
  const engine = vaultAwsEnginePrincipal(platform)?.toLowerCase();
  agent.tools.forEach((tool, index) => {
    if (engine && tool.vaultAws?.roleArn.toLowerCase() === engine) {
      issues.push({
        path: ["tools", index, "vaultAws", "roleArn"],
        message: `tool ${tool.name}: ${tool.vaultAws.roleArn} is the role Vault's AWS engine runs as; an agent never assumes it (it could mint every tool session of every agent)`,
      });
    }
    if (tool.session === undefined) return;
    if (tool.aws === undefined)
      issues.push({
        path: ["tools", index, "session"],
        message: `tool ${tool.name}: session applies to aws tools only (database, kv and vaultAws tools already have a Vault role of their own)`,
      });
    else if (platform.toolSessions !== "tagged-sessions")
      issues.push({
        path: ["tools", index, "session"],
        message: `tool ${tool.name}: session needs platform.toolSessions: tagged-sessions; with role the tool's grants sit on the execution role`,
      });
  });
  return issues;
}
