/**
 * Defects of issue #8 ("Deployable for real"): audit log groups that can be retired, Vault names
 * that cannot collide, Vault fields gated on the declared version, session names that fit STS for
 * any pod name, and global services / global inference profiles bound to the region AWS evaluates.
 */
import { describe, expect, it } from "vitest";
import { planDeclaration } from "../components/validate";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration, type AgentInput, type PlatformInput } from "../components/core/schema";
import { workloadIdentity } from "../components/core/workload";
import { globalServiceRegion } from "../components/core/global-services";
import { compareVersions, vaultSupports } from "../components/core/vault-features";
import { checkUniqueVaultPaths } from "../components/rules/vault";
import { TIERS } from "../components/core/schema";
import type { FleetPlan, IamRolePlan } from "../components/core/plan-types";
import { componentResources } from "./helpers/component-resources";
import { decide } from "./helpers/iam-oracle";
import { PLATFORM, TODAY, agent } from "./helpers/fixtures";

const HIGH_RISK: Partial<AgentInput> = { tier: "high-risk", approval: { ticket: "SEC-1", approvedBy: "sec@example.com" } };

function plan(agents: AgentInput[], platform: PlatformInput = PLATFORM): FleetPlan {
  return planDeclaration({ platform, agents }, "test", TODAY).plan;
}

function role(fleet: FleetPlan, agentName: string, kind: "orchestration" | "execution" | "audit"): IamRolePlan {
  return fleet.agents.find((a) => a.name === agentName)!.identities.find((i) => i.kind === kind)!.iamRole;
}

describe("audit log groups", () => {
  it("keep deletion protection by default and let a revoked agent's declaration turn it off", async () => {
    const fleet = plan([
      agent("keep"),
      agent("retire", { revoked: { at: "2026-11-01T00:00:00Z", reason: "retired" }, audit: { logRetentionDays: 30, deletionProtection: false } }),
    ]);
    expect(fleet.agents.map((a) => [a.name, a.auditLogGroup.deletionProtection])).toEqual([
      ["keep", true],
      ["retire", false],
    ]);
    const groups = (
      await componentResources({
        platform: PLATFORM,
        agents: [
          agent("keep"),
          agent("retire", { revoked: { at: "2026-11-01T00:00:00Z", reason: "retired" }, audit: { logRetentionDays: 30, deletionProtection: false } }),
        ],
      })
    ).filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
    expect(groups.map((g) => [g.props.name, g.props.deletionProtectionEnabled])).toEqual([
      ["/acme/test/agents/keep/audit", true],
      ["/acme/test/agents/retire/audit", false],
    ]);
  });
});

