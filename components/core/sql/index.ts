/**
 * Database statements read with PostgreSQL's own parser (libpg-query). One module, used by the
 * database rules, the policy pack and the diff. See `postgres.ts` for the allowlist.
 */
export { loadSqlParser, parseSql, MAX_SQL_CHARS, type RawParse } from "./parser";
export {
  ALLOWED_PRIVILEGES,
  analyseCreation,
  analyseRenewal,
  analyseRevocation,
  parsePostgres,
  type CreationEffects,
  type ParsedSql,
  type ParsedStatement,
  type RevocationEffects,
  type RevocationOptions,
  type RoleAttribute,
  type RoleMembership,
  type SqlGrant,
  type SqlProblem,
  type SqlProblemCode,
} from "./postgres";
export {
  SENTINELS,
  VAULT_PLACEHOLDERS,
  renderVaultStatement,
  vaultExpiration,
  vaultPieces,
  vaultUsername,
  type VaultPlaceholder,
  type VaultValues,
} from "./vault-template";
