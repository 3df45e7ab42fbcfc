/**
 * Rules about AWS principals and resources outside the agents' own identities, judged by what they
 * reach: a role, user, group, SSO permission set, EKS access entry or resource policy whose grants
 * reach what an agent owns or holds, a resource that copies or exposes an agent's data, an AWS
 * managed policy judged by its document, and a CloudTrail trail that stops recording. Only stack
 * resources carry them, so the policy pack checks them (policy/adapters/aws-*.ts).
 */
import { meta, PACK } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const ISOLATION = standards(["NHI5", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7", "MANAGE 2.4"]);
const OVERPRIVILEGED = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const AUDIT = standards(["NHI5"], ["ASI03", "ASI10"], ["L5 Evaluation & Observability", "L6 Security & Compliance"], ["MEASURE 2.8", "MANAGE 2.4"]);

export const AWS_REACH_RULES: readonly RuleMeta[] = [
  meta(
    "separation/undeclared-share",
    "separation",
    "error",
    "No principal of the stack that is not an agent identity (IAM role, user or group, SSO permission set, EKS access entry, Pod Identity association, or a principal a bucket, queue, topic or key policy admits) reaches, by its effective grants, a resource an agent owns or holds, unless the security team declared that share in the pack's `shares` configuration. Grants are read as IAM evaluates them: a policy variable is every value it can take, a DynamoDB table's streams, indexes, backups, exports and imports are the table, an S3 access point (ARN or alias) is the bucket behind it (every bucket when the stack does not create it).",
    ISOLATION,
    PACK.stack,
  ),
  meta(
    "separation/agent-data-copy",
    "separation",
    "error",
    "No resource copies, streams, moves, exposes or subscribes to what an agent owns or holds (an S3 ACL, replication or analytics export of its bucket, a DynamoDB streaming destination or export of its table, a subscription filter, data protection policy or transformer on its log group, an event source mapping, pipe, redrive policy, SNS subscription, schedule or EventBridge target on its queue or stream, an S3 Access Grant, RAM share or Lake Formation permission on its data), unless declared in `shares`; a flow between resources one agent owns passes.",
    ISOLATION,
    PACK.stack,
  ),
  meta(
    "iam/managed-policy-content",
    "iam",
    "error",
    "An AWS managed policy on any principal of the stack is judged by its document (components/rules/data/aws-managed-policies.json); a policy that file does not know, or an ARN unknown at preview, is refused.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/platform-role-declared",
    "iam",
    "error",
    "In a stack with agents, every IAM role the stack creates other than the agents' own (the components' tagged roles) is declared by the security team in kubernetesPlatformResources: a role named like an existing one may be that role imported (a policy does not see the import option, and an import with other inputs imports then updates), which keeps every grant other resources make to its ARN (key, bucket and secret policies, EKS access entries, Vault AWS auth roles, other roles' trust), none of which the pack can read; the declaration vouches that the name is new.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/platform-object-declared",
    "iam",
    "error",
    "In a stack with agents, every customer-managed `aws.iam.Policy`, `aws.iam.InstanceProfile`, `aws.iam.OpenIdConnectProvider`, `aws.iam.SamlProvider`, `aws.iam.User` and `aws.iam.Group` the stack creates is declared by the security team in kubernetesPlatformResources: one named like an existing object may be that object imported (a policy does not see the import option, and an import with other inputs imports then updates), so a policy's new default version reaches every principal it is already attached to outside the stack, a profile's new role every instance already using it, a provider's new metadata, thumbprints or client IDs every role trusting it, a user's new grants whoever holds its existing keys and passwords, and a group's new policies its existing members; the declaration vouches that the name is new.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/principal-exclusive-policies",
    "iam",
    "error",
    "Every IAM role, user and group the stack creates holds only the policies the stack writes: it has an `aws.iam.{Role,User,Group}PolicyAttachmentsExclusive` (or a role's own `managedPolicyArns`) and an `aws.iam.{Role,User,Group}PoliciesExclusive` listing only inline policies the stack writes on it, on an agent's role exactly those (or a role's own non-empty `inlinePolicies`), so one imported under an existing name (a policy does not see the import option, and an import with other inputs imports then updates) loses every policy the pack did not read. A platform principal may instead be declared in kubernetesPlatformResources; an agent's role never.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/permissions-boundary-policy",
    "iam",
    "error",
    "Every agent role of the stack names the same permissions boundary (none swapped or dropped on one role); when that boundary is an `aws.iam.Policy` of the stack (by name, or the input it came from), its document is readable and allows no `*` action, nothing by NotAction and no privilege escalation, so a rewrite cannot lift the agents' ceiling.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/agent-role-as-planned",
    "iam",
    "error",
    "Every agent role is the role its identity's plan describes (the record the components write on the identity's ServiceAccount): the same trust policy, permissions boundary, maximum session duration, path and tags (exactly the planned ones: an added tag is refused, as ABAC reads it), and no (action, resource, condition) allowed by its inline policies, RolePolicies or attached managed policies that the plan does not grant, nor a planned Deny dropped, so a transformation or a hand-written policy cannot widen an agent role, even on what the agent owns.",
    OVERPRIVILEGED,
    PACK.stack,
  ),
  meta(
    "iam/agent-role-tags",
    "iam",
    "error",
    "An agent role (tagged `agent`) carries only the tag keys the components set (`AGENT_ROLE_TAG_KEYS` in components/core/compile.ts: agent, identity, owner, sponsor, tier, expires, environment, data-class, managed-by, revoked-at; a tool role also `role`), read without any plan record: ABAC policies read `aws:PrincipalTag`, so an added tag would widen the role whatever the record says.",
    OVERPRIVILEGED,
    PACK.resource,
  ),
  meta(
    "iam/agent-grant-owned",
    "iam",
    "error",
    "Every resource an agent's execution role or tool role allows (other than `*`, which the IAM rules judge) lies inside what its agent owns (`agent-identity.io/owns`, its roles, its audit log group), or is a bucket holding a prefix the agent owns, or a share the security team declared in the pack's `shares` configuration for principal `agent:<agent>/<identity>` or `iam:role/<role>`; read without the role-plan record, so a program that rewrites an agent role and its record together still cannot grant a platform secret, parameter or bucket.",
    ISOLATION,
    PACK.stack,
  ),
  meta(
    "stack/audit-log-group",
    "stack",
    "error",
    "An agent's audit log group keeps its events at least its tier's minimum (never expiring is fine), keeps deletion protection on unless the agent is revoked, is encrypted (if by a KMS key at all) only by an enabled symmetric ENCRYPT_DECRYPT key of the stack whose material KMS generates (an aws.kms.Key without a custom key store, or a ReplicaKey of such a Key of the stack; never an ExternalKey, whose imported material expires or is deleted at will), whose key policy (its own and any aws.kms.KeyPolicy) lets only the account root and the CloudWatch Logs service (for the operations it uses, under a kms:EncryptionContext:aws:logs:arn condition) act on it unless the security team declares the key or key policy, and whose grants go only to the logs service, keeps the STANDARD class and no `cw:` data-source tag, and is the only resource of the stack named in the agents' audit name space under that agent's name; no other resource names it (a stream, metric filter, index policy, trail or anything but identity and key policies and saved queries), and no account-wide index policy, S3 Tables source for every data source or storage tier change covers it. In a stack with agents, no aws.oam.Link shares anything but metrics with a monitoring account (AWS::Logs::LogGroup lets it query every log group), and no CloudWatch Observability Admin centralization rule, telemetry rule, telemetry pipeline or delegated administrator is created, unless the security team declares it (kubernetesPlatformResources).",
    AUDIT,
    PACK.both,
  ),
  meta(
    "stack/audit-trail",
    "stack",
    "error",
    "No CloudTrail trail or event data store stops or narrows recording unless the security team declares it in the pack's configuration: a trail is multi-region with global service events, logging and log file validation on, and records every management event for reads and writes with no selector leaving events out; an event data store records every management event of every region, keeps them at least the longest audit retention with termination protection, and is not suspended; neither names a log group, role, topic or key of another account than the agents', and a key of the stack that encrypts the record holds material KMS generates (no ExternalKey, no custom key store; a ReplicaKey only of such a Key of the stack). No service or resource control policy denies an audit identity the log writes it holds, and no account is made CloudTrail's delegated administrator. The bucket a trail of the stack delivers to (or one the security team declares in `auditTrailBuckets`) is a closed world: its bucket policy allows only CloudTrail's documented delivery (s3:GetBucketAcl, s3:PutObject with bucket-owner-full-control, both with `aws:SourceArn` naming trails), Deny statements and declared readers; no ACL grant beyond the owner, object ownership BucketOwnerEnforced, every public access block setting true, no lifecycle expiration shorter than the declared retention (365 days unless declared), no replication to an undeclared bucket, versioning and object lock never turned off, no `forceDestroy`; no principal of the stack that is not an agent identity may do more than read it unless declared a writer; a trail's bucket unknown at preview fails closed. In a stack with agents, the same destructive settings (a bucket policy beyond that shape included) on any other bucket, the stack's own included (a policy cannot tell a bucket the stack creates from an existing trail bucket it imports: the import option is not sent to policies, and an import with other inputs imports then updates), are refused unless the security team declares the resource (kubernetesPlatformResources). Any EKS cluster resource (in any stack: agents run in clusters other stacks create) lists `audit` and `authenticator` in `enabledClusterLogTypes` (the record of ServiceAccount token requests and IAM sign-ins; control plane logging is off unless listed).",
    AUDIT,
    PACK.both,
  ),
];
