/**
 * At most one IAM role per agent identity: a second role tagged `agent`/`identity` as an identity
 * would be judged as the identity's in every holdings check, yet grant what the identity's declared
 * role does not (an unowned bucket). The execution identity's tool role is its own kind of role
 * (tool-session tags) and is not counted.
 */
import type { IdentityKind } from "../../components/core/names";
import type { Problem } from "../../components/rules/define";

export interface TaggedRole {
  readonly urn: string;
  readonly name: string;
  readonly agent: string;
  readonly identity: IdentityKind;
}

export function checkOneRolePerIdentity(roles: readonly TaggedRole[]): Array<Problem & TaggedRole> {
  const byIdentity = new Map<string, TaggedRole[]>();
  for (const role of roles) {
    const key = JSON.stringify([role.agent, role.identity]);
    byIdentity.set(key, [...(byIdentity.get(key) ?? []), role]);
  }
  const out: Array<Problem & TaggedRole> = [];
  for (const list of byIdentity.values()) {
    // The same role name twice is one role in one account (several clusters may repeat it): not two.
    if (new Set(list.map((r) => r.name.toLowerCase())).size < 2) continue;
    for (const role of list)
      out.push({
        ...role,
        rule: "stack/one-role-per-identity",
        message: `IAM roles ${list.map((r) => r.name).join(", ")} are all tagged as ${role.agent}/${role.identity}`,
        fix: "keep one IAM role per identity, the one its Agent component creates; grant other needs through the declaration",
      });
  }
  return out;
}
