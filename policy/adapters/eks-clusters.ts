/**
 * The EKS cluster resource: how the API server authenticates IAM principals and what its control
 * plane records. `accessConfig.authenticationMode` other than `API` lets the `aws-auth` ConfigMap map
 * IAM roles into the cluster besides access entries; the EKS API's default when unset is
 * `CONFIG_MAP` (EKS API Reference, CreateAccessConfigRequest: "If you create a cluster by using the
 * EKS API, AWS SDKs, or AWS CloudFormation, the default is CONFIG_MAP"). Control plane logging is off
 * unless `enabledClusterLogTypes` lists a type (EKS User Guide, "Send control plane logs to
 * CloudWatch Logs"; API Reference, LogSetup: api | audit | authenticator | controllerManager |
 * scheduler); `audit` records every TokenRequest for a ServiceAccount and `authenticator` every IAM
 * principal's sign-in. Checked per resource, in every stack: agents usually run in a cluster another
 * stack creates.
 */
import type { Problem } from "../../components/rules/define";
import { asRecord, asString, asStrings, type KnownInputs } from "../inputs";
import type { Adapter, PackResource } from "../types";

export const EKS_CLUSTER_TYPES = { eksCluster: "aws:eks/cluster:Cluster" } as const;

/** Control plane log types an agent cluster must send: the record of token requests and of IAM sign-ins. */
export const REQUIRED_CLUSTER_LOG_TYPES = ["audit", "authenticator"] as const;

function clusterProblems(resource: PackResource, inputs: KnownInputs): Problem[] {
  const v = inputs.value;
  const unknown = (field: string) => inputs.unknown.some((path) => path === field || path.startsWith(`${field}.`));
  const problems: Problem[] = [];
  if (!unknown("accessConfig")) {
    const mode = asString(asRecord(v.accessConfig).authenticationMode);
    if (mode !== "API")
      problems.push({
        rule: "kubernetes/eks-access",
        message: `EKS cluster ${resource.name} (${resource.type}) authenticates with ${mode ?? "the EKS default, CONFIG_MAP"}: the aws-auth ConfigMap can map IAM roles into the cluster beside access entries`,
        fix: 'set accessConfig.authenticationMode to "API" (access entries only; EKS cannot switch back to the ConfigMap)',
      });
  }
  if (!unknown("enabledClusterLogTypes")) {
    const types = asStrings(v.enabledClusterLogTypes);
    const missing = REQUIRED_CLUSTER_LOG_TYPES.filter((type) => !types.includes(type));
    if (missing.length > 0)
      problems.push({
        rule: "stack/audit-trail",
        message: `EKS cluster ${resource.name} (${resource.type}) does not send its ${missing.join(" and ")} control plane logs (enabledClusterLogTypes: ${JSON.stringify(types)}): ServiceAccount token requests and IAM sign-ins go unrecorded`,
        fix: `list ${REQUIRED_CLUSTER_LOG_TYPES.map((type) => `"${type}"`).join(" and ")} in enabledClusterLogTypes`,
      });
  }
  return problems;
}

export const eksClusters: Adapter = {
  family: "eks-clusters",
  holdings: "none: the cluster decides how IAM principals sign in and what its control plane records, not what an identity holds",
  types: [
    {
      type: EKS_CLUSTER_TYPES.eksCluster,
      key: "eksCluster",
      route: "authenticates IAM principals (access entries, or the aws-auth ConfigMap) and records token requests and sign-ins (control plane logs)",
      readIfSet: ["accessConfig", "enabledClusterLogTypes"],
      checkedBy: ["kubernetes/eks-access", "stack/audit-trail", "stack/unknown-input"],
    },
  ],
  check: (resource, inputs) => clusterProblems(resource, inputs),
};
