/**
 * The declaration: the public contract users write in `stacks/Pulumi.<stack>.yaml` (config keys
 * `agent-identity:platform` and `agent-identity:agents`) or pass to the components in TypeScript.
 * One zod schema is the single source of truth: the TypeScript types are inferred from it and
 * `schema/declaration.schema.json` is generated from it (`npm run schema`).
 * Unknown fields are errors everywhere (`strictObject`), so a typo never silently drops a control.
 */
import { SHARE_ACCESS_NAMES } from "../rules/data/share-access";
import { declaredSchemaProblem } from "../rules/database-schemas";
import { MAX_ROOTS, ownableRootProblem, reservedRoleProblem } from "../rules/ownable-roots";
import { z } from "zod";
import { MAX, declaredString } from "./grammar/strings";
import { arnGrammarProblem } from "./grammar/arn";
import { isDuration } from "./durations";
import { boundedCache } from "./bounded-cache";
import { DATA_CLASSES } from "./tiers";
import { labelPath, plainMessage } from "./declaration-errors";
import {
  boundaryProblem,
  mountsOverlap,
  oidcProviderProblem,
  parseEksOidcProvider,
  partitionOfRegion,
  VAULT_AUDIENCE_MAX,
  VAULT_PATH_MAX,
  vaultAudienceProblem,
  vaultPathProblem,
} from "./platform-fields";
import { crossFieldIssues } from "./consistency";
import { BINDINGS, COMPUTE_TYPES, EKS_CLUSTER_NAME, MAX_CLUSTERS, agentClusterIssues, clusterIssues, ignoredSingleClusterFields } from "./clusters";
import { bootstrapSchema, bootstrapIssues } from "./bootstrap-schema";
import { DEFAULT_TOOL_SESSION_TTL, TOOL_SESSION_MODES, toolSessionAgentIssues, toolSessionPlatformIssues } from "./tool-session-schema";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const dnsLabel = (max: number) =>
  declaredString(max).regex(DNS_LABEL, "lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)");

/** One segment of a derived name: `<namePrefix>-<environment>-<agent>-…` must split one way only. */
const nameSegment = (max: number) =>
  declaredString(max).regex(
    /^[a-z0-9]+$/,
    "lower-case letters and digits only, no '-' (names join prefix, environment and agent with '-', so a '-' here lets two stacks derive the same name)",
  );

const duration = declaredString(MAX.duration).refine(isDuration, "a duration like 90s, 10m, 1h or 1d");

/** Every agent's dates are checked several times (schema, expiry, lifecycle), mostly the same few days. */
const isoDates = boundedCache<boolean>(4_096);

/** YYYY-MM-DD naming a real day: Date.parse alone rolls 2027-02-30 over into March. */
export function isIsoDate(value: string): boolean {
  return isoDates(value, () => readIsoDate(value));
}

function readIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

const isoDate = declaredString(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date like 2027-06-30")
  .refine(isIsoDate, "a real calendar date");

const isoTimestamp = declaredString(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, "an ISO 8601 timestamp with a zone, like 2026-11-28T09:30:00Z")
  .refine((value) => !Number.isNaN(Date.parse(value)), "a real timestamp");

const arn = declaredString(MAX.arn)
  .regex(/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, "an ARN (arn:partition:service:region:account:resource)")
  .superRefine((value, ctx) => {
    const problem = arnGrammarProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A string refused for the reason `problem` gives (null: accepted). */
const checked = (base: z.ZodString, problem: (value: string) => string | null) =>
  base.superRefine((value, ctx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });

/** VAULT_ADDR's form: a scheme, a host and perhaps a port; nothing a reader could take for another Vault. */
function vaultAddressProblem(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return "a URL such as https://vault.example.com:8200";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "an http(s) URL";
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== ""))
    return "only a scheme, host and port (no user, path, query or fragment)";
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(url.host) || address !== address.trim()) return "a plain host name or address";
  return null;
}

const awsRegion = declaredString(MAX.region).regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-1");

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const TIERS = ["batch", "assistant", "high-risk"] as const;
export const tierSchema = z.enum(TIERS);
export const dataClassSchema = z.enum(DATA_CLASSES);

