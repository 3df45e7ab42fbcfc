/** Stack-wide rules: nothing shared between identities, and every agent complete. */
import { IDENTITY_KINDS } from "../core/names";
import { identityRoles } from "../core/identity-roles";
import { PACK } from "./define";
import { standards } from "./standards";
import type { Finding, PlanRule, RuleMeta } from "./types";

const SEPARATE = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["GOVERN 1.4", "MANAGE 2.4"]);

function duplicates(entries: Array<{ key: string; agent: string; identity: (typeof IDENTITY_KINDS)[number] }>, what: string, fix: string): Finding[] {
  const byKey = new Map<string, typeof entries>();
  for (const entry of entries) byKey.set(entry.key, [...(byKey.get(entry.key) ?? []), entry]);
  return [...byKey.values()]
    .filter((group) => group.length > 1)
    .flatMap((group) =>
      group.map((entry) => ({
        agent: entry.agent,
        identity: entry.identity,
        message: `${what} "${entry.key}" is shared with ${group
          .filter((o) => o !== entry)
          .map((o) => `${o.agent}/${o.identity}`)
          .join(", ")}`,
        fix,
      })),
    );
}

export const stackRules: PlanRule[] = [
  {
    id: "stack/no-shared-identity",
    pack: PACK.stack,
    family: "stack",
    waivable: false,
    description: "No ServiceAccount, IAM role or Vault role is shared by two identities.",
    severity: "error",
    standards: SEPARATE,
    check({ plan }) {
      const identities = plan.agents.flatMap((agent) => agent.identities.map((identity) => ({ agent: agent.name, identity })));
      const fix = "give each agent a unique name; names of roles and ServiceAccounts derive from it";
      return [
        ...duplicates(
          identities.map(({ agent, identity }) => ({
            key: `${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`,
            agent,
            identity: identity.kind,
          })),
          "ServiceAccount",
          fix,
        ),
        // IAM role names are unique regardless of case; an identity's tool role counts as its own.
        ...duplicates(
          identities.flatMap(({ agent, identity }) =>
            identityRoles(identity).map((role) => ({ key: role.name.toLowerCase(), agent, identity: identity.kind })),
          ),
          "IAM role",
          fix,
        ),
        ...duplicates(
          identities.flatMap(({ agent, identity }) =>
            [...(identity.vault.role ? [identity.vault.role] : []), ...identity.vault.additionalRoles].map((role) => ({
              key: `${role.backend}/${role.name}`,
              agent,
              identity: identity.kind,
            })),
          ),
          "Vault role",
          fix,
        ),
      ];
    },
  },
  {
    id: "stack/three-identities",
    pack: PACK.stack,
    family: "stack",
    waivable: false,
    description: "Every agent has exactly the three identities orchestration, execution and audit.",
    severity: "error",
    standards: SEPARATE,
    check({ plan }) {
      return plan.agents.flatMap((agent) => {
        const kinds = agent.identities.map((identity) => identity.kind).sort();
        const expected = [...IDENTITY_KINDS].sort();
        return kinds.join(",") === expected.join(",")
          ? []
          : [
              {
                agent: agent.name,
                identity: null,
                message: `has identities [${kinds.join(", ")}]`,
                fix: `declare the agent through the Agent component so it gets ${IDENTITY_KINDS.join(", ")}`,
              },
            ];
      });
    },
  },
];

/** Stack rules only the policy pack can check (they are about resource inputs, not the plan). */
export const STACK_RESOURCE_RULES: RuleMeta[] = [
  {
    id: "stack/unknown-input",
    pack: PACK.both,
    family: "stack",
    waivable: false,
    description: "Every input the rules read is known at preview; an unknown policy document, role or binding is reported, not waved through.",
    severity: "error",
    standards: standards(["NHI5", "NHI6"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["MEASURE 2.7"]),
  },
];
