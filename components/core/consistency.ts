/**
 * Checks that span the platform and an agent: every ARN and region an agent names lies in the
 * platform's partition. A grant on `arn:aws-cn:…` from a role in `aws` is dead at best, and a
 * partition wildcard (`arn:*:…`) reaches every partition; both are refused before compiling.
 */
import { partitionOfRegion } from "./platform-fields";

interface PlatformScope {
  readonly aws: { readonly partition: string };
}

interface AgentScope {
  readonly orchestration: { readonly models: readonly string[]; readonly regions?: readonly string[] };
  readonly tools: ReadonlyArray<{
    readonly aws?: ReadonlyArray<{ readonly resources: readonly string[]; readonly regions?: readonly string[] }>;
    readonly vaultAws?: { readonly roleArn: string };
  }>;
}

export interface CrossFieldIssue {
  /** Path inside the agent. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function arnPartitionIssue(arn: string, partition: string): string | null {
  if (!arn.startsWith("arn:")) return null; // not an ARN: the iam/malformed-arn rule names it
  const arnPartition = arn.split(":")[1] ?? "";
  if (arnPartition === partition) return null;
  return `ARN ${JSON.stringify(arn.length > 120 ? `${arn.slice(0, 117)}...` : arn)} is in partition "${arnPartition}", the platform in "${partition}": name the resource in the platform's partition`;
}

function regionIssue(region: string, partition: string): string | null {
  const regionPartition = partitionOfRegion(region);
  return regionPartition === partition ? null : `region ${region} is not in the platform's partition ${partition}`;
}

export function crossFieldIssues(platform: PlatformScope, agent: AgentScope): CrossFieldIssue[] {
  const partition = platform.aws.partition;
  const issues: CrossFieldIssue[] = [];
  const add = (path: (string | number)[], message: string | null) => {
    if (message) issues.push({ path, message });
  };
  agent.orchestration.models.forEach((model, i) => add(["orchestration", "models", i], arnPartitionIssue(model, partition)));
  agent.orchestration.regions?.forEach((region, i) => add(["orchestration", "regions", i], regionIssue(region, partition)));
  agent.tools.forEach((tool, t) => {
    tool.aws?.forEach((statement, s) => {
      statement.resources.forEach((resource, r) => add(["tools", t, "aws", s, "resources", r], arnPartitionIssue(resource, partition)));
      statement.regions?.forEach((region, r) => add(["tools", t, "aws", s, "regions", r], regionIssue(region, partition)));
    });
    if (tool.vaultAws) add(["tools", t, "vaultAws", "roleArn"], arnPartitionIssue(tool.vaultAws.roleArn, partition));
  });
  return issues;
}
