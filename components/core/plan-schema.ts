/**
 * The identity plan as a zod schema: the one way a plan is read back (by `diff`, by tests, by any
 * tool). Strict everywhere (an unknown key is an error, so a field added to the plan cannot be
 * dropped by a reader), no defaults (a missing field is an error, never read as empty), and
 * versioned: `parsePlan` refuses a plan whose `version` is not `PLAN_VERSION` before anything else.
 *
 * `plan-types.ts` stays the hand-written contract the compiler returns; the type checks at the end
 * of this file fail `tsc` when the two drift apart (a field added to one and not the other).
 */
import { SHARE_ACCESS_NAMES } from "../rules/data/share-access";
import { z } from "zod";
import { IDENTITY_KINDS } from "./names";
import { BINDINGS, COMPUTE_TYPES } from "./clusters";
import { PLAN_VERSION, type AgentPlan, type FleetPlan } from "./plan-types";
import { TOOL_SESSION_MODES } from "./tool-session-schema";
import { dataClassSchema, exceptionSchema, limitsSchema, tierSchema } from "./schema";

export { PLAN_VERSION };

const text = z.string();
const strings = z.array(z.string());
const stringOrStrings = z.union([z.string(), z.array(z.string())]);
const labels = z.record(z.string(), z.string());
/** Seconds, as the compiler writes them (no duration strings: one unit, one reading). */
const seconds = z.number().int().nonnegative();

export const CONDITION_OPERATORS = [
  "StringEquals",
  // A tool role's trust limits session tag keys with it (tagged-sessions).
  "ForAllValues:StringEquals",
  "StringLike",
  "StringNotEquals",
  "DateLessThan",
  "DateGreaterThan",
  "ArnEquals",
  "ArnLike",
  "Bool",
] as const;

export const conditionBlockSchema = z.partialRecord(z.enum(CONDITION_OPERATORS), z.record(z.string(), stringOrStrings));

export const principalSchema = z.union([
  z.literal("*"),
  z.strictObject({ AWS: stringOrStrings.optional(), Federated: stringOrStrings.optional(), Service: stringOrStrings.optional() }),
]);

export const policyStatementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(["Allow", "Deny"]),
  Principal: principalSchema.optional(),
  Action: stringOrStrings.optional(),
  NotAction: stringOrStrings.optional(),
  Resource: stringOrStrings.optional(),
  NotResource: stringOrStrings.optional(),
  Condition: conditionBlockSchema.optional(),
});

export const policyDocumentSchema = z.strictObject({
  Version: z.literal("2012-10-17"),
  Statement: z.array(policyStatementSchema),
});

export const planPlatformSchema = z.strictObject({
  environment: text,
  namePrefix: text,
  aws: z.strictObject({
    accountId: text,
    partition: z.enum(["aws", "aws-cn", "aws-us-gov"]),
    region: text,
    oidcProviderArn: text.optional(),
    permissionsBoundaryArn: text.optional(),
  }),
  kubernetes: z.strictObject({ namespacePerAgent: z.boolean(), namespace: text }),
  vault: z.strictObject({
    kubernetesAuthPath: text,
    kvMount: text,
    databaseMount: text,
    awsMount: text,
    audience: text,
    version: text.optional(),
    edition: z.enum(["community", "enterprise"]),
    address: text.optional(),
    awsEngineRoleArn: text.optional(),
    databaseConnections: z.array(z.strictObject({ name: text, plugin: text, schemas: strings })),
  }),
  clusters: z
    .array(
      z.strictObject({
        name: text,
        region: text,
        binding: z.enum(BINDINGS),
        oidcProviderArn: text.optional(),
        clusterName: text.optional(),
        vaultAuthPath: text,
        computeType: z.enum(COMPUTE_TYPES),
      }),
    )
    .optional(),
  bootstrap: z
    .strictObject({
      kubernetesAuth: z.array(z.strictObject({ cluster: text, host: text, caCertificate: text, issuer: text.optional(), disableLocalCaJwt: z.boolean() })),
      databaseConnections: z.array(
        z.strictObject({ name: text, connectionUrl: text, username: text, passwordConfigKey: text, rootRotationStatements: strings }),
      ),
      aws: z.strictObject({ roleArn: text, identityTokenAudience: text }).optional(),
      audit: z.union([
        z.strictObject({ type: z.literal("file"), filePath: text }),
        z.strictObject({ type: z.literal("socket"), address: text, socketType: z.enum(["tcp", "udp"]) }),
      ]),
      network: z.strictObject({ vaultCidrs: strings, vaultPort: z.number().int(), awsEndpointCidrs: strings }),
      quota: z.strictObject({ pods: z.number().int(), requestsCpu: text, requestsMemory: text, limitsCpu: text, limitsMemory: text }),
    })
    .optional(),
  toolSessions: z.enum(TOOL_SESSION_MODES),
  limits: limitsSchema.optional(),
  ownableRoots: strings,
  models: strings,
  shared: z.array(
    z.union([
      z.strictObject({
        name: text,
        resource: text,
        access: z.array(z.strictObject({ name: z.enum(SHARE_ACCESS_NAMES), agents: strings })),
        risk: text.optional(),
      }),
      z.strictObject({ name: text, databaseConnection: text, agents: strings }),
      z.strictObject({ name: text, vaultAwsRole: text, agents: strings, risk: text.optional() }),
    ]),
  ),
  exceptions: z.array(exceptionSchema),
});

