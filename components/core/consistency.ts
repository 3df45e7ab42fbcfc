/**
 * Checks that span the platform and an agent: every ARN and region an agent names lies in the
 * platform's partition. A grant on `arn:aws-cn:…` from a role in `aws` is dead at best, and a
 * partition wildcard (`arn:*:…`) reaches every partition; both are refused before compiling. A
 * statement's resource in a region its `regions` (aws:RequestedRegion) leave out is dead too: a
 * request to a regional resource goes to that resource's region, so the grant could never be used
 * and only misleads the reader.
 */
import { GLOBAL_SERVICE_REGIONS, type Partition } from "./global-services";
import { partitionOfRegion } from "./platform-fields";

interface PlatformScope {
  readonly aws: { readonly partition: string; readonly region: string };
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

/**
 * A resource ARN's own region when requests for it go to that region: one named region (no
 * wildcard), of a service that is neither global (its statements get the endpoint's region,
 * global-services.ts) nor Bedrock (a cross-region inference profile invokes models in other
 * regions from the caller's), else null.
 */
function requestRegion(arn: string, partition: string): string | null {
  const parts = arn.split(":");
  const [, , service = "", region = ""] = parts;
  // A malformed ARN is named by iam/malformed-arn; only a well-formed regional one is judged here.
  if (parts.length < 6 || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region) || service === "bedrock") return null;
  if (GLOBAL_SERVICE_REGIONS[partition as Partition]?.[service] !== undefined) return null;
  return region;
}

function deadRegionIssue(resource: string, partition: string, regions: readonly string[], declared: boolean): string | null {
  const region = requestRegion(resource, partition);
  if (region === null || regions.includes(region)) return null;
  const allowed = declared ? `the statement's regions (${regions.join(", ")})` : `the platform region ${regions[0]} (the statement names no regions)`;
  return `the resource is in ${region}, but aws:RequestedRegion allows only ${allowed}: the grant could never be used; add ${region} to the statement's regions or name the resource in an allowed region`;
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
      const regions = statement.regions ?? [platform.aws.region];
      statement.resources.forEach((resource, r) =>
        add(
          ["tools", t, "aws", s, "resources", r],
          arnPartitionIssue(resource, partition) ?? deadRegionIssue(resource, partition, regions, statement.regions !== undefined),
        ),
      );
      statement.regions?.forEach((region, r) => add(["tools", t, "aws", s, "regions", r], regionIssue(region, partition)));
    });
    if (tool.vaultAws) add(["tools", t, "vaultAws", "roleArn"], arnPartitionIssue(tool.vaultAws.roleArn, partition));
  });
  return issues;
}