// ---------------------------------------------------------------- platform

export const limitsSchema = z
  .strictObject({
    tokenTtl: duration.optional().describe("Lower every tier's Vault token TTL to at most this."),
    tokenMaxTtl: duration.optional().describe("Lower every tier's Vault token max TTL to at most this."),
    maxStsTtl: duration.optional().describe("Lower every tier's ceiling for Vault AWS STS credentials."),
    maxSessionDuration: duration.optional().describe("Lower every IAM role's maxSessionDuration (AWS minimum 1h)."),
    requirePermissionsBoundary: z.boolean().optional().describe("Require a permissions boundary for every tier."),
    requireApproval: z.boolean().optional().describe("Require a recorded approval for every tier."),
    maxDataClass: dataClassSchema.optional().describe("Highest data class any agent may declare."),
  })
  .describe("Organisation ceilings. They can only tighten the tier defaults, never loosen them.");

/** An approver is a person others can ask: an e-mail address, compared case-insensitively with the sponsor. */
const approverEmail = declaredString(MAX.email).email("an e-mail address of the approver");

export const exceptionSchema = z
  .strictObject({
    rule: declaredString(100).min(1).describe("The rule id being waived, e.g. iam/resource-wildcard. Only waivable rules (docs/controls.md)."),
    agent: dnsLabel(40).describe("The agent the exception applies to."),
    identity: z.enum(["orchestration", "execution", "audit"]).optional().describe("Limit the exception to one identity."),
    reason: declaredString(MAX.prose, "prose").min(10, "say why, in at least 10 characters").describe("Why the rule is waived."),
    approvedBy: approverEmail.describe("E-mail address of who reviewed and approved the exception; not the agent's own sponsor."),
    expires: isoDate.describe("When the exception stops applying (YYYY-MM-DD), at most 90 days after the plan date."),
  })
  .describe("A reviewed, expiring waiver of one rule for one agent. Shown in every plan.");

/** Vault's `plugin_name` of each database connection tools may use; only PostgreSQL has a parser wired. */
export const databaseConnectionSchema = z.strictObject({
  name: declaredString(128).min(1).describe("Connection name in the database mount (database/config/<name>)."),
  plugin: declaredString(64)
    .regex(/^[a-z0-9][a-z0-9-]*$/, "a Vault database plugin name such as postgresql-database-plugin")
    .describe("Vault plugin_name of the connection, e.g. postgresql-database-plugin."),
  schemas: z
    .array(
      checked(declaredString(63).regex(/^[a-z_][a-z0-9_$]*$/, "a PostgreSQL schema name (lower-case letters, digits, '_' and '$')"), declaredSchemaProblem),
    )
    .min(1)
    .max(50)
    .default(["public"])
    .describe(
      "Schemas tools of this connection may be granted on (USAGE, and privileges on their tables and sequences); an unqualified name counts as public. Never pg_* or information_schema; an extension schema (aws_lambda, aws_s3, cron, dblink) only by a reviewed change. @default [public]",
    ),
});

/**
 * A resource more than one agent may reach, declared once by the platform team. A resource share
 * names one concrete ARN (or a prefix ARN ending in `/*`) and which agents may read it (List and Read
 * actions) and write it (Write actions); a connection share names a Vault database connection that
 * the listed agents' tools may all use. Anything not declared here belongs to at most one agent.
 */
export const resourceShareSchema = z.strictObject({
  name: dnsLabel(63).describe("Name of the share, shown in findings."),
  resource: arn.describe("Concrete ARN, or a prefix ARN ending in `/*`, that the listed agents share."),
  access: z
    .array(
      z.strictObject({
        name: z
          .enum(SHARE_ACCESS_NAMES)
          .describe("A named access (components/rules/data/share-access.ts), e.g. decrypt = kms:Decrypt, read-objects = s3:GetObject and s3:GetObjectVersion."),
        agents: z.array(dnsLabel(40)).max(1000).describe("Agents that get this access."),
      }),
    )
    .max(20)
    .default([])
    .describe("What the share gives, by name, and to whom: each name maps to exact actions on the resource's type; every other action stays refused."),
  risk: z
    .string()
    .min(10)
    .max(500)
    .optional()
    .describe(
      "Required when the resource is of a type no agent may own (a role, a hosted zone...): what an agent could do with it and why the platform accepts that.",
    ),
});

