/**
 * The third attack round against the pack (issue #19): hand-written resources next to the dev
 * stack's components that forward, copy, re-route or re-bound what agents own, hold or record. One
 * case per bypass: the components' own resources with one resource added or one property changed,
 * refused under the rule named; two controls that touch nothing of an agent's pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { runPack, ruleIds, type Resource } from "../helpers/policy-args";

const NS = "acme-dev-support-assistant";
const ROLE_ARN = "arn:aws:iam::111122223333:role/acme-dev-support-assistant-execution";
const AUDIT = "/acme/dev/agents/payout-approver/audit";
const BUCKET = "acme-invoices-dev";
const CI = "arn:aws:iam::111122223333:role/ci";
const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const toCi = (action: string, resource: string) => doc([{ Effect: "Allow", Principal: { AWS: CI }, Action: action, Resource: resource }]);
const r = (type: string, props: Record<string, unknown>, name = "x", extra: Partial<Resource> = {}): Resource => ({ type, name, props, ...extra });
const k8s = (type: string, kind: string, metadata: object, spec: object) => r(`kubernetes:${type}:${kind}`, { apiVersion: type, kind, metadata, spec });

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});

/** The base with one resource's props changed. */
const editBase = (match: (x: Resource) => boolean, change: (props: Record<string, unknown>) => Record<string, unknown>): Resource[] => {
  const hits = base.filter(match);
  if (hits.length === 0) throw new Error("editBase: no resource matched");
  return base.map((x) => (x === hits[0] ? { ...x, props: change(JSON.parse(JSON.stringify(x.props))) } : x));
};
const auditGroup = (x: Resource) => x.type === "aws:cloudwatch/logGroup:LogGroup" && x.props.name === AUDIT;
const agentRole = (x: Resource) => x.type === "aws:iam/role:Role" && x.props.name === "acme-dev-support-assistant-execution";
const agentSa = (x: Resource) => x.type === "kubernetes:core/v1:ServiceAccount" && (x.props.metadata as { name?: string }).name === "invoice-triage-execution";

