/**
 * The kill switch: `revoked: { at, reason }` revokes an agent everywhere on the next deploy,
 * including sessions and leases issued before `at`.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AgentFleet } from "../components";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration } from "../components/core/schema";
import { runPlan } from "../cli/plan-command";
import { PLATFORM, TODAY_DATE, agent } from "./helpers/fixtures";
import { decide } from "./helpers/iam-oracle";
import { installMocks, resources, settle } from "./helpers/pulumi-mocks";

const AT = "2026-11-28T09:30:00Z";
const tools = (name: string) => [
  { name: "read", aws: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::acme-data/${name}/*`] }] },
  {
    name: "ledger",
    database: {
      connection: "main",
      creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON invoices TO "{{name}}";`],
      revocationStatements: ['REVOKE ALL ON invoices FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";'],
      ttl: "10m",
    },
  },
  { name: "reports", vaultAws: { roleArn: "arn:aws:iam::444455556666:role/reports-reader", ttl: "15m" } },
];
const declaration = {
  platform: {
    ...PLATFORM,
    shared: [
      {
        name: "reports-reader",
        vaultAwsRole: "arn:aws:iam::444455556666:role/reports-reader",
        agents: ["rogue", "sibling"],
        risk: "assumed read-only through Vault; the platform team reviewed what the role can read",
      },
      // A revoked agent's connection stays its own unless shared (separation/database-connection).
      { name: "main-db", databaseConnection: "main", agents: ["rogue", "sibling"] },
    ],
  },
  agents: [
    agent("rogue", { tools: tools("rogue"), revoked: { at: AT, reason: "INC-7 prompt injection exfiltrating invoices" } }),
    agent("sibling", { tools: tools("sibling") }),
  ],
};
const plan = compileFleet(parseDeclaration(declaration), "test");
const rogue = plan.agents.find((a) => a.name === "rogue")!;
const sibling = plan.agents.find((a) => a.name === "sibling")!;
const executionRole = (a: typeof rogue) => a.identities.find((i) => i.kind === "execution")!.iamRole;

describe("revoking an agent", () => {
  it("denies a session issued before `at`, while the unrevoked sibling is allowed the same call", async () => {
    const before = { "aws:TokenIssueTime": "2026-11-28T09:00:00Z" };
    expect(await decide(executionRole(rogue), { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/rogue/x.csv", context: before })).toBe(
      "ExplicitlyDenied",
    );
    expect(await decide(executionRole(sibling), { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/sibling/x.csv", context: before })).toBe("Allowed");
  });

  it("ends sessions of every identity, not only execution", async () => {
    const before = { "aws:TokenIssueTime": "2026-11-28T09:29:59Z" };
    for (const identity of rogue.identities) {
      const policy = identity.iamRole.policies.find((p) => p.name === "agent-identity-revoked");
      expect(policy?.document.Statement).toEqual([
        {
          Sid: "RevokeSessionsIssuedBeforeRevocation",
          Effect: "Deny",
          Action: ["*"],
          Resource: ["*"],
          Condition: { DateLessThan: { "aws:TokenIssueTime": AT } },
        },
      ]);
      expect(await decide(identity.iamRole, { action: "logs:PutLogEvents", resource: `${rogue.auditLogGroup.arn}:log-stream:x`, context: before })).toBe(
        "ExplicitlyDenied",
      );
    }
  });

  it("stops admitting new sessions: the one trust statement becomes a Deny", () => {
    for (const identity of rogue.identities) {
      const statements = identity.iamRole.trustPolicy.Statement;
      expect(statements).toHaveLength(1);
      expect(statements[0].Effect).toBe("Deny");
      expect(statements[0].Action).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    }
    for (const identity of sibling.identities) expect(identity.iamRole.trustPolicy.Statement[0].Effect).toBe("Allow");
  });

  it("removes the Vault roles, policies and secret roles, and lists the lease revoke commands", () => {
    for (const identity of rogue.identities) expect(identity.vault).toEqual({ role: null, additionalRoles: [], policy: null, secretRoles: [] });
    expect(rogue.revoked).toEqual({
      at: AT,
      reason: "INC-7 prompt injection exfiltrating invoices",
      onExpiry: false,
      leaseRevokeCommands: [
        "vault lease revoke -prefix database/creds/test.rogue.ledger/",
        expect.stringMatching(/^# tool reports: vault lease revoke does NOT end the STS credentials .*:role\/reports-reader .*account 444455556666:$/),
        expect.stringMatching(/^aws iam put-role-policy --role-name reports-reader --policy-name AWSRevokeOlderSessions --policy-document /),
      ],
    });
    // Vault does nothing on an STS lease revocation, so no `vault lease revoke` is offered for the AWS role.
    expect(rogue.revoked!.leaseRevokeCommands.some((command) => command.includes("aws/sts/"))).toBe(false);
  });

  it("keeps the ServiceAccounts (so the audit trail resolves) and registers no Vault role for the revoked agent", async () => {
    installMocks("test");
    new AgentFleet("platform", { ...declaration, validationDate: TODAY_DATE });
    await settle();
    const accounts = resources()
      .filter((r) => r.type === "kubernetes:core/v1:ServiceAccount")
      .map((r) => (r.inputs.metadata as { name: string }).name);
    expect(accounts).toEqual(expect.arrayContaining(["rogue-orchestration", "rogue-execution", "rogue-audit"]));
    const vaultNames = resources()
      .filter((r) => r.type.startsWith("vault:"))
      .map((r) => String(r.inputs.roleName ?? r.inputs.name));
    expect(vaultNames.filter((n) => n.includes("rogue"))).toEqual([]);
    expect(vaultNames.filter((n) => n.includes("sibling")).length).toBeGreaterThan(0);
  });

  it("deploys even when the agent is also expired: revocation must always be possible", async () => {
    const expired = { platform: PLATFORM, agents: [agent("rogue", { expires: "2020-01-01", revoked: { at: AT, reason: "expired and compromised" } })] };
    expect(() => new AgentFleet("platform", { ...expired, validationDate: TODAY_DATE })).not.toThrow();
    await settle();
  });

  it("expiry is revocation: an expired agent deploys revoked, with a warning and its runbook logged, beside its sibling", async () => {
    installMocks("test");
    const warnings: string[] = [];
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
    try {
      const expired = {
        ...declaration,
        agents: [agent("rogue", { tools: tools("rogue"), expires: "2026-10-31" }), agent("sibling", { tools: tools("sibling") })],
      };
      const fleet = new AgentFleet("platform", { ...expired, validationDate: TODAY_DATE });
      await settle();
      expect(fleet.plan.agents.find((a) => a.name === "rogue")!.revoked).toMatchObject({ at: "2026-11-01T00:00:00Z", onExpiry: true });
      const vaultNames = resources()
        .filter((r) => r.type.startsWith("vault:"))
        .map((r) => String(r.inputs.roleName ?? r.inputs.name));
      expect(vaultNames.filter((n) => n.includes("rogue"))).toEqual([]);
      expect(vaultNames.filter((n) => n.includes("sibling")).length).toBeGreaterThan(0);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`rogue/*: lifecycle/revoked-on-expiry: expired on 2026-10-31 (28 days overdue)`),
          expect.stringMatching(
            /^agent rogue is revoked on expiry; after this update, end the credentials already issued:\n {2}vault lease revoke -prefix database\/creds\//,
          ),
        ]),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("prints the revocation and the lease commands in `plan`", () => {
    const result = runPlan({ stack: "dev", date: "2026-11-28" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/REVOKED at .*\n {2}run after `pulumi up` to end credentials already issued:\n {4}vault lease revoke -prefix /);
  });
});

beforeEach(() => installMocks("test"));
