/**
 * The database username a connection's username template gives a tool's Vault role, up to its
 * random part. Only the template this library sets (DATABASE_USERNAME_TEMPLATE, tagged sessions
 * with bootstrap) is understood: `v-` + the role name with `.` as `-`, cut at 40 characters, `-`.
 * Any other template (or Vault's default) gives null: the Vault path then names the tool.
 */
import { DATABASE_USERNAME_TEMPLATE } from "../core/tool-sessions";

export function databaseUsernamePrefix(template: string | null, vaultRoleName: string): string | null {
  if (template !== DATABASE_USERNAME_TEMPLATE) return null;
  return `v-${vaultRoleName.replaceAll(".", "-").slice(0, 40)}-`;
}
