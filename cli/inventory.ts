/**
 * The access-review inventory: one row per identity, from the plan and the exceptions in force;
 * each row lists its actions with access levels and, per tool, what that tool may do (inventory-access.ts).
 * Pure (no Pulumi, no I/O) so the CSV/Markdown/JSON renderers and their tests need no cloud.
 */
import { identityRoles, isOwnToolSession } from "../components/core/identity-roles";
import { asList } from "../components/core/iam-document";
import { formatDuration } from "../components/core/durations";
import type { AgentPlan, FleetPlan, IdentityPlan } from "../components/core/plan-types";
import { daysUntil } from "../components/rules/lifecycle";
import type { WaiverInForce } from "../components/rules";
import { catalogFor, identityActions, sqlGrantsOf, toolAccess } from "./inventory-access";

export interface InventoryRow {
  readonly stack: string;
  readonly agent: string;
  readonly identity: string;
  readonly owner: string;
  readonly sponsor: string;
  readonly tier: string;
  readonly expires: string;
  /** Whole days from the review date to `expires`; negative when already expired. */
  readonly daysLeft: number;
  /** The agent's declared data-class ceiling. */
  readonly dataClass: string;
  readonly serviceAccount: string;
  readonly iamRole: string;
  /** tagged-sessions (execution): the tool role only Vault assumes, one session per tool; "" otherwise. */
  readonly toolRole: string;
  /** AWS service prefixes of the actions the role allows (`s3`, `sqs`...). */
  readonly services: readonly string[];
  /** Every allowed action with its IAM access level: `s3:GetObject (Read)`. */
  readonly actions: readonly string[];
  /** What the identity reaches: IAM resources, database connections, roles Vault assumes for it. */
  readonly resources: readonly string[];
  /** `path (capabilities)` of its Vault policy. */
  readonly vaultPaths: readonly string[];
  /** What each database tool's SQL user is granted: `ledger: SELECT on table invoices`. */
  readonly sqlGrants: readonly string[];
  /** One line per tool: `name [data class]: actions (level) on resources; Vault path (capabilities); SQL grants`. */
  readonly tools: readonly string[];
  /** Vault token TTLs and every dynamic-secret TTL, as `what ttl/max`. */
  readonly ttls: readonly string[];
  /** Exceptions in force for this identity: `rule until date (approver): reason`. */
  readonly waivers: readonly string[];
  /** `active`; `revoked` (declared); `revoked-on-expiry` (past `expires`: compiled as revoked until renewed). */
  readonly status: "active" | "revoked" | "revoked-on-expiry";
  /** `active`, or `revoked <at>: <reason>`. */
  readonly revocation: string;
}

export interface Inventory {
  readonly stack: string;
  /** The review date (YYYY-MM-DD) `daysLeft` is counted from. */
  readonly date: string;
  readonly rows: readonly InventoryRow[];
}

const unique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

function reach(identity: IdentityPlan): { services: string[]; resources: string[] } {
  const services: string[] = [];
  const resources: string[] = [];
  // The tool role too (tagged sessions): what the identity's tools reach, whichever role holds it.
  for (const policy of identityRoles(identity).flatMap((role) => role.policies)) {
    for (const statement of policy.document.Statement) {
      if (statement.Effect !== "Allow") continue;
      for (const action of asList(statement.Action)) services.push(action.split(":")[0].toLowerCase());
      resources.push(...asList(statement.Resource));
    }
  }
  for (const secret of identity.vault.secretRoles) {
    if (secret.type === "database") resources.push(`database connection ${secret.dbName}`);
    else if (!isOwnToolSession(identity, secret)) resources.push(...secret.roleArns);
  }
  return { services: unique(services), resources: unique(resources) };
}

