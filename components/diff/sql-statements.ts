/**
 * Database statements of Vault secret roles compared as PostgreSQL parses them (the shared parser
 * in `components/core/sql`), not as text: layout, case and quoting that do not change the parse
 * are no change. Creation statements compare by what the role gets (attributes, grants, role
 * memberships); revocation by how surely it ends the user (drops the role, drops what it owns,
 * ends its sessions). Anything the analysis cannot describe counts as widening.
 */
import { analyseCreation, analyseRevocation, type ParsedSql, type SqlGrant } from "../core/sql";
import type { Classification } from "./types";

export interface SqlChange {
  readonly classification: Classification;
  readonly notes: readonly string[];
}

/** Identical lists are no change without parsing (the usual case in a large diff). */
export function sameStatements(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Parse trees without source positions: equal shapes run the same SQL. */
function shapes(parsed: ParsedSql): string {
  return JSON.stringify(
    parsed.statements.map((s) => s.node),
    (key, value: unknown) => (key === "location" || key === "stmt_location" || key === "stmt_len" ? undefined : value),
  );
}

const problemNotes = (side: string, problems: readonly { message: string }[]) =>
  problems
    .slice(0, 3)
    .map((p) => `${side}: ${p.message}`)
    .concat(problems.length > 3 ? [`${side}: …and ${problems.length - 3} more`] : []);

/** Does grant `wide` give at least everything grant `narrow` gives? */
function grantCovers(wide: SqlGrant, narrow: SqlGrant): boolean {
  if (wide.objectType !== narrow.objectType || wide.target !== narrow.target) return false;
  if (narrow.withGrantOption && !wide.withGrantOption) return false;
  const privileges = wide.privileges.includes("all") || narrow.privileges.every((p) => wide.privileges.includes(p));
  return privileges && narrow.objects.every((o) => wide.objects.includes(o)) && narrow.grantees.every((g) => wide.grantees.includes(g));
}

const attributeKey = (a: { name: string; value: string }) => `${a.name}=${a.value}`;
const membershipKey = (m: { role: string; member: string }) => `${m.role}>${m.member}`;

/** Creation statements: null when they grant the same; otherwise widens, or narrows when the head only takes away. */
export function compareCreation(base: readonly string[], head: readonly string[]): SqlChange | null {
  if (sameStatements(base, head)) return null;
  const [was, is] = [analyseCreation(base), analyseCreation(head)];
  if (is.problems.length > 0 || was.problems.length > 0) {
    if (is.problems.length === 0 || was.problems.length === 0 || shapes(was) !== shapes(is)) {
      return {
        classification: "widens",
        notes: [
          "the statements cannot be compared as grants: treated as widening",
          ...problemNotes("before", was.problems),
          ...problemNotes("after", is.problems),
        ],
      };
    }
    return null;
  }
  const within = (inner: typeof was, outer: typeof was) =>
    inner.grants.every((g) => outer.grants.some((o) => grantCovers(o, g))) &&
    inner.memberships.every((m) => outer.memberships.some((o) => membershipKey(o) === membershipKey(m))) &&
    inner.attributes.every((a) => outer.attributes.some((o) => attributeKey(o) === attributeKey(a))) &&
    inner.createdRoles.every((r) => outer.createdRoles.includes(r));
  const [narrower, wider] = [within(is, was), within(was, is)];
  // Attributes only restrict when added (CONNECTION LIMIT); one removed or changed is not provably narrower.
  const attributesKept = was.attributes.every((a) => is.attributes.some((o) => attributeKey(o) === attributeKey(a)));
  if (narrower && wider) return null;
  if (narrower && attributesKept) return { classification: "narrows", notes: ["the role gets a subset of what it got"] };
  return { classification: "widens", notes: ["the role gets grants, attributes or memberships it did not get before (or they cannot be proved fewer)"] };
}

/** Revocation statements: a revocation that ends the user less surely widens (the user could outlive its lease). */
export function compareRevocation(
  base: readonly string[],
  head: readonly string[],
  creation: { base: readonly string[]; head: readonly string[] },
): SqlChange | null {
  if (sameStatements(base, head)) return null;
  const grants = (statements: readonly string[]) => {
    const created = analyseCreation(statements);
    return created.problems.length === 0 ? created.grants : [];
  };
  const was = analyseRevocation(base, { grants: grants(creation.base) });
  const is = analyseRevocation(head, { grants: grants(creation.head) });
  if (was.problems.length === 0 && is.problems.length === 0 && shapes(was) === shapes(is)) return null;
  if (is.problems.length > 0) {
    if (was.problems.length > 0 && shapes(was) === shapes(is)) return null;
    return {
      classification: "widens",
      notes: [
        head.length === 0
          ? "revocation statements removed: a database user could outlive its lease"
          : "the new revocation does not provably end the database user: it could outlive its lease",
        ...problemNotes("after", is.problems),
      ],
    };
  }
  if (was.problems.length > 0)
    return { classification: "narrows", notes: ["the new revocation drops the database user when its lease ends", ...problemNotes("before", was.problems)] };
  const steps = (r: typeof was) => [r.dropsOwned ? "drops what it owns" : "", r.terminatesSessions ? "ends its sessions" : ""].filter(Boolean);
  const [before, after] = [steps(was), steps(is)];
  const lost = before.filter((s) => !after.includes(s));
  const gained = after.filter((s) => !before.includes(s));
  if (lost.length > 0) return { classification: "widens", notes: [`the new revocation no longer ${lost.join(" or ")}`] };
  if (gained.length > 0) return { classification: "narrows", notes: [`the new revocation also ${gained.join(" and ")}`] };
  return { classification: "neutral", notes: ["both revocations drop the database user; the statements differ otherwise"] };
}
