/**
 * Types in the families that grant, authenticate, route traffic, hold secrets or record audit trails
 * that no adapter reads, each with the reason. The type-classification test
 * (test/policy/type-classification.test.ts) fails for any such type of the installed providers that
 * is neither read by an adapter nor named here.
 */
import type { Adapter, TypeEntry } from "../types";

/** Entries sharing one reason: each type is still named exactly. */
const because = (outOfScope: string, route: string, types: readonly string[]): TypeEntry[] => types.map((type) => ({ type, route, outOfScope }));

export const OUT_OF_SCOPE_ENTRIES: readonly TypeEntry[] = [
  ...because("an agent role trusts only its own ServiceAccount (trust/*), so an instance cannot assume it through a profile", "lets EC2 instances use a role", [
    "aws:iam/instanceProfile:InstanceProfile",
  ]),
  ...because(
    "which provider a role trusts is checked in its trust policy (trust/single-provider, trust/web-identity-only)",
    "an identity provider roles may trust",
    ["aws:iam/openIdConnectProvider:OpenIdConnectProvider"],
  ),
  {
    type: "other AWS resource policies (Lake Formation permissions, RAM shares, Glue catalog policy, SSM documents' permissions, Serverless application policies ...)",
    route: "may grant an agent role access in the same account without its identity policy",
    outOfScope: "not read yet: review them by hand; the pack reads the services agents' tools use most (table above)",
  },
  {
    type: "vault:identity/* membership (GroupMemberEntityIds, EntityAlias, GroupAlias ...)",
    route: "puts an entity into a group whose policies it then holds",
    outOfScope:
      "an agent's entity is created by Vault at its first login, so no stack resource can name its ID by value; a group's policies are checked above (vault/agent-policy-use), and a group's own policy grants are Vault policies the pack reads",
  },
  ...because("they only restrict (deny) requests; they cannot grant", "Sentinel policies (Enterprise)", [
    "vault:index/egpPolicy:EgpPolicy",
    "vault:index/rgpPolicy:RgpPolicy",
  ]),
];

export const OUT_OF_SCOPE: Adapter = {
  family: "out-of-scope",
  holdings: "none",
  types: OUT_OF_SCOPE_ENTRIES,
};