export const connectionShareSchema = z.strictObject({
  name: dnsLabel(63).describe("Name of the share, shown in findings."),
  databaseConnection: declaredString(128).min(1).describe("Name of the database connection in the database mount."),
  agents: z.array(dnsLabel(40)).min(2).describe("Agents whose tools may use this connection."),
});

/** A role outside the agents that the listed agents' vaultAws tools may assume: the platform names it. */
export const roleShareSchema = z.strictObject({
  name: dnsLabel(63).describe("Name of the share, shown in findings."),
  vaultAwsRole: declaredString(MAX.arn)
    .regex(
      /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
      "a concrete IAM role ARN (arn:aws:iam::<account>:role/<path/>name, no wildcard)",
    )
    .superRefine((value, ctx) => {
      const reserved = reservedRoleProblem(value);
      if (reserved) ctx.addIssue({ code: "custom", message: `${reserved}: never shared to agents` });
    })
    .describe(
      "The one IAM role (concrete ARN) the listed agents' vaultAws tools may assume through Vault; never an agent identity role, never a role AWS reserves (components/rules/data/reserved-names.ts: SSO, service-linked, OrganizationAccountAccessRole, Control Tower, CDK).",
    ),
  agents: z.array(dnsLabel(40)).min(1).max(1000).describe("Agents whose vaultAws tools may assume this role."),
  // Required (checked with the platform, so a missing risk is named rather than failing every share form).
  risk: declaredString(500, "prose")
    .min(10, "say what the role can do, in at least 10 characters")
    .optional()
    .describe("Required: what the role can do in its account and why the platform accepts that the listed agents' tools assume it; a reviewer reads this."),
});

export const shareSchema = z.union([resourceShareSchema, connectionShareSchema, roleShareSchema]);

export const clusterSchema = z
  .strictObject({
    name: dnsLabel(40).describe("Name of the cluster in this declaration (agents list it under clusters)."),
    region: awsRegion.describe("AWS region of the EKS cluster."),
    binding: z.enum(BINDINGS).describe("How pods get their IAM role: irsa (OIDC provider) or pod-identity (EKS Pod Identity association)."),
    oidcProviderArn: checked(declaredString(200), (arn) => oidcProviderProblem(arn))
      .optional()
      .describe("binding irsa: the cluster's IAM OIDC provider in the platform account."),
    clusterName: declaredString(100)
      .regex(EKS_CLUSTER_NAME, "an EKS cluster name (letters, digits, '-' and '_', at most 100 characters)")
      .optional()
      .describe("binding pod-identity: the EKS cluster's name; its ARN is built in the platform account and the cluster's region."),
    vaultAuthPath: checked(declaredString(VAULT_PATH_MAX), (path) => vaultPathProblem(path, "auth")).describe(
      "This cluster's own Vault Kubernetes auth mount, under auth/.",
    ),
    computeType: z
      .enum(COMPUTE_TYPES)
      .default("ec2")
      .describe("Where the agents' pods run: ec2 nodes or fargate (Pod Identity is not available on Fargate). @default ec2"),
  })
  .describe("One EKS cluster agents run in.");

