/**
 * How Vault's postgresql-database-plugin turns a statement list into SQL, mirrored so the parser
 * reads what the server will run (plugins/database/postgresql/postgresql.go, sdk/helper/strutil):
 * - every list entry is trimmed, base64-decoded when it decodes, read as a JSON array when it is
 *   one, otherwise split on every `;` (also inside quotes and comments), each piece trimmed and
 *   run on its own in one transaction;
 * - creation (and, since Vault 1.13, revocation: hashicorp/vault#18632, `customDeleteUser`): an
 *   entry containing the word `END` (case-sensitive, outside some quotes) is run whole instead of
 *   split, so PostgreSQL then reads `--` comments and quotes across what the split would have cut;
 * - `{{name}}`, `{{username}}`, `{{password}}` and `{{expiration}}` are replaced textually.
 */

/** The placeholders Vault fills in; `{{username}}` is the same value as `{{name}}`. */
export const VAULT_PLACEHOLDERS = ["name", "username", "password", "expiration"] as const;
export type VaultPlaceholder = (typeof VAULT_PLACEHOLDERS)[number];

export interface VaultValues {
  readonly name: string;
  readonly password: string;
  readonly expiration: string;
}

/**
 * Stand-ins used while parsing. The name contains `-` like every name Vault generates, so an
 * unquoted `{{name}}` fails to parse here exactly as it fails on the server.
 */
export const SENTINELS: VaultValues = {
  name: "v-agent-identity-sentinel-name",
  password: "agent-identity-sentinel-password",
  expiration: "agent-identity-sentinel-expiration",
};

/** Vault's `expirationFormat` (Go layout `2006-01-02 15:04:05-0700`), in UTC. */
export function vaultExpiration(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+0000`;
}

/**
 * A name shaped like Vault's default username template for the database engine:
 * `v-<display name ≤8>-<role name ≤8>-<20 random>-<unix time>`, at most 63 characters.
 */
export function vaultUsername(displayName: string, roleName: string, random: string, unixTime: number): string {
  return `v-${displayName.slice(0, 8)}-${roleName.slice(0, 8)}-${random.slice(0, 20)}-${unixTime}`.slice(0, 63);
}

/** Textual replacement, as Vault's `dbutil.QueryHelper` does. */
export function renderVaultStatement(statement: string, values: Partial<VaultValues>): string {
  let out = statement;
  if (values.name !== undefined) out = out.split("{{name}}").join(values.name).split("{{username}}").join(values.name);
  if (values.password !== undefined) out = out.split("{{password}}").join(values.password);
  if (values.expiration !== undefined) out = out.split("{{expiration}}").join(values.expiration);
  return out;
}

/**
 * Which list: creation and revocation entries with the word END run unsplit (Vault's
 * `containsMultilineStatement`; revocation since Vault 1.13); renewal entries are always split.
 */
export type VaultListKind = "creation" | "revocation" | "other";

const RUNS_WHOLE_WITH_END: Readonly<Record<VaultListKind, string | undefined>> = {
  creation: "Vault runs a creation entry containing the word END unsplit (its multi-line statement heuristic)",
  revocation:
    "Vault (1.13 and later, hashicorp/vault#18632) runs a revocation entry containing the word END unsplit, so a `-- END` comment swallows the REVOKE and DROP ROLE after it on the line",
  other: undefined,
};

export type VaultPieces = { readonly ok: true; readonly pieces: readonly string[] } | { readonly ok: false; readonly reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readsAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The SQL pieces Vault sends for one list entry. Entries Vault would decode (base64, JSON) are
 * refused rather than decoded: nobody writes SQL that way on purpose.
 */
export function vaultPieces(entry: string, kind: VaultListKind): VaultPieces {
  const trimmed = entry.trim();
  if (trimmed === "") return { ok: true, pieces: [] };
  if (BASE64.test(trimmed)) return { ok: false, reason: "Vault base64-decodes an entry written only in base64 characters, so it would not run this text" };
  if (readsAsJson(trimmed)) return { ok: false, reason: "Vault reads an entry that is valid JSON as a JSON list of statements, so it would not run this text" };
  // Vault's check is a case-sensitive \bEND\b outside (some) quotes; any END at all fails closed.
  const whole = RUNS_WHOLE_WITH_END[kind];
  if (whole && /\bEND\b/.test(trimmed)) return { ok: false, reason: `${whole}; the allowed statements never need END` };
  const pieces = trimmed
    .split(";")
    .map((piece) => piece.trim())
    .filter((piece) => piece !== "");
  return { ok: true, pieces };
}