export const serviceAccountPlanSchema = z.strictObject({
  namespace: text,
  name: text,
  automountServiceAccountToken: z.literal(false),
  labels,
  annotations: labels,
});

export const iamRolePlanSchema = z.strictObject({
  name: text,
  arn: text,
  trustPolicy: policyDocumentSchema,
  policies: z.array(z.strictObject({ name: text, document: policyDocumentSchema })),
  maxSessionDuration: seconds,
  permissionsBoundary: text.nullable(),
  tags: labels,
});

export const vaultRolePlanSchema = z.strictObject({
  name: text,
  backend: text,
  boundServiceAccountNames: strings,
  boundServiceAccountNamespaces: strings,
  audience: text,
  tokenTtl: seconds,
  tokenMaxTtl: seconds,
  tokenPolicies: strings,
  tokenNoDefaultPolicy: z.literal(true),
  aliasNameSource: z.literal("serviceaccount_uid"),
  aliasMetadata: labels.nullable(),
});

export const vaultPolicyPlanSchema = z.strictObject({
  name: text,
  paths: z.array(z.strictObject({ path: text, capabilities: strings })),
});

export const databaseSecretRoleSchema = z.strictObject({
  type: z.literal("database"),
  tool: text,
  name: text,
  backend: text,
  credentialsPath: text,
  dbName: text,
  creationStatements: strings,
  revocationStatements: strings,
  defaultTtl: seconds,
  maxTtl: seconds,
});

export const awsSecretRoleSchema = z.strictObject({
  type: z.literal("aws"),
  tool: text,
  name: text,
  backend: text,
  credentialsPath: text,
  credentialType: z.literal("assumed_role"),
  roleArns: strings,
  sessionTags: labels.nullable(),
  externalId: text.nullable(),
  defaultStsTtl: seconds,
  maxStsTtl: seconds,
});

export const clusterBindingPlanSchema = z.strictObject({
  cluster: text,
  binding: z.enum(BINDINGS),
  serviceAccountAnnotations: labels,
  podIdentityAssociation: z
    .strictObject({ clusterName: text, region: text, namespace: text, serviceAccount: text, roleArn: text, disableSessionTags: z.literal(false) })
    .nullable(),
});

export const identityPlanSchema = z.strictObject({
  kind: z.enum(IDENTITY_KINDS),
  serviceAccount: serviceAccountPlanSchema,
  iamRole: iamRolePlanSchema,
  toolRole: iamRolePlanSchema.nullable(),
  bindings: z.array(clusterBindingPlanSchema),
  vault: z.strictObject({
    role: vaultRolePlanSchema.nullable(),
    additionalRoles: z.array(vaultRolePlanSchema),
    policy: vaultPolicyPlanSchema.nullable(),
    secretRoles: z.array(z.discriminatedUnion("type", [databaseSecretRoleSchema, awsSecretRoleSchema])),
  }),
  sessionNamePrefix: text.nullable(),
});

export const agentPlanSchema = z.strictObject({
  name: z.string().min(1),
  owner: text,
  sponsor: text,
  tier: tierSchema,
  expires: text,
  maxDataClass: dataClassSchema,
  approval: z.strictObject({ ticket: text, approvedBy: text }).nullable(),
  namespace: z.strictObject({
    name: text,
    create: z.boolean(),
    labels,
    guards: z
      .strictObject({
        egress: z.strictObject({ dns: z.literal(true), vaultCidrs: strings, vaultPort: z.number().int(), awsEndpointCidrs: strings }),
        quota: z.strictObject({ pods: z.number().int(), requestsCpu: text, requestsMemory: text, limitsCpu: text, limitsMemory: text }),
      })
      .nullable(),
  }),
  auditLogGroup: z.strictObject({ name: text, arn: text, retentionDays: z.number().int(), deletionProtection: z.boolean() }),
  models: strings,
  owns: strings,
  tools: z.array(
    z.strictObject({
      name: text,
      kind: z.enum(["aws", "database", "kv", "vaultAws"]),
      dataClass: dataClassSchema,
      statementSids: strings.optional(),
      connection: text.optional(),
      kvPath: text.optional(),
    }),
  ),
  revoked: z
    .strictObject({
      at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "a timestamp"),
      reason: text,
      // Absent in plans written before expiry became revocation: those were declared.
      onExpiry: z.boolean().default(false),
      leaseRevokeCommands: strings,
    })
    .nullable(),
  identities: z.array(identityPlanSchema),
});