export const platformSchema = z
  .strictObject({
    // No '-': names join prefix, environment and agent with '-', so `dev-support` + `assistant` would
    // collide with `dev` + `support-assistant` in another stack of the same account and Vault.
    environment: nameSegment(12).describe("Environment name; part of every resource name (lower-case letters and digits, no '-')."),
    namePrefix: nameSegment(12).default("agent").describe("Prefix of IAM role, namespace and Vault policy names (lower-case letters and digits, no '-')."),
    aws: z.strictObject({
      accountId: declaredString(12).regex(/^\d{12}$/, "a 12-digit AWS account id"),
      partition: z.enum(["aws", "aws-cn", "aws-us-gov"]).default("aws").describe("Must be the region's partition (cn-* is aws-cn, us-gov-* is aws-us-gov)."),
      region: awsRegion,
      oidcProviderArn: checked(declaredString(200), (arn) => oidcProviderProblem(arn))
        .optional()
        .describe(
          "The EKS cluster's IAM OIDC provider, in the platform account: arn:<partition>:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>. Required unless platform.clusters is declared (then each IRSA cluster names its own).",
        ),
      permissionsBoundaryArn: checked(declaredString(MAX.arn), (arn) => boundaryProblem(arn))
        .optional()
        .describe("Customer managed policy in the platform account attached as permissions boundary to every role (no wildcards)."),
    }),
    kubernetes: z
      .strictObject({
        namespacePerAgent: z.boolean().default(true).describe("Give every agent a namespace of its own."),
        namespace: dnsLabel(63).default("agents").describe("The shared namespace, when namespacePerAgent is false."),
      })
      .default({ namespacePerAgent: true, namespace: "agents" }),
    vault: z.strictObject({
      kubernetesAuthPath: checked(declaredString(VAULT_PATH_MAX), (path) => vaultPathProblem(path, "auth"))
        .default("kubernetes")
        .describe(
          "Path of the existing Kubernetes auth mount, under auth/ (written without the prefix); not token. Single-cluster form only: refused with platform.clusters (each cluster names its vaultAuthPath).",
        ),
      kvMount: checked(declaredString(VAULT_PATH_MAX), (path) => vaultPathProblem(path, "secrets"))
        .default("kv")
        .describe("Path of the existing KV v2 mount."),
      databaseMount: checked(declaredString(VAULT_PATH_MAX), (path) => vaultPathProblem(path, "secrets"))
        .default("database")
        .describe("Path of the existing database secrets mount."),
      awsMount: checked(declaredString(VAULT_PATH_MAX), (path) => vaultPathProblem(path, "secrets"))
        .default("aws")
        .describe("Path of the existing AWS secrets mount."),
      audience: checked(declaredString(VAULT_AUDIENCE_MAX), (audience) => vaultAudienceProblem(audience))
        .default("vault")
        .describe("Audience of the projected ServiceAccount token Vault accepts; not sts.amazonaws.com, not the API server's."),
      version: declaredString(16)
        .regex(/^\d{1,3}\.\d{1,3}(\.\d{1,3})?$/, "a Vault version like 1.21.1")
        .optional()
        .describe(
          "Version of the Vault server. Fields that need a newer Vault (alias metadata: 1.21+ Enterprise) are left out when it is older or not declared.",
        ),
      edition: z.enum(["community", "enterprise"]).default("community").describe("Vault edition. @default community"),
      address: checked(declaredString(256), vaultAddressProblem)
        .optional()
        .describe(
          "The Vault's API address (https://host[:port]), as VAULT_ADDR. Names Vault policies, roles and mounts live on: `check --all` compares stacks on the same address; stacks that leave it out count as one Vault.",
        ),
      awsEngineRoleArn: declaredString(MAX.arn)
        .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "a concrete IAM role ARN (no wildcards)")
        .optional()
        .describe(
          "toolSessions tagged-sessions: the IAM role Vault's AWS secrets engine runs as (its root credentials or plugin identity role); the only principal a tool role trusts. @default platform.bootstrap.aws.roleArn",
        ),
      databaseConnections: z
        .array(databaseConnectionSchema)
        .max(100)
        .default([])
        .superRefine((connections, ctx) => {
          const seen = new Set<string>();
          connections.forEach((c, index) => {
            if (seen.has(c.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `connection "${c.name}" is declared twice` });
            seen.add(c.name);
          });
        })
        .describe("Existing database connections tools may use, with their plugin; a tool naming any other connection is refused."),
    }),
    clusters: z
      .array(clusterSchema)
      .min(1, "at least one cluster (leave clusters out for the single-cluster form)")
      .max(MAX_CLUSTERS)
      .optional()
      .describe(
        "The clusters agents run in, each with its binding (irsa or pod-identity) and its own Vault Kubernetes auth mount. @default one IRSA cluster from aws.oidcProviderArn and vault.kubernetesAuthPath",
      ),
    bootstrap: bootstrapSchema.optional(),
    toolSessions: z
      .enum(TOOL_SESSION_MODES)
      .default("role")
      .describe(
        "How a tool's AWS grants reach it. role: on the execution identity's own role (any credential of it can act for every tool). tagged-sessions: on a per-agent tool role only Vault's AWS engine can assume, each statement bound to the session's agent-identity:tool tag, one Vault role per tool. @default role",
      ),
    limits: limitsSchema.optional(),
    models: z
      .array(arn)
      .max(200)
      .default([])
      .describe(
        "Account-local Bedrock models agents may invoke: provisioned models, custom model deployments, imported models and application inference profiles, each by exact ARN in this account. Foundation models and system inference profiles need no entry. @default []",
      ),
    ownableRoots: z
      .array(arn)
      .max(MAX_ROOTS)
      .default([])
      .describe(
        "Where agents may own things: ARNs of ownable types (components/rules/data/ownable-types.ts) in this stack's partition, account and regions, each concrete or ending in one `*` after at least 4 characters of name (arn:aws:s3:::acme-agents-*, arn:aws:ssm:<region>:<account>:parameter/acme/agents/*); KMS keys and knowledge bases by exact ARN only. Every agent's `owns` must lie inside one (separation/owned-root); none may cover a name AWS reserves (components/rules/data/reserved-names.ts). Adding a root is a reviewed change to the stack file. @default [] (no agent may own anything)",
      ),
    shared: z
      .array(shareSchema)
      .max(1000)
      .default([])
      .describe("Resources and database connections more than one agent may use, and by whom. Everything else belongs to one agent."),
    exceptions: z.array(exceptionSchema).max(1000).default([]),
  })
  .superRefine((platform, ctx) => {
    const { aws, vault } = platform;
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const rootScope = {
      partition: aws.partition,
      accountId: aws.accountId,
      regions: [...new Set([aws.region, ...(platform.clusters ?? []).map((c) => c.region)])],
    };
    platform.shared.forEach((share, index) => {
      if ("vaultAwsRole" in share && !share.risk)
        issue(["shared", index, "risk"], "a role share states its risk: what the role can do in its account and why the listed agents' tools may assume it");
    });
    platform.models.forEach((model, index) => {
      const [, partition, service, , account, resource = ""] = model.split(":");
      if (
        service !== "bedrock" ||
        partition !== aws.partition ||
        account !== aws.accountId ||
        !/^[a-z-]+\/[^*?]+$/.test(resource) ||
        /^foundation-model\//.test(resource)
      )
        issue(
          ["models", index],
          `"${model}" is not one account-local Bedrock model of this account (a concrete provisioned, custom, imported model or application inference profile ARN)`,
        );
    });
    platform.ownableRoots.forEach((root, index) => {
      const problem = ownableRootProblem(root, rootScope);
      if (problem) issue(["ownableRoots", index], `"${root}" ${problem}; an ownable root is a reviewed change to the stack file`);
    });
    const regionPartition = partitionOfRegion(aws.region);
    if (regionPartition === null) issue(["aws", "region"], `region ${aws.region} is in a partition this library does not support (aws, aws-cn, aws-us-gov)`);
    else if (regionPartition !== aws.partition)
      issue(["aws", "partition"], `partition ${aws.partition} disagrees with region ${aws.region} (partition ${regionPartition})`);
    // The field checks above already refused what is wrong on its own; these add what needs the platform.
    const platformScope = { accountId: aws.accountId, partition: aws.partition };
    const providerArn = aws.oidcProviderArn;
    const provider = providerArn === undefined || oidcProviderProblem(providerArn) ? null : oidcProviderProblem(providerArn, platformScope);
    if (provider) issue(["aws", "oidcProviderArn"], provider);
    for (const clusterIssue of clusterIssues(platform)) issue([...clusterIssue.path], clusterIssue.message);
    for (const bootstrapIssue of bootstrapIssues(platform)) issue([...bootstrapIssue.path], bootstrapIssue.message);
    for (const sessionIssue of toolSessionPlatformIssues(platform)) issue([...sessionIssue.path], sessionIssue.message);
    const boundaryArn = aws.permissionsBoundaryArn;
    const boundary = boundaryArn === undefined || boundaryProblem(boundaryArn) ? null : boundaryProblem(boundaryArn, platformScope);
    if (boundary) issue(["aws", "permissionsBoundaryArn"], boundary);
    const issuer = providerArn === undefined ? undefined : parseEksOidcProvider(providerArn)?.issuer;
    const audience = vaultAudienceProblem(vault.audience) ? null : vaultAudienceProblem(vault.audience, issuer);
    if (audience) issue(["vault", "audience"], audience);
    const mounts = (["kvMount", "databaseMount", "awsMount"] as const).map((key) => [key, vault[key]] as const);
    mounts.forEach(([key, path], i) => {
      const clash = mounts.slice(0, i).find(([, other]) => mountsOverlap(path, other));
      if (clash) issue(["vault", key], `"${path}" overlaps ${clash[0]} "${clash[1]}": each secrets engine has its own mount`);
    });
  });

