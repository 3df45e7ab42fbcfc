/**
 * The bucket a CloudTrail trail delivers to (policy/adapters/trail-buckets.ts, stack/audit-trail):
 * the dev stack's components, a complete trail into `acme-trail`, CloudTrail's documented bucket
 * policy, owner-enforced ownership, every public access block on, versioning on, a lifecycle that
 * only archives and expires after the retention, and a role that only reads the trail pass; each
 * case changes one property of one of them (V1 and V2 S3 types, inline bucket fields) and is
 * refused. The security team's `auditTrailBuckets` configuration declares a bucket of a trail the
 * stack cannot see, its retention, readers, writers and replication destinations.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaredTrailBuckets } from "../../policy/trail-buckets-config";
import { declaring, runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "stack/audit-trail";
const ACC = "111122223333";
const BUCKET = "acme-trail";
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACC}:trail/org`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ACL_CHECK = {
  Sid: "AWSCloudTrailAclCheck",
  Effect: "Allow",
  Principal: { Service: "cloudtrail.amazonaws.com" },
  Action: "s3:GetBucketAcl",
  Resource: `arn:aws:s3:::${BUCKET}`,
  Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
};
const WRITE = {
  Sid: "AWSCloudTrailWrite",
  Effect: "Allow",
  Principal: { Service: "cloudtrail.amazonaws.com" },
  Action: "s3:PutObject",
  Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${ACC}/*`,
  Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN } },
};
const READER = `arn:aws:iam::${ACC}:role/security-audit`;

const s3 = (kind: string, name: string, props: Record<string, unknown>): Resource => ({
  type: `aws:s3/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`,
  name,
  props: { bucket: BUCKET, ...props },
});
const trail = (): Resource => ({
  type: "aws:cloudtrail/trail:Trail",
  name: "org-trail",
  props: { name: "org", s3BucketName: BUCKET, isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true },
});
const role = (name: string, policy: string): Resource[] => [
  {
    type: "aws:iam/role:Role",
    name,
    props: { name, assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) },
  },
  { type: "aws:iam/rolePolicy:RolePolicy", name: `${name}-p`, props: { role: name, name: "p", policy } },
];

/** The happy path: every piece of a protected trail bucket, by name. */
const HAPPY: Record<string, () => Resource | Resource[]> = {
  trail,
  bucket: () => ({ type: "aws:s3/bucketV2:BucketV2", name: "trail-bucket", props: { bucket: BUCKET } }),
  policy: () => s3("BucketPolicy", "trail-policy", { policy: doc(ACL_CHECK, WRITE) }),
  ownership: () => s3("BucketOwnershipControls", "trail-ownership", { rule: { objectOwnership: "BucketOwnerEnforced" } }),
  publicAccess: () =>
    s3("BucketPublicAccessBlock", "trail-pab", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
  versioning: () => s3("BucketVersioningV2", "trail-versioning", { versioningConfiguration: { status: "Enabled" } }),
  lifecycle: () =>
    s3("BucketLifecycleConfigurationV2", "trail-lifecycle", {
      rules: [{ id: "archive", status: "Enabled", transitions: [{ days: 90, storageClass: "GLACIER" }], expiration: { days: 400 } }],
    }),
  reader: () =>
    role("trail-reader", doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] })),
  /** Nothing else: a case adds one resource here. */
  extra: () => [],
};
const RECORD = `AWSLogs/${ACC}/CloudTrail/us-east-1/2026/12/07/${ACC}_CloudTrail_us-east-1_20261207T0000Z_x.json.gz`;
const happy = (replace: Record<string, Resource | Resource[] | null> = {}): Resource[] =>
  Object.entries(HAPPY).flatMap(([key, make]) => {
    const value = key in replace ? replace[key] : make();
    return value === null ? [] : Array.isArray(value) ? value : [value];
  });
