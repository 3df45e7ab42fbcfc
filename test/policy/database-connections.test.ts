/**
 * Which Vault database connections a stack with agents may write (database/connection-declared).
 * The sandbox stack (bootstrap on: AgentPlatform writes the connection `ledger`, which the
 * invoice-triage agent's secret role uses) passes on its own (test/policy/components-pass.test.ts);
 * each case adds or changes one thing. Attack round 13, section D: a second connection `reporting`
 * to the ledger database, with a role reading the agent's invoices, passed every database rule.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";
import { sandboxResources } from "../helpers/sandbox-resources";

const RULE = "database/connection-declared";
const CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection";
const ROLE = "vault:database/secretBackendRole:SecretBackendRole";
const SECRETS_MOUNT = "vault:database/secretsMount:SecretsMount";
const LEDGER_URL = "postgresql://{{username}}:{{password}}@ledger.sandbox.internal:5432/ledger?sslmode=verify-full";

let base: Resource[];
beforeAll(async () => {
  base = await sandboxResources();
}, 120_000);

const connection = (name: string, url: string, allowedRoles: string[], extra: object = {}): Resource => ({
  type: CONNECTION,
  name: `conn-${name}`,
  props: { backend: "database", name, allowedRoles, verifyConnection: true, postgresql: { connectionUrl: url, username: "vault", password: "x" }, ...extra },
});
const role = (name: string, dbName: string, grant: string): Resource => ({
  type: ROLE,
  name: `role-${name}`,
  props: {
    backend: "database",
    name,
    dbName,
    defaultTtl: 600,
    maxTtl: 3600,
    creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; ${grant}`],
    revocationStatements: ['DROP ROLE IF EXISTS "{{name}}";'],
  },
});
const reportingOnLedger = [connection("reporting", LEDGER_URL, ["bi"]), role("bi", "reporting", 'GRANT SELECT ON invoices TO "{{name}}";')];
const onRule = async (resources: readonly Resource[], config: object = {}) =>
  (await runPack(resources, undefined, config)).filter((f) => f.message.includes(`: ${RULE}: `));

describe("a database connection beside agents", () => {
  it("admits the agents' own connection (the sandbox's ledger, which the agent's secret role uses)", async () => {
    expect(await onRule(base)).toEqual([]);
  }, 120_000);

  it("refuses a second connection to the agent's database under another name until declared, naming the agent connection it repeats", async () => {
    const found = await onRule([...base, ...reportingOnLedger]);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("connection database/reporting is used by no agent's own secret role");
    expect(found[0]!.message).toContain("ledger.sandbox.internal:5432/ledger, the same database as agent connection database/ledger (used by invoice-triage)");
    expect(ruleIds(await runPack([...base, ...reportingOnLedger], undefined, declaring(reportingOnLedger[0]!)))).toEqual([]);
  }, 120_000);

  it("names the agent connection's server when only the host repeats, and refuses a connection to another server the same", async () => {
    const otherDatabase = await onRule([...base, connection("reporting", LEDGER_URL.replace("/ledger?", "/reports?"), ["bi"])]);
    expect(otherDatabase[0]!.message).toContain("names ledger.sandbox.internal, the server of agent connection database/ledger");
    const elsewhere = await onRule([...base, connection("webapp", LEDGER_URL.replace("ledger.sandbox.internal", "webapp.internal"), ["web"])]);
    expect(elsewhere).toHaveLength(1);
    expect(elsewhere[0]!.message).not.toContain("agent connection");
  }, 120_000);

  it("refuses one with allowedRoles empty too (an import twin keeps the allowed_roles Vault stores when a write leaves them out)", async () => {
    const finance = connection("finance", LEDGER_URL.replace("ledger", "finance"), []);
    expect(await onRule([...base, finance])).toHaveLength(1);
    expect(await onRule([...base, finance], declaring(finance))).toEqual([]);
  }, 120_000);

  it("refuses the agent's connection renamed, and a connection whose name is unknown at preview", async () => {
    const renamed = base.map((r) => (r.type === CONNECTION ? { ...r, props: { ...r.props, name: "ledger-v2" } } : r));
    expect(await onRule(renamed)).toHaveLength(1);
    expect(await onRule([...base, connection("reporting", LEDGER_URL, ["bi"], { name: UNKNOWN })])).toHaveLength(1);
  }, 120_000);

  it("judges each connection embedded in a database SecretsMount the same", async () => {
    const mount: Resource = {
      type: SECRETS_MOUNT,
      name: "reports-db",
      props: { path: "reports-db", postgresqls: [{ name: "reporting", connectionUrl: LEDGER_URL, username: "vault", password: "x", allowedRoles: ["bi"] }] },
    };
    const found = await onRule([...base, mount]);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("connection reports-db/reporting (postgresqls)");
  }, 120_000);

  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack(reportingOnLedger))).not.toContain(RULE);
  }, 120_000);
});