// ---------------------------------------------------------------- agents

export const awsStatementSchema = z.strictObject({
  actions: z.array(declaredString(MAX.action).min(1)).min(1).max(500).describe("IAM actions, e.g. s3:GetObject."),
  resources: z.array(declaredString(MAX.arn).min(1)).min(1).max(500).describe("Resource ARNs the actions apply to."),
  regions: z.array(awsRegion).min(1).max(40).optional().describe("Regions allowed via aws:RequestedRegion. @default [platform region]"),
});

const toolBase = {
  name: dnsLabel(30).describe("Tool name, unique within the agent."),
  dataClass: dataClassSchema.default("internal").describe("Class of the data the tool touches. @default internal"),
};

export const toolSchema = z
  .strictObject({
    ...toolBase,
    aws: z.array(awsStatementSchema).min(1).optional().describe("IAM statements granted to the execution identity."),
    session: z
      .strictObject({
        ttl: duration.default(DEFAULT_TOOL_SESSION_TTL).describe("Lifetime of the STS credentials Vault mints for this tool (AWS minimum 15m). @default 15m"),
        externalId: declaredString(1224)
          .min(2)
          .regex(/^[\w+=,.@:/-]+$/, "2 to 1,224 characters of letters, digits and +=,.@:/-")
          .optional()
          .describe("sts:ExternalId Vault passes and the tool role's trust requires for this tool."),
      })
      .optional()
      .describe("aws tools with platform.toolSessions tagged-sessions: the tool's own Vault-minted session. @default { ttl: 15m }"),
    database: z
      .strictObject({
        connection: declaredString(128).min(1).describe("Name of the database connection in the database mount."),
        creationStatements: z
          .array(declaredString(MAX.sql, "lines").min(1))
          .min(1)
          .max(20)
          .describe("SQL Vault runs to create the credential (PostgreSQL: checked against an allowlist)."),
        revocationStatements: z
          .array(declaredString(MAX.sql, "lines").min(1))
          .max(20)
          .optional()
          .describe('SQL Vault runs when the lease ends; required, ending with DROP ROLE IF EXISTS "{{name}}".'),
        ttl: duration.describe("Default TTL of the credentials."),
      })
      .optional(),
    kv: z
      .strictObject({
        path: declaredString(512)
          .regex(/^[a-zA-Z0-9_-]+(\/[a-zA-Z0-9_-]+)*$/, "a relative KV path without '..', globs or leading '/'")
          .describe("Read-only KV v2 secret under the agent's own prefix."),
      })
      .optional(),
    vaultAws: z
      .strictObject({
        roleArn: declaredString(MAX.arn).regex(
          /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/([\w+=,.@*?-]+\/)*[\w+=,.@*?-]{1,64}$/,
          // Wildcards pass here so vault/secret-role-arns can say why a Vault AWS role names one concrete role.
          "an IAM role ARN (arn:aws:iam::<account>:role/<path/>name; IAM's name characters: letters, digits and +=,.@_-)",
        ),
        ttl: duration.describe("Default STS TTL (AWS minimum 15m)."),
      })
      .optional(),
  })
  .superRefine((tool, ctx) => {
    const kinds = (["aws", "database", "kv", "vaultAws"] as const).filter((k) => tool[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `a tool declares exactly one of aws, database, kv, vaultAws (found ${kinds.length ? kinds.join(", ") : "none"})`,
      });
    }
  });

