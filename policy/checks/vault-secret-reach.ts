/**
 * Secret roles judged by what their credentials reach, not by their names (issue #19 part 4). An
 * agent's tool reaches an AWS role or a database through its own secret role; another secret role
 * reaching the same thing is a second way to the agent's credentials that no policy path shows:
 * - an AWS secret role that no agent identity holds, assuming a role an agent's tool assumes;
 * - a database secret role that no agent identity holds, minting users on a connection an agent's
 *   tool uses (its grants, read with the project's SQL parser, name the agent's objects it reaches);
 * - any static role on such a connection: it takes over a database user whose privileges no
 *   statement in the stack shows.
 * Shares between agents are declared in the plan (`platform.shared`); here a role held by no agent
 * on an agent's role or connection is refused.
 */
import type { IdentityKind } from "../../components/core/names";
import { analyseCreation } from "../../components/core/sql";
import { asString, asStrings } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { PackFinding } from "../types";
import { PLATFORM_TYPES as TYPES } from "./platform-types";

const RULE = "vault/agent-path-reach";
export const VAULT_DATABASE_STATIC_ROLE = "vault:database/secretBackendStaticRole:SecretBackendStaticRole";

/** Who holds a Vault path: an agent identity and the path its own policy grants. */
export interface PathHolder {
  readonly agent: string;
  readonly identity: IdentityKind;
  readonly held: string;
}

interface Use {
  readonly agent: string;
  readonly identity: IdentityKind;
  readonly tool: string | null;
  /** The agent's own secret role, `<mount>/roles/<name>`. */
  readonly via: string;
  /** The objects the agent's role grants on, parsed only when another role on the connection is reported. */
  readonly objects: () => ReadonlySet<string>;
}

const mountOf = (backend: unknown) => (asString(backend) ?? "").replace(/^\/+|\/+$/g, "");

/** The tool of a components-named secret role `<env>.<agent>.<tool>`, or null when named otherwise. */
export function toolOf(roleName: string, agent: string): string | null {
  const at = roleName.indexOf(`.${agent}.`);
  return at < 0 ? null : roleName.slice(at + agent.length + 2) || null;
}

/** The objects a role's creation statements grant on (lower-cased, `public.` dropped), or none when they do not parse. */
export function grantedObjects(statements: readonly string[]): Set<string> {
  const out = new Set<string>();
  if (statements.length === 0) return out;
  for (const grant of analyseCreation(statements).grants)
    for (const object of grant.objects) out.add(`${grant.target === "all-in-schema" ? "all in schema " : ""}${object.toLowerCase().replace(/^public\./, "")}`);
  return out;
}

const finding = (use: Use, urn: string, message: string, fix: string): PackFinding => ({
  rule: RULE,
  agent: use.agent,
  identity: use.identity,
  tool: use.tool,
  urn,
  message: `${use.tool ? `tool ${use.tool}: ` : ""}${message}`,
  fix,
});

export function checkSecretRoleReach(ix: StackIndex, held: ReadonlyMap<string, readonly PathHolder[]>): PackFinding[] {
  const awsUses = new Map<string, Use[]>();
  const connectionUses = new Map<string, Use[]>();
  const unheld: Array<StackIndex["secretRoles"][number]> = [];
  for (const role of ix.secretRoles) {
    const holders = held.get(role.path) ?? [];
    if (holders.length === 0) {
      unheld.push(role);
      continue;
    }
    const name = asString(role.v.name) ?? role.resource.name;
    const via = `${mountOf(role.v.backend)}/roles/${name}`;
    const aws = role.resource.type === TYPES.vaultAwsRole;
    let parsed: Set<string> | undefined;
    const objects = () => (parsed ??= aws ? new Set<string>() : grantedObjects(asStrings(role.v.creationStatements)));
    for (const holder of holders) {
      const use = { agent: holder.agent, identity: holder.identity, tool: toolOf(name, holder.agent), via, objects };
      const keys = aws ? role.roleArns.map((arn) => arn.toLowerCase()) : [`${mountOf(role.v.backend)}/${asString(role.v.dbName) ?? ""}`];
      for (const key of keys) {
        const into = aws ? awsUses : connectionUses;
        into.set(key, [...(into.get(key) ?? []), use]);
      }
    }
  }
  const findings: PackFinding[] = [];
  for (const role of unheld) {
    const name = asString(role.v.name) ?? role.resource.name;
    const where = `${mountOf(role.v.backend)}/roles/${name}`;
    if (role.resource.type === TYPES.vaultAwsRole) {
      for (const arn of role.roleArns)
        for (const use of awsUses.get(arn.toLowerCase()) ?? [])
          findings.push(
            finding(
              use,
              role.resource.urn,
              `AWS secret role ${where}, which no agent identity holds, assumes ${arn}, the role ${use.agent}/${use.identity} assumes through its own secret role ${use.via}: whoever reads ${role.path} gets that session without reaching the agent's path`,
              "a role an agent's tool assumes is assumed only through that agent's own secret role (the Agent component creates it); share it by declaring platform.shared (vaultAwsRole) so each agent gets its own",
            ),
          );
      continue;
    }
    const connection = `${mountOf(role.v.backend)}/${asString(role.v.dbName) ?? ""}`;
    const mine = grantedObjects(asStrings(role.v.creationStatements));
    for (const use of connectionUses.get(connection) ?? []) {
      const overlap = [...mine].filter((object) => use.objects().has(object));
      findings.push(
        finding(
          use,
          role.resource.urn,
          `database secret role ${where}, which no agent identity holds, mints users on connection ${connection}, which ${use.agent}/${use.identity} uses through ${use.via}${overlap.length ? `, and grants on the agent's ${overlap.join(", ")}` : ""}: an undeclared share of the agent's database`,
          "mint other users through a connection of their own; a connection two parties use is declared in platform.shared (databaseConnection) naming the agents",
        ),
      );
    }
  }
  for (const entry of ix.inputsOfType(VAULT_DATABASE_STATIC_ROLE)) {
    const connection = `${mountOf(entry.value.backend)}/${asString(entry.value.dbName) ?? ""}`;
    const name = asString(entry.value.name) ?? entry.resource.name;
    for (const use of connectionUses.get(connection) ?? [])
      findings.push(
        finding(
          use,
          entry.resource.urn,
          `static role ${mountOf(entry.value.backend)}/static-roles/${name} takes over database user ${asString(entry.value.username) ?? "?"} on connection ${connection}, which ${use.agent}/${use.identity} uses through ${use.via}: whoever reads ${mountOf(entry.value.backend)}/static-creds/${name} gets that user's privileges, which no statement in the stack shows`,
          "no static roles on an agent's connection; give that database user a connection of its own",
        ),
      );
  }
  return findings;
}
