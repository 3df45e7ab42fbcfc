/** Workload kinds the pack reads pods from, and where their pod template is. */
const WORKLOADS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:core/v1:Pod": [],
  "kubernetes:apps/v1:Deployment": ["spec", "template"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
  "kubernetes:batch/v1:Job": ["spec", "template"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template"],
};

/** Workload kinds (and their Patch, which may set the ServiceAccount of one outside the stack) and where their pod template is. */
export const WORKLOAD_TYPES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(WORKLOADS).flatMap(([type, path]) => [
    [type, path],
    [`${type}Patch`, path],
  ]),
);