export const agentSchema = z
  .strictObject({
    name: dnsLabel(40).describe("Agent name (DNS-1123 label, at most 40 characters)."),
    owner: declaredString(63)
      .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "a team slug usable as a Kubernetes label value (at most 63 characters)")
      .describe("Owning team."),
    sponsor: declaredString(MAX.email).email("an e-mail address").describe("The accountable human."),
    tier: tierSchema,
    expires: isoDate.describe("Date after which the agent may no longer be deployed (YYYY-MM-DD)."),
    maxDataClass: dataClassSchema.default("internal").describe("Highest data class any tool may touch. @default internal"),
    approval: z
      .strictObject({
        ticket: declaredString(200, "prose")
          .refine((ticket) => ticket.trim().length > 0, "a change ticket reference, not blank")
          .describe("Change ticket of the security review."),
        approvedBy: approverEmail.describe("E-mail address of the approver; not the agent's own sponsor."),
      })
      .optional()
      .describe("Recorded approval; required for high-risk agents."),
    revoked: z
      .strictObject({ at: isoTimestamp, reason: declaredString(MAX.prose, "prose").min(1) })
      .optional()
      .describe("Kill switch: revoke every identity of the agent, including sessions issued before `at`."),
    orchestration: z
      .strictObject({
        models: z.array(arn).max(100).default([]).describe("Bedrock model or inference-profile ARNs the planner may invoke."),
        regions: z
          .array(awsRegion)
          .min(1)
          .optional()
          .describe("Regions model calls may go to (cross-region inference profiles route to several). @default [platform region]"),
      })
      .default({ models: [] }),
    owns: z
      .array(arn)
      .max(200)
      .default([])
      .describe(
        "Resources this agent alone owns: concrete ARNs (a bucket, table, queue... and everything under it) or an S3 prefix ending in `/*`. Every tool grant must fall inside these, the agent's own roles, log group and KV subtree, or a platform share.",
      ),
    tools: z.array(toolSchema).default([]),
    clusters: z
      .array(dnsLabel(40))
      .min(1, "at least one cluster (leave clusters out to run in all of the platform's clusters)")
      .max(MAX_CLUSTERS)
      .optional()
      .describe("Names of the platform clusters the agent runs in. @default all of platform.clusters"),
    audit: z
      .strictObject({
        logRetentionDays: z
          .number()
          .int()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(", ")}`)
          .default(365),
        deletionProtection: z
          .boolean()
          .default(true)
          .describe("CloudWatch deletion protection on the audit log group. Set false (and deploy) before deleting a retired agent's trail. @default true"),
      })
      .default({ logRetentionDays: 365, deletionProtection: true }),
  })
  .superRefine((agent, ctx) => {
    if (agent.approval && agent.approval.approvedBy.toLowerCase() === agent.sponsor.toLowerCase()) {
      ctx.addIssue({
        code: "custom",
        path: ["approval", "approvedBy"],
        message: `the sponsor ${agent.sponsor} cannot approve their own agent; a second person approves`,
      });
    }
    const seen = new Set<string>();
    agent.tools.forEach((tool, index) => {
      if (seen.has(tool.name)) ctx.addIssue({ code: "custom", path: ["tools", index, "name"], message: `tool "${tool.name}" is declared twice` });
      seen.add(tool.name);
    });
  });

export const agentsSchema = z.array(agentSchema).superRefine((agents, ctx) => {
  const seen = new Set<string>();
  agents.forEach((agent, index) => {
    if (seen.has(agent.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `agent "${agent.name}" is declared twice` });
    seen.add(agent.name);
  });
});

export const declarationSchema = z
  .strictObject({
    platform: platformSchema,
    agents: agentsSchema,
  })
  .superRefine((declaration, ctx) => {
    const sponsors = new Map(declaration.agents.map((agent) => [agent.name, agent.sponsor.toLowerCase()]));
    declaration.platform.exceptions.forEach((exception, index) => {
      if (sponsors.get(exception.agent) === exception.approvedBy.toLowerCase()) {
        ctx.addIssue({
          code: "custom",
          path: ["platform", "exceptions", index, "approvedBy"],
          message: `${exception.approvedBy} sponsors agent ${exception.agent} and cannot approve its exception; a second person approves`,
        });
      }
    });
    declaration.agents.forEach((agent, index) => {
      for (const issue of crossFieldIssues(declaration.platform, agent))
        ctx.addIssue({ code: "custom", path: ["agents", index, ...issue.path], message: issue.message });
      for (const issue of agentClusterIssues(declaration.platform, agent))
        ctx.addIssue({ code: "custom", path: ["agents", index, ...issue.path], message: issue.message });
      for (const issue of toolSessionAgentIssues(declaration.platform, agent))
        ctx.addIssue({ code: "custom", path: ["agents", index, ...issue.path], message: issue.message });
    });
  });

export type Tier = z.infer<typeof tierSchema>;
export type PlatformInput = z.input<typeof platformSchema>;
export type Platform = z.output<typeof platformSchema>;
export type AgentInput = z.input<typeof agentSchema>;
export type AgentDeclaration = z.output<typeof agentSchema>;
export type ToolDeclaration = z.output<typeof toolSchema>;
export type AwsStatementDeclaration = z.output<typeof awsStatementSchema>;
export type DeclarationInput = z.input<typeof declarationSchema>;
export type Declaration = z.output<typeof declarationSchema>;
export type Limits = z.output<typeof limitsSchema>;
export type PolicyException = z.output<typeof exceptionSchema>;
export type Share = z.output<typeof shareSchema>;
export type ResourceShare = z.output<typeof resourceShareSchema>;
export type ConnectionShare = z.output<typeof connectionShareSchema>;
export type ClusterInput = z.input<typeof clusterSchema>;
export type RoleShare = z.output<typeof roleShareSchema>;

/** A validation failure: where in the declaration, and what is wrong. */
export interface DeclarationIssue {
  /** Machine path, dot-separated (`agents.3.tools.1.database.ttl`): the CLI maps it to a line. */
  readonly path: string;
  /** The same path for people, with list elements named: `agents[3] (claims-intake).tools[1] (ledger).database.ttl`. */
  readonly label?: string;
  readonly message: string;
}

export class DeclarationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly DeclarationIssue[],
  ) {
    super(`${source}: invalid declaration\n${issues.map((i) => `  - ${i.label || i.path || "(root)"}: ${i.message}`).join("\n")}`);
    this.name = "DeclarationError";
  }
}

export function issuesOf(
  issues: ReadonlyArray<{ readonly path: readonly PropertyKey[]; readonly message: string }>,
  prefix: string,
  input: unknown,
): DeclarationIssue[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    label: labelPath(prefix, issue.path, input),
    message: issue.message,
  }));
}

/** Plain words for zod's own messages; passed per parse so zod's global state is untouched. */
const PARSE_OPTIONS = { error: plainMessage } as const;

/** Validate a whole declaration; throws `DeclarationError` with every issue, never a zod stack. */
export function parseDeclaration(input: unknown, source = "declaration"): Declaration {
  const result = declarationSchema.safeParse(input, PARSE_OPTIONS);
  const platform = typeof input === "object" && input !== null ? (input as { platform?: unknown }).platform : undefined;
  const written = ignoredSingleClusterFields(platform).map((issue) => ({ ...issue, path: ["platform", ...issue.path] }));
  if (!result.success || written.length) throw new DeclarationError(source, issuesOf([...(result.error?.issues ?? []), ...written], "", input));
  return result.data;
}

export function parsePlatform(input: unknown, source = "platform"): Platform {
  const result = platformSchema.safeParse(input, PARSE_OPTIONS);
  // Before zod's defaults: a field that is ignored when written (see ignoredSingleClusterFields).
  const written = ignoredSingleClusterFields(input);
  if (!result.success || written.length) throw new DeclarationError(source, issuesOf([...(result.error?.issues ?? []), ...written], "platform", input));
  return result.data;
}

export function parseAgent(input: unknown, source = "agent"): AgentDeclaration {
  const result = agentSchema.safeParse(input, PARSE_OPTIONS);
  if (!result.success) throw new DeclarationError(source, issuesOf(result.error.issues, "agent", input));
  return result.data;
}
