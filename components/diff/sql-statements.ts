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

/** One privilege on one object to one grantee: grants compared this way merge and split freely. */
interface GrantAtom {
  readonly key: string;
  readonly privilege: string;
  /** Columns of a column privilege (`select(id, amount)`), null for the whole object. */
  readonly columns: readonly string[] | null;
  readonly withGrantOption: boolean;
}

function atomsOf(grants: readonly SqlGrant[]): GrantAtom[] {
  return grants.flatMap((g) =>
    g.privileges.flatMap((raw) => {
      const match = /^([a-z ]+?)\s*\((.*)\)$/.exec(raw);
      const privilege = match ? match[1] : raw;
      const columns = match ? match[2].split(",").map((c) => c.trim()) : null;
      return g.objects.flatMap((object) =>
        g.grantees.map((grantee) => ({
          key: [g.objectType, g.target, object, grantee].join("\u0000"),
          privilege,
          columns,
          withGrantOption: g.withGrantOption,
        })),
      );
    }),
  );
}

/** Does atom `wide` give at least what `narrow` gives? ALL covers every privilege; a whole-object privilege covers its columns. */
function atomCovers(wide: GrantAtom, narrow: GrantAtom): boolean {
  if (wide.key !== narrow.key || (narrow.withGrantOption && !wide.withGrantOption)) return false;
  if (wide.privilege === "all") return wide.columns === null || (narrow.columns !== null && narrow.columns.every((c) => wide.columns!.includes(c)));
  if (wide.privilege !== narrow.privilege) return false;
  return wide.columns === null || (narrow.columns !== null && narrow.columns.every((c) => wide.columns!.includes(c)));
}

const attributeKey = (a: { name: string; value: string }) => `${a.name}=${a.value}`;
const membershipKey = (m: { role: string; member: string }) => `${m.role}>${m.member}`;

/** Attributes that only restrict the role: a limit added or lowered narrows. */
const CONNECTION_LIMIT = "connectionlimit";
function connectionLimit(attributes: readonly { name: string; value: string }[]): number {
  const value = attributes.find((a) => a.name === CONNECTION_LIMIT)?.value;
  const limit = value === undefined ? -1 : Number(value);
  return Number.isInteger(limit) && limit >= 0 ? limit : Infinity;
}

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
  const atoms = { was: atomsOf(was.grants), is: atomsOf(is.grants) };
  const others = (attributes: typeof was.attributes) => attributes.filter((a) => a.name !== CONNECTION_LIMIT).map(attributeKey);
  const within = (inner: typeof was, outer: typeof was, innerAtoms: GrantAtom[], outerAtoms: GrantAtom[]) =>
    innerAtoms.every((g) => outerAtoms.some((o) => atomCovers(o, g))) &&
    inner.memberships.every((m) => outer.memberships.some((o) => membershipKey(o) === membershipKey(m))) &&
    others(inner.attributes).every((a) => others(outer.attributes).includes(a)) &&
    inner.createdRoles.every((r) => outer.createdRoles.includes(r));
  const [narrower, wider] = [within(is, was, atoms.is, atoms.was), within(was, is, atoms.was, atoms.is)];
  const [limitWas, limitIs] = [connectionLimit(was.attributes), connectionLimit(is.attributes)];
  if (narrower && wider && limitWas === limitIs) return null;
  if (narrower && limitIs <= limitWas) {
    const notes = [wider ? "the same grants" : "the role gets a subset of what it got"];
    if (limitIs < limitWas) notes.push(`connection limit ${limitWas === Infinity ? "none" : limitWas} → ${limitIs}`);
    return { classification: wider && limitIs === limitWas ? "neutral" : "narrows", notes };
  }
  const notes = ["the role gets grants, attributes or memberships it did not get before (or they cannot be proved fewer)"];
  // Named here, parsed: a long statement's text is cut in a comment cell, a gained grant never is.
  const gained = atoms.is.filter((g) => !atoms.was.some((o) => atomCovers(o, g)));
  if (gained.length > 0)
    notes.push(
      `gains ${gained
        .slice(0, 10)
        .map(
          (g) =>
            `${g.privilege.toUpperCase()}${g.columns ? ` (${g.columns.join(", ")})` : ""}${g.withGrantOption ? " WITH GRANT OPTION" : ""} on ${g.key.split("\u0000").slice(0, 3).join(" ")}`,
        )
        .join("; ")}${gained.length > 10 ? `; and ${gained.length - 10} more` : ""}`,
    );
  if (limitIs > limitWas) notes.push(`connection limit ${limitWas} → ${limitIs === Infinity ? "none" : limitIs}`);
  return { classification: "widens", notes };
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
