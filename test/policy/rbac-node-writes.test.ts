/**
 * RBAC that reaches the nodes (kubernetes/agent-namespace-rbac): in a stack with agents, a ClusterRole
 * granting writes on PersistentVolumes, StorageClasses, CSIDrivers or Nodes (or nodes/proxy), and its
 * ClusterRoleBinding to a non-agent subject, are refused unless both are declared. Each case changes
 * one property of a read-only ClusterRole on nodes bound to ci:runner beside the dev stack.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaringKeys, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/agent-namespace-rbac";

const dev = devBaseline();

const { added } = dev;

const role = (rule: Record<string, unknown>): Resource => ({
  type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  name: "cr",
  props: { metadata: { name: "node-reader" }, rules: [rule] },
});
const binding: Resource = {
  type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  name: "crb",
  props: {
    metadata: { name: "node-reader" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "node-reader" },
    subjects: [{ kind: "ServiceAccount", name: "runner", namespace: "ci" }],
  },
};
const READ = { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] };

describe("RBAC that reaches the nodes", () => {
  it("read-only rights on nodes bound to ci:runner pass (the happy path)", async () => {
    expect(await added([role(READ), binding])).toEqual([]);
  }, 120_000);
  it("refuses create on persistentvolumes", async () => {
    expect(await added([role({ ...READ, resources: ["persistentvolumes"], verbs: ["create"] }), binding])).toEqual([RULE]);
  }, 120_000);
  it("refuses patch on nodes", async () => {
    expect(await added([role({ ...READ, verbs: ["patch"] }), binding])).toEqual([RULE]);
  }, 120_000);
  it("refuses update on storage.k8s.io storageclasses", async () => {
    expect(await added([role({ apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["update"] }), binding])).toEqual([RULE]);
  }, 120_000);
  it("refuses get on nodes/proxy (the kubelet API)", async () => {
    expect(await added([role({ ...READ, resources: ["nodes/proxy"], verbs: ["get"] }), binding])).toEqual([RULE]);
  }, 120_000);
  it("passes when the security team declares both the role and the binding, not one alone", async () => {
    const r = role({ ...READ, verbs: ["patch"] });
    const both = declaringKeys([r, binding], `${r.type}::cr`, `${binding.type}::crb`);
    expect(await added([r, binding], both)).toEqual([]);
    expect(await added([r, binding], declaringKeys([r], `${r.type}::cr`))).toEqual([RULE]);
  }, 120_000);
});
