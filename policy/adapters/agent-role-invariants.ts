/**
 * What an agent role can hold whatever its plan record says: a program that rewrites an agent role
 * and its `agent-identity.io/role-plan` record together passes iam/agent-role-as-planned, so these
 * invariants read no record. Per resource: the role's tag keys are the closed set the components set
 * (iam/agent-role-tags); the session ceiling and the boundary are judged by iam-roles
 * (limits/session-duration at the tier's ceiling) and permissions-boundary (the platform's one
 * boundary on every agent role). Across the stack: every resource the execution identity's roles
 * allow lies in what its agent owns, or a share the security team declared (iam/agent-grant-owned).
 * What the agent owns is read from the `agent-identity.io/owns` annotation: it is not a record of the
 * role, but the same program writes it (README: what this cannot close).
 */
import { AGENT_ROLE_TAG_KEYS } from "../../components/core/compile";
import { TOOL_ROLE_TAG } from "../../components/core/tool-sessions";
import type { Holder } from "../../components/core/holdings";
import { resourceMatches, type IndexEntry } from "../../components/core/resource-index";
import { parseArn } from "../../components/core/iam-catalog";
import { indexOf } from "../../components/rules/holdings-cache";
import { isToolRoleTags } from "../../components/rules/tool-session-checks";
import { holdingsFromStackOnce } from "../holdings";
import { asRecord, asString } from "../inputs";
import type { Adapter, PackFinding } from "../types";
import { IAM_ROLE_TYPES } from "./iam-roles";

const TAGS_RULE = "iam/agent-role-tags";
const GRANT_RULE = "iam/agent-grant-owned";
const IDENTITY_TAG_KEYS: ReadonlySet<string> = new Set(AGENT_ROLE_TAG_KEYS);
const TOOL_TAG_KEYS: ReadonlySet<string> = new Set([...AGENT_ROLE_TAG_KEYS, TOOL_ROLE_TAG.key]);
const S3_BUCKET = /^arn:[a-z-]+:s3:::[^/*?]+$/;
/** Resources named in one finding; the rest are counted. */
const SHOWN = 5;

export const agentRoleInvariants: Adapter = {
  family: "agent-role-invariants",
  holdings: "none added: an agent role's grants (the holdings policy/holdings.ts builds) are judged against its agent's ownership and declared shares",
  types: [
    {
      type: IAM_ROLE_TYPES.role,
      route: "an agent role carries only the components' tag keys, and allows only resources its agent owns or a declared share",
      checkedBy: [TAGS_RULE, GRANT_RULE],
    },
    {
      type: IAM_ROLE_TYPES.rolePolicy,
      route: "an inline policy on an agent role allows only resources its agent owns or a declared share",
      checkedBy: [GRANT_RULE],
    },
  ],
  check: (resource, inputs) => {
    if (resource.type !== IAM_ROLE_TYPES.role || inputs.unknown.includes("tags")) return [];
    const tags = asRecord(inputs.value.tags);
    if (tags.agent === undefined) return [];
    const allowed = isToolRoleTags(tags) ? TOOL_TAG_KEYS : IDENTITY_TAG_KEYS;
    const extra = Object.keys(tags).filter((key) => !allowed.has(key));
    if (extra.length === 0) return [];
    const name = asString(inputs.value.name) ?? resource.name;
    return [
      {
        rule: TAGS_RULE,
        message: `agent ${tags.agent}'s ${tags.identity ?? "(unknown)"} role ${name} carries tag${extra.length > 1 ? "s" : ""} ${extra.join(", ")}, which the components never set on an agent role (an ABAC policy reading aws:PrincipalTag would widen the role)`,
        fix: `keep only the tags the Agent component sets (${[...allowed].join(", ")}); put other tags on the provider's defaultTags, never on an agent role`,
      },
    ];
  },
  stack: (ix, pass) => {
    const { fleet, sources } = holdingsFromStackOnce(ix, pass.extraPolicies);
    const index = indexOf(fleet);
    const ownerOf = new Map(fleet.agents.map((owner) => [owner.agent, owner]));
    for (const holdings of fleet.identities) {
      // Orchestration holds models and audit its own log group: separation/orchestration-models-only and separation/audit-write-only judge those.
      if (holdings.identity !== "execution") continue;
      const { agent, identity } = holdings;
      const owner = ownerOf.get(agent);
      const others = (entry: IndexEntry<Holder>) => entry.value.agent !== null && entry.value.agent !== agent;
      const mine = (resource: string) =>
        index.containing(resource).some((entry) => entry.kind === "owned" && entry.value.agent === agent) ||
        // What the components create for it (roles, log group) is written as a pattern of any partition and account.
        (owner?.implicit ?? []).some((pattern) => resourceMatches(pattern, resource)) ||
        // A bucket holding a prefix the agent owns: only its listing is planned (bucket actions are the IAM rules').
        (S3_BUCKET.test(resource) && (owner?.declared ?? []).some((entry) => entry.startsWith(`${resource}/`))) ||
        // Not an ARN: iam/malformed-arn reports it.
        parseArn(resource) === undefined ||
        // Another agent's resource or grant: separation/cross-agent-grant reports it.
        index.intersecting(resource, others, 1).length > 0;
      const outside = [
        ...new Set(
          holdings.aws
            .filter((grant) => grant.effect === "Allow")
            .flatMap((grant) => grant.resources.filter((resource) => resource !== "*" && !mine(resource))),
        ),
      ];
      if (outside.length === 0) continue;
      const held = sources.get(holdings)!;
      const roles = held.roles.flatMap((r) => (r.name ? [r.name] : []));
      pass.findings.push({
        rule: GRANT_RULE,
        agent,
        identity,
        urn: held.urn,
        message: `agent ${agent}'s ${identity} role${roles.length > 1 ? "s" : ""} ${roles.join(", ")} allow${roles.length > 1 ? "" : "s"} ${outside.slice(0, SHOWN).join(", ")}${outside.length > SHOWN ? ` and ${outside.length - SHOWN} more` : ""}, outside what agent ${agent} owns (agent-identity.io/owns, its roles and log group)`,
        fix: `declare the resource under agent ${agent}'s owns (a reviewed plan change), or have the security team declare the share in the pack's shares configuration (principal agent:${agent}/${identity})`,
        share: { principals: [`agent:${agent}/${identity}`, ...roles.map((name) => `iam:role/${name}`)], resources: outside },
      } as PackFinding);
    }
  },
};
