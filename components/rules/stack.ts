/** Stack-wide rules: nothing shared between identities, and every agent complete. */
import { IDENTITY_KINDS } from "../core/names";
import { planNameCollisions, type DerivedNameKind, type NameCollision } from "../core/derived-names";
import { PACK } from "./define";
import { standards } from "./standards";
import type { Finding, PlanRule, RuleMeta } from "./types";

const SEPARATE = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L6 Security & Compliance"], ["GOVERN 1.4", "MANAGE 2.4"]);

/** Each holder of a collision is told which others hold the same derived name, and from what it was cut. */
function collisionFindings(collisions: readonly NameCollision[], fix: (collision: NameCollision) => string): Finding[] {
  return collisions.flatMap((collision) =>
    collision.holders.map((holder) => ({
      agent: holder.agent,
      identity: holder.identity,
      message: `${collision.kind} "${holder.name}"${holder.cutFrom ? ` (cut from "${holder.cutFrom}" with a hash)` : ""} is also the ${collision.kind} of ${collision.holders
        .filter((o) => o !== holder)
        .map((o) => `${o.agent}${o.identity ? `/${o.identity}` : ""}${o.cutFrom ? ` (cut from "${o.cutFrom}")` : ""}`)
        .join(", ")}`,
      fix: fix(collision),
    })),
  );
}

const IDENTITY_NAMES = new Set<DerivedNameKind>(["ServiceAccount", "IAM role", "Vault role"]);

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
      return collisionFindings(
        planNameCollisions(plan).filter((c) => IDENTITY_NAMES.has(c.kind)),
        () => "give each agent a unique name; names of roles and ServiceAccounts derive from it",
      );
    },
  },
  {
    id: "stack/unique-names",
    pack: PACK.stack,
    family: "stack",
    waivable: false,
    description:
      "Every namespace, Vault policy and audit log group the components derive is one agent's alone, compared after truncation and hashing (a long agent's cut name may equal another agent's).",
    severity: "error",
    standards: SEPARATE,
    check({ plan }) {
      return collisionFindings(
        planNameCollisions(plan).filter((c) => !IDENTITY_NAMES.has(c.kind)),
        (c) =>
          `rename one of ${[...new Set(c.holders.map((h) => h.agent))].join(", ")}${c.holders.some((h) => h.cutFrom) ? " (or shorten the long one, or namePrefix/environment, so its name is not cut)" : ""}: derived names must be unique across the stack`,
      );
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
