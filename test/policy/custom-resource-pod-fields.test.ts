/**
 * Custom resources whose pod fields reach the node (kubernetes/agent-namespace-objects): in a stack with
 * agents, a node-reaching field anywhere in a custom resource (or in a JSON/YAML string in it) is refused
 * unless declared. Each case changes one property of a plain Argo Workflow in `ci` beside the dev stack
 * (kubernetes/object-placement, which refuses the Workflow's kind in any namespace, is left out).
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaringKeys, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/agent-namespace-objects";

const dev = devBaseline();

/** The stack creates the namespace the Workflow lands in. */
const CI_NAMESPACE: Resource = { type: "kubernetes:core/v1:Namespace", name: "ci", props: { metadata: { name: "ci" } } };
/** A Workflow's kind is on no allowlist of kubernetes/object-placement (its templates run pods as any account): that rule is left out here. */
const PLACEMENT = "kubernetes/object-placement";
const added = async (resources: Resource[], config?: object) => (await dev.added([CI_NAMESPACE, ...resources], config)).filter((rule) => rule !== PLACEMENT);

const workflow = (template: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Resource => ({
  type: "kubernetes:argoproj.io/v1alpha1:Workflow",
  name: "wf",
  props: {
    metadata: { name: "wf", namespace: "ci" },
    spec: { entrypoint: "m", templates: [{ name: "m", container: { image: "busybox", command: ["echo", "hi"] }, ...template }], ...spec },
  },
});

describe("custom resources' node-reaching pod fields", () => {
  it("a plain Workflow container passes (the happy path)", async () => {
    expect(await added([workflow()])).toEqual([]);
    // Its kind is still refused where it lands, unless declared.
    expect(await dev.added([CI_NAMESPACE, workflow()])).toEqual([PLACEMENT]);
  }, 120_000);
  it("refuses a privileged single container", async () => {
    expect(await added([workflow({ container: { image: "busybox", securityContext: { privileged: true } } })])).toEqual([RULE]);
  }, 120_000);
  it("refuses a hostPath volume beside the container", async () => {
    expect(await added([workflow({ volumes: [{ name: "h", hostPath: { path: "/var/lib/kubelet" } }] })])).toEqual([RULE]);
  }, 120_000);
  it("refuses a podSpecPatch", async () => {
    expect(await added([workflow({}, { podSpecPatch: '{"hostPID": true}' })])).toEqual([RULE]);
  }, 120_000);
  it("refuses hostPID inside a YAML string", async () => {
    expect(await added([workflow({}, { arguments: { parameters: [{ name: "p", value: "hostPID: true\n" }] } })])).toEqual([RULE]);
  }, 120_000);
  it("passes a declared one", async () => {
    const wf = workflow({ volumes: [{ name: "h", hostPath: { path: "/var/log" } }] });
    expect(await added([wf], declaringKeys([wf], `${wf.type}::wf`))).toEqual([]);
  }, 120_000);
});
