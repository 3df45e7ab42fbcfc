/**
 * Generated fleets for the benchmark and its smoke test: N agents, three tools each, cycling
 * through every tool kind (AWS grants on several services, database, KV, Vault AWS) and the three
 * tiers. Every agent's grants are its own (no cross-agent overlap), so the plan is valid and the
 * bench measures the whole path rather than the first violation.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AgentInput, PlatformInput } from "../components/core/schema";

type ToolInput = NonNullable<AgentInput["tools"]>[number];

/** Database connections the fleet's database tools use (shared by every seventh agent). */
const CONNECTIONS = 7;

export const BENCH_PLATFORM: PlatformInput = {
  environment: "bench",
  namePrefix: "acme",
  aws: {
    accountId: "111122223333",
    partition: "aws",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/agent-boundary",
  },
  kubernetes: { namespacePerAgent: true, namespace: "agents" },
  vault: {
    kubernetesAuthPath: "kubernetes",
    kvMount: "kv",
    databaseMount: "database",
    awsMount: "aws",
    audience: "vault",
    version: "1.21.1",
    edition: "enterprise",
    databaseConnections: Array.from({ length: CONNECTIONS }, (_, i) => ({ name: `ledger-${i}`, plugin: "postgresql-database-plugin" })),
  },
  // Where the bench agents own things (separation/owned-root).
  ownableRoots: [
    "arn:aws:s3:::acme-*",
    "arn:aws:sqs:us-east-1:111122223333:acme-*",
    "arn:aws:dynamodb:us-east-1:111122223333:table/acme-*",
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/*",
  ],
  exceptions: [],
};

/** The date plans are judged on; expiries below are within the lifetime rules as of this date. */
export const BENCH_DATE = "2026-11-28";

const ACCOUNT = "111122223333";
const MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0";

export function agentName(index: number): string {
  return `agent-${String(index).padStart(5, "0")}`;
}

/** What the `index`-th agent owns: the resources its AWS tool reaches. */
function owned(name: string, index: number): string[] {
  switch (index % 4) {
    case 0:
      return [`arn:aws:s3:::acme-data/${name}/*`, `arn:aws:s3:::acme-${name}`];
    case 1:
      return [`arn:aws:sqs:us-east-1:${ACCOUNT}:acme-${name}`];
    case 2:
      return [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-${name}`];
    default:
      return [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:acme/${name}-AbCdEf`];
  }
}

/** One AWS tool, on a service chosen by the index so the fleet exercises several service catalogues. */
function awsTool(name: string, index: number): ToolInput {
  switch (index % 4) {
    case 0:
      return {
        name: "read-data",
        aws: [
          { actions: ["s3:GetObject"], resources: [`arn:aws:s3:::acme-data/${name}/*`] },
          { actions: ["s3:ListBucket"], resources: [`arn:aws:s3:::acme-${name}`] },
        ],
      };
    case 1:
      return { name: "queue", aws: [{ actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [`arn:aws:sqs:us-east-1:${ACCOUNT}:acme-${name}`] }] };
    case 2:
      return {
        name: "table",
        aws: [{ actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-${name}`] }],
      };
    default:
      return {
        name: "secret",
        aws: [{ actions: ["secretsmanager:GetSecretValue"], resources: [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:acme/${name}-AbCdEf`] }],
      };
  }
}

/** The `index`-th agent; `variant` changes its grants and TTLs the way a pull request might. */
export function benchAgent(index: number, variant = 0): AgentInput {
  const name = agentName(index);
  const tier = (["batch", "assistant", "high-risk"] as const)[index % 3];
  const table = `t${index % 5}`;
  const ledger: ToolInput = {
    name: "ledger",
    database: {
      connection: `ledger-${index % CONNECTIONS}`,
      creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ${table} TO "{{name}}";`],
      revocationStatements: [`REVOKE ALL ON ${table} FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";`],
      ttl: variant ? "15m" : "5m",
    },
  };
  const tools: ToolInput[] = [awsTool(name, index + variant), ledger, { name: "api-key", kv: { path: `${name}/api-key${variant ? "-v2" : ""}` } }];
  return {
    name,
    owner: `team-${index % 37}`,
    sponsor: "owner@example.com",
    tier,
    // High-risk agents are renewed more often.
    expires: tier === "high-risk" ? "2027-02-15" : "2027-06-30",
    ...(tier === "high-risk" ? { approval: { ticket: `SEC-${index}`, approvedBy: "security-review@example.com" } } : {}),
    orchestration: { models: [MODEL] },
    owns: [...owned(name, index), ...(variant && (index + variant) % 4 !== index % 4 ? owned(name, index + variant) : [])],
    tools,
  } as AgentInput;
}

/** Database connections are shared by every agent whose ledger tool names them. */
export function benchPlatform(agents: readonly AgentInput[]): PlatformInput {
  const users = new Map<string, string[]>();
  for (const agent of agents)
    for (const tool of agent.tools ?? []) if (tool.database) users.set(tool.database.connection, [...(users.get(tool.database.connection) ?? []), agent.name]);
  const shared = [...users]
    .filter(([, names]) => names.length > 1)
    .map(([connection, names]) => ({ name: connection, databaseConnection: connection, agents: names }));
  return { ...BENCH_PLATFORM, shared };
}

/**
 * The pack's configuration for the fleet: the security team declares each connection the platform
 * shares (platform.shared), per agent using it, as `plan` admits it from the declaration; the pack
 * reads only its own configuration (vault/agent-secret-role-derivable).
 */
export function benchPackConfig(platform: PlatformInput): { shares: object[] } {
  const shares = (platform.shared ?? []).flatMap((share) =>
    "databaseConnection" in share && "agents" in share
      ? share.agents.map((agent: string) => ({
          name: `${share.databaseConnection}-${agent}`,
          principal: `agent:${agent}/execution`,
          resources: [`vault:database/${share.databaseConnection}`],
          reason: "the bench fleet shares each ledger connection among every seventh agent",
        }))
      : [],
  );
  return { shares };
}

/** `changed`: how many agents (the first ones) differ from the base fleet. */
export function benchAgents(count: number, changed = 0): AgentInput[] {
  return Array.from({ length: count }, (_, index) => benchAgent(index, index < changed ? 1 : 0));
}

/** A stack file (`stacks/Pulumi.<stack>.yaml` shape) declaring `count` agents. */
export function benchStackFile(count: number, changed = 0): string {
  const agents = benchAgents(count, changed);
  const config = { "aws:region": "us-east-1", "agent-identity:platform": benchPlatform(agents), "agent-identity:agents": agents };
  return `# Generated by bench/fleet.ts: ${count} agents.\n${stringify({ config }, { lineWidth: 0 })}`;
}

/**
 * A Pulumi project folder (`Pulumi.yaml`, `stackConfigDir: stacks`) of `stacks` stack files with
 * `perStack` agents each, all valid and disjoint (one environment per stack, one agent range each),
 * on one account and one Vault: what `check --all` reads.
 */
export function benchProject(dir: string, stacks: number, perStack: number): void {
  mkdirSync(join(dir, "stacks"), { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), "name: bench\nstackConfigDir: stacks\n");
  for (let s = 0; s < stacks; s++) {
    const agents = Array.from({ length: perStack }, (_, j) => benchAgent(s * perStack + j));
    const config = { "agent-identity:platform": { ...benchPlatform(agents), environment: `e${s}` }, "agent-identity:agents": agents };
    writeFileSync(join(dir, "stacks", `Pulumi.s${s}.yaml`), `# Generated by bench/fleet.ts.\n${stringify({ config }, { lineWidth: 0 })}`);
  }
}
