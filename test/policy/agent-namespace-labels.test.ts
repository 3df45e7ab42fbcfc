/**
 * kubernetes/agent-namespace-label: the dev stack's agent Namespaces (created by the components where
 * each agent's ServiceAccounts live) pass; a Namespace carrying `agent-identity.io/agent` anywhere
 * else, or an agent's Namespace relabelled to another agent, is refused (selectors keyed on the label
 * would treat it as that agent's).
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { TODAY } from "../helpers/fixtures";
import { ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "kubernetes/agent-namespace-label";
const dev = devBaseline();
const AGENT = "agent-identity.io/agent";

const namespace = (name: string, labels: Record<string, unknown>): Resource => ({
  type: "kubernetes:core/v1:Namespace",
  name: `${name}-ns`,
  props: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted", ...labels } } },
});

describe("the agent label on Namespaces", () => {
  it("passes the components' own agent Namespaces and a platform Namespace without the label", async () => {
    expect(await dev.added([namespace("platform", { team: "platform" })])).toEqual([]);
  }, 120_000);

  it("refuses a stack Namespace labelled as an agent's where none of its ServiceAccounts live", async () => {
    expect(await dev.added([namespace("fake", { [AGENT]: "invoice-triage" })])).toContain(RULE);
  }, 120_000);

  it("refuses an agent's Namespace relabelled to another agent", async () => {
    const base = dev.base();
    const own = base.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.name === "platform-invoice-triage-namespace")!;
    const metadata = own.props.metadata as { labels: Record<string, string> };
    const relabelled = { ...own, props: { ...own.props, metadata: { ...metadata, labels: { ...metadata.labels, [AGENT]: "payout-approver" } } } };
    expect(
      ruleIds(
        await runPack(
          base.map((r) => (r === own ? relabelled : r)),
          TODAY,
        ),
      ),
    ).toContain(RULE);
  }, 120_000);

  it("refuses a NamespacePatch putting an agent's label on an existing namespace, and a label unknown at preview", async () => {
    const patch: Resource = {
      type: "kubernetes:core/v1:NamespacePatch",
      name: "kube-system-label",
      props: { metadata: { name: "kube-system", labels: { [AGENT]: "invoice-triage" } } },
    };
    expect(await dev.added([patch])).toContain(RULE);
    expect(await dev.added([namespace("maybe", { [AGENT]: UNKNOWN })])).toContain(RULE);
  }, 120_000);
});
