/**
 * The agent label on Namespaces (kubernetes/agent-namespace-label). `agent-identity.io/agent: <agent>`
 * on a Namespace is what selectors keyed on it read as that agent's namespace: NetworkPolicies and
 * webhooks' namespaceSelectors, the pack's own agentNamespaces. The components write it only on the
 * Namespace they create for an agent (Agent, `plan.namespace`: the name the plan derives, where that
 * agent's ServiceAccounts are created, labelled with that agent). So a Namespace or NamespacePatch
 * carrying the label is admitted only where that agent's own ServiceAccounts live; otherwise it is an
 * agent's namespace relabelled to another agent (round 12: alpha's namespace labelled `bravo`, which
 * bravo's selectors then admit) or a stack namespace posing as an agent's (`fake` labelled `alpha`),
 * and is refused, with no declaration: no platform object needs to carry an agent's label. A name or
 * label value unknown at preview fails closed.
 */
import { LABEL_PREFIX } from "../../components/core/compile";
import { PLATFORM_TYPES } from "../checks/platform-types";
import { asRecord, asString } from "../inputs";
import type { Adapter, PackFinding } from "../types";
import { NAMESPACE_TYPES } from "./namespaces";
import { isUnknown, readOfType } from "./shared";

const RULE = "kubernetes/agent-namespace-label";

export const agentNamespaceLabels: Adapter = {
  family: "agent-namespace-labels",
  holdings: "none: the agent label on a Namespace decides which namespace selectors treat as that agent's",
  types: [NAMESPACE_TYPES.namespace, PLATFORM_TYPES.namespacePatch].map((type) => ({
    type,
    route: "carries the agent label (agent-identity.io/agent) selectors key on: only the namespace where that agent's own ServiceAccounts live may",
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    const AGENT_LABEL = `${LABEL_PREFIX}/agent`;
    // Where each agent's ServiceAccounts live (the components create them in the namespace they label for it).
    const homes = new Map<string, Set<string>>();
    for (const sa of ix.serviceAccounts) homes.set(sa.agent, (homes.get(sa.agent) ?? new Set()).add(sa.namespace));
    for (const r of readOfType(ix, NAMESPACE_TYPES.namespace, PLATFORM_TYPES.namespacePatch)) {
      const metadata = (r.v.metadata ?? {}) as Record<string, unknown>;
      const labelUnknown = isUnknown(r, "metadata") || isUnknown(r, "metadata.labels") || isUnknown(r, `metadata.labels.${AGENT_LABEL}`);
      const agent = asString(asRecord(metadata.labels)[AGENT_LABEL]);
      if (!labelUnknown && !agent) continue;
      const name = isUnknown(r, "metadata.name") ? undefined : asString(metadata.name);
      const home = agent === undefined ? undefined : homes.get(agent);
      if (agent !== undefined && name !== undefined && home?.has(name)) continue;
      const kind = r.resource.type.split(":").pop();
      const why =
        agent === undefined
          ? "carries an agent label unknown at preview"
          : name === undefined
            ? `is labelled as agent ${agent}'s, with a name unknown at preview`
            : home === undefined
              ? `is labelled as agent ${agent}'s, but no ServiceAccount of agent ${agent} is in the stack`
              : `is labelled as agent ${agent}'s, but ${agent}'s ServiceAccounts live in ${[...home].sort().join(", ")}`;
      pass.findings.push({
        rule: RULE,
        agent: home === undefined || agent === undefined ? "platform" : agent,
        identity: null,
        urn: r.resource.urn,
        message: `${kind} ${name ?? r.resource.name} ${why}: selectors keyed on ${AGENT_LABEL} (NetworkPolicies, webhooks' namespaceSelectors) treat it as that agent's namespace`,
        fix: `leave ${AGENT_LABEL} to the namespace the Agent component creates for the agent; label platform namespaces otherwise`,
      } satisfies PackFinding);
    }
  },
};
