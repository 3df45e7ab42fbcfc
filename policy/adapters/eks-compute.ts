/**
 * EKS managed node groups, their launch templates and identity providers: who gets root on the nodes
 * agents' pods run on (and so their projected ServiceAccount and Vault tokens), and who may sign in
 * to the cluster's API. A launch template of the stack is an allowlist of inputs too
 * (LAUNCH_TEMPLATE_INPUTS): an SSH key pair, its own image, kernel or RAM disk, a volume from a
 * snapshot, an unlisted input, or a metadata service a pod can reach (not IMDSv2 with hop limit 1)
 * is refused unless declared (kubernetes/node-access), per resource, before creation.
 * A node group is read as an allowlist of its inputs (NODE_GROUP_INPUTS, each input of the installed
 * provider classified in test/policy/eks-compute.test.ts): SSH access (`remoteAccess`) or any input
 * not listed is refused unless declared, and its launch template (user data run as root at boot)
 * must be one the stack creates, where deploy-executors reads it (stack/deploy-time-executor). An OIDC identity provider signs in
 * whoever its issuer vouches for, under any user name and group an existing RBAC binding trusts: the
 * issuer is outside the pack's sight, so every one is refused unless declared. Declarations:
 * kubernetesPlatformResources (URN and inputs digest), a channel the pull request cannot edit.
 */
import type { KnownInputs } from "../inputs";
import { asRecord, asString } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, PackFinding, PackResource, ResourceProblem, StackPass } from "../types";
import type { StackIndex } from "../stack-index";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const IDENTITY_PROVIDER = "aws:eks/identityProviderConfig:IdentityProviderConfig";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/** Node group inputs that give nobody a way onto the nodes, with why (the node role is judged by deploy-roles). */
export const NODE_GROUP_INPUTS: Readonly<Record<string, string>> = {
  clusterName: "which cluster",
  nodeGroupName: "a name",
  nodeGroupNamePrefix: "a name",
  nodeRoleArn: "the node role, judged by stack/deploy-time-executor (a role the stack creates)",
  subnetIds: "placement",
  scalingConfig: "sizes",
  updateConfig: "rollout pace",
  instanceTypes: "instance sizes",
  amiType: "an EKS-optimised AMI family (CUSTOM needs a launch template, judged below)",
  capacityType: "on-demand or spot",
  diskSize: "root volume size",
  labels: "Kubernetes node labels",
  taints: "Kubernetes node taints",
  tags: "tags",
  version: "Kubernetes version",
  releaseVersion: "AMI release",
  forceUpdateVersion: "rollout behaviour",
  nodeRepairConfig: "automatic node repair",
  region: "the region",
  warmPoolConfig: "pre-initialised instances of the same launch configuration",
};
/** Inputs judged: SSH access is refused; a launch template must be the stack's (stack check). */
export const NODE_GROUP_JUDGED = ["remoteAccess", "launchTemplate"] as const;

const problem = (resource: PackResource, rule: string, why: string, fix: string): ResourceProblem & { platformResource: string } => ({
  rule,
  platformResource: platformResourceKey(resource.type, resource.name),
  message: `${resource.type} ${resource.name} ${why}`,
  fix: `${fix}, or have the security team declare the resource in the pack's configuration (kubernetesPlatformResources)`,
});

/**
 * Launch template inputs that give nobody a way onto the instances (they run agents' pods when a node
 * group launches from the template), with why. Closed world: any other input is refused unless the
 * security team declares the template; each input of the installed provider is classified in
 * test/policy/eks-compute.test.ts.
 */
export const LAUNCH_TEMPLATE_INPUTS: Readonly<Record<string, string>> = {
  name: "a name",
  namePrefix: "a name",
  description: "a description",
  defaultVersion: "which version is the default",
  updateDefaultVersion: "which version is the default",
  tags: "tags",
  tagSpecifications: "tags of launched instances and volumes",
  region: "the region",
  instanceType: "instance size",
  instanceRequirements: "instance sizes by attribute",
  cpuOptions: "CPU cores and threads",
  creditSpecification: "burst credits",
  ebsOptimized: "EBS throughput",
  enclaveOptions: "Nitro Enclaves (isolated from the instance, not a way into it)",
  hibernationOptions: "hibernation to the instance's own root volume",
  instanceInitiatedShutdownBehavior: "stop or terminate on shutdown",
  instanceMarketOptions: "spot or on-demand",
  capacityReservationSpecification: "capacity reservations",
  licenseSpecifications: "license configurations",
  maintenanceOptions: "automatic recovery",
  monitoring: "detailed CloudWatch monitoring",
  placement: "placement group, tenancy, zone",
  disableApiStop: "stop protection",
  disableApiTermination: "termination protection",
  networkInterfaces: "network interfaces (subnets, security groups, addresses)",
  secondaryInterfaces: "further network interfaces",
  networkPerformanceOptions: "network bandwidth weighting",
  privateDnsNameOptions: "the instances' private DNS names",
  securityGroupNames: "security groups (network, judged by nobody here)",
  vpcSecurityGroupIds: "security groups (network, judged by nobody here)",
  blockDeviceMappings: "volumes, except one made from a snapshot (judged below: it may be another root file system)",
  metadataOptions: "the instance metadata service, judged below (IMDSv2 with hop limit 1, or off)",
  userData: "code run as root at boot, judged by stack/deploy-time-executor (refused unless declared)",
  iamInstanceProfile: "the instances' role, judged by stack/deploy-time-executor (refused unless declared)",
};
/** Inputs refused by name: each is a way onto the nodes. */
const LAUNCH_TEMPLATE_REFUSED: Readonly<Record<string, string>> = {
  keyName: "an SSH key pair: whoever holds its private key has a shell on every node",
  imageId: "its own machine image: what the image runs at boot (an SSH key, an agent, a backdoor) is unread",
  kernelId: "its own kernel: code at boot the pack cannot read",
  ramDiskId: "its own RAM disk: code at boot the pack cannot read",
};