describe("Vault secret role names", () => {
  const database = (connection: string) => ({
    connection,
    creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`],
    revocationStatements: [`DROP ROLE IF EXISTS "{{name}}";`],
    ttl: "10m",
  });
  const collide = [
    agent("ledger", { tools: [{ name: "sync-db", database: database("ledger-a") }] }),
    agent("ledger-sync", { tools: [{ name: "db", database: database("ledger-b") }] }),
  ];
  const twoConnections: PlatformInput = {
    ...PLATFORM,
    vault: {
      ...PLATFORM.vault,
      databaseConnections: [
        { name: "ledger-a", plugin: "postgresql-database-plugin" },
        { name: "ledger-b", plugin: "postgresql-database-plugin" },
      ],
    },
  };

  it("stay distinct for agent ledger + tool sync-db and agent ledger-sync + tool db, and the fleet plans cleanly", () => {
    const fleet = plan(collide, twoConnections);
    const names = fleet.agents.map((a) => a.identities.find((i) => i.kind === "execution")!.vault.secretRoles[0].name);
    expect(names).toEqual(["test.ledger.sync-db", "test.ledger-sync.db"]);
    // Vault's name pattern for database and AWS roles: \w([\w-.]*\w)? (sdk/framework/path.go).
    for (const name of names) expect(name).toMatch(/^\w([\w.-]*\w)?$/);
  });

  it("name the real cause when two identities would still share a Vault path", () => {
    // The old `<env>-<agent>-<tool>` scheme, applied by hand to a compiled plan.
    const fleet = compileFleet(parseDeclaration({ platform: twoConnections, agents: collide }), "test");
    const oldScheme: FleetPlan = {
      ...fleet,
      agents: fleet.agents.map((a) => ({
        ...a,
        identities: a.identities.map((i) => ({
          ...i,
          vault: {
            ...i.vault,
            secretRoles: i.vault.secretRoles.map((s) => ({ ...s, name: s.name.replace(/\./g, "-"), credentialsPath: s.credentialsPath.replace(/\./g, "-") })),
          },
        })),
      })),
    };
    const findings = checkUniqueVaultPaths(oldScheme);
    expect(findings.map((f) => `${f.agent}/${f.identity}`)).toEqual(["ledger/execution", "ledger-sync/execution", "ledger/execution", "ledger-sync/execution"]);
    expect(findings[0].message).toContain('Vault path "database/roles/test-ledger-sync-db"');
    expect(findings[0].message).toContain('ledger-sync/execution (database secret role "test-ledger-sync-db" of tool db)');
    expect(findings[0].fix).toMatch(/naming collision, not a shared grant/);
    expect(checkUniqueVaultPaths(fleet)).toEqual([]);
  });

  it("end the lease prefix with a slash so revoking one role never reaches a sibling", () => {
    const fleet = plan([agent("gone", { revoked: { at: "2026-11-01T00:00:00Z", reason: "incident" }, tools: collide[0].tools })]);
    expect(fleet.agents[0].revoked!.leaseRevokeCommands).toEqual(["vault lease revoke -prefix database/creds/test.gone.sync-db/"]);
  });
});

describe("Vault version gates", () => {
  const roleOf = (vault: Partial<PlatformInput["vault"]>) =>
    plan([agent("a")], { ...PLATFORM, vault: { ...PLATFORM.vault, ...vault } }).agents[0].identities[0].vault.role!;

  it("emit alias metadata only for a declared Vault Enterprise 1.21 or later", () => {
    expect(roleOf({ version: "1.21.1", edition: "enterprise" }).aliasMetadata).toMatchObject({ agent: "a", owner: "team-test" });
    expect(roleOf({ version: "1.22", edition: "enterprise" }).aliasMetadata).not.toBeNull();
    expect(roleOf({ version: "1.20.9", edition: "enterprise" }).aliasMetadata).toBeNull();
    expect(roleOf({ version: "1.21.1", edition: "community" }).aliasMetadata).toBeNull();
    expect(roleOf({ version: undefined, edition: "enterprise" }).aliasMetadata).toBeNull();
    // The audience is not version-gated: it is what pins the token to Vault.
    expect(roleOf({ version: undefined }).audience).toBe("vault");
  });

  it("leave aliasMetadata out of the Vault role resource (not an empty map) when the server lacks it", async () => {
    const platform = { ...PLATFORM, vault: { ...PLATFORM.vault, version: "1.19.0", edition: "community" as const } };
    const roles = (await componentResources({ platform, agents: [agent("a")] })).filter((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole");
    expect(roles).toHaveLength(3);
    for (const r of roles) expect(r.props.aliasMetadata).toBeUndefined();
  });

  it("compare versions numerically", () => {
    expect(compareVersions("1.9.0", "1.21.0")).toBe(-1);
    expect(compareVersions("1.21", "1.21.0")).toBe(0);
    expect(vaultSupports({ version: "1.100.0", edition: "enterprise" }, "aliasMetadata")).toBe(true);
  });

  it("refuse a version that is not a version", () => {
    expect(() => parseDeclaration({ platform: { ...PLATFORM, vault: { ...PLATFORM.vault, version: "latest" } }, agents: [] })).toThrow(
      /a Vault version like 1.21.1/,
    );
  });
});

describe("AWS_ROLE_SESSION_NAME", () => {
  const STS_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
  const uid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const long = (n: number) => "w".repeat(n);
  // Deployment pod `<name>-<10-char rs hash>-<5>` (generateName keeps it to 63), StatefulSet
  // `<name>-<ordinal>`, Job `<name>-<5>`, and a bare pod at the 253-character object-name limit.
  const podNames = [`${long(46)}-7d9f8b6c5d-x2x7q`, `${long(60)}-12`, `${long(57)}-abcde`, long(253)];

  for (const tier of TIERS) {
    it(`fits STS's 64 characters for every identity of a ${tier} agent with a 40-character name, for any pod name`, () => {
      const name = "quarterly-revenue-reconciler-emea-region";
      const fleet = plan([agent(name, tier === "high-risk" ? HIGH_RISK : { tier })]);
      for (const identity of fleet.agents[0].identities) {
        const env = workloadIdentity(identity, { vaultAudience: "vault" }).env as Array<{
          name: string;
          value?: string;
          valueFrom?: { fieldRef: { fieldPath: string } };
        }>;
        const session = env.find((e) => e.name === "AWS_ROLE_SESSION_NAME")!.value!;
        const uidIndex = env.findIndex((e) => e.valueFrom?.fieldRef.fieldPath === "metadata.uid");
        // Kubernetes expands $(VAR) only for variables defined earlier in the list.
        expect(uidIndex).toBeGreaterThanOrEqual(0);
        expect(uidIndex).toBeLessThan(env.findIndex((e) => e.name === "AWS_ROLE_SESSION_NAME"));
        for (const podName of podNames) {
          const values: Record<string, string> = { POD_NAME: podName, POD_UID: uid };
          const expanded = session.replace(/\$\(([A-Z_]+)\)/g, (_, v: string) => values[v]);
          expect(expanded.length, `${identity.kind} with pod ${podName.length} chars`).toBeLessThanOrEqual(64);
          expect(expanded).toMatch(STS_SESSION_NAME);
          // The trust policy's `sts:RoleSessionName` pin (high-risk) is the same prefix.
          expect(expanded.startsWith(identity.sessionNamePrefix ?? session.replace("$(POD_UID)", ""))).toBe(true);
          expect(expanded.startsWith("quarterly-re")).toBe(true);
        }
        if (tier === "high-risk")
          expect(identity.iamRole.trustPolicy.Statement[0].Condition?.StringLike).toEqual({ "sts:RoleSessionName": `${identity.sessionNamePrefix}*` });
      }
    });
  }
});