const declared = (entry: Record<string, unknown>) => ({
  auditTrailBuckets: [{ bucket: BUCKET, reason: "the organisation trail's bucket", approvedBy: "security@acme.example", ...entry }],
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
const rulesOf = async (extra: Resource[], config: object = {}) => ruleIds(await runPack([...base, ...extra], undefined, config));

describe("the bucket a CloudTrail trail delivers to", () => {
  it("passes the documented bucket policy, owner-enforced ownership, public access blocked, versioning, a long lifecycle and a reading role", async () => {
    expect(await rulesOf(happy())).not.toContain(RULE);
  }, 120_000);

  const CASES: Array<[string, Record<string, Resource | Resource[] | null>]> = [
    [
      "a bucket policy letting another account delete objects",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, WRITE, {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::999988887777:root" },
            Action: "s3:DeleteObject",
            Resource: `arn:aws:s3:::${BUCKET}/*`,
          }),
        }),
      },
    ],
    [
      "CloudTrail's write without the bucket-owner-full-control condition",
      { policy: s3("BucketPolicy", "trail-policy", { policy: doc(ACL_CHECK, { ...WRITE, Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } } }) }) },
    ],
    [
      "CloudTrail's write without aws:SourceArn",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, { ...WRITE, Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } } }),
        }),
      },
    ],
    ["CloudTrail's service principal given s3:*", { policy: s3("BucketPolicy", "trail-policy", { policy: doc(ACL_CHECK, { ...WRITE, Action: "s3:*" }) }) }],
    ["a bucket policy unknown at preview", { policy: s3("BucketPolicy", "trail-policy", { policy: UNKNOWN }) }],
    [
      "an undeclared reader in the bucket policy",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, WRITE, { Effect: "Allow", Principal: { AWS: READER }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }),
        }),
      },
    ],
    ["object ownership ObjectWriter", { ownership: s3("BucketOwnershipControls", "trail-ownership", { rule: { objectOwnership: "ObjectWriter" } }) }],
    [
      "a public access block setting off",
      {
        publicAccess: s3("BucketPublicAccessBlock", "trail-pab", {
          blockPublicAcls: true,
          blockPublicPolicy: false,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
      },
    ],
    ["a canned ACL public-read-write (BucketAclV2)", { ownership: s3("BucketAclV2", "trail-acl", { acl: "public-read-write" }) }],
    [
      "an ACL grant to AllUsers (BucketAcl, V1)",
      {
        ownership: s3("BucketAcl", "trail-acl", {
          accessControlPolicy: {
            owner: { id: "owner" },
            grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "FULL_CONTROL" }],
          },
        }),
      },
    ],
    [
      "versioning suspended (BucketVersioningV2)",
      { versioning: s3("BucketVersioningV2", "trail-versioning", { versioningConfiguration: { status: "Suspended" } }) },
    ],
    [
      "versioning suspended (BucketVersioning, V1)",
      { versioning: s3("BucketVersioning", "trail-versioning", { versioningConfiguration: { status: "Suspended" } }) },
    ],
    [
      "a 1-day expiration (V2)",
      { lifecycle: s3("BucketLifecycleConfigurationV2", "trail-lifecycle", { rules: [{ id: "x", status: "Enabled", expiration: { days: 1 } }] }) },
    ],
    [
      "a 30-day expiration (V1)",
      { lifecycle: s3("BucketLifecycleConfiguration", "trail-lifecycle", { rules: [{ id: "x", status: "Enabled", expiration: { days: 30 } }] }) },
    ],
    [
      "noncurrent versions deleted after 7 days",
      {
        lifecycle: s3("BucketLifecycleConfigurationV2", "trail-lifecycle", {
          rules: [{ id: "x", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 7 } }],
        }),
      },
    ],
    [
      "replication to another bucket",
      {
        versioning: s3("BucketReplicationConfig", "trail-replication", {
          role: `arn:aws:iam::${ACC}:role/replicator`,
          rules: [{ id: "x", status: "Enabled", destination: { bucket: "arn:aws:s3:::elsewhere" } }],
        }),
      },
    ],
    ["object lock turned off (V2)", { versioning: s3("BucketObjectLockConfigurationV2", "trail-lock", { objectLockEnabled: "Disabled" }) }],
    [
      "a role that deletes under AWSLogs/",
      { reader: role("trail-reader", doc({ Effect: "Allow", Action: ["s3:DeleteObject", "s3:PutObject"], Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*` })) },
    ],
    [
      "a role that changes the bucket's lifecycle",
      { reader: role("trail-reader", doc({ Effect: "Allow", Action: "s3:PutLifecycleConfiguration", Resource: `arn:aws:s3:::${BUCKET}` })) },
    ],
    ["a role with s3:* on every resource", { reader: role("trail-reader", doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })) }],
    [
      "a user with AmazonS3FullAccess (a managed policy, by its levels)",
      {
        reader: [
          { type: "aws:iam/user:User", name: "ops", props: { name: "ops" } },
          {
            type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            name: "ops-s3",
            props: { user: "ops", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
          },
        ],
      },
    ],
    [
      "a Deny of s3:PutObject to any principal",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, WRITE, { Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/*` }),
        }),
      },
    ],
    [
      "a Deny of s3:GetBucketAcl to CloudTrail's service principal",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, WRITE, {
            Effect: "Deny",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: `arn:aws:s3:::${BUCKET}`,
          }),
        }),
      },
    ],
    [
      "a Deny of s3:* to a NotPrincipal",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, WRITE, { Effect: "Deny", NotPrincipal: { AWS: READER }, Action: "s3:*", Resource: `arn:aws:s3:::${BUCKET}/*` }),
        }),
      },
    ],
    [
      "the SecureTransport Deny with a second condition",
      {
        policy: s3("BucketPolicy", "trail-policy", {
          policy: doc(ACL_CHECK, WRITE, {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: `arn:aws:s3:::${BUCKET}/*`,
            Condition: { Bool: { "aws:SecureTransport": "false" }, StringNotEquals: { "aws:PrincipalAccount": ACC } },
          }),
        }),
      },
    ],
    ["an object the stack writes into the bucket (BucketObjectv2)", { extra: s3("BucketObjectv2", "forged", { key: RECORD, content: "{}" }) }],
    ["an object the stack writes into the bucket (BucketObject, V1)", { extra: s3("BucketObject", "forged", { key: "readme.txt", content: "x" }) }],
    ["an ObjectCopy overwriting a record in the bucket", { extra: s3("ObjectCopy", "overwrite", { key: RECORD, source: "elsewhere/forged.json.gz" }) }],
    [
      "an ObjectCopy copying a record out to another bucket",
      { extra: s3("ObjectCopy", "copy-out", { bucket: "elsewhere", key: "x", source: `${BUCKET}/${RECORD}` }) },
    ],
    ["an ObjectCopy whose source is unknown at preview", { extra: s3("ObjectCopy", "copy-unknown", { bucket: "elsewhere", key: "x", source: UNKNOWN }) }],
  ];
  for (const [what, replace] of CASES)
    it(`refuses ${what}`, async () => {
      expect(await rulesOf(happy(replace))).toContain(RULE);
    }, 120_000);

  it("refuses inline fields of aws.s3.Bucket when the trail's bucket comes from it (lifecycle, forceDestroy)", async () => {
    const bucket = (props: Record<string, unknown>): Resource => ({ type: "aws:s3/bucket:Bucket", name: "trail-bucket", props: { bucket: BUCKET, ...props } });
    const fromBucket: Resource = { ...trail(), props: { ...trail().props, s3BucketName: UNKNOWN }, dependsOn: { s3BucketName: ["trail-bucket"] } };
    expect(await rulesOf([fromBucket, bucket({})])).not.toContain(RULE);
    expect(await rulesOf([fromBucket, bucket({ lifecycleRules: [{ enabled: true, expiration: { days: 5 } }] })])).toContain(RULE);
    expect(await rulesOf([fromBucket, bucket({ forceDestroy: true })])).toContain(RULE);
  }, 120_000);

  it("refuses a trail whose bucket is unknown at preview and comes from no bucket of the stack", async () => {
    expect(await rulesOf([{ ...trail(), props: { ...trail().props, s3BucketName: UNKNOWN } }])).toContain(RULE);
  }, 120_000);

  it("refuses a short expiration on a bucket the stack does not create, with no trail in the stack", async () => {
    const lifecycle = s3("BucketLifecycleConfigurationV2", "lc", { rules: [{ id: "x", status: "Enabled", expiration: { days: 1 } }] });
    expect(await rulesOf([lifecycle])).toContain(RULE);
    const platform = declaring(lifecycle);
    expect(await rulesOf([lifecycle], platform)).not.toContain(RULE);
  }, 120_000);

  it("refuses a bucket policy on a bucket the stack does not create that lets a principal delete, with no trail in the stack, until declared (and passes a TLS-only one)", async () => {
    // PutBucketPolicy replaces the whole policy: on the organisation's trail bucket (not declared in auditTrailBuckets) this lets ops erase it.
    const deleter = s3("BucketPolicy", "org-bucket-policy", {
      bucket: "acme-org-cloudtrail",
      policy: doc({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACC}:role/ops` },
        Action: "s3:DeleteObject",
        Resource: "arn:aws:s3:::acme-org-cloudtrail/*",
      }),
    });
    expect(await rulesOf([deleter])).toContain(RULE);
    expect(await rulesOf([deleter], declaring(deleter))).not.toContain(RULE);
    const tlsOnly = s3("BucketPolicy", "tls-only", {
      bucket: "acme-org-cloudtrail",
      policy: doc({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::acme-org-cloudtrail", "arn:aws:s3:::acme-org-cloudtrail/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    });
    expect(await rulesOf([tlsOnly])).not.toContain(RULE);
  }, 120_000);

  it("refuses the same on a bucket the stack names as its own (it may be the organisation's trail bucket imported), until declared", async () => {
    // An import twin: the bucket resource adopts the existing bucket (records and all), the lifecycle then expires them.
    const twin: Resource = { type: "aws:s3/bucketV2:BucketV2", name: "org-archive", props: { bucket: "org-cloudtrail-archive" } };
    const lifecycle = s3("BucketLifecycleConfigurationV2", "lc", {
      bucket: "org-cloudtrail-archive",
      rules: [{ id: "x", status: "Enabled", expiration: { days: 1 } }],
    });
    expect(await rulesOf([twin])).not.toContain(RULE);
    expect(await rulesOf([twin, lifecycle])).toContain(RULE);
    expect(await rulesOf([twin, lifecycle], declaring(lifecycle))).not.toContain(RULE);
    // The setting traced to the bucket resource (its name unknown at preview), and the bucket's own inline fields.
    const traced: Resource = { ...lifecycle, props: { ...lifecycle.props, bucket: UNKNOWN }, dependsOn: { bucket: ["org-archive"] } };
    expect(await rulesOf([twin, traced])).toContain(RULE);
    expect(await rulesOf([{ ...twin, props: { ...twin.props, forceDestroy: true } }])).toContain(RULE);
    // Its records copied out, as from a bucket the stack does not create.
    expect(await rulesOf([twin, s3("ObjectCopy", "c", { bucket: "ci-artifacts", key: "x", source: `org-cloudtrail-archive/${RECORD}` })])).toContain(RULE);
    // A stack without agents is left its own buckets.
    expect(ruleIds(await runPack([twin, lifecycle]))).not.toContain(RULE);
  }, 120_000);

  it("passes a replication of a bucket the stack does not create that is declared as a copy share with its destination, and only that", async () => {
    const replication = (to: string) =>
      s3("BucketReplicationConfig", "invoices-backup", {
        bucket: "acme-invoices-dev",
        role: `arn:aws:iam::${ACC}:role/replicator`,
        rules: [{ id: "all", status: "Enabled", filter: { prefix: "incoming/" }, destination: { bucket: to } }],
      });
    const share = {
      shares: [
        {
          name: "backup",
          principal: "resource:aws:s3/bucketReplicationConfig:BucketReplicationConfig/invoices-backup",
          resources: ["arn:aws:s3:::acme-invoices-dev/incoming/*"],
          destinations: ["arn:aws:s3:::acme-invoices-dr"],
          reason: "backup replication to the DR bucket",
        },
      ],
    };
    expect(await rulesOf([replication("arn:aws:s3:::acme-invoices-dr")])).toContain(RULE);
    expect(await rulesOf([replication("arn:aws:s3:::acme-invoices-dr")], share)).not.toContain(RULE);
    expect(await rulesOf([replication("arn:aws:s3:::elsewhere")], share)).toContain(RULE);
  }, 240_000);

  it("passes the Deny statements of a known harmless shape: plain HTTP refused, named AWS principals, actions other than delivery's", async () => {
    const deny = (statement: object) => ({
      policy: s3("BucketPolicy", "trail-policy", {
        policy: doc(ACL_CHECK, WRITE, { Effect: "Deny", Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], ...statement }),
      }),
    });
    expect(await rulesOf(happy(deny({ Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } })))).not.toContain(RULE);
    expect(await rulesOf(happy(deny({ Principal: { AWS: READER }, Action: "s3:*" })))).not.toContain(RULE);
    expect(await rulesOf(happy(deny({ Principal: "*", Action: ["s3:DeleteObject", "s3:PutLifecycleConfiguration"] })))).not.toContain(RULE);
    expect(await rulesOf(happy(deny({ Principal: "*", Action: "s3:Put*" })))).toContain(RULE);
  }, 120_000);

  it("refuses an agent identity that may write the trail bucket, declared a writer or not (and passes its read)", async () => {
    const agentPolicy = (Action: string[]): Resource => ({
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "triage-trail",
      props: {
        role: "acme-dev-invoice-triage-execution",
        name: "trail",
        policy: doc({ Effect: "Allow", Action, Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*` }),
      },
    });
    const onTrail = async (extra: Resource, config: object = {}) =>
      (await runPack([...base, ...happy({ extra })], undefined, config)).filter((r) =>
        /stack\/audit-trail: agent invoice-triage's execution identity/.test(r.message),
      );
    expect(await onTrail(agentPolicy(["s3:GetObject"]))).toEqual([]);
    expect(await onTrail(agentPolicy(["s3:GetObject", "s3:DeleteObject"]))).not.toEqual([]);
    expect(await onTrail(agentPolicy(["s3:DeleteObject"]), declared({ writers: ["iam:role/acme-dev-invoice-triage-execution"] }))).not.toEqual([]);
  }, 120_000);

  it("judges the KMS key a trail encrypts with: the stack's own key with the account and CloudTrail only passes; another key or a wider policy is refused", async () => {
    const key = (...policy: object[]): Resource => ({ type: "aws:kms/key:Key", name: "trail-key", props: { policy: doc(...policy) } });
    const fromKey: Resource = { ...trail(), props: { ...trail().props, kmsKeyId: UNKNOWN }, dependsOn: { kmsKeyId: ["trail-key"] } };
    const account = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACC}:root` }, Action: "kms:*", Resource: "*" };
    const service = { Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:GenerateDataKey*", Resource: "*" };
    expect(await rulesOf(happy({ trail: [fromKey, key(account)] }))).not.toContain(RULE);
    expect(await rulesOf(happy({ trail: [fromKey, key(account, { ...service, Principal: { AWS: "arn:aws:iam::999988887777:root" } })] }))).toContain(RULE);
    expect(await rulesOf(happy({ trail: [fromKey, key(account, { ...service, Principal: "*" })] }))).toContain(RULE);
    expect(await rulesOf(happy({ trail: { ...trail(), props: { ...trail().props, kmsKeyId: `arn:aws:kms:us-east-1:${ACC}:key/1111-2222` } } }))).toContain(
      RULE,
    );
    const sse = (kmsMasterKeyId: unknown, from?: string) => ({
      extra: [
        key(account),
        {
          ...s3("BucketServerSideEncryptionConfigurationV2", "trail-sse", {
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId } }],
          }),
          ...(from ? { dependsOn: { rules: [from] } } : {}),
        },
      ],
      trail: fromKey,
    });
    expect(await rulesOf(happy(sse(UNKNOWN, "trail-key")))).not.toContain(RULE);
    expect(await rulesOf(happy(sse("arn:aws:kms:us-east-1:999988887777:key/abcd")))).toContain(RULE);
  }, 120_000);

  // Round 12 C, for the trail's key as for the audit log group's: imported material expires or is deleted at will.
  it("refuses a trail key of this stack whose material is imported or sits with a primary outside the stack", async () => {
    const account = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACC}:root` }, Action: "kms:*", Resource: "*" };
    const fromKey: Resource = { ...trail(), props: { ...trail().props, kmsKeyId: UNKNOWN }, dependsOn: { kmsKeyId: ["trail-key"] } };
    const keyOf = (type: string, props: Record<string, unknown>): Resource => ({ type, name: "trail-key", props: { policy: doc(account), ...props } });
    expect(await rulesOf(happy({ trail: [fromKey, keyOf("aws:kms/externalKey:ExternalKey", { validTo: "2027-01-01T00:00:00Z" })] }))).toContain(RULE);
    expect(
      await rulesOf(happy({ trail: [fromKey, keyOf("aws:kms/replicaKey:ReplicaKey", { primaryKeyArn: `arn:aws:kms:us-west-2:${ACC}:key/mrk-1` })] })),
    ).toContain(RULE);
  }, 120_000);

  it("refuses a record-shaped object written into, or copied out of, a bucket the stack does not create (and not another key)", async () => {
    const object = (key: string) => s3("BucketObjectv2", "o", { bucket: "ci-artifacts", key, content: "{}" });
    expect(await rulesOf([object(RECORD)])).toContain(RULE);
    expect(await rulesOf([object("builds/app.zip")])).not.toContain(RULE);
    const copy = (source: string) => s3("ObjectCopy", "c", { bucket: "ci-artifacts", key: "x", source });
    expect(await rulesOf([copy(`old-trail/${RECORD}`)])).toContain(RULE);
    expect(await rulesOf([copy("old-builds/app.zip")])).not.toContain(RULE);
  }, 120_000);

  it("applies a declared retention, reader, writer and destination to exactly what is declared", async () => {
    const lifecycle = (days: number) => ({
      lifecycle: s3("BucketLifecycleConfigurationV2", "trail-lifecycle", { rules: [{ id: "x", status: "Enabled", expiration: { days } }] }),
    });
    expect(await rulesOf(happy(lifecycle(200)))).toContain(RULE);
    expect(await rulesOf(happy(lifecycle(200)), declared({ retentionDays: 180 }))).not.toContain(RULE);
    expect(await rulesOf(happy(lifecycle(400)), declared({ retentionDays: 730 }))).toContain(RULE);
    const reading = {
      policy: s3("BucketPolicy", "trail-policy", {
        policy: doc(ACL_CHECK, WRITE, { Effect: "Allow", Principal: { AWS: READER }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }),
      }),
    };
    expect(await rulesOf(happy(reading), declared({ readers: [READER] }))).not.toContain(RULE);
    // One declared principal does not clear a statement that also admits another.
    const readingWithOther = {
      policy: s3("BucketPolicy", "trail-policy", {
        policy: doc(ACL_CHECK, WRITE, {
          Effect: "Allow",
          Principal: { AWS: [READER, "arn:aws:iam::999988887777:root"] },
          Action: "s3:GetObject",
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        }),
      }),
    };
    expect(await rulesOf(happy(readingWithOther), declared({ readers: [READER] }))).toContain(RULE);
    const deleting = { reader: role("trail-reader", doc({ Effect: "Allow", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::${BUCKET}/*` })) };
    expect(await rulesOf(happy(deleting), declared({ writers: ["iam:role/other"] }))).toContain(RULE);
    expect(await rulesOf(happy(deleting), declared({ writers: ["iam:role/trail-reader"] }))).not.toContain(RULE);
    const replicating = {
      versioning: s3("BucketReplicationConfig", "trail-replication", {
        role: `arn:aws:iam::${ACC}:role/replicator`,
        rules: [{ id: "x", status: "Enabled", destination: { bucket: "arn:aws:s3:::acme-trail-archive" } }],
      }),
    };
    expect(await rulesOf(happy(replicating), declared({ replicationDestinations: ["arn:aws:s3:::acme-trail-archive"] }))).not.toContain(RULE);
    const copying = { extra: s3("ObjectCopy", "copy-out", { bucket: "acme-trail-archive", key: "x", source: `${BUCKET}/${RECORD}` }) };
    expect(await rulesOf(happy(copying))).toContain(RULE);
    expect(await rulesOf(happy(copying), declared({ replicationDestinations: ["arn:aws:s3:::acme-trail-archive"] }))).not.toContain(RULE);
  }, 240_000);

  it("refuses, before creation, a setting of a declared bucket no trail of the stack names (and not the same setting on another bucket)", async () => {
    const policy = (bucket: string): Resource => ({
      type: "aws:s3/bucketPolicy:BucketPolicy",
      name: "p",
      props: {
        bucket,
        policy: doc({
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACC}:role/ci-runner` },
          Action: "s3:DeleteObject",
          Resource: `arn:aws:s3:::${bucket}/*`,
        }),
      },
    });
    const reported = await runPack([policy(BUCKET)], undefined, declared({}));
    expect(reported.filter((r) => r.urn === undefined).map((r) => r.message)).toEqual([expect.stringMatching(/stack\/audit-trail: .*bucket acme-trail/)]);
    expect(ruleIds(await runPack([policy("ci-artifacts")], undefined, declared({})))).not.toContain(RULE);
    expect(ruleIds(await runPack([policy(BUCKET)]))).not.toContain(RULE);
  }, 120_000);
});

describe("auditTrailBuckets declarations are read by a grammar", () => {
  const entry = (writer: string) => ({
    auditTrailBuckets: [{ bucket: BUCKET, writers: [writer], reason: "organisation log archive", approvedBy: "security@acme.example" }],
  });
  it("declares a literal principal, and nothing when one holds a wildcard, a policy variable or a control character", () => {
    expect(declaredTrailBuckets(entry("iam:role/log-archive"))).toHaveLength(1);
    for (const writer of ["iam:role/*", `arn:aws:iam::${ACC}:role/\${aws:username}`, "iam:role/log\u0000archive", "iam:role/log\u202earchive"])
      expect(declaredTrailBuckets(entry(writer)), JSON.stringify(writer)).toEqual([]);
  });
});