const auditDeviceOptions = z.record(z.string(), z.string());

export const bootstrapPlanSchema = z.strictObject({
  authBackends: z.array(
    z.strictObject({ cluster: text, path: text, kubernetesHost: text, kubernetesCaCert: text, issuer: text.nullable(), disableLocalCaJwt: z.boolean() }),
  ),
  kvMount: z.strictObject({ path: text, type: z.literal("kv"), version: z.literal("2") }),
  databaseMount: z.strictObject({ path: text, type: z.literal("database") }).nullable(),
  databaseConnections: z.array(
    z.strictObject({
      name: text,
      backend: text,
      pluginName: z.literal("postgresql-database-plugin"),
      connectionUrl: text,
      username: text,
      passwordConfigKey: text,
      allowedRoles: strings,
      rootRotationStatements: strings,
      usernameTemplate: text.nullable(),
    }),
  ),
  awsMount: z.strictObject({ path: text, roleArn: text, identityTokenAudience: text, usernameTemplate: text.nullable() }).nullable(),
  audit: z.union([
    z.strictObject({ type: z.literal("file"), path: text, options: auditDeviceOptions }),
    z.strictObject({ type: z.literal("socket"), path: text, options: auditDeviceOptions }),
  ]),
});

export const planSchema = z.strictObject({
  version: z.literal(PLAN_VERSION),
  stack: text,
  platform: planPlatformSchema,
  bootstrap: bootstrapPlanSchema.nullable(),
  agents: z.array(agentPlanSchema),
});

export type ParsedPlan = z.output<typeof planSchema>;

/** The plan with its agents unread: agents are checked one by one (see `parsePlan`'s `reuse`). */
const planEnvelopeSchema = planSchema.extend({ agents: z.array(z.unknown()) });

/** A plan that cannot be read: where, and why (`agents[0].identities[1].iamRole.arn: …`). */
export class PlanSchemaError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: not a valid identity plan\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PlanSchemaError";
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), "");
}

const MAX_PROBLEMS = 20;

/**
 * Read a plan (parsed JSON or a compiled `FleetPlan`). The version is checked first so a plan
 * written by another release fails with that reason, not with a list of shape errors. Agents are
 * checked one by one; `reuse` may return an agent already checked (one deep-equal to it in the
 * other plan of a diff), which is then not checked again: in a 1,000-agent pull request most are.
 */
export function parsePlan(input: unknown, source: string, reuse?: (rawAgent: unknown) => AgentPlan | undefined): FleetPlan {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new PlanSchemaError(source, ["(root): expected an object"]);
  const version = (input as Record<string, unknown>).version;
  if (version !== PLAN_VERSION) {
    const found = version === undefined ? "has no `version`" : `has version ${JSON.stringify(version)}`;
    throw new PlanSchemaError(source, [
      `version: the plan ${found}; this agent-identity reads plan version ${PLAN_VERSION} only: write the plan again with this version (\`agent-identity plan --json <file>\`)`,
    ]);
  }
  const problems: string[] = [];
  let total = 0;
  const report = (error: z.ZodError, prefix: readonly PropertyKey[]) => {
    total += error.issues.length;
    for (const issue of error.issues)
      if (problems.length < MAX_PROBLEMS) problems.push(`${pathText([...prefix, ...issue.path]) || "(root)"}: ${issue.message}`);
  };
  const envelope = planEnvelopeSchema.safeParse(input);
  if (!envelope.success) report(envelope.error, []);
  const rawAgents = Array.isArray((input as Record<string, unknown>).agents) ? ((input as Record<string, unknown>).agents as unknown[]) : [];
  const agents = rawAgents.map((raw, index) => {
    const known = reuse?.(raw);
    if (known) return known;
    const result = agentPlanSchema.safeParse(raw);
    if (result.success) return result.data;
    report(result.error, ["agents", index]);
    return undefined;
  });
  if (total > 0 || !envelope.success) {
    if (total > MAX_PROBLEMS) problems.push(`…and ${total - MAX_PROBLEMS} more`);
    throw new PlanSchemaError(source, problems);
  }
  return { ...envelope.data, agents } as FleetPlan;
}

// ---------------------------------------------------------------- the schema and the types agree

type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when `plan-types.ts` and `planSchema` disagree on any field. */
const schemaMatchesTypes: Same<DeepReadonly<z.output<typeof planSchema>>, DeepReadonly<FleetPlan>> = true;
void schemaMatchesTypes;
