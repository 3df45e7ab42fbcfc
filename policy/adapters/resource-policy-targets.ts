/**
 * A standalone resource policy (SecretPolicy, KeyPolicy, QueuePolicy ...) replaces the whole policy of
 * the object it names (PutResourcePolicy, PutKeyPolicy, SetQueueAttributes: each API sets the policy,
 * it does not merge). On an object the stack does not create (Vault's unseal secret, the platform's KMS
 * key), the pack cannot read what it removes (a Deny, the owner's own access) nor whose the object is,
 * so in a stack with agents the object must come from a resource of this stack (its output, by the
 * engine's property dependency), or the security team declares the policy (iam/resource-policy). What
 * the statements grant is judged by the resource-policy rules either way. A BucketPolicy is judged by
 * the trail bucket's closed world (trail-buckets.ts).
 */
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, deps, isUnknown, readOfType } from "./shared";

const RULE = "iam/resource-policy";
const KEYS = ["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"];

/** Each standalone policy type, the input naming its object, and the types that create such an object. */
const TARGETS: ReadonlyArray<{ readonly type: string; readonly field: string; readonly of: readonly string[] }> = [
  { type: "aws:secretsmanager/secretPolicy:SecretPolicy", field: "secretArn", of: ["aws:secretsmanager/secret:Secret"] },
  { type: "aws:kms/keyPolicy:KeyPolicy", field: "keyId", of: KEYS },
  { type: "aws:sqs/queuePolicy:QueuePolicy", field: "queueUrl", of: ["aws:sqs/queue:Queue"] },
  { type: "aws:sns/topicPolicy:TopicPolicy", field: "arn", of: ["aws:sns/topic:Topic"] },
  { type: "aws:ecr/repositoryPolicy:RepositoryPolicy", field: "repository", of: ["aws:ecr/repository:Repository"] },
  { type: "aws:efs/fileSystemPolicy:FileSystemPolicy", field: "fileSystemId", of: ["aws:efs/fileSystem:FileSystem"] },
  { type: "aws:backup/vaultPolicy:VaultPolicy", field: "backupVaultName", of: ["aws:backup/vault:Vault"] },
  { type: "aws:kinesis/resourcePolicy:ResourcePolicy", field: "resourceArn", of: ["aws:kinesis/stream:Stream", "aws:kinesis/streamConsumer:StreamConsumer"] },
  { type: "aws:dynamodb/resourcePolicy:ResourcePolicy", field: "resourceArn", of: ["aws:dynamodb/table:Table"] },
  { type: "aws:opensearch/domainPolicy:DomainPolicy", field: "domainName", of: ["aws:opensearch/domain:Domain"] },
  { type: "aws:codebuild/resourcePolicy:ResourcePolicy", field: "resourceArn", of: ["aws:codebuild/project:Project", "aws:codebuild/reportGroup:ReportGroup"] },
];

export const resourcePolicyTargets: Adapter = {
  family: "resource-policy-targets",
  holdings: "none: which object a standalone resource policy replaces the policy of",
  types: TARGETS.map(({ type }) => ({
    type,
    route: "replaces the whole policy of the object it names: in a stack with agents, an object of this stack, or declared",
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const { type, field, of } of TARGETS)
      for (const r of readOfType(ix, type)) {
        const from = deps(r, field);
        if (from.length > 0 && from.every((d) => of.includes(d.type))) continue;
        const target = isUnknown(r, field) ? "(unknown at preview, from no resource of this stack that creates one)" : String(r.v[field] ?? "(none)");
        pass.findings.push(
          declarablePlatformFinding(
            r.resource,
            RULE,
            `${type.split(":").pop()} ${r.resource.name} replaces the whole policy of ${target}, which this stack does not create: what that policy held (its Denies, its owner's access) and whose the object is (Vault's unseal material, the platform's key) are not read`,
            `write the policy on an object this stack creates (name it by the resource's output), or in the stack that owns the object`,
          ),
        );
      }
  },
};