/** An object's fields, of any type (asRecord keeps only string fields). */
const fields = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const pathIn = (unknown: readonly string[], field: string) =>
  unknown.some((path) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`));

/**
 * Why a launch template's metadata service lets a pod reach the node role's credentials, or undefined.
 * EKS Best Practices (Security, IAM: "Restrict access to the instance profile assigned to the worker
 * node"): require IMDSv2 with a hop limit of 1, so the token's response does not survive the extra
 * hop into a pod's network namespace. Absent fields take the AMI's or account's defaults, which the
 * pack cannot read: they are refused too. `httpEndpoint: "disabled"` turns the service off.
 */
function metadataProblem(inputs: KnownInputs): string | undefined {
  if (pathIn(inputs.unknown, "metadataOptions")) return "metadataOptions unknown at preview";
  const options = fields(inputs.value.metadataOptions);
  if (options.httpEndpoint === "disabled") return undefined;
  const hops = options.httpPutResponseHopLimit;
  if (options.httpTokens !== "required")
    return `metadataOptions.httpTokens ${options.httpTokens === undefined ? "unset (the AMI's or account's default, maybe optional)" : JSON.stringify(options.httpTokens)}: IMDSv1 answers any process on the node or in a pod with the node role's credentials`;
  if (hops !== 1)
    return `metadataOptions.httpPutResponseHopLimit ${hops === undefined ? "unset (the AMI's or account's default, 2 on some)" : JSON.stringify(hops)}: a limit above 1 lets pods fetch the node role's credentials`;
  return undefined;
}

