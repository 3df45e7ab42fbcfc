/**
 * Kinds of the families the pack reads (RBAC, ServiceAccounts, workloads, namespaces, network
 * policies, admission webhooks) in an API version or a List form the other adapters do not read: the pack refuses them
 * before creation rather than let them through unread (closed world). The old versions were removed
 * from Kubernetes (apps/v1beta*, extensions/v1beta1 workloads in 1.16, rbac v1alpha1/v1beta1 in 1.22,
 * batch/v1beta1 CronJob in 1.25); a List holds objects the pack would have to read one by one.
 */
import type { Adapter } from "../types";
import { CONFIG_MAP_LIST } from "./kube-system-config";

/** Any List kind (core/v1 SecretList, ConfigMapList, ServiceList, discovery EndpointSliceList…): closed world, not a list of the ones known to matter. */
const LIST_KIND = /^kubernetes:[A-Za-z0-9.-]+\/[A-Za-z0-9]+:[A-Za-z0-9]+List$/;
/** List kinds another adapter reads item by item. */
const READ_ELSEWHERE: ReadonlySet<string> = new Set([CONFIG_MAP_LIST]);

export const UNREAD_KINDS: readonly string[] = [
  ...["v1", "v1alpha1", "v1beta1"].flatMap((version) => [
    `kubernetes:admissionregistration.k8s.io/${version}:MutatingAdmissionPolicyList`,
    `kubernetes:admissionregistration.k8s.io/${version}:MutatingAdmissionPolicyBindingList`,
  ]),
  "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfigurationList",
  "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfigurationList",
  "kubernetes:admissionregistration.k8s.io/v1beta1:MutatingWebhookConfigurationList",
  "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingWebhookConfigurationList",
  "kubernetes:apps/v1:DaemonSetList",
  "kubernetes:apps/v1:DeploymentList",
  "kubernetes:apps/v1:ReplicaSetList",
  "kubernetes:apps/v1:StatefulSetList",
  "kubernetes:apps/v1beta1:Deployment",
  "kubernetes:apps/v1beta1:DeploymentList",
  "kubernetes:apps/v1beta1:DeploymentPatch",
  "kubernetes:apps/v1beta1:StatefulSet",
  "kubernetes:apps/v1beta1:StatefulSetList",
  "kubernetes:apps/v1beta1:StatefulSetPatch",
  "kubernetes:apps/v1beta2:DaemonSet",
  "kubernetes:apps/v1beta2:DaemonSetList",
  "kubernetes:apps/v1beta2:DaemonSetPatch",
  "kubernetes:apps/v1beta2:Deployment",
  "kubernetes:apps/v1beta2:DeploymentList",
  "kubernetes:apps/v1beta2:DeploymentPatch",
  "kubernetes:apps/v1beta2:ReplicaSet",
  "kubernetes:apps/v1beta2:ReplicaSetList",
  "kubernetes:apps/v1beta2:ReplicaSetPatch",
  "kubernetes:apps/v1beta2:StatefulSet",
  "kubernetes:apps/v1beta2:StatefulSetList",
  "kubernetes:apps/v1beta2:StatefulSetPatch",
  "kubernetes:batch/v1:CronJobList",
  "kubernetes:batch/v1:JobList",
  "kubernetes:batch/v1beta1:CronJob",
  "kubernetes:batch/v1beta1:CronJobList",
  "kubernetes:batch/v1beta1:CronJobPatch",
  "kubernetes:batch/v2alpha1:CronJob",
  "kubernetes:batch/v2alpha1:CronJobList",
  "kubernetes:batch/v2alpha1:CronJobPatch",
  "kubernetes:core/v1:NamespaceList",
  "kubernetes:core/v1:PodList",
  "kubernetes:core/v1:ReplicationControllerList",
  "kubernetes:core/v1:ServiceAccountList",
  "kubernetes:extensions/v1beta1:DaemonSet",
  "kubernetes:extensions/v1beta1:DaemonSetList",
  "kubernetes:extensions/v1beta1:DaemonSetPatch",
  "kubernetes:extensions/v1beta1:Deployment",
  "kubernetes:extensions/v1beta1:DeploymentList",
  "kubernetes:extensions/v1beta1:DeploymentPatch",
  "kubernetes:extensions/v1beta1:NetworkPolicy",
  "kubernetes:extensions/v1beta1:NetworkPolicyList",
  "kubernetes:extensions/v1beta1:NetworkPolicyPatch",
  "kubernetes:extensions/v1beta1:ReplicaSet",
  "kubernetes:extensions/v1beta1:ReplicaSetList",
  "kubernetes:extensions/v1beta1:ReplicaSetPatch",
  "kubernetes:networking.k8s.io/v1:NetworkPolicyList",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBindingList",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleList",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBindingList",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleList",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:ClusterRole",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:ClusterRoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:ClusterRoleBindingList",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:ClusterRoleBindingPatch",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:ClusterRoleList",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:ClusterRolePatch",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:Role",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:RoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:RoleBindingList",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:RoleBindingPatch",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:RoleList",
  "kubernetes:rbac.authorization.k8s.io/v1alpha1:RolePatch",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRole",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBindingList",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBindingPatch",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleList",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRolePatch",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:Role",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:RoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:RoleBindingList",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:RoleBindingPatch",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:RoleList",
  "kubernetes:rbac.authorization.k8s.io/v1beta1:RolePatch",
];

export const kubernetesUnreadKinds: Adapter = {
  family: "kubernetes-unread-kinds",
  holdings: "none: refused",
  types: UNREAD_KINDS.map((type) => ({
    type,
    route: type.endsWith("List") ? "creates many objects of a kind the pack reads one by one" : "an API version of a kind the pack reads only at v1",
    checkedBy: ["stack/unknown-input"],
  })),
  matchesType: (type) => LIST_KIND.test(type) && !READ_ELSEWHERE.has(type),
  check: (resource) => [
    {
      rule: "stack/unknown-input",
      message: `${resource.type} ${resource.name}: the pack reads this kind only as a single v1 object, so what it grants or runs as cannot be checked`,
      fix: "declare each object with its v1 kind (rbac.authorization.k8s.io/v1, apps/v1, batch/v1, core/v1, networking.k8s.io/v1)",
    },
  ],
};
