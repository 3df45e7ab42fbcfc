/** Declarations for tests: the repo's own stack files, and small builders. */
import { readStackFile } from "../../cli/stack-file";
import type { AgentInput, DeclarationInput, PlatformInput } from "../../components/core/schema";

export function stackDeclaration(stack: string): DeclarationInput {
  return readStackFile(`stacks/Pulumi.${stack}.yaml`).declaration as DeclarationInput;
}

export const PLATFORM: PlatformInput = {
  environment: "test",
  namePrefix: "acme",
  aws: {
    accountId: "111122223333",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/agent-boundary",
  },
  vault: {
    kubernetesAuthPath: "kubernetes",
    kvMount: "kv",
    databaseMount: "database",
    awsMount: "aws",
    audience: "vault",
    version: "1.21.1",
    edition: "enterprise",
    databaseConnections: [{ name: "main", plugin: "postgresql-database-plugin" }],
  },
  // Where test agents may own things: the acme-* name space of each ownable type the tests use.
  ownableRoots: [
    "arn:aws:s3:::acme-*",
    "arn:aws:dynamodb:us-east-1:111122223333:table/acme-*",
    "arn:aws:sqs:us-east-1:111122223333:acme-*",
    "arn:aws:sns:us-east-1:111122223333:acme-*",
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:acme/*",
    "arn:aws:ssm:us-east-1:111122223333:parameter/acme/*",
    "arn:aws:kinesis:us-east-1:111122223333:stream/acme-*",
    // KMS keys only by exact ARN: a key id says nothing about whose it is.
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  ],
};

/** A valid batch agent reading one S3 prefix of its own; override any field. */
export function agent(name: string, overrides: Partial<AgentInput> = {}): AgentInput {
  return {
    name,
    owner: "team-test",
    sponsor: "owner@example.com",
    tier: "batch",
    expires: "2027-06-30",
    orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"] },
    owns: [`arn:aws:s3:::acme-data/${name}/*`],
    tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::acme-data/${name}/*`] }] }],
    ...overrides,
  };
}

export const TODAY = new Date("2026-11-28T00:00:00Z");
/** The same day as the components take it (`validationDate`, YYYY-MM-DD). */
export const TODAY_DATE = "2026-11-28";