/** A launch template of the stack, as an allowlist of inputs: the nodes launched from it run agents' pods. */
function launchTemplateProblems(resource: PackResource, inputs: KnownInputs): ResourceProblem[] {
  const fix = "remove it: reach nodes through SSM Session Manager under a role the stack judges, and launch EKS-optimised images (the node group's amiType)";
  const out: ResourceProblem[] = [];
  const field = (path: string) => path.split(/[.[]/)[0]!;
  const set = new Set([...Object.keys(inputs.value).filter((key) => inputs.value[key] !== undefined), ...inputs.unknown.map(field)]);
  for (const key of set) {
    const refused = LAUNCH_TEMPLATE_REFUSED[key];
    if (refused !== undefined)
      out.push(
        problem(
          resource,
          "kubernetes/node-access",
          `sets ${key}, ${refused}; nodes launched from it run agents' pods and hold their ServiceAccount and Vault tokens`,
          fix,
        ),
      );
  }
  const unlisted = [...set].filter((key) => LAUNCH_TEMPLATE_INPUTS[key] === undefined && LAUNCH_TEMPLATE_REFUSED[key] === undefined);
  if (unlisted.length > 0)
    out.push(
      problem(
        resource,
        "kubernetes/node-access",
        `sets inputs the pack does not read (${unlisted.join(", ")}): they may give a way onto the nodes`,
        "leave them unset",
      ),
    );
  const mappings = Array.isArray(inputs.value.blockDeviceMappings) ? (inputs.value.blockDeviceMappings as unknown[]) : [];
  if (
    pathIn(inputs.unknown, "blockDeviceMappings") ||
    mappings.some((m) => fields(fields(m).ebs).snapshotId !== undefined || fields(m).virtualName !== undefined)
  )
    out.push(
      problem(
        resource,
        "kubernetes/node-access",
        "maps a volume from a snapshot or instance store (or one unknown at preview): it may replace the root file system the node boots",
        "give volumes size and type only",
      ),
    );
  const metadata = metadataProblem(inputs);
  if (metadata !== undefined)
    out.push(
      problem(
        resource,
        "kubernetes/node-access",
        `leaves the node role's credentials within pods' reach (${metadata}): a pod, an agent's included, then acts as the node`,
        'set metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 }',
      ),
    );
  return out;
}

function nodeGroupProblems(resource: PackResource, inputs: KnownInputs): ResourceProblem[] {
  const field = (path: string) => path.split(/[.[]/)[0]!;
  const set = new Set([...Object.keys(inputs.value).filter((key) => inputs.value[key] !== undefined), ...inputs.unknown.map(field)]);
  if (set.has("remoteAccess"))
    return [
      problem(
        resource,
        "kubernetes/node-access",
        "opens SSH to its nodes (remoteAccess): whoever holds the key is root on nodes that run agents' pods and reads their ServiceAccount and Vault tokens",
        "remove remoteAccess (use SSM Session Manager under a role the stack judges)",
      ),
    ];
  const unlisted = [...set].filter((key) => NODE_GROUP_INPUTS[key] === undefined && key !== "launchTemplate");
  if (unlisted.length > 0)
    return [
      problem(
        resource,
        "kubernetes/node-access",
        `sets inputs the pack does not read (${unlisted.join(", ")}): they may give a way onto the nodes`,
        "leave them unset",
      ),
    ];
  return [];
}

/**
 * A node group's launch template must be one the stack creates, named by its known name, where
 * deploy-executors and launchTemplateProblems read it. Not by id: an id is the template's output,
 * unknown at preview, and a value computed from the stack's template (`template.id.apply(() =>
 * "lt-platform")`) would be any template at update, when this stack check runs only after the node
 * group exists (no per-resource check can match an id with a template). A template's name is known at
 * preview (an input; pulumi-aws picks an auto-name in Check), so `launchTemplate: { name: template.name }` passes.
 */
function nodeGroupTemplates(ix: StackIndex, pass: StackPass): void {
  const templates = new Set<string>();
  for (const entry of ix.inputsOfType(LAUNCH_TEMPLATE)) {
    const name = asString(entry.value.name);
    if (name !== undefined) templates.add(name);
  }
  for (const entry of ix.inputsOfType(NODE_GROUP)) {
    const { resource } = entry;
    const set = entry.value.launchTemplate !== undefined || entry.unknown.some((path) => path === "launchTemplate" || path.startsWith("launchTemplate."));
    if (!set) continue;
    const name = asString(asRecord(entry.value.launchTemplate).name);
    const byId =
      asRecord(entry.value.launchTemplate).id !== undefined || entry.unknown.some((path) => path === "launchTemplate" || path.startsWith("launchTemplate.id"));
    if (!byId && name !== undefined && templates.has(name)) continue;
    const found: PackFinding = {
      ...problem(
        resource,
        "stack/deploy-time-executor",
        "launches its nodes from a launch template the stack does not create, or names it by id or by a name unknown at preview: its user data runs as root on nodes that run agents' pods, unread",
        "create the launch template in this stack and name it by its name (launchTemplate: { name: template.name }), so its inputs are judged",
      ),
      agent: resource.name,
      identity: null,
      urn: resource.urn,
    };
    pass.findings.push(found);
  }
}

export const eksCompute: Adapter = {
  family: "eks-compute",
  holdings: "none: nodes and sign-in reach every pod's tokens, not one identity's holdings",
  types: [
    {
      type: NODE_GROUP,
      route: "runs agents' pods on nodes: SSH or a launch template's user data is root on them (every pod's tokens)",
      readIfSet: [...NODE_GROUP_JUDGED],
      checkedBy: ["kubernetes/node-access", "stack/deploy-time-executor"],
    },
    {
      type: LAUNCH_TEMPLATE,
      route:
        "the nodes a node group launches from it run agents' pods: an SSH key, its own image or kernel, or pods' reach to the metadata service is the node (every pod's tokens)",
      checkedBy: ["kubernetes/node-access"],
    },
    {
      type: IDENTITY_PROVIDER,
      route: "signs in whoever its OIDC issuer vouches for, under any user name or group an RBAC binding trusts",
      checkedBy: ["kubernetes/eks-access"],
    },
  ],
  check: (resource, inputs) =>
    resource.type === NODE_GROUP
      ? nodeGroupProblems(resource, inputs)
      : resource.type === LAUNCH_TEMPLATE
        ? launchTemplateProblems(resource, inputs)
        : resource.type === IDENTITY_PROVIDER
          ? [
              problem(
                resource,
                "kubernetes/eks-access",
                "lets an OIDC issuer's users sign in to the cluster: the pack cannot see whom the issuer vouches for, and their user names and groups reach whatever RBAC binds them",
                "sign people in through IAM access entries the pack reads",
              ),
            ]
          : [],
  stack: (ix, pass) => nodeGroupTemplates(ix, pass),
};
