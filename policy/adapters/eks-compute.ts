/**
 * EKS managed node groups and identity providers: who gets root on the nodes agents' pods run on
 * (and so their projected ServiceAccount and Vault tokens), and who may sign in to the cluster's API.
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

/** A node group's launch template must be one the stack creates (by name, or an output it depends on), where deploy-executors reads its user data. */
function nodeGroupTemplates(ix: StackIndex, pass: StackPass): void {
  const templates = new Set<string>();
  const templateUrns = new Set<string>();
  for (const entry of ix.inputsOfType(LAUNCH_TEMPLATE)) {
    templateUrns.add(entry.resource.urn);
    const name = asString(entry.value.name);
    if (name !== undefined) templates.add(name);
  }
  for (const entry of ix.inputsOfType(NODE_GROUP)) {
    const { resource } = entry;
    const set = entry.value.launchTemplate !== undefined || entry.unknown.some((path) => path === "launchTemplate" || path.startsWith("launchTemplate."));
    if (!set) continue;
    const fromStack = (resource.propertyDependencies?.launchTemplate ?? []).some((d) => templateUrns.has(d.urn));
    const name = asString(asRecord(entry.value.launchTemplate).name);
    if (fromStack || (name !== undefined && templates.has(name))) continue;
    const found: PackFinding = {
      ...problem(
        resource,
        "stack/deploy-time-executor",
        "launches its nodes from a launch template the stack does not create: its user data runs as root on nodes that run agents' pods, unread",
        "create the launch template in this stack (its user data and profile are then judged)",
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
      type: IDENTITY_PROVIDER,
      route: "signs in whoever its OIDC issuer vouches for, under any user name or group an RBAC binding trusts",
      checkedBy: ["kubernetes/eks-access"],
    },
  ],
  check: (resource, inputs) =>
    resource.type === NODE_GROUP
      ? nodeGroupProblems(resource, inputs)
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
