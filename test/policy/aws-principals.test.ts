/**
 * Principals of the stack that are not agent identities, judged by what their effective grants
 * reach of the agents' resources (separation/undeclared-share), AWS managed policies by their
 * documents (iam/managed-policy-content), copies of an agent's data (separation/agent-data-copy),
 * EKS access and Pod Identity for agents' ServiceAccounts (kubernetes/eks-access) and CloudTrail
 * (stack/audit-trail). Each case adds one resource (or changes one property) next to the dev stack's
 * own components, which alone produce no finding.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { UNKNOWN, runPack, ruleIds, type Resource, ofRule, withExclusivePolicies, declaringPlatformIam } from "../helpers/policy-args";
import { managedPolicyReach, MANAGED_POLICY_SOURCE } from "../../policy/aws-reach";
import { podIdentityTrust } from "../helpers/pod-identity-trust";
import { declaring } from "../helpers/policy-args";

const doc = (...statements: Array<Record<string, unknown>>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements.map((s) => ({ Effect: "Allow", ...s })) });
const BUCKET_READ = doc({ Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-invoices-dev/incoming/*"] });
const EC2_ONLY = doc({ Action: ["ec2:DescribeInstances"], Resource: "*" });
const NS = "acme-dev-support-assistant";
const OIDC = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const irsaTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${OIDC}` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [`${OIDC}:sub`]: "system:serviceaccount:ci:runner", [`${OIDC}:aud`]: "sts.amazonaws.com" } },
    },
  ],
});
const r = (type: string, name: string, props: Record<string, unknown>): Resource => ({ type, name, props });

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);

const run = (extra: Resource[], config: object = {}) =>
  runPack(withExclusivePolicies([...base, ...extra]), undefined, declaringPlatformIam([...base, ...extra], config));

describe("the dev stack's components alone", () => {
  it("produce no finding", async () => {
    expect(await runPack(base)).toEqual([]);
  });
});

describe("separation/undeclared-share: principals that are not agent identities", () => {
  const cases: Array<[string, Resource[]]> = [
    [
      "a group with AWS managed ReadOnlyAccess",
      [r("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "g", { group: "humans", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
    ],
    ["a user's inline policy reading an agent's bucket", [r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: BUCKET_READ })]],
    [
      "a group's inline policy on an agent's table",
      [
        r("aws:iam/groupPolicy:GroupPolicy", "g", {
          group: "humans",
          policy: doc({ Action: ["dynamodb:GetItem"], Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-payouts" }),
        }),
      ],
    ],
    [
      "a group's inline policy on an agent's table name in another region (a replica holds the same items)",
      [
        r("aws:iam/groupPolicy:GroupPolicy", "g", {
          group: "humans",
          policy: doc({ Action: ["dynamodb:Scan"], Resource: "arn:aws:dynamodb:eu-west-1:111122223333:table/acme-dev-payouts" }),
        }),
      ],
    ],
    [
      "an SSO permission set's inline policy",
      [r("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "p", { instanceArn: "i", permissionSetArn: "ps", inlinePolicy: BUCKET_READ })],
    ],
    [
      "an SSO permission set with ReadOnlyAccess",
      [
        r("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", "p", {
          instanceArn: "i",
          permissionSetArn: "ps",
          managedPolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        }),
      ],
    ],
    [
      "a user with ReadOnlyAccess",
      [r("aws:iam/userPolicyAttachment:UserPolicyAttachment", "u", { user: "contractor", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
    ],
    [
      "a customer policy attached to a user and a group",
      [
        r("aws:iam/policy:Policy", "cp", { name: "read-invoices", policy: BUCKET_READ }),
        r("aws:iam/policyAttachment:PolicyAttachment", "pa", {
          policyArn: "arn:aws:iam::111122223333:policy/read-invoices",
          users: ["bob"],
          groups: ["humans"],
        }),
      ],
    ],
    [
      "AmazonS3ReadOnlyAccess on a CI role by attachment",
      [r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "ci-runner", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" })],
    ],
    [
      "a CI IRSA role's inline policy reading an agent's bucket",
      [r("aws:iam/role:Role", "ci", { name: "ci-runner", assumeRolePolicy: irsaTrust, inlinePolicies: [{ name: "x", policy: BUCKET_READ }] })],
    ],
    [
      "a CI IRSA role with managedPolicyArns ReadOnlyAccess",
      [r("aws:iam/role:Role", "ci", { name: "ci-runner", assumeRolePolicy: irsaTrust, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] })],
    ],
    [
      "a bucket policy admitting a CI role",
      [
        r("aws:s3/bucketPolicy:BucketPolicy", "bp", {
          bucket: "acme-invoices-dev",
          policy: doc({
            Principal: { AWS: "arn:aws:iam::111122223333:role/ci" },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::acme-invoices-dev/incoming/*",
          }),
        }),
      ],
    ],
    [
      "a queue policy admitting a CI role",
      [
        r("aws:sqs/queuePolicy:QueuePolicy", "qp", {
          queueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/acme-dev-support-tickets",
          policy: doc({
            Principal: { AWS: "arn:aws:iam::111122223333:role/ci" },
            Action: "sqs:ReceiveMessage",
            Resource: "arn:aws:sqs:us-east-1:111122223333:acme-dev-support-tickets",
          }),
        }),
      ],
    ],
    [
      "an EKS cluster admin access policy for a CI role",
      [
        r("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "a", {
          clusterName: "c",
          principalArn: "arn:aws:iam::111122223333:role/ci",
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        }),
      ],
    ],
    [
      "an EKS Edit access policy scoped to an agent's namespace",
      [
        r("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "a", {
          clusterName: "c",
          principalArn: "arn:aws:iam::111122223333:role/ci",
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
          accessScope: { type: "namespace", namespaces: [NS] },
        }),
      ],
    ],
  ];
  it.each(cases)("refuses %s", async (_name, extra) => {
    expect(ruleIds(await run(extra))).toContain("separation/undeclared-share");
  });

  it("names the agent, the identity holding the resource, the principal, the resource and the fix", async () => {
    const [first] = (await run([r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: BUCKET_READ })])).filter((v) =>
      ofRule(v, "separation/undeclared-share"),
    );
    expect(first.message).toMatch(/IAM user bob is not an agent identity and reaches arn:aws:s3:::acme-invoices-dev\/incoming\/\*/);
    expect(first.message).toMatch(/through aws:iam\/userPolicy:UserPolicy u: s3:GetObject/);
    expect(first.message).toMatch(/shares/);
  });

  it("passes principals whose grants reach no agent resource (an EKS node role's managed policies, EC2 reads)", async () => {
    const extra = [
      r("aws:iam/role:Role", "node", { name: "eks-node", assumeRolePolicy: irsaTrust, managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"] }),
      r("aws:iam/groupPolicy:GroupPolicy", "g", {
        group: "humans",
        policy: doc({ Action: ["dynamodb:Scan"], Resource: "arn:aws:dynamodb:eu-west-1:999988887777:table/acme-dev-payouts" }),
      }),
      r("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "a", {
        clusterName: "c",
        principalArn: "arn:aws:iam::111122223333:role/ci",
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
        accessScope: { type: "namespace", namespaces: ["ci"] },
      }),
    ];
    expect(await run(extra)).toEqual([]);
  });

  it("judges a user's account-wide read as a role's (one set of checks for every principal kind)", async () => {
    const user = ruleIds(await run([r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: EC2_ONLY })]));
    const role = ruleIds(await run([r("aws:iam/rolePolicy:RolePolicy", "rp", { role: "ci-runner", name: "p", policy: EC2_ONLY })]));
    expect(user).toEqual(role);
    expect(user).toContain("iam/account-wide-read");
  });

  it("passes a share the security team declared in the pack's configuration, and only that one", async () => {
    const extra = [r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: BUCKET_READ })];
    const share = {
      name: "bob-invoices",
      principal: "iam:user/bob",
      resources: ["arn:aws:s3:::acme-invoices-dev/incoming/*"],
      access: ["read-objects"],
      reason: "finance reviews incoming invoices",
    };
    expect(ruleIds(await run(extra, { shares: [share] }))).not.toContain("separation/undeclared-share");
    expect(ruleIds(await run(extra, { shares: [{ ...share, principal: "iam:user/alice" }] }))).toContain("separation/undeclared-share");
    expect(ruleIds(await run(extra, { shares: [{ ...share, resources: ["arn:aws:s3:::other/*"] }] }))).toContain("separation/undeclared-share");
  });

  describe("a grant on an agent's bucket itself reaches the agent's objects in it", () => {
    const onBucket = (action: string) => doc({ Action: [action], Resource: "arn:aws:s3:::acme-invoices-dev" });
    it.each([
      ["a user", (policy: string) => r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy })],
      ["a group", (policy: string) => r("aws:iam/groupPolicy:GroupPolicy", "g", { group: "finance", policy })],
      [
        "a permission set",
        (inlinePolicy: string) =>
          r("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ps", {
            instanceArn: "arn:aws:sso:::instance/ssoins-1",
            permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-9",
            inlinePolicy,
          }),
      ],
      ["a role", (policy: string) => r("aws:iam/rolePolicy:RolePolicy", "rp", { role: "ci-runner", name: "p", policy })],
    ])("refuses %s allowed to replicate it elsewhere", { timeout: 120_000 }, async (_who, grant) => {
      expect(ruleIds(await run([grant(onBucket("s3:PutReplicationConfiguration"))]))).toContain("separation/undeclared-share");
    });
    it.each(["s3:PutInventoryConfiguration", "s3:PutBucketNotification"])("refuses a user allowed %s on it", { timeout: 120_000 }, async (action) => {
      expect(ruleIds(await run([r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: onBucket(action) })]))).toContain("separation/undeclared-share");
    });
    it("lets the same grant on a bucket no agent holds anything in through", { timeout: 120_000 }, async () => {
      const policy = doc({ Action: ["s3:PutReplicationConfiguration"], Resource: "arn:aws:s3:::ci-artifacts" });
      expect(ruleIds(await run([r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy })]))).not.toContain("separation/undeclared-share");
    });
  });

  describe("a declared share gives only its named accesses", () => {
    const share = {
      name: "bob-invoices",
      principal: "iam:user/bob",
      resources: ["arn:aws:s3:::acme-invoices-dev/incoming/*"],
      access: ["read-objects"],
      reason: "finance reviews incoming invoices",
    };
    const grant = (actions: string[]) => [
      r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: doc({ Action: actions, Resource: ["arn:aws:s3:::acme-invoices-dev/incoming/*"] }) }),
    ];
    const shareFinding = async (extra: Resource[], config: object) => (await run(extra, config)).find((v) => ofRule(v, "separation/undeclared-share"))?.message;

    it.each([
      ["a write beside the read", ["s3:GetObject", "s3:PutObject"]],
      ["a delete", ["s3:DeleteObject"]],
      ["a pattern that matches more than the access", ["s3:Get*"]],
      ["every action", ["*"]],
    ])("refuses %s", { timeout: 120_000 }, async (_name, actions) => {
      expect(await shareFinding(grant(actions), { shares: [share] })).toMatch(
        /declared share "bob-invoices" names this principal and these resources, but its access \(read-objects\) does not give/,
      );
    });

    it("refuses a second statement's action on the same resource", { timeout: 120_000 }, async () => {
      const extra = [
        r("aws:iam/userPolicy:UserPolicy", "u", {
          user: "bob",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-invoices-dev/incoming/*" },
              { Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::acme-invoices-dev/incoming/*" },
            ],
          }),
        }),
      ];
      expect(await shareFinding(extra, { shares: [share] })).toMatch(
        /does not give s3:DeleteObject: if intended, the security team adds access: \[delete-objects\]/,
      );
    });

    it("passes exactly the accesses named, also as a pattern that matches only them", { timeout: 120_000 }, async () => {
      expect(
        await shareFinding(grant(["s3:GetObject", "s3:PutObject"]), { shares: [{ ...share, access: ["read-objects", "write-objects"] }] }),
      ).toBeUndefined();
      expect(await shareFinding(grant(["s3:GetObjectVersion"]), { shares: [share] })).toBeUndefined();
    });

    it("tells the security team what to add to a share that lists no access", { timeout: 120_000 }, async () => {
      const withoutAccess: Partial<typeof share> = { ...share };
      delete withoutAccess.access;
      expect(await shareFinding(grant(["s3:GetObject"]), { shares: [withoutAccess] })).toMatch(
        /declared share "bob-invoices" .* it lists no access \(named actions\) for s3:GetObject: if intended, the security team adds access: \[read-objects\]/,
      );
    });

    it("refuses an AWS managed policy, which grants access levels, not named actions", { timeout: 120_000 }, async () => {
      const extra = [
        r("aws:iam/userPolicyAttachment:UserPolicyAttachment", "ua", { user: "bob", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }),
      ];
      expect(await shareFinding(extra, { shares: [{ ...share, resources: ["arn:aws:s3:::acme-invoices-dev/*"] }] })).toMatch(/no named access gives it/);
    });
  });
});

describe("iam/managed-policy-content: managed policies by their documents", () => {
  it("reads AWS managed policies from the sourced data file", () => {
    expect(MANAGED_POLICY_SOURCE.repository).toBe("https://github.com/zoph-io/MAMIP");
    expect(managedPolicyReach("AmazonS3ReadOnlyAccess")).toEqual([{ resources: ["*"], services: { s3: "LR", "s3-object-lambda": "LR" } }]);
    expect(managedPolicyReach("AdministratorAccess")?.[0].services).toEqual({ "*": "LRWPT" });
    expect(managedPolicyReach("NoSuchPolicy")).toBeUndefined();
  });

  it("refuses an AWS managed policy the data file does not know", async () => {
    const extra = [r("aws:iam/userPolicyAttachment:UserPolicyAttachment", "u", { user: "bob", policyArn: "arn:aws:iam::aws:policy/BrandNewPolicy" })];
    expect(ruleIds(await run(extra))).toContain("iam/managed-policy-content");
  });

  it("refuses a managed policy ARN unknown at preview on a role that is not an agent's", async () => {
    const extra = [r("aws:iam/role:Role", "ci", { name: "ci-runner", assumeRolePolicy: irsaTrust, managedPolicyArns: UNKNOWN })];
    expect(ruleIds(await run(extra))).toContain("iam/managed-policy-content");
  });
});

describe("separation/agent-data-copy: copies and exposures of an agent's data", () => {
  const cases: Array<[string, Resource]> = [
    ["a public-read ACL on an agent's bucket", r("aws:s3/bucketAclV2:BucketAclV2", "acl", { bucket: "acme-invoices-dev", acl: "public-read" })],
    [
      "replication of an agent's bucket",
      r("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "rep", {
        bucket: "acme-invoices-dev",
        role: "arn:aws:iam::111122223333:role/rep",
        rules: [{ id: "x", status: "Enabled", destination: { bucket: "arn:aws:s3:::evil" } }],
      }),
    ],
    [
      "a Kinesis streaming destination of an agent's table",
      r("aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination", "k", {
        tableName: "acme-dev-payouts",
        streamArn: "arn:aws:kinesis:us-east-1:999999999999:stream/evil",
      }),
    ],
    [
      "a subscription filter on an agent's audit log group",
      r("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "f", {
        logGroup: "/acme/dev/agents/payout-approver/audit",
        filterPattern: "",
        destinationArn: "arn:aws:lambda:us-east-1:999999999999:function:evil",
      }),
    ],
    [
      "inline grants on an agent's s3.Bucket",
      r("aws:s3/bucket:Bucket", "b", {
        bucket: "acme-invoices-dev",
        grants: [{ type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers", permissions: ["READ"] }],
      }),
    ],
    [
      "inline replication on an agent's s3.BucketV2",
      r("aws:s3/bucketV2:BucketV2", "b2", {
        bucket: "acme-invoices-dev",
        replicationConfigurations: [
          { role: "arn:aws:iam::111122223333:role/r", rules: [{ status: "Enabled", destinations: [{ bucket: "arn:aws:s3:::evil" }] }] },
        ],
      }),
    ],
    [
      "inline replication unknown at preview on an agent's s3.Bucket",
      r("aws:s3/bucket:Bucket", "b3", { bucket: "acme-invoices-dev", replicationConfiguration: UNKNOWN }),
    ],
    [
      "access logging of an agent's bucket",
      r("aws:s3/bucketLoggingV2:BucketLoggingV2", "log", { bucket: "acme-invoices-dev", targetBucket: "evil", targetPrefix: "x/" }),
    ],
    [
      "a lifecycle on an agent's bucket",
      r("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "lc", {
        bucket: "acme-invoices-dev",
        rules: [{ id: "x", status: "Enabled", expiration: { days: 1 } }],
      }),
    ],
    [
      "a replica of an agent's table",
      r("aws:dynamodb/tableReplica:TableReplica", "rep2", { globalTableArn: "arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-payouts" }),
    ],
    ["a copy of an agent's object", r("aws:s3/objectCopy:ObjectCopy", "oc", { bucket: "evil", key: "x", source: "acme-invoices-dev/incoming/invoice-1.pdf" })],
    [
      "a copy from an access point (no bucket to tell)",
      r("aws:s3/objectCopy:ObjectCopy", "oc2", { bucket: "evil", key: "x", source: "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k" }),
    ],
    [
      "a Backup selection of an agent's table",
      r("aws:backup/selection:Selection", "sel", {
        iamRoleArn: "arn:aws:iam::111122223333:role/b",
        name: "s",
        planId: "p",
        resources: ["arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-payouts"],
      }),
    ],
    [
      "a Backup selection of every resource",
      r("aws:backup/selection:Selection", "sel2", { iamRoleArn: "arn:aws:iam::111122223333:role/b", name: "s", planId: "p", resources: ["*"] }),
    ],
    [
      "a Backup selection by tag",
      r("aws:backup/selection:Selection", "sel3", {
        iamRoleArn: "arn:aws:iam::111122223333:role/b",
        name: "s",
        planId: "p",
        selectionTags: [{ type: "STRINGEQUALS", key: "team", value: "x" }],
      }),
    ],
    [
      "a DataSync location on an agent's bucket",
      r("aws:datasync/s3Location:S3Location", "ds", {
        s3BucketArn: "arn:aws:s3:::acme-invoices-dev",
        subdirectory: "/",
        s3Config: { bucketAccessRoleArn: "arn:aws:iam::111122223333:role/ds" },
      }),
    ],
    [
      "an account-wide subscription filter policy",
      r("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", "lap", {
        policyName: "p",
        policyType: "SUBSCRIPTION_FILTER_POLICY",
        policyDocument: JSON.stringify({ DestinationArn: "arn:aws:lambda:us-east-1:999999999999:function:evil", FilterPattern: "" }),
      }),
    ],
  ];
  it.each(cases)("refuses %s", async (_name, extra) => {
    expect(ruleIds(await run([extra]))).toContain("separation/agent-data-copy");
  });

  it("passes the same on a bucket no agent holds, a private ACL on an agent's, and an account field index policy selecting no agent's log group (it only indexes)", async () => {
    const extra = [
      r("aws:s3/bucketAclV2:BucketAclV2", "acl", { bucket: "acme-website", acl: "public-read" }),
      r("aws:s3/bucketAclV2:BucketAclV2", "acl2", { bucket: "acme-invoices-dev", acl: "private" }),
      r("aws:s3/bucket:Bucket", "b", { bucket: "acme-invoices-dev", acl: "private" }),
      r("aws:s3/objectCopy:ObjectCopy", "oc", { bucket: "evil", key: "x", source: "acme-website/index.html" }),
      r("aws:backup/selection:Selection", "sel", {
        iamRoleArn: "arn:aws:iam::111122223333:role/b",
        name: "s",
        planId: "p",
        resources: ["arn:aws:s3:::acme-website"],
      }),
      r("aws:datasync/s3Location:S3Location", "ds", { s3BucketArn: "arn:aws:s3:::acme-website", subdirectory: "/", s3Config: { bucketAccessRoleArn: "r" } }),
      r("aws:cloudwatch/logAccountPolicy:LogAccountPolicy", "lap", {
        policyName: "p",
        policyType: "FIELD_INDEX_POLICY",
        policyDocument: "{}",
        selectionCriteria: 'LogGroupNamePrefix IN ["/platform/"]',
      }),
      r("aws:s3/bucketV2:BucketV2", "b2", { bucket: "acme-website", replicationConfigurations: [{ role: "r", rules: [] }] }),
      // The roles handed to those services are the stack's own (an existing role is stack/deploy-time-executor's).
      ...["b", "r"].map((name) =>
        r("aws:iam/role:Role", `role-${name}`, {
          name,
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: ["backup.amazonaws.com", "datasync.amazonaws.com", "s3.amazonaws.com"] }, Action: "sts:AssumeRole" },
            ],
          }),
        }),
      ),
    ];
    // A public ACL on a bucket of the stack is judged as on a bucket the stack does not create (it may be
    // an existing trail bucket the stack imports: stack/audit-trail) until the security team declares it.
    expect(ruleIds(await run(extra))).toEqual(["stack/audit-trail"]);
    expect(await run(extra, declaring(extra[0]!))).toEqual([]);
  });
});

describe("kubernetes/eks-access: an agent's ServiceAccount used with a role not its identity's", () => {
  it("refuses a Pod Identity association of an agent ServiceAccount with another role", async () => {
    const extra = r("aws:eks/podIdentityAssociation:PodIdentityAssociation", "p", {
      clusterName: "c",
      namespace: NS,
      serviceAccount: "support-assistant-execution",
      roleArn: "arn:aws:iam::111122223333:role/admin",
    });
    expect(ruleIds(await run([extra]))).toContain("kubernetes/eks-access");
  });
  it("refuses an add-on association naming an agent ServiceAccount", async () => {
    const extra = r("aws:eks/addon:Addon", "a", {
      clusterName: "c",
      addonName: "x",
      podIdentityAssociations: [{ serviceAccount: "support-assistant-execution", roleArn: "arn:aws:iam::111122223333:role/admin" }],
    });
    expect(ruleIds(await run([extra]))).toContain("kubernetes/eks-access");
  });
  it("passes a Pod Identity association of a ServiceAccount no agent has, lending a role the stack creates", async () => {
    const role = r("aws:iam/role:Role", "ebs", {
      name: "ebs",
      assumeRolePolicy: podIdentityTrust("111122223333", "c", "kube-system", "ebs-csi"),
    });
    const extra = r("aws:eks/podIdentityAssociation:PodIdentityAssociation", "p", {
      clusterName: "c",
      namespace: "kube-system",
      serviceAccount: "ebs-csi",
      roleArn: "arn:aws:iam::111122223333:role/ebs",
    });
    expect(await run([role, extra])).toEqual([]);
    // The same association lending an existing role (one the stack does not create) is refused: pod-identity-roles.test.ts.
    expect(ruleIds(await run([extra]))).toEqual(["kubernetes/eks-access"]);
  });
});

describe("stack/audit-trail: CloudTrail keeps recording", () => {
  const trail = (props: Record<string, unknown>) => r("aws:cloudtrail/trail:Trail", "ct", { name: "org", s3BucketName: "b", ...props });
  it.each([
    ["logging off", { enableLogging: false }],
    ["write-only management events", { eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }] }],
    ["no management events", { eventSelectors: [{ readWriteType: "All", includeManagementEvents: false }] }],
    ["advanced selectors for data events only", { advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }] }] }],
  ])("refuses a trail with %s", async (_name, props) => {
    expect(ruleIds(await run([trail(props)]))).toContain("stack/audit-trail");
  });
  it("passes a multi-region trail with log file validation recording every management event", async () => {
    expect(
      await run([
        r("aws:s3/bucketV2:BucketV2", "trail-bucket", { bucket: "b" }),
        trail({
          enableLogging: true,
          isMultiRegionTrail: true,
          enableLogFileValidation: true,
          eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }],
        }),
      ]),
    ).toEqual([]);
  });
});

describe("every principal kind's documents go through the same checks as a role's", () => {
  const ESCALATE = doc({ Action: ["eks:CreateAccessEntry", "eks:AssociateAccessPolicy"], Resource: "arn:aws:eks:us-east-1:111122223333:cluster/dev" });
  const cases: Array<[string, Resource]> = [
    ["a user's inline policy", r("aws:iam/userPolicy:UserPolicy", "u", { user: "u", policy: ESCALATE })],
    ["a group's inline policy", r("aws:iam/groupPolicy:GroupPolicy", "g", { group: "g", policy: ESCALATE })],
    [
      "a permission set's inline policy",
      r("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "ps", { instanceArn: "i", permissionSetArn: "ps", inlinePolicy: ESCALATE }),
    ],
    ["a customer-managed policy", r("aws:iam/policy:Policy", "p", { name: "p", policy: ESCALATE })],
  ];
  for (const [name, resource] of cases)
    it(`refuses escalation in ${name}`, async () => {
      expect(ruleIds(await run([resource]))).toContain("iam/privilege-escalation");
    });
  it("refuses an AWS admin policy attached to a user", async () => {
    const attachment = r("aws:iam/userPolicyAttachment:UserPolicyAttachment", "ua", { user: "u", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" });
    expect(ruleIds(await run([attachment]))).toContain("iam/managed-admin-policy");
  });
});

describe("a share covers every resource a grant reaches, not only those a finding lists", () => {
  // invoice-triage owns thirteen prefixes; a finding lists ten of them, and a share naming only those ten covers none of the rest.
  const prefixes = Array.from({ length: 12 }, (_, i) => `arn:aws:s3:::acme-invoices-dev/part-${String(i).padStart(2, "0")}/*`);
  let many: Resource[];
  beforeAll(async () => {
    const declaration = structuredClone(stackDeclaration("dev"));
    const triage = declaration.agents.find((agent) => agent.name === "invoice-triage")!;
    triage.owns = [...(triage.owns ?? []), ...prefixes];
    many = await componentResources(declaration);
  }, 120_000);
  const grant = [
    r("aws:iam/userPolicy:UserPolicy", "u", { user: "bob", policy: doc({ Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-invoices-dev/*"] }) }),
  ];
  const share = (resources: string[]) => ({
    name: "bob-parts",
    principal: "iam:user/bob",
    resources,
    access: ["read-objects"],
    reason: "finance reviews every part",
  });
  const undeclared = async (config: object) => ruleIds(await runPack([...many, ...grant], undefined, config)).includes("separation/undeclared-share");

  it("refuses a share naming only the first ten, and passes one naming them all", { timeout: 240_000 }, async () => {
    expect(await undeclared({})).toBe(true);
    expect(await undeclared({ shares: [share(["arn:aws:s3:::acme-invoices-dev/*"])] })).toBe(false);
    expect(await undeclared({ shares: [share(["arn:aws:s3:::acme-invoices-dev/incoming/*", ...prefixes.slice(0, 9)])] })).toBe(true);
  });
});

describe("a customer policy the stack creates is judged as held by whoever already holds one of its name", () => {
  // It may be an existing policy imported under its name: the principals it is attached to outside the stack hold the stack's document.
  const twin = (document: string): Resource => r("aws:iam/policy:Policy", "dev-baseline", { name: "developers-baseline", policy: document });
  it("refuses one reaching an agent's data, attached to nothing in the stack", async () => {
    expect(ruleIds(await run([twin(BUCKET_READ)]))).toEqual(["separation/undeclared-share"]);
  });
  it("refuses one letting its holders write an agent's audit record", async () => {
    const forge = doc({
      Action: ["logs:PutLogEvents"],
      Resource: ["arn:aws:logs:us-east-1:111122223333:log-group:/acme/dev/agents/payout-approver/audit:log-stream:*"],
    });
    expect(ruleIds(await run([twin(forge)]))).toContain("separation/undeclared-share");
  });
  it("passes one reaching nothing an agent owns or holds", async () => {
    const ownBucket = doc({ Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-dev-builds/*"] });
    expect(await run([twin(ownBucket)])).toEqual([]);
  });
  it("is lifted by a share the security team declares for that policy name", async () => {
    const declared = {
      shares: [
        {
          name: "developers-invoices",
          principal: "iam:policy/developers-baseline",
          resources: ["arn:aws:s3:::acme-invoices-dev/incoming/*"],
          access: ["read-objects"],
          reason: "developers read incoming invoices",
        },
      ],
    };
    expect(ruleIds(await run([twin(BUCKET_READ)], declared))).toEqual([]);
  });
});
