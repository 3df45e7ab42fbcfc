/**
 * Classification of every change kind on hand-built plan pairs: a base plan compiled from a
 * declaration, and a head plan edited the way a person would edit the JSON (or compiled from an
 * edited declaration). Each case lists every change it must produce, nothing more.
 */
import { describe, expect, it } from "vitest";
import { CHANGE_KINDS, renderMarkdown, type IdentityDiff } from "../../components/diff";
import { agent, diffOf, edited, identityOf, planJson, statementsOf, type PlanJson } from "../helpers/diff-plans";

const ALPHA = agent("alpha", {
  approval: { ticket: "SEC-1", approvedBy: "sec@example.com" },
  tools: [
    { name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/alpha/*"] }] },
    { name: "ledger", database: { connection: "ledger", creationStatements: ['CREATE ROLE "{{name}}"; GRANT SELECT ON invoices TO "{{name}}";'], ttl: "10m" } },
    { name: "api-key", kv: { path: "api-key" } },
    { name: "reports", vaultAws: { roleArn: "arn:aws:iam::444455556666:role/reports-reader", ttl: "15m" } },
  ],
});
const BETA = agent("beta");
const BASE = planJson([ALPHA, BETA]);
const REGION = { StringEquals: { "aws:RequestedRegion": "us-east-1" } };
/** What the compiler writes on a statement naming S3 resources (S3 ARNs carry no account). */
const S3_REGION = { StringEquals: { ...REGION.StringEquals, "s3:ResourceAccount": "111122223333" } };

/** One line per change, platform first: `agent/identity kind classification`. */
function lines(diff: IdentityDiff): string[] {
  return [...diff.platform, ...diff.changes].map((c) => `${c.agent}/${c.identity ?? "-"} ${c.kind} ${c.classification}`);
}

interface Case {
  readonly name: string;
  readonly head: PlanJson;
  readonly base?: PlanJson;
  /** Every change, in output order. */
  readonly expected: readonly string[];
}

const execution = (plan: PlanJson, name = "alpha") => identityOf(plan, name, "execution");
const readData = (plan: PlanJson) => statementsOf(plan, "alpha", "execution")[0];

const revokedAlpha = planJson([{ ...ALPHA, revoked: { at: "2026-11-28T09:30:00Z", reason: "incident" } }, BETA]);
const ledger = (plan: PlanJson) => execution(plan).vault.secretRoles.find((r: { type: string }) => r.type === "database");
const withRevocation = (statements: string[]) => edited(BASE, (p) => (ledger(p).revocationStatements = statements));
const DROP = [
  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';",
  'DROP OWNED BY "{{name}}";',
  'DROP ROLE IF EXISTS "{{name}}";',
];
const CREATE = "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';";
const withCreation = (statements: string[]) => edited(BASE, (p) => (ledger(p).creationStatements = statements));
const SELECT_INSERT = [CREATE, 'GRANT SELECT, INSERT ON invoices TO "{{name}}";'];
const EXCEPTION = {
  rule: "iam/resource-wildcard",
  agent: "alpha",
  identity: "execution",
  reason: "legacy bucket layout",
  approvedBy: "sec@example.com",
  expires: "2027-01-31",
};
const withExceptions = (exceptions: object[]) => edited(BASE, (p) => (p.platform.exceptions = exceptions));
const withLimits = (limits: object | undefined) => edited(BASE, (p) => (limits ? (p.platform.limits = limits) : delete p.platform.limits));
const STRICT_LIMITS = { requireApproval: true, requirePermissionsBoundary: true, maxDataClass: "confidential", tokenTtl: "5m" };

const CASES: Case[] = [
  { name: "identical plans", head: edited(BASE, () => {}), expected: [] },
  {
    name: "the same revocation instant written with an offset and milliseconds",
    base: revokedAlpha,
    head: edited(revokedAlpha, (p) => (p.agents[0].revoked.at = "2026-11-28T10:30:00.000+01:00")),
    expected: [],
  },
  {
    name: "every Vault role moved to another Kubernetes auth mount (another cluster)",
    head: edited(BASE, (p) => {
      p.platform.vault.kubernetesAuthPath = "kubernetes-other";
      for (const a of p.agents) for (const i of a.identities) i.vault.role.backend = "kubernetes-other";
    }),
    expected: [
      "(platform)/- platform-changed widens",
      ...["alpha", "beta"].flatMap((a) => ["orchestration", "execution", "audit"].map((i) => `${a}/${i} vault-binding-changed widens`)),
    ],
  },
  {
    name: "one Vault role's mount changed in a hand-edited plan",
    head: edited(BASE, (p) => (execution(p).vault.role.backend = "kubernetes-other")),
    expected: ["alpha/execution vault-binding-changed widens"],
  },
  { name: "database revocation removed", base: withRevocation(DROP), head: withRevocation([]), expected: ["alpha/execution secret-role-changed widens"] },
  {
    name: "database revocation made a no-op",
    base: withRevocation(DROP),
    head: withRevocation(["SELECT 1;"]),
    expected: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "database revocation that no longer drops the user",
    base: withRevocation(DROP),
    head: withRevocation(DROP.slice(0, 2)),
    expected: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "database revocation that no longer ends sessions",
    base: withRevocation(DROP),
    head: withRevocation(DROP.slice(1)),
    expected: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "database revocation re-laid out (same parse)",
    base: withRevocation(DROP),
    head: withRevocation([DROP.join("\n  ").replace("DROP OWNED BY", "drop   owned by")]),
    expected: [],
  },
  {
    name: "database revocation that drops the user, where there was none",
    head: withRevocation(DROP),
    expected: ["alpha/execution secret-role-changed narrows"],
  },
  {
    name: "creation statements re-laid out (same grants)",
    base: withCreation(SELECT_INSERT),
    head: withCreation([`${CREATE}\n grant insert, select on invoices to "{{name}}"`]),
    expected: [],
  },
  {
    name: "creation statements grant less",
    base: withCreation(SELECT_INSERT),
    head: withCreation([CREATE, 'GRANT SELECT ON invoices TO "{{name}}";']),
    expected: ["alpha/execution secret-role-changed narrows"],
  },
  {
    name: "creation statements grant another table",
    base: withCreation(SELECT_INSERT),
    head: withCreation([CREATE, 'GRANT SELECT ON payouts TO "{{name}}";']),
    expected: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "creation statements outside the allowlist",
    base: withCreation(SELECT_INSERT),
    head: withCreation([CREATE, 'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{{name}}";']),
    expected: ["alpha/execution secret-role-changed widens"],
  },
  {
    name: "a tool's data class raised within the agent's ceiling",
    head: edited(BASE, (p) => (p.agents[0].tools.find((t: { name: string }) => t.name === "ledger").dataClass = "confidential")),
    expected: ["alpha/- tool-data-class-changed widens"],
  },
  {
    name: "a tool's data class lowered",
    head: edited(BASE, (p) => (p.agents[0].tools.find((t: { name: string }) => t.name === "ledger").dataClass = "public")),
    expected: ["alpha/- tool-data-class-changed narrows"],
  },
  {
    name: "a database connection added, another's plugin changed",
    head: edited(BASE, (p) => {
      p.platform.vault.databaseConnections[0].plugin = "mysql-database-plugin";
      p.platform.vault.databaseConnections.push({ name: "warehouse", plugin: "postgresql-database-plugin", schemas: ["public"] });
    }),
    expected: ["(platform)/- platform-changed widens", "(platform)/- platform-changed widens"],
  },
  { name: "exception added", head: withExceptions([EXCEPTION]), expected: ["(platform)/- exception-added widens"] },
  { name: "exception removed", base: withExceptions([EXCEPTION]), head: BASE, expected: ["(platform)/- exception-removed narrows"] },
  {
    name: "exception extended",
    base: withExceptions([EXCEPTION]),
    head: withExceptions([{ ...EXCEPTION, expires: "2027-02-28" }]),
    expected: ["(platform)/- exception-changed widens"],
  },
  {
    name: "exception shortened",
    base: withExceptions([EXCEPTION]),
    head: withExceptions([{ ...EXCEPTION, expires: "2026-12-31" }]),
    expected: ["(platform)/- exception-changed narrows"],
  },
  {
    name: "exception widened to every identity",
    base: withExceptions([EXCEPTION]),
    head: withExceptions([
      { rule: EXCEPTION.rule, agent: EXCEPTION.agent, reason: EXCEPTION.reason, approvedBy: EXCEPTION.approvedBy, expires: EXCEPTION.expires },
    ]),
    expected: ["(platform)/- exception-changed widens"],
  },
  {
    name: "exception moved to another rule",
    base: withExceptions([EXCEPTION]),
    head: withExceptions([{ ...EXCEPTION, rule: "iam/action-wildcard" }]),
    expected: ["(platform)/- exception-added widens", "(platform)/- exception-removed narrows"],
  },
  {
    name: "exception re-worded",
    base: withExceptions([EXCEPTION]),
    head: withExceptions([{ ...EXCEPTION, reason: "legacy bucket layout, INC-7" }]),
    expected: ["(platform)/- exception-changed neutral"],
  },
  {
    name: "limits removed (approval, boundary, data class, token TTL)",
    base: withLimits(STRICT_LIMITS),
    head: withLimits(undefined),
    expected: [
      "(platform)/- limit-changed widens",
      "(platform)/- limit-changed widens",
      "(platform)/- limit-changed widens",
      "(platform)/- limit-changed widens",
    ],
  },
  {
    name: "limits loosened one by one",
    base: withLimits(STRICT_LIMITS),
    head: withLimits({ requireApproval: false, requirePermissionsBoundary: true, maxDataClass: "restricted", tokenTtl: "10m" }),
    expected: ["(platform)/- limit-changed widens", "(platform)/- limit-changed widens", "(platform)/- limit-changed widens"],
  },
  { name: "limits added", base: withLimits(undefined), head: withLimits(STRICT_LIMITS), expected: Array(4).fill("(platform)/- limit-changed narrows") },
  {
    name: "shared namespace renamed on the platform, an inline policy renamed",
    head: edited(BASE, (p) => {
      p.platform.kubernetes.namespace = "agents-2";
      execution(p).iamRole.policies[0].name = "tools";
    }),
    expected: ["(platform)/- attribute-changed neutral", "alpha/execution attribute-changed neutral"],
  },
  {
    name: "a new grant already covered by a grant the identity keeps",
    base: edited(BASE, (p) => (readData(p).Resource = ["arn:aws:s3:::acme-data/*"])),
    head: edited(BASE, (p) => {
      readData(p).Resource = ["arn:aws:s3:::acme-data/*"];
      statementsOf(p, "alpha", "execution").push({
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::acme-data/alpha/reports/*"],
        Condition: { ...S3_REGION, Bool: { "aws:SecureTransport": "true" } },
      });
    }),
    expected: ["alpha/execution permission-added neutral"],
  },
  {
    name: "a new grant with looser conditions than the grant that would cover it",
    base: edited(BASE, (p) => (readData(p).Resource = ["arn:aws:s3:::acme-data/*"])),
    head: edited(BASE, (p) => {
      readData(p).Resource = ["arn:aws:s3:::acme-data/*"];
      statementsOf(p, "alpha", "execution").push({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-data/alpha/reports/*"] });
    }),
    expected: ["alpha/execution permission-added widens"],
  },
  {
    name: "reordered agents, identities, policies, statements, actions and condition values",
    head: edited(BASE, (p) => {
      p.agents.reverse();
      for (const a of p.agents) {
        a.identities.reverse();
        for (const i of a.identities) {
          for (const policy of i.iamRole.policies) {
            policy.document.Statement.reverse();
            for (const s of policy.document.Statement) if (Array.isArray(s.Action)) s.Action.reverse();
          }
          i.vault.policy.paths.reverse();
        }
      }
      statementsOf(p, "alpha", "orchestration")[0].Action.reverse();
      statementsOf(p, "alpha", "orchestration")[0].Condition.StringEquals["aws:RequestedRegion"] = ["us-east-1"];
    }),
    expected: [],
  },
  {
    name: "resource wildcard widened (bucket/alpha/* to bucket/*)",
    head: edited(BASE, (p) => (readData(p).Resource = ["arn:aws:s3:::acme-data/*"])),
    expected: ["alpha/execution permission-changed widens"],
  },
  {
    name: "resource narrowed while the same statement gains an action",
    head: edited(BASE, (p) => Object.assign(readData(p), { Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::acme-data/alpha/reports/*"] })),
    expected: ["alpha/execution permission-added widens", "alpha/execution permission-changed narrows"],
  },
  {
    name: "resource moved elsewhere (neither contains the other): add plus remove",
    head: edited(BASE, (p) => (readData(p).Resource = ["arn:aws:s3:::acme-other/alpha/*"])),
    expected: ["alpha/execution permission-added widens", "alpha/execution permission-removed narrows"],
  },
  {
    name: "action widened to a wildcard",
    head: edited(BASE, (p) => (readData(p).Action = ["s3:Get*"])),
    expected: ["alpha/execution permission-changed widens"],
  },
  {
    name: "region condition removed",
    head: edited(BASE, (p) => delete readData(p).Condition),
    expected: ["alpha/execution permission-changed widens"],
  },
  {
    name: "condition tightened with another key",
    head: edited(BASE, (p) => (readData(p).Condition = { StringEquals: { ...S3_REGION.StringEquals, "aws:ResourceAccount": "111122223333" } })),
    expected: ["alpha/execution permission-changed narrows"],
  },
  {
    name: "region swapped (incomparable: treated as widening)",
    head: edited(BASE, (p) => (readData(p).Condition = { StringEquals: { "aws:RequestedRegion": "eu-west-1" } })),
    expected: ["alpha/execution permission-changed widens"],
  },
  {
    name: "statement removed",
    head: edited(BASE, (p) => execution(p).iamRole.policies[0].document.Statement.splice(0, 1)),
    expected: ["alpha/execution permission-removed narrows"],
  },
  {
    name: "a Deny that covers less widens",
    head: edited(BASE, (p) => (statementsOf(p, "alpha", "audit")[1].Resource = ["arn:aws:logs:us-east-1:111122223333:log-group:other:*"])),
    expected: ["alpha/audit permission-changed widens"],
  },
  {
    name: "trust loses its ServiceAccount pin",
    head: edited(BASE, (p) => {
      const condition = execution(p).iamRole.trustPolicy.Statement[0].Condition.StringEquals;
      for (const key of Object.keys(condition)) if (key.endsWith(":sub")) delete condition[key];
    }),
    expected: ["alpha/execution trust-changed widens"],
  },
  {
    name: "trust admits another principal",
    head: edited(BASE, (p) =>
      execution(p).iamRole.trustPolicy.Statement.push({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:root" }, Action: "sts:AssumeRole" }),
    ),
    expected: ["alpha/execution trust-added widens"],
  },
  {
    name: "trust statement removed",
    head: edited(BASE, (p) => (execution(p).iamRole.trustPolicy.Statement = [])),
    expected: ["alpha/execution trust-removed narrows"],
  },
  {
    name: "ServiceAccount renamed: trust and Vault binding follow",
    head: edited(BASE, (p) => {
      const i = execution(p);
      i.serviceAccount.name = "alpha-exec";
      const condition = i.iamRole.trustPolicy.Statement[0].Condition.StringEquals;
      for (const key of Object.keys(condition)) if (key.endsWith(":sub")) condition[key] = "system:serviceaccount:acme-test-alpha:alpha-exec";
      i.vault.role.boundServiceAccountNames = ["alpha-exec"];
    }),
    expected: ["alpha/execution service-account-changed neutral", "alpha/execution trust-changed widens", "alpha/execution vault-binding-changed widens"],
  },
  {
    name: "IAM role renamed",
    head: edited(BASE, (p) =>
      Object.assign(execution(p).iamRole, { name: "acme-test-alpha-exec", arn: "arn:aws:iam::111122223333:role/acme-test-alpha-exec" }),
    ),
    expected: ["alpha/execution iam-role-replaced neutral"],
  },
  {
    name: "permissions boundary dropped",
    head: edited(BASE, (p) => (execution(p).iamRole.permissionsBoundary = null)),
    expected: ["alpha/execution permissions-boundary-changed widens"],
  },
  {
    name: "permissions boundary added",
    base: edited(BASE, (p) => (execution(p).iamRole.permissionsBoundary = null)),
    head: BASE,
    expected: ["alpha/execution permissions-boundary-changed narrows"],
  },
  {
    name: "longer session, shorter token TTL",
    head: edited(BASE, (p) => {
      execution(p).iamRole.maxSessionDuration = 7200;
      execution(p).vault.role.tokenTtl = 300;
    }),
    expected: ["alpha/execution ttl-changed widens", "alpha/execution ttl-changed narrows"],
  },
  {
    name: "Vault role renamed and given another policy",
    head: edited(BASE, (p) => {
      execution(p).vault.role.name = "test-alpha-exec";
      execution(p).vault.role.tokenPolicies.push("shared-admin");
    }),
    expected: ["alpha/execution vault-role-replaced neutral", "alpha/execution vault-binding-changed widens"],
  },
  {
    name: "Vault role removed",
    head: edited(BASE, (p) => (execution(p).vault.role = null)),
    expected: ["alpha/execution vault-role-removed narrows"],
  },
  {
    name: "Vault role added",
    base: edited(BASE, (p) => (execution(p).vault.role = null)),
    head: BASE,
    expected: ["alpha/execution vault-role-added widens"],
  },
  {
    name: "Vault path added, removed, widened, and a capability added",
    head: edited(BASE, (p) => {
      const paths = execution(p).vault.policy.paths as { path: string; capabilities: string[] }[];
      const kv = paths.find((r) => r.path.includes("api-key"))!;
      kv.path = kv.path.replace("api-key", "*");
      paths.find((r) => r.path === "auth/token/lookup-self")!.capabilities.push("update");
      paths.push({ path: "kv/data/shared/config", capabilities: ["read"] });
      paths.splice(
        paths.findIndex((r) => r.path === "auth/token/revoke-self"),
        1,
      );
    }),
    expected: [
      "alpha/execution vault-path-added widens",
      "alpha/execution vault-path-added widens",
      "alpha/execution vault-path-removed narrows",
      "alpha/execution vault-path-changed widens",
    ],
  },
  {
    name: "Vault policy removed",
    head: edited(BASE, (p) => (identityOf(p, "beta", "audit").vault.policy = null)),
    expected: ["beta/audit vault-policy-removed narrows"],
  },
  {
    name: "secret roles: one added, one removed, one changed (TTL, statements, role ARNs)",
    head: edited(BASE, (p) => {
      const roles = execution(p).vault.secretRoles;
      const [database, aws] = [roles.find((r: { type: string }) => r.type === "database"), roles.find((r: { type: string }) => r.type === "aws")];
      database.defaultTtl = 1800;
      database.creationStatements = ['CREATE ROLE "{{name}}"; GRANT ALL ON invoices TO "{{name}}";'];
      aws.roleArns.push("arn:aws:iam::444455556666:role/reports-admin");
      execution(p, "beta").vault.secretRoles.push({ ...database, name: "test-beta-ledger" });
      roles.splice(roles.indexOf(database), 1, { ...database, name: "test-alpha-ledger2" });
    }),
    expected: [
      "alpha/execution secret-role-added widens",
      "alpha/execution secret-role-removed narrows",
      "alpha/execution secret-role-changed widens",
      "beta/execution secret-role-added widens",
    ],
  },
  {
    name: "secret role TTL, creation statements and role ARNs on the same role",
    head: edited(BASE, (p) => {
      const database = execution(p).vault.secretRoles.find((r: { type: string }) => r.type === "database");
      database.defaultTtl = 1800;
      database.creationStatements = ['CREATE ROLE "{{name}}"; GRANT ALL ON invoices TO "{{name}}";'];
    }),
    expected: ["alpha/execution secret-role-changed widens", "alpha/execution ttl-changed widens"],
  },
  {
    name: "agent fields: tier to a looser tier, data class up, expiry later, owner, sponsor, approval, namespace, retention",
    head: edited(BASE, (p) => {
      const a = p.agents.find((x) => x.name === "alpha")!;
      Object.assign(a, { tier: "batch", maxDataClass: "confidential", expires: "2100-01-01", owner: "team-x", sponsor: "x@example.com", approval: null });
      a.namespace.name = "shared";
      a.auditLogGroup.retentionDays = 90;
    }),
    base: edited(BASE, (p) => (p.agents.find((x) => x.name === "alpha")!.tier = "assistant")),
    expected: [
      "alpha/- tier-changed widens",
      "alpha/- data-class-changed widens",
      "alpha/- expiry-changed widens",
      "alpha/- owner-changed neutral",
      "alpha/- sponsor-changed neutral",
      "alpha/- approval-changed neutral",
      "alpha/- namespace-changed neutral",
      "alpha/- audit-retention-changed widens",
    ],
  },
  {
    name: "tier to a stricter tier, earlier expiry",
    head: edited(BASE, (p) =>
      Object.assign(
        p.agents.find((x) => x.name === "alpha")!,
        { tier: "high-risk", expires: "2027-03-01" },
      ),
    ),
    expected: ["alpha/- tier-changed narrows", "alpha/- expiry-changed narrows"],
  },
  {
    name: "agent removed",
    head: edited(BASE, (p) => (p.agents = p.agents.filter((a) => a.name !== "beta"))),
    expected: ["beta/- agent-removed narrows"],
  },
  {
    name: "identity removed",
    head: edited(BASE, (p) => (p.agents[1].identities = p.agents[1].identities.filter((i: { kind: string }) => i.kind !== "audit"))),
    expected: ["beta/audit identity-removed narrows"],
  },
  {
    name: "agent revoked",
    head: revokedAlpha,
    expected: [
      "alpha/- agent-revoked narrows",
      "alpha/- derived-changed neutral",
      "alpha/orchestration trust-changed narrows",
      "alpha/orchestration permission-added narrows",
      "alpha/orchestration vault-role-removed narrows",
      "alpha/orchestration vault-policy-removed narrows",
      "alpha/execution trust-changed narrows",
      "alpha/execution permission-added narrows",
      "alpha/execution vault-role-removed narrows",
      "alpha/execution vault-policy-removed narrows",
      "alpha/execution secret-role-removed narrows",
      "alpha/execution secret-role-removed narrows",
      "alpha/audit trust-changed narrows",
      "alpha/audit permission-added narrows",
      "alpha/audit vault-role-removed narrows",
      "alpha/audit vault-policy-removed narrows",
    ],
  },
];

const caseNamed = (prefix: string) => CASES.find((c) => c.name.startsWith(prefix))!;

describe("diff classification", () => {
  it.each(CASES)("$name", ({ base, head, expected }) => {
    expect(lines(diffOf(base ?? BASE, head))).toEqual(expected);
  });

  it("reports a widened resource with its before and after patterns", () => {
    const [change] = diffOf(BASE, caseNamed("resource wildcard widened").head).changes;
    expect(change).toMatchObject({
      before: "arn:aws:s3:::acme-data/alpha/*",
      after: "arn:aws:s3:::acme-data/*",
      detail: { field: "resource", subject: "s3:GetObject" },
    });
  });

  it("labels the added action of a narrowed statement with its access level", () => {
    const added = diffOf(BASE, caseNamed("resource narrowed while").head).changes.find((c) => c.kind === "permission-added")!;
    expect(added.detail.actions).toEqual([{ action: "s3:PutObject", accessLevel: "Write", flag: null }]);
    expect(added.after).toBe("arn:aws:s3:::acme-data/alpha/reports/*");
  });

  it("flags privilege-escalation and permissions-management actions that widen", () => {
    const head = edited(BASE, (p) =>
      statementsOf(p, "beta", "execution").push(
        { Effect: "Allow", Action: ["iam:PassRole"], Resource: ["arn:aws:iam::111122223333:role/runner"], Condition: REGION },
        { Effect: "Allow", Action: ["s3:PutBucketPolicy", "s3:ListBucket"], Resource: ["arn:aws:s3:::acme-data"], Condition: REGION },
      ),
    );
    const diff = diffOf(BASE, head);
    expect(diff.flagged.map((f) => [f.agent, f.identity, f.action, f.accessLevel, f.flag, f.resource])).toEqual([
      ["beta", "execution", "iam:PassRole", "Write", "privilege-escalation", "arn:aws:iam::111122223333:role/runner"],
      ["beta", "execution", "s3:PutBucketPolicy", "Permissions management", "permissions-management", "arn:aws:s3:::acme-data"],
    ]);
    expect(diff.summary).toMatchObject({ agentsChanged: 1, widening: 2, flagged: 2 });
    // The same actions being removed are not flagged.
    expect(diffOf(head, BASE).flagged).toEqual([]);
  });

  it("flags an escalation action whose condition is loosened, naming its resource", () => {
    const passRole = { Effect: "Allow", Action: ["iam:PassRole"], Resource: ["arn:aws:iam::111122223333:role/runner"], Condition: REGION };
    const base = edited(BASE, (p) => statementsOf(p, "beta", "execution").push(passRole));
    const head = edited(base, (p) => delete statementsOf(p, "beta", "execution").at(-1)!.Condition);
    const diff = diffOf(base, head);
    expect(lines(diff)).toEqual(["beta/execution permission-changed widens"]);
    expect(diff.flagged).toMatchObject([{ action: "iam:PassRole", flag: "privilege-escalation", resource: "arn:aws:iam::111122223333:role/runner" }]);
  });

  it("shows an added agent's whole identities and flags nothing it does not have", () => {
    const diff = diffOf(BASE, planJson([ALPHA, BETA, agent("gamma")]));
    const gamma = lines(diff).filter((l) => l.startsWith("gamma/"));
    expect(gamma.slice(0, 2)).toEqual(["gamma/- agent-added widens", "gamma/orchestration identity-added widens"]);
    expect(gamma).toContain("gamma/execution permission-added widens");
    expect(gamma).toContain("gamma/execution vault-role-added widens");
    // Only its audit identity's explicit Deny (never delete logs) narrows.
    expect(gamma.filter((l) => !l.endsWith("widens"))).toEqual(["gamma/audit permission-added narrows"]);
    expect(diff.summary).toMatchObject({ agentsChanged: 1, agentsAdded: 1, narrowing: 1, flagged: 0 });
  });

  it("shows a rename as remove plus add, each noting the IAM and Vault roles it replaces", () => {
    const diff = diffOf(BASE, planJson([ALPHA, agent("beta-two")]));
    expect(lines(diff).filter((l) => l.includes("/- "))).toEqual(["beta/- agent-removed narrows", "beta-two/- agent-added widens"]);
    for (const change of diff.changes.filter((c) => c.identity === null)) {
      const note = change.detail.notes.find((n) => n.includes("rename"));
      expect(note).toContain("acme-test-beta-execution");
      expect(note).toContain("acme-test-beta-two-execution");
      expect(note).toContain("test-beta-two-execution");
    }
  });

  it("shows, outside the new agent's fold, what a rename adds beyond the removed agent", () => {
    // The happy path: a plain rename adds nothing beyond the old agent.
    const plain = diffOf(BASE, planJson([ALPHA, agent("beta-two")]));
    expect(plain.changes.filter((c) => c.detail.beyondRenameOf)).toEqual([]);
    // One property away: the renamed agent also gets s3:DeleteObject.
    const head = edited(planJson([ALPHA, agent("beta-two")]), (p) =>
      statementsOf(p, "beta-two", "execution").push({ Effect: "Allow", Action: ["s3:DeleteObject"], Resource: ["arn:aws:s3:::acme-ledger/*"] }),
    );
    const diff = diffOf(BASE, head);
    const beyond = diff.changes.filter((c) => c.detail.beyondRenameOf === "beta");
    expect(beyond.map((c) => `${c.agent}/${c.identity} ${c.kind} ${c.classification}`)).toEqual(["beta-two/execution permission-added widens"]);
    expect(beyond[0].detail.notes[0]).toBe("beyond the rename of beta");
    expect(JSON.stringify(beyond[0])).toContain("s3:DeleteObject");
    const markdown = renderMarkdown(diff);
    const section = markdown.slice(markdown.indexOf("beta-two"));
    const fold = section.indexOf("<details>");
    expect(section.indexOf("s3:DeleteObject")).toBeGreaterThan(-1);
    expect(section.indexOf("s3:DeleteObject")).toBeLessThan(fold);
  });

  it("does not call unrelated agents a rename", () => {
    const diff = diffOf(BASE, planJson([ALPHA, agent("delta", { owner: "team-other" })]));
    expect(diff.changes.flatMap((c) => c.detail.notes).some((n) => n.includes("rename"))).toBe(false);
  });

  it("makes revocation its own change, with the lease revoke commands, and nothing widens", () => {
    const diff = diffOf(BASE, revokedAlpha);
    const revoked = diff.changes[0];
    expect(revoked).toMatchObject({ agent: "alpha", identity: null, kind: "agent-revoked", classification: "narrows" });
    expect(revoked.detail.commands?.[0]).toBe("vault lease revoke -prefix database/creds/test.alpha.ledger/");
    expect((revoked.detail.commands ?? []).slice(1).join("\n")).toMatch(
      /^# tool reports: .*\naws iam put-role-policy --role-name reports-reader --policy-name AWSRevokeOlderSessions /,
    );
    expect(diff.summary).toMatchObject({ widening: 0, agentsRevoked: 1 });
    expect(lines(diffOf(revokedAlpha, BASE))[0]).toBe("alpha/- agent-reinstated widens");
  });

  it("classifies a moved revocation time by the sessions it denies", () => {
    const later = edited(revokedAlpha, (p) => (p.agents[0].revoked.at = "2026-12-01T00:00:00Z"));
    expect(lines(diffOf(revokedAlpha, later)).filter((l) => l.includes("/- "))).toEqual(["alpha/- agent-revoked narrows"]);
    expect(lines(diffOf(later, revokedAlpha)).filter((l) => l.includes("/- "))).toEqual(["alpha/- agent-revoked widens"]);
    const reworded = edited(revokedAlpha, (p) => (p.agents[0].revoked.reason = "incident INC-1"));
    expect(lines(diffOf(revokedAlpha, reworded))).toEqual(["alpha/- agent-revoked neutral"]);
  });

  it("exercises every change kind", () => {
    const seen = new Set(CASES.flatMap((c) => c.expected.map((line) => line.split(" ")[1])));
    for (const extra of ["agent-added", "identity-added", "agent-reinstated"]) seen.add(extra); // asserted in the tests below
    seen.add("project-changed"); // asserted in test/diff/git-mode.test.ts (Pulumi.yaml read at each revision)
    seen.add("stack-config-changed"); // asserted in test/diff/git-mode.test.ts (stack settings the plan does not compare)
    expect([...CHANGE_KINDS].filter((kind) => !seen.has(kind))).toEqual([]);
  });
});
