/**
 * The declaration: the public contract users write in `stacks/Pulumi.<stack>.yaml` (config keys
 * `agent-identity:platform` and `agent-identity:agents`) or pass to the components in TypeScript.
 * One zod schema is the single source of truth: the TypeScript types are inferred from it and
 * `schema/declaration.schema.json` is generated from it (`npm run schema`).
 * Unknown fields are errors everywhere (`strictObject`), so a typo never silently drops a control.
 */
import { z } from "zod";
import { isDuration } from "./durations";
import { DATA_CLASSES } from "./tiers";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const dnsLabel = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .regex(DNS_LABEL, "lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)");

const duration = z.string().refine(isDuration, "a duration like 90s, 10m, 1h or 1d");

/** YYYY-MM-DD naming a real day: Date.parse alone rolls 2027-02-30 over into March. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date like 2027-06-30")
  .refine(isIsoDate, "a real calendar date");

const isoTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, "an ISO 8601 timestamp with a zone, like 2026-11-28T09:30:00Z")
  .refine((value) => !Number.isNaN(Date.parse(value)), "a real timestamp");

const arn = z.string().regex(/^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, "an ARN (arn:partition:service:region:account:resource)");

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-1");

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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

export const exceptionSchema = z
  .strictObject({
    rule: z.string().min(1).describe("The rule id being waived, e.g. iam/resource-wildcard."),
    agent: dnsLabel(40).describe("The agent the exception applies to."),
    identity: z.enum(["orchestration", "execution", "audit"]).optional().describe("Limit the exception to one identity."),
    reason: z.string().min(10, "say why, in at least 10 characters").describe("Why the rule is waived."),
    approvedBy: z.string().min(1).describe("Who reviewed and approved the exception."),
    expires: isoDate.describe("When the exception stops applying (YYYY-MM-DD)."),
  })
  .describe("A reviewed, expiring waiver of one rule for one agent. Shown in every plan.");

/**
 * A resource more than one agent may reach, declared once by the platform team. A resource share
 * names one concrete ARN (or a prefix ARN ending in `/*`) and which agents may read it (List and Read
 * actions) and write it (Write actions); a connection share names a Vault database connection that
 * the listed agents' tools may all use. Anything not declared here belongs to at most one agent.
 */
export const resourceShareSchema = z.strictObject({
  name: dnsLabel(63).describe("Name of the share, shown in findings."),
  resource: arn.describe("Concrete ARN, or a prefix ARN ending in `/*`, that the listed agents share."),
  read: z.array(dnsLabel(40)).default([]).describe("Agents that may use List and Read actions on it."),
  write: z.array(dnsLabel(40)).default([]).describe("Agents that may use Write actions on it (list them under read too to read)."),
});

export const connectionShareSchema = z.strictObject({
  name: dnsLabel(63).describe("Name of the share, shown in findings."),
  databaseConnection: z.string().min(1).max(128).describe("Name of the database connection in the database mount."),
  agents: z.array(dnsLabel(40)).min(2).describe("Agents whose tools may use this connection."),
});

export const shareSchema = z.union([resourceShareSchema, connectionShareSchema]);

export const platformSchema = z.strictObject({
  environment: dnsLabel(12).describe("Environment name; part of every resource name."),
  namePrefix: dnsLabel(12).default("agent").describe("Prefix of IAM role, namespace and Vault policy names."),
  aws: z.strictObject({
    accountId: z.string().regex(/^\d{12}$/, "a 12-digit AWS account id"),
    partition: z.enum(["aws", "aws-cn", "aws-us-gov"]).default("aws"),
    region: awsRegion,
    oidcProviderArn: z
      .string()
      .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/.+$/, "an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)")
      .describe("The EKS cluster's IAM OIDC provider."),
    permissionsBoundaryArn: arn.optional().describe("Managed policy attached as permissions boundary to every role."),
  }),
  kubernetes: z
    .strictObject({
      namespacePerAgent: z.boolean().default(true).describe("Give every agent a namespace of its own."),
      namespace: dnsLabel(63).default("agents").describe("The shared namespace, when namespacePerAgent is false."),
    })
    .default({ namespacePerAgent: true, namespace: "agents" }),
  vault: z.strictObject({
    kubernetesAuthPath: z.string().min(1).default("kubernetes").describe("Path of the existing Kubernetes auth mount."),
    kvMount: z.string().min(1).default("kv").describe("Path of the existing KV v2 mount."),
    databaseMount: z.string().min(1).default("database").describe("Path of the existing database secrets mount."),
    awsMount: z.string().min(1).default("aws").describe("Path of the existing AWS secrets mount."),
    audience: z.string().min(1).default("vault").describe("Audience of the projected ServiceAccount token Vault accepts."),
  }),
  limits: limitsSchema.optional(),
  shared: z
    .array(shareSchema)
    .max(1000)
    .default([])
    .describe("Resources and database connections more than one agent may use, and by whom. Everything else belongs to one agent."),
  exceptions: z.array(exceptionSchema).default([]),
});

