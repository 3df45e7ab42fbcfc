/**
 * Property tests over generated fleets: whatever valid declaration is generated (names that share
 * prefixes, every tier and tool kind, shared or own namespaces, revoked agents), the compiled plan
 * passes every rule and no agent's grants overlap another's.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type AgentInput, type DeclarationInput } from "../../components/core/schema";
import { TOKEN_SELF_PATHS } from "../../components/core/vault-policy";
import { asList } from "../../components/core/iam-document";
import type { FleetPlan } from "../../components/core/plan-types";
import { ALL_RULES, evaluatePlan, formatViolation } from "../../components/rules";
import { PLATFORM, TODAY } from "../helpers/fixtures";

const ACCOUNT = PLATFORM.aws.accountId;
// Names that are prefixes of each other are the interesting case for overlap.
const agentName = fc.oneof(fc.constantFrom("a", "ab", "abc", "a-b", "b", "ba"), fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/));
const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);

function tool(kind: number, name: string, agent: string, suffix: string): AgentInput["tools"] extends (infer T)[] | undefined ? T : never {
  switch (kind) {
    case 0:
      return { name, aws: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: [`arn:aws:s3:::acme-data/${agent}/${suffix}/*`] }] };
    case 1:
      return {
        name,
        aws: [{ actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-${agent}-${suffix}`] }],
      };
    case 2:
      return {
        name,
        aws: [
          { actions: ["sqs:ReceiveMessage"], resources: [`arn:aws:sqs:us-east-1:${ACCOUNT}:acme-${agent}-${suffix}`] },
          { actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::acme-${agent}-${suffix}`] },
        ],
      };
    case 3:
      return {
        name,
        database: {
          connection: `${agent}-${suffix}`,
          creationStatements: [
            `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON t_${suffix.replace(/-/g, "_")} TO "{{name}}";`,
          ],
          revocationStatements: [`REVOKE ALL ON t_${suffix.replace(/-/g, "_")} FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";`],
          ttl: "5m",
        },
      };
    case 4:
      return { name, kv: { path: `${suffix}/token` } };
    default:
      return { name, vaultAws: { roleArn: `arn:aws:iam::444455556666:role/${agent}-${suffix}-reader`, ttl: "15m" } };
  }
}

const agentArb = (name: string) =>
  fc
    .record({
      tier: fc.constantFrom("batch" as const, "assistant" as const, "high-risk" as const),
      tools: fc.uniqueArray(fc.record({ kind: fc.integer({ min: 0, max: 5 }), name: label, suffix: label }), { maxLength: 5, selector: (t) => t.name }),
      revoked: fc.boolean(),
    })
    .map(({ tier, tools, revoked }): AgentInput => ({
      name,
      owner: "team-x",
      sponsor: "owner@example.com",
      tier,
      expires: "2027-06-30",
      // Recorded approval for every tier: valid whatever tier rules require.
      approval: { ticket: "SEC-1", approvedBy: "security@example.com" },
      orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"] },
      owns: tools.flatMap((t) => ownsFor(t.kind, name, `${t.name}-${t.suffix}`)),
      tools: tools.map((t) => tool(t.kind, t.name, name, `${t.name}-${t.suffix}`)),
      ...(revoked ? { revoked: { at: "2026-11-01T00:00:00Z", reason: "generated" } } : {}),
    }));

const fleetArb = fc
  .uniqueArray(agentName, { minLength: 1, maxLength: 5 })
  .chain((names) => fc.tuple(fc.tuple(...names.map(agentArb)), fc.boolean()))
  .map(([agents, perAgent]): DeclarationInput => ({
    // High-risk agents need a namespace of their own; a shared namespace only for the rest.
    platform: {
      ...PLATFORM,
      kubernetes: { namespacePerAgent: perAgent || agents.some((a) => a.tier === "high-risk"), namespace: "agents" },
      // Each agent's database tool has a connection of its own, declared with its plugin.
      vault: {
        ...PLATFORM.vault,
        databaseConnections: agents.flatMap((a) =>
          (a.tools ?? []).flatMap((t) => (t.database ? [{ name: t.database.connection, plugin: "postgresql-database-plugin" }] : [])),
        ),
      },
      // The platform declares each role a vaultAws tool assumes, for the agent that uses it.
      shared: agents.flatMap((a) =>
        (a.tools ?? []).flatMap((t) =>
          t.vaultAws
            ? [
                {
                  name: `role-${a.name}-${t.name}`,
                  vaultAwsRole: t.vaultAws.roleArn,
                  agents: [a.name],
                  risk: "assumed read-only through Vault; the platform team reviewed what the role can read",
                },
              ]
            : [],
        ),
      ),
    },
    agents,
  }));

/** What an agent must declare it owns for the tools above. */
function ownsFor(kind: number, agent: string, suffix: string): string[] {
  if (kind === 0) return [`arn:aws:s3:::acme-data/${agent}/${suffix}/*`];
  if (kind === 1) return [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-${agent}-${suffix}`];
  if (kind === 2) return [`arn:aws:sqs:us-east-1:${ACCOUNT}:acme-${agent}-${suffix}`, `arn:aws:s3:::acme-${agent}-${suffix}`];
  return [];
}

/** Every string an agent is granted (or owns), by agent: an independent reading of the plan. */
function grantsByAgent(plan: FleetPlan): Map<string, string[]> {
  const self = new Set(TOKEN_SELF_PATHS.map((p) => p.path));
  return new Map(
    plan.agents.map((agent) => [
      agent.name,
      agent.identities.flatMap((identity) => [
        identity.iamRole.arn,
        ...(identity.kind === "orchestration"
          ? []
          : identity.iamRole.policies.flatMap((p) => p.document.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => asList(s.Resource)))),
        ...(identity.vault.policy?.paths.map((p) => p.path).filter((p) => !self.has(p)) ?? []),
        ...identity.vault.secretRoles.flatMap((role) => (role.type === "aws" ? role.roleArns : [role.credentialsPath])),
      ]),
    ]),
  );
}

/** `x/*` covers every string starting with `x/`; anything else covers only itself. */
const covers = (grant: string, other: string) => (grant.endsWith("*") ? other.startsWith(grant.slice(0, -1)) : grant === other);

describe("generated fleets", () => {
  it("pass every rule", () => {
    fc.assert(
      fc.property(fleetArb, (declaration) => {
        const plan = compileFleet(parseDeclaration(declaration), "prop");
        const { violations } = evaluatePlan(plan, ALL_RULES, TODAY);
        expect(violations.map(formatViolation)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("never grant one agent what another agent is granted", () => {
    fc.assert(
      fc.property(fleetArb, (declaration) => {
        const grants = grantsByAgent(compileFleet(parseDeclaration(declaration), "prop"));
        for (const [agent, mine] of grants) {
          for (const [other, theirs] of grants) {
            if (agent === other) continue;
            for (const grant of mine) for (const their of theirs) expect(covers(grant, their), `${agent}: ${grant} covers ${other}: ${their}`).toBe(false);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------- random grants against ownership

/** Resources agents may own: disjoint by construction (no item is inside another), names that share prefixes and differ in case. */
const POOL = [
  { owned: "arn:aws:s3:::acme-pool/a/*", probes: ["arn:aws:s3:::acme-pool/a/k.txt", "arn:aws:s3:::acme-pool/a/deep/k"] },
  { owned: "arn:aws:s3:::acme-pool/ab/*", probes: ["arn:aws:s3:::acme-pool/ab/k.txt"] },
  { owned: "arn:aws:s3:::acme-pool/A/*", probes: ["arn:aws:s3:::acme-pool/A/k.txt"] },
  {
    owned: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1`,
    probes: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1/index/by-day`],
  },
  { owned: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1x`, probes: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1x`] },
  { owned: `arn:aws:sqs:us-east-1:${ACCOUNT}:q1`, probes: [`arn:aws:sqs:us-east-1:${ACCOUNT}:q1`] },
  { owned: `arn:aws:sqs:us-east-1:${ACCOUNT}:Q1`, probes: [`arn:aws:sqs:us-east-1:${ACCOUNT}:Q1`] },
];
const SHARED = "arn:aws:s3:::acme-pool/shared/*";
const SHARED_PROBE = "arn:aws:s3:::acme-pool/shared/k.txt";
const UNOWNED_PROBES = ["arn:aws:s3:::acme-pool/other/k.txt", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t2`, `arn:aws:sqs:us-east-1:${ACCOUNT}:q2`];

const actionFor = (resource: string, write: boolean) =>
  resource.includes("/index/")
    ? "dynamodb:Query"
    : resource.includes(":s3:::")
      ? write
        ? "s3:PutObject"
        : "s3:GetObject"
      : resource.includes(":dynamodb:")
        ? write
          ? "dynamodb:PutItem"
          : "dynamodb:Query"
        : write
          ? "sqs:SendMessage"
          : "sqs:ReceiveMessage";

const ownershipArb = fc
  .record({
    names: fc.uniqueArray(fc.constantFrom("a", "ab", "b", "ba", "c"), { minLength: 2, maxLength: 4 }),
    // Which agent (by index, or none) owns each pool item.
    owners: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: POOL.length, maxLength: POOL.length }),
    readers: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    writers: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    prober: fc.nat(),
    probe: fc.constantFrom(
      ...POOL.flatMap((item, index) => item.probes.map((probe) => ({ probe, item: index }))),
      { probe: SHARED_PROBE, item: -2 },
      ...UNOWNED_PROBES.map((probe) => ({ probe, item: -3 })),
    ),
    write: fc.boolean(),
  })
  .map(({ names, owners, readers, writers, prober, probe, write }) => {
    const ownerOf = (item: number) => (owners[item] >= 0 && owners[item] < names.length ? names[owners[item]] : undefined);
    const agentName = names[prober % names.length];
    const resource = probe.probe;
    const action = actionFor(resource, write);
    // The oracle, written independently of the rules: own item, or the share with the right list.
    const allowed = probe.item >= 0 ? ownerOf(probe.item) === agentName : probe.item === -2 ? (write ? writers : readers)[names.indexOf(agentName)] : false;
    const agents: AgentInput[] = names.map((name) => ({
      name,
      owner: "team-x",
      sponsor: "owner@example.com",
      tier: "batch",
      expires: "2027-06-30",
      orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"] },
      owns: POOL.filter((_, item) => ownerOf(item) === name).map((item) => item.owned),
      tools: name === agentName ? [{ name: "probe", aws: [{ actions: [action], resources: [resource] }] }] : [],
    }));
    const read = names.filter((_, i) => readers[i]);
    const writeList = names.filter((_, i) => writers[i]);
    const access = [
      ...(read.length ? [{ name: "read-objects" as const, agents: read }] : []),
      ...(writeList.length ? [{ name: "write-objects" as const, agents: writeList }] : []),
    ];
    // The pool's tables and queues are roots of their own (exact: t1 does not cover t1x).
    const ownableRoots = [...(PLATFORM.ownableRoots ?? []), ...POOL.map((item) => item.owned).filter((owned) => !owned.includes(":s3:::"))];
    const declaration: DeclarationInput = { platform: { ...PLATFORM, ownableRoots, shared: [{ name: "pool-shared", resource: SHARED, access }] }, agents };
    return { declaration, agentName, resource, action, allowed };
  });

describe("random grants against the ownership model", () => {
  it("are refused unless the agent owns the resource or a share gives it that access", () => {
    fc.assert(
      fc.property(ownershipArb, ({ declaration, agentName, resource, action, allowed }) => {
        const { violations } = evaluatePlan(compileFleet(parseDeclaration(declaration), "prop"), ALL_RULES, TODAY);
        const mine = violations.filter((v) => v.agent === agentName && v.severity === "error");
        if (allowed) expect(violations.map(formatViolation), `${agentName} ${action} ${resource}`).toEqual([]);
        else expect(mine.length, `${agentName} ${action} ${resource} should be refused`).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