function ttls(identity: IdentityPlan): string[] {
  const out: string[] = [];
  const { role, secretRoles } = identity.vault;
  if (role) out.push(`vault token ${formatDuration(role.tokenTtl)}/${formatDuration(role.tokenMaxTtl)}`);
  for (const secret of secretRoles) {
    out.push(
      secret.type === "database"
        ? `${secret.credentialsPath} ${formatDuration(secret.defaultTtl)}/${formatDuration(secret.maxTtl)}`
        : `${secret.credentialsPath} ${formatDuration(secret.defaultStsTtl)}/${formatDuration(secret.maxStsTtl)}`,
    );
  }
  out.push(`iam session ${formatDuration(identity.iamRole.maxSessionDuration)}`);
  if (identity.toolRole) out.push(`tool sessions: one per tool, minted by Vault (${identity.toolRole.name})`);
  return out;
}

function waiversFor(agent: AgentPlan, identity: IdentityPlan, waivers: readonly WaiverInForce[]): string[] {
  return waivers
    .filter((w) => w.agent === agent.name && (w.identity === null || w.identity === identity.kind))
    .map((w) => `${w.rule} until ${w.expires} (${w.approvedBy}): ${w.reason}`);
}

export function buildInventory(plan: FleetPlan, waivers: readonly WaiverInForce[], now: Date): Inventory {
  const catalog = catalogFor(plan.agents);
  const rows = plan.agents.flatMap((agent) =>
    agent.identities.map((identity): InventoryRow => {
      const { services, resources } = reach(identity);
      return {
        stack: plan.stack,
        agent: agent.name,
        identity: identity.kind,
        owner: agent.owner,
        sponsor: agent.sponsor,
        tier: agent.tier,
        expires: agent.expires,
        daysLeft: daysUntil(agent.expires, now),
        dataClass: agent.maxDataClass,
        serviceAccount: `${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`,
        iamRole: identity.iamRole.arn,
        toolRole: identity.toolRole?.arn ?? "",
        services,
        actions: identityActions(identity, catalog),
        resources,
        vaultPaths: (identity.vault.policy?.paths ?? []).map((p) => `${p.path} (${p.capabilities.join(",")})`),
        sqlGrants: identity.vault.secretRoles.flatMap((role) => (role.type === "database" ? sqlGrantsOf(role).map((grant) => `${role.tool}: ${grant}`) : [])),
        tools: toolAccess(agent, identity, catalog),
        ttls: ttls(identity),
        waivers: waiversFor(agent, identity, waivers),
        status: agent.revoked ? (agent.revoked.onExpiry ? "revoked-on-expiry" : "revoked") : "active",
        revocation: agent.revoked ? `revoked ${agent.revoked.at}: ${agent.revoked.reason}` : "active",
      };
    }),
  );
  return { stack: plan.stack, date: now.toISOString().slice(0, 10), rows };
}

/**
 * Rows that need renewal within `days` (already expired included, revoked on expiry or not; agents
 * revoked by declaration excluded, they need removal, not renewal), grouped by owner, owners and
 * rows sorted by days left.
 */
export function expiringByOwner(inventory: Inventory, days: number): { owner: string; rows: InventoryRow[] }[] {
  const groups = new Map<string, InventoryRow[]>();
  for (const row of inventory.rows) {
    if (row.status === "revoked" || row.daysLeft > days) continue;
    groups.set(row.owner, [...(groups.get(row.owner) ?? []), row]);
  }
  return [...groups.entries()]
    .map(([owner, rows]) => ({ owner, rows: rows.sort((a, b) => a.daysLeft - b.daysLeft || a.agent.localeCompare(b.agent)) }))
    .sort((a, b) => a.owner.localeCompare(b.owner));
}

/** `30d` → 30. Days only: expiry is a date, so finer units would mean nothing. Bounded to 10 years. */
export function parseWithinDays(value: string): number {
  const match = /^(\d{1,4})d$/.exec(value);
  if (!match || Number(match[1]) > 3660) throw new Error(`--expiring must be a number of days like 30d (at most 3660d), got "${value}"`);
  return Number(match[1]);
}