const CASES: Array<{ name: string; add?: () => Resource[]; edit?: () => Resource[]; rule: string }> = [
  // 1. Vault secrets sync
  {
    name: "a secrets-sync association copying an agent's KV secret",
    add: () => [
      r("vault:secrets/syncAssociation:SyncAssociation", {
        name: "evil",
        mount: "kv",
        secretName: "agents/dev/support-assistant/zendesk/api-token",
        type: "aws-sm",
      }),
    ],
    rule: "separation/agent-data-copy",
  },
  // 2. S3 access points
  {
    name: "an access point's inline policy giving another role an agent's prefix",
    add: () => [
      r("aws:s3/accessPoint:AccessPoint", {
        bucket: BUCKET,
        name: "ap",
        policy: toCi("s3:GetObject", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/incoming/*"),
      }),
    ],
    rule: "separation/undeclared-share",
  },
  {
    name: "an access point policy on an access point of the stack",
    add: () => [
      r("aws:s3/accessPoint:AccessPoint", { bucket: BUCKET, name: "ap" }),
      r(
        "aws:s3control/accessPointPolicy:AccessPointPolicy",
        {
          accessPointArn: "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
          policy: toCi("s3:GetObject", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/incoming/x"),
        },
        "y",
      ),
    ],
    rule: "separation/undeclared-share",
  },
  {
    name: "an access point policy on an access point the stack does not create (any bucket)",
    add: () => [
      r("aws:s3control/accessPointPolicy:AccessPointPolicy", {
        accessPointArn: "arn:aws:s3:us-east-1:111122223333:accesspoint/other",
        policy: toCi("s3:GetObject", "arn:aws:s3:us-east-1:111122223333:accesspoint/other/object/incoming/*"),
      }),
    ],
    rule: "separation/undeclared-share",
  },
  {
    name: "a multi-region access point policy",
    add: () => [
      r("aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint", { details: { name: "m", regions: [{ bucket: BUCKET }] } }),
      r(
        "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy",
        { details: { name: "m", policy: toCi("s3:GetObject", "arn:aws:s3::111122223333:accesspoint/m.mrap/object/incoming/*") } },
        "y",
      ),
    ],
    rule: "separation/undeclared-share",
  },
  {
    name: "an Object Lambda access point policy (S3 actions through the supporting access point)",
    add: () => [
      r("aws:s3/accessPoint:AccessPoint", { bucket: BUCKET, name: "ap" }),
      r(
        "aws:s3control/objectLambdaAccessPoint:ObjectLambdaAccessPoint",
        { name: "ol", configuration: { supportingAccessPoint: "arn:aws:s3:us-east-1:111122223333:accesspoint/ap", transformationConfigurations: [] } },
        "y",
      ),
      r(
        "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy",
        { name: "ol", policy: toCi("s3-object-lambda:GetObject", "arn:aws:s3-object-lambda:us-east-1:111122223333:accesspoint/ol/object/incoming/*") },
        "z",
      ),
    ],
    rule: "separation/undeclared-share",
  },
  // 3. Permissions boundary
  {
    name: "the agents' boundary policy rewritten to allow everything",
    add: () => [r("aws:iam/policy:Policy", { name: "agent-boundary", policy: doc([{ Effect: "Allow", Action: "*", Resource: "*" }]) })],
    rule: "iam/permissions-boundary-policy",
  },
  {
    name: "one agent role's boundary swapped",
    edit: () => editBase(agentRole, (p) => ({ ...p, permissionsBoundary: "arn:aws:iam::111122223333:policy/wide-open" })),
    rule: "iam/permissions-boundary-policy",
  },
  // 4. Backup
  {
    name: "a Backup plan copying recovery points of an agent's bucket to another account",
    add: () => [
      r(
        "aws:backup/plan:Plan",
        {
          name: "p",
          rules: [{ ruleName: "r", targetVaultName: "v", copyActions: [{ destinationVaultArn: "arn:aws:backup:us-east-1:999999999999:backup-vault:evil" }] }],
        },
        "plan",
      ),
      r(
        "aws:backup/selection:Selection",
        { iamRoleArn: "arn:aws:iam::111122223333:role/b", name: "s", planId: "p", resources: ["arn:aws:s3:::other-bucket", `arn:aws:s3:::${BUCKET}`] },
        "sel",
        { dependsOn: { planId: ["plan"] } },
      ),
    ],
    rule: "separation/agent-data-copy",
  },
  // 5. CloudWatch Logs
  {
    name: "a vended-log delivery destination writing into an agent's audit log group",
    add: () => [
      r("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", {
        name: "d",
        deliveryDestinationConfiguration: { destinationResourceArn: `arn:aws:logs:us-east-1:111122223333:log-group:${AUDIT}` },
      }),
    ],
    rule: "separation/agent-data-copy",
  },
  {
    name: "a vended-log delivery source on an agent's bucket",
    add: () => [r("aws:cloudwatch/logDeliverySource:LogDeliverySource", { name: "s", logType: "APPLICATION_LOGS", resourceArn: `arn:aws:s3:::${BUCKET}` })],
    rule: "separation/agent-data-copy",
  },
  { name: "an agent's audit log group kept one day", edit: () => editBase(auditGroup, (p) => ({ ...p, retentionInDays: 1 })), rule: "stack/audit-log-group" },
  {
    name: "an agent's audit log group without deletion protection (agent not revoked)",
    edit: () => editBase(auditGroup, (p) => ({ ...p, deletionProtectionEnabled: false })),
    rule: "stack/audit-log-group",
  },
  {
    name: "a second log group of an agent's audit name",
    add: () => [r("aws:cloudwatch/logGroup:LogGroup", { name: AUDIT, retentionInDays: 1 })],
    rule: "stack/audit-log-group",
  },
  // 6. Istio root namespace, mutating admission policies
  {
    name: "an Istio AuthorizationPolicy in the mesh root namespace",
    add: () => [k8s("security.istio.io/v1", "AuthorizationPolicy", { name: "allow", namespace: "istio-system" }, { action: "ALLOW", rules: [{}] })],
    rule: "kubernetes/agent-namespace-objects",
  },
  {
    name: "an Istio VirtualService elsewhere re-routing an agent namespace's service",
    add: () => [k8s("networking.istio.io/v1", "VirtualService", { name: "steal", namespace: "public" }, { hosts: [`agent.${NS}.svc.cluster.local`] })],
    rule: "kubernetes/agent-namespace-objects",
  },
  {
    name: "a mutating admission policy and binding over every namespace",
    add: () => [
      r("kubernetes:admissionregistration.k8s.io/v1beta1:MutatingAdmissionPolicy", {
        metadata: { name: "m" },
        spec: { matchConstraints: { resourceRules: [] }, mutations: [] },
      }),
      r("kubernetes:admissionregistration.k8s.io/v1beta1:MutatingAdmissionPolicyBinding", { metadata: { name: "mb" }, spec: { policyName: "m" } }, "y"),
    ],
    rule: "kubernetes/admission-webhook",
  },
  {
    name: "a v1alpha1 mutating admission policy binding selecting an agent namespace",
    add: () => [
      r("kubernetes:admissionregistration.k8s.io/v1alpha1:MutatingAdmissionPolicyBinding", {
        metadata: { name: "mb" },
        spec: { policyName: "p", matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NS } } } },
      }),
    ],
    rule: "kubernetes/admission-webhook",
  },
  // 7. Providers
  {
    name: "a resource created through an AWS provider with overridden endpoints",
    add: () => [
      r("aws:s3/bucketPolicy:BucketPolicy", { bucket: "x", policy: toCi("s3:GetObject", "arn:aws:s3:::x/*") }, "bp", {
        provider: r("pulumi:providers:aws", { region: "us-east-1", endpoints: [{ s3: "https://evil.example.com" }] }, "elsewhere"),
      }),
    ],
    rule: "stack/provider-endpoints",
  },
  {
    name: "two Vault providers at different addresses",
    add: () => [
      r("pulumi:providers:vault", { address: "https://vault.example.com" }, "v1"),
      r("pulumi:providers:vault", { address: "https://evil.example.com" }, "v2"),
    ],
    rule: "stack/provider-endpoints",
  },
  // 8. Forwarding, public URLs, identities lent elsewhere
  {
    name: "an EventBridge rule matching an agent bucket's events",
    add: () => [
      r("aws:cloudwatch/eventRule:EventRule", { name: "r", eventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: [BUCKET] } } }) }),
    ],
    rule: "separation/agent-data-copy",
  },
  {
    name: "a Firehose stream writing into an agent's bucket",
    add: () => [
      r("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", {
        name: "f",
        destination: "extended_s3",
        extendedS3Configuration: { bucketArn: `arn:aws:s3:::${BUCKET}`, roleArn: "arn:aws:iam::111122223333:role/f" },
      }),
    ],
    rule: "separation/agent-data-copy",
  },
  {
    name: "a Glue crawler over an agent's prefix",
    add: () => [
      r("aws:glue/crawler:Crawler", { databaseName: "d", role: "arn:aws:iam::111122223333:role/glue", s3Targets: [{ path: `s3://${BUCKET}/incoming/` }] }),
    ],
    rule: "separation/agent-data-copy",
  },
  {
    name: "a public Lambda function URL",
    add: () => [r("aws:lambda/functionUrl:FunctionUrl", { functionName: "f", authorizationType: "NONE" })],
    rule: "iam/resource-policy",
  },
  {
    name: "a Lambda permission for another account on a function an agent owns",
    edit: () => [
      ...editBase(agentSa, (p) => {
        const metadata = p.metadata as { annotations: Record<string, string> };
        metadata.annotations["agent-identity.io/owns"] = JSON.stringify(["arn:aws:lambda:us-east-1:111122223333:function:acme-dev-invoice-tool"]);
        return p;
      }),
      r("aws:lambda/permission:Permission", { action: "lambda:InvokeFunction", function: "acme-dev-invoice-tool", principal: "999999999999" }),
    ],
    rule: "separation/undeclared-share",
  },
  {
    name: "a ServiceAccount in another namespace annotated with an agent's IRSA role",
    add: () => [
      r("kubernetes:core/v1:ServiceAccount", { metadata: { name: "runner", namespace: "ci", annotations: { "eks.amazonaws.com/role-arn": ROLE_ARN } } }),
    ],
    rule: "stack/no-shared-identity",
  },
  {
    name: "a Vault Secrets Operator dynamic secret minting an agent's database credentials elsewhere",
    add: () => [
      k8s(
        "secrets.hashicorp.com/v1beta1",
        "VaultDynamicSecret",
        { name: "db", namespace: "public" },
        { vaultAuthRef: "x", mount: "database", path: "creds/dev.payout-approver.payouts-db", destination: { name: "db", create: true } },
      ),
    ],
    rule: "kubernetes/agent-namespace-objects",
  },
];

describe("the pack refuses resources that forward, copy, re-route or re-bound what agents own, hold or record", () => {
  it("passes the components alone (the happy path every case changes once)", { timeout: 120_000 }, async () => {
    const rules = ruleIds(await runPack(base));
    for (const { rule } of CASES) expect(rules).not.toContain(rule);
  });

  for (const c of CASES)
    it(c.name, { timeout: 120_000 }, async () => {
      const resources = c.edit ? c.edit() : [...base, ...c.add!()];
      expect(ruleIds(await runPack(resources))).toContain(c.rule);
    });

  it("lets a sync association and an event rule that touch nothing of an agent's through", { timeout: 120_000 }, async () => {
    const rules = ruleIds(
      await runPack([
        ...base,
        r("vault:secrets/syncAssociation:SyncAssociation", { name: "ok", mount: "kv", secretName: "platform/shared/thing", type: "aws-sm" }),
        r(
          "aws:cloudwatch/eventRule:EventRule",
          { name: "r", eventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: ["platform-bucket"] } } }) },
          "y",
        ),
      ]),
    );
    expect(rules).not.toContain("separation/agent-data-copy");
  });
});