// ---------------------------------------------------------------- agents

export const awsStatementSchema = z.strictObject({
  actions: z.array(z.string().min(1)).min(1).describe("IAM actions, e.g. s3:GetObject."),
  resources: z.array(z.string().min(1)).min(1).describe("Resource ARNs the actions apply to."),
  regions: z
    .array(awsRegion)
    .min(1)
    .optional()
    .describe("Regions allowed via aws:RequestedRegion. @default [platform region]"),
});

const toolBase = {
  name: dnsLabel(30).describe("Tool name, unique within the agent."),
  dataClass: dataClassSchema.default("internal").describe("Class of the data the tool touches. @default internal"),
};

export const toolSchema = z
  .strictObject({
    ...toolBase,
    aws: z.array(awsStatementSchema).min(1).optional().describe("IAM statements granted to the execution identity."),
    database: z
      .strictObject({
        connection: z.string().min(1).describe("Name of the database connection in the database mount."),
        creationStatements: z.array(z.string().min(1)).min(1),
        revocationStatements: z.array(z.string().min(1)).optional(),
        ttl: duration.describe("Default TTL of the credentials."),
      })
      .optional(),
    kv: z
      .strictObject({
        path: z
          .string()
          .regex(/^[a-zA-Z0-9_-]+(\/[a-zA-Z0-9_-]+)*$/, "a relative KV path without '..', globs or leading '/'")
          .describe("Read-only KV v2 secret under the agent's own prefix."),
      })
      .optional(),
    vaultAws: z
      .strictObject({
        roleArn: z.string().regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/.+$/, "an IAM role ARN"),
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
    owner: z
      .string()
      .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "a team slug usable as a Kubernetes label value (at most 63 characters)")
      .describe("Owning team."),
    sponsor: z.string().email("an e-mail address").describe("The accountable human."),
    tier: tierSchema,
    expires: isoDate.describe("Date after which the agent may no longer be deployed (YYYY-MM-DD)."),
    maxDataClass: dataClassSchema.default("internal").describe("Highest data class any tool may touch. @default internal"),
    approval: z
      .strictObject({ ticket: z.string().min(1), approvedBy: z.string().min(1) })
      .optional()
      .describe("Recorded approval; required for high-risk agents."),
    revoked: z
      .strictObject({ at: isoTimestamp, reason: z.string().min(1) })
      .optional()
      .describe("Kill switch: revoke every identity of the agent, including sessions issued before `at`."),
    orchestration: z
      .strictObject({
        models: z.array(arn).default([]).describe("Bedrock model or inference-profile ARNs the planner may invoke."),
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
    audit: z
      .strictObject({
        logRetentionDays: z
          .number()
          .int()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(", ")}`)
          .default(365),
      })
      .default({ logRetentionDays: 365 }),
  })
  .superRefine((agent, ctx) => {
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

export const declarationSchema = z.strictObject({
  platform: platformSchema,
  agents: agentsSchema,
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

/** A validation failure: where in the declaration, and what is wrong. */
export interface DeclarationIssue {
  readonly path: string;
  readonly message: string;
}

export class DeclarationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly DeclarationIssue[],
  ) {
    super(`${source}: invalid declaration\n${issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")}`);
    this.name = "DeclarationError";
  }
}

function issuesOf(error: z.ZodError, prefix: string): DeclarationIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
}

/** Validate a whole declaration; throws `DeclarationError` with every issue, never a zod stack. */
export function parseDeclaration(input: unknown, source = "declaration"): Declaration {
  const result = declarationSchema.safeParse(input);
  if (!result.success) throw new DeclarationError(source, issuesOf(result.error, ""));
  return result.data;
}

export function parsePlatform(input: unknown, source = "platform"): Platform {
  const result = platformSchema.safeParse(input);
  if (!result.success) throw new DeclarationError(source, issuesOf(result.error, "platform"));
  return result.data;
}

export function parseAgent(input: unknown, source = "agent"): AgentDeclaration {
  const result = agentSchema.safeParse(input);
  if (!result.success) throw new DeclarationError(source, issuesOf(result.error, "agent"));
  return result.data;
}