describe("global services", () => {
  const EU: PlatformInput = {
    ...PLATFORM,
    aws: {
      ...PLATFORM.aws,
      region: "eu-west-1",
      oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    },
    // Regional roots follow the platform into its region.
    ownableRoots: PLATFORM.ownableRoots!.map((root) => root.replace(":us-east-1:", ":eu-west-1:")),
    // A role or a hosted zone is never an agent's own (not an ownable type): reading one is a declared share.
    shared: [
      {
        name: "reporting-reader",
        resource: "arn:aws:iam::111122223333:role/reporting-reader",
        access: [{ name: "read-role", agents: ["dns-audit"] }],
        risk: "reveals the reporting role's trust and tags, which name no secret",
      },
      {
        name: "zone-reader",
        resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
        access: [{ name: "read-hosted-zone", agents: ["dns-audit"] }],
        risk: "reveals the zone's records, which are public DNS",
      },
    ],
  };
  const ROLE = "arn:aws:iam::111122223333:role/reporting-reader";
  const ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";
  const dns = agent("dns-audit", {
    owns: ["arn:aws:s3:::acme-data/dns-audit/*"],
    tools: [
      {
        name: "inspect",
        aws: [
          { actions: ["iam:GetRole"], resources: [ROLE] },
          { actions: ["route53:GetHostedZone"], resources: [ZONE] },
          { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-data/dns-audit/*"] },
        ],
      },
    ],
  });

  it("bind global-service actions to us-east-1 and keep the rest in the platform region", () => {
    const statements = role(plan([dns], EU), "dns-audit", "execution").policies[0].document.Statement;
    expect(statements.map((s) => [s.Sid, s.Action, s.Condition?.StringEquals?.["aws:RequestedRegion"]])).toEqual([
      ["ToolInspect0", ["iam:GetRole"], "us-east-1"],
      ["ToolInspect1", ["route53:GetHostedZone"], "us-east-1"],
      ["ToolInspect2", ["s3:GetObject"], "eu-west-1"],
    ]);
    // One declared statement mixing regional and global actions becomes one statement per region
    // (compiled without the rules: the resources here are only for the shape).
    const mixed = agent("mixed", {
      tools: [
        {
          name: "t",
          aws: [
            {
              actions: ["s3:GetObject", "iam:GetRole", "networkmanager:GetSites"],
              resources: ["arn:aws:s3:::b/k", ROLE],
              regions: ["eu-west-1", "eu-central-1"],
            },
          ],
        },
      ],
    });
    const compiled = compileFleet(parseDeclaration({ platform: EU, agents: [mixed] }), "t");
    expect(
      role(compiled, "mixed", "execution").policies[0].document.Statement.map((s) => [s.Sid, s.Action, s.Condition?.StringEquals?.["aws:RequestedRegion"]]),
    ).toEqual([
      ["ToolT0", ["s3:GetObject"], ["eu-west-1", "eu-central-1"]],
      ["ToolT0GlobalUsEast1", ["iam:GetRole"], "us-east-1"],
      ["ToolT0GlobalUsWest2", ["networkmanager:GetSites"], "us-west-2"],
    ]);
  });

  it("allow iam:GetRole and a Route 53 read where declared (iam-simulate), and deny them elsewhere", async () => {
    const fleet = plan([dns, agent("other")], EU);
    const own = role(fleet, "dns-audit", "execution");
    // AWS evaluates IAM and Route 53 calls in us-east-1 whatever the caller's region.
    expect(await decide(own, { action: "iam:GetRole", resource: ROLE }, "us-east-1")).toBe("Allowed");
    expect(await decide(own, { action: "route53:GetHostedZone", resource: ZONE }, "us-east-1")).toBe("Allowed");
    expect(await decide(own, { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/dns-audit/x" }, "eu-west-1")).toBe("Allowed");
    // Not declared: another role, another zone, another identity, another agent.
    expect(await decide(own, { action: "iam:GetRole", resource: "arn:aws:iam::111122223333:role/admin" }, "us-east-1")).toBe("ImplicitlyDenied");
    expect(await decide(own, { action: "route53:GetHostedZone", resource: "arn:aws:route53:::hostedzone/ZOTHER" }, "us-east-1")).toBe("ImplicitlyDenied");
    expect(await decide(own, { action: "iam:ListRoles", resource: "*" }, "us-east-1")).toBe("ImplicitlyDenied");
    expect(await decide(role(fleet, "dns-audit", "orchestration"), { action: "iam:GetRole", resource: ROLE }, "us-east-1")).toBe("ImplicitlyDenied");
    expect(await decide(role(fleet, "other", "execution"), { action: "route53:GetHostedZone", resource: ZONE }, "us-east-1")).toBe("ImplicitlyDenied");
    // The regional action stays bound to the platform region.
    expect(await decide(own, { action: "s3:GetObject", resource: "arn:aws:s3:::acme-data/dns-audit/x" }, "us-east-1")).toBe("ImplicitlyDenied");
  });

  it("use each partition's signing region, from botocore's endpoint data", () => {
    expect(globalServiceRegion("aws", "iam:GetRole")).toBe("us-east-1");
    expect(globalServiceRegion("aws", "networkmanager:DescribeGlobalNetworks")).toBe("us-west-2");
    expect(globalServiceRegion("aws-cn", "iam:GetRole")).toBe("cn-north-1");
    expect(globalServiceRegion("aws-cn", "route53:GetHostedZone")).toBe("cn-northwest-1");
    expect(globalServiceRegion("aws-us-gov", "iam:GetRole")).toBe("us-gov-west-1");
    // Regional services, and STS (regional endpoints), are not global.
    for (const action of [
      "s3:GetObject",
      "sts:AssumeRole",
      "route53domains:ListDomains",
      "globalaccelerator:ListAccelerators",
      "toString:x",
      "constructor:x",
    ]) {
      expect(globalServiceRegion("aws", action), action).toBeUndefined();
    }
  });
});

describe("Bedrock global cross-Region inference profiles", () => {
  const PROFILE = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const REGIONAL_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
  const GLOBAL_MODEL = "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
  const planner = agent("planner", { orchestration: { models: [PROFILE] } });

  it("grant the profile, the source-region model and the region-less model, each only through the profile", () => {
    const fleet = plan([planner, agent("plain")]);
    const statements = role(fleet, "planner", "orchestration").policies[0].document.Statement;
    expect(statements.map((s) => [s.Resource, s.Condition])).toEqual([
      [[PROFILE], { StringEquals: { "aws:RequestedRegion": "us-east-1" } }],
      [[REGIONAL_MODEL], { StringEquals: { "aws:RequestedRegion": "us-east-1", "bedrock:InferenceProfileArn": PROFILE } }],
      [[GLOBAL_MODEL], { StringEquals: { "aws:RequestedRegion": "unspecified", "bedrock:InferenceProfileArn": PROFILE } }],
    ]);
    // A geographic or regional model gets nothing extra.
    expect(role(fleet, "plain", "orchestration").policies[0].document.Statement).toHaveLength(1);
  });

  it("are allowed as AWS evaluates them (iam-simulate), and only through the declared profile", async () => {
    const fleet = plan([planner, agent("plain")]);
    const own = role(fleet, "planner", "orchestration");
    const via = { "bedrock:InferenceProfileArn": PROFILE };
    expect(await decide(own, { action: "bedrock:InvokeModel", resource: PROFILE }, "us-east-1")).toBe("Allowed");
    expect(await decide(own, { action: "bedrock:InvokeModel", resource: REGIONAL_MODEL, context: via }, "us-east-1")).toBe("Allowed");
    // The source-region model directly (not through the profile), or through another profile: denied.
    expect(await decide(own, { action: "bedrock:InvokeModel", resource: REGIONAL_MODEL }, "us-east-1")).toBe("ImplicitlyDenied");
    const other = { "bedrock:InferenceProfileArn": PROFILE.replace("claude-sonnet", "claude-opus") };
    expect(await decide(own, { action: "bedrock:InvokeModel", resource: REGIONAL_MODEL, context: other }, "us-east-1")).toBe("ImplicitlyDenied");
    expect(await decide(role(fleet, "plain", "orchestration"), { action: "bedrock:InvokeModel", resource: REGIONAL_MODEL, context: via }, "us-east-1")).toBe(
      "ImplicitlyDenied",
    );
    // iam-simulate cannot evaluate the region-less ARN (its resource-type templates need a region):
    // the oracle refuses it, so that grant is checked by shape in the test above, not simulated.
    await expect(decide(own, { action: "bedrock:InvokeModel", resource: GLOBAL_MODEL, context: via }, "unspecified")).rejects.toThrow(/no.resource.types/);
  });
});
