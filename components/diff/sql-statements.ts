/**
 * Database statements of Vault secret roles, compared as statements rather than as text: layout,
 * keyword case and a trailing `;` never show as changes. Revocation is judged by whether it ends
 * the generated user: a set that drops `{{name}}` is as strong as revocation gets; anything else
 * (an empty list, `SELECT 1`, a REVOKE of some grants) cannot be proved to end every privilege.
 */

/** Split on `;` outside quotes and collapse whitespace outside quotes; keywords upper-cased. */
export function normaliseStatements(statements: readonly string[]): string[] {
  const out: string[] = [];
  for (const text of statements) {
    let current = "";
    let quote: string | null = null;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        current += c;
        if (c === quote) quote = null;
      } else if (c === "'" || c === '"') {
        quote = c;
        current += c;
      } else if (c === ";") {
        if (current.trim()) out.push(current.trim());
        current = "";
      } else if (/\s/.test(c)) {
        if (!current.endsWith(" ")) current += " ";
      } else current += c.toUpperCase();
    }
    if (current.trim()) out.push(current.trim());
  }
  return out;
}

export function sameStatements(a: readonly string[], b: readonly string[]): boolean {
  const [x, y] = [normaliseStatements(a), normaliseStatements(b)];
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

const DROPS_USER = /^DROP (ROLE|USER) (IF EXISTS )?("\{\{NAME\}\}"|\{\{NAME\}\}|'\{\{NAME\}\}')$/;

/** Does this revocation end the generated database user itself? */
export function dropsUser(statements: readonly string[]): boolean {
  return normaliseStatements(statements).some((s) => DROPS_USER.test(s.replace(/\{\{name\}\}/g, "{{NAME}}")));
}
