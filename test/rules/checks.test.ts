/** The artifact checks on their own: what they accept (the compiler's forms) and what they reject. */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import type { PolicyDocument, PolicyStatement } from "../../components/core/iam-document";
import { checkIdentityCombinations, checkPermissionPolicy, checkManagedPolicyArn } from "../../components/rules/iam";
import { checkTrustPolicy } from "../../components/rules/trust";
import { checkRbacRules } from "../../components/rules/kubernetes";
import { checkSecretRole, checkVaultPolicy, checkVaultRole } from "../../components/rules/vault";
import { checkRoleLimits } from "../../components/rules/limits";
import { checkIdentitySeparation } from "../../components/rules/separation";
import { checkExpiry, checkOwnershipRecord } from "../../components/rules/lifecycle";
import { checkAccountBinding, checkRegionBinding, checkTraceableSessions, sessionNamePrefixes } from "../../components/rules/context";
import { sessionNamePrefix } from "../../components/core/names";
import { effectiveTierPolicy } from "../../components/core/tiers";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });
const rules = (problems: Array<{ rule: string }>) => [...new Set(problems.map((p) => p.rule))].sort();

function compiled(overrides: Parameters<typeof agent>[1] = {}) {
  return compileFleet(parseDeclaration({ platform: PLATFORM, agents: [agent("a", overrides)] }), "test").agents[0];
}

describe("IAM permission checks", () => {
  it("accept Deny of everything (the revocation policy) and the audit Deny on *", () => {
    const revoked = compiled({ revoked: { at: "2026-11-01T00:00:00Z", reason: "incident" } });
    for (const identity of revoked.identities) for (const policy of identity.iamRole.policies) expect(checkPermissionPolicy(policy.document)).toEqual([]);
  });

  it("reject NotAction and NotResource in an Allow, but not in a Deny", () => {
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b/*" })))).toEqual(["iam/not-action"]);
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/*" })))).toEqual(["iam/not-resource"]);
    expect(checkPermissionPolicy(doc({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }))).toEqual([]);
  });

  it("accept Resource * for actions that cannot be scoped, reject it when they can", () => {
    expect(checkPermissionPolicy(doc({ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }))).toEqual([]);
    // An account-wide read off the sourced list reads the whole account (every bucket's name).
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" })))).toEqual(["iam/account-wide-read"]);
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })))).toEqual([
      "iam/data-exfiltration",
      "iam/resource-wildcard",
    ]);
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" })))).toEqual(["iam/resource-wildcard"]);
  });

  it("refuse partial wildcards with what they expand to, and reject patterns that match nothing", () => {
    const [warning] = checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:GetObjectT*", Resource: "arn:aws:s3:::b/*" }));
    expect(warning.rule).toBe("iam/action-pattern");
    expect(warning.message).toContain("s3:GetObjectTagging");
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:Fly*", Resource: "arn:aws:s3:::b/*" })))).toEqual(["iam/unknown-action"]);
  });

  it("catch escalation hidden in a wildcard and PassRole on a named role only with compute", () => {
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "iam:Put*Policy", Resource: "arn:aws:iam::111122223333:role/x" })))).toEqual([
      "iam/action-pattern",
      "iam/permissions-management",
      "iam/privilege-escalation",
    ]);
    expect(checkPermissionPolicy(doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/x" }))).toEqual([]);
    // Judged per identity: PassRole in one tool and compute in another.
    const split = checkIdentityCombinations({
      aws: [
        {
          tool: "a",
          statement: "A",
          effect: "Allow",
          actions: ["iam:PassRole"],
          notActions: [],
          resources: ["arn:aws:iam::111122223333:role/x"],
          notResources: [],
        },
        {
          tool: "b",
          statement: "B",
          effect: "Allow",
          actions: ["lambda:Create*"],
          notActions: [],
          resources: ["arn:aws:lambda:us-east-1:111122223333:function:f"],
          notResources: [],
        },
      ],
    });
    expect(rules(split)).toEqual(["iam/passrole-compute"]);
    expect(split[0].message).toContain("tool a");
    expect(split[0].message).toContain("lambda:CreateFunction (tool b)");
  });

  it("know which ARNs an action takes", () => {
    expect(checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b" }))).toEqual([]);
    expect(rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b" })))).toEqual(["iam/resource-type"]);
    expect(
      rules(checkPermissionPolicy(doc({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/t/index/i" }))),
    ).toEqual(["iam/resource-type"]);
  });

  it("flag only AWS-managed admin policies", () => {
    expect(rules(checkManagedPolicyArn("arn:aws:iam::aws:policy/PowerUserAccess"))).toEqual(["iam/managed-admin-policy"]);
    expect(checkManagedPolicyArn("arn:aws:iam::111122223333:policy/AdministratorAccess-lookalike")).toEqual([]);
  });
});

describe("trust checks", () => {
  it("accept the compiler's trust policies: normal, high-risk (session-name StringLike) and revoked (Deny)", () => {
    for (const overrides of [
      {},
      { tier: "high-risk" as const, approval: { ticket: "SEC-1", approvedBy: "sec@example.com" } },
      { revoked: { at: "2026-11-01T00:00:00Z", reason: "x" } },
    ]) {
      for (const identity of compiled(overrides).identities) {
        expect(
          checkTrustPolicy(identity.iamRole.trustPolicy, {
            oidcProviderArn: PLATFORM.aws.oidcProviderArn,
            namespace: identity.serviceAccount.namespace,
            serviceAccount: identity.serviceAccount.name,
          }),
        ).toEqual([]);
      }
    }
    expect(compiled({ revoked: { at: "2026-11-01T00:00:00Z", reason: "x" } }).identities[0].iamRole.trustPolicy.Statement[0].Effect).toBe("Deny");
  });

  it("reject a sibling's ServiceAccount, a second statement and an extra service principal", () => {
    const identity = compiled().identities[1];
    const trust = identity.iamRole.trustPolicy;
    expect(rules(checkTrustPolicy(trust, { namespace: identity.serviceAccount.namespace, serviceAccount: "b-execution" }))).toEqual([
      "trust/own-service-account",
    ]);
    expect(rules(checkTrustPolicy(doc(trust.Statement[0], trust.Statement[0])))).toEqual(["trust/single-statement"]);
    const withService = { ...trust.Statement[0], Principal: { Federated: PLATFORM.aws.oidcProviderArn, Service: "ec2.amazonaws.com" } };
    expect(rules(checkTrustPolicy(doc(withService)))).toEqual(["trust/service-principal"]);
  });
});

describe("Kubernetes RBAC checks", () => {
  it("accept read-only access to configmaps and reject each dangerous grant", () => {
    expect(checkRbacRules([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }])).toEqual([]);
    expect(rules(checkRbacRules([{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]))).toEqual([
      "kubernetes/rbac-escalation",
      "kubernetes/rbac-pod-create",
      "kubernetes/rbac-pod-exec",
      "kubernetes/rbac-secrets",
      "kubernetes/rbac-token-request",
      "kubernetes/rbac-wildcard",
    ]);
    expect(rules(checkRbacRules([{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] }]))).toEqual(["kubernetes/rbac-pod-create"]);
  });
});

describe("Vault checks", () => {
  it("accept the token self paths and reject other auth/ and sys/ paths", () => {
    const selfPaths = compiled().identities[0].vault.policy!.paths;
    expect(checkVaultPolicy(selfPaths)).toEqual([]);
    expect(rules(checkVaultPolicy([{ path: "auth/token/create", capabilities: ["update"] }]))).toEqual(["vault/policy-system-path"]);
    expect(rules(checkVaultPolicy([{ path: "sys/policies/acl/x", capabilities: ["read"] }]))).toEqual(["vault/policy-system-path"]);
  });

  it("reject a role that binds a glob or the root policy", () => {
    const role = compiled().identities[1].vault.role!;
    expect(rules(checkVaultRole({ ...role, boundServiceAccountNames: ["a-*"] }))).toEqual(["vault/bound-exact"]);
    expect(rules(checkVaultRole({ ...role, tokenPolicies: ["root"] }))).toEqual(["vault/default-policy"]);
  });

  it("hold AWS secret roles to assumed_role, 1h and no agent role", () => {
    const own = "arn:aws:iam::111122223333:role/acme-test-a-execution";
    expect(rules(checkSecretRole({ type: "aws", credentialType: "assumed_role", roleArns: [own], maxStsTtl: 3600 }, { agentRoleArns: [own] }))).toEqual([
      "vault/secret-role-arns",
    ]);
    expect(
      rules(checkSecretRole({ type: "aws", credentialType: "federation_token", roleArns: ["arn:aws:iam::444455556666:role/r"], maxStsTtl: 7200 })),
    ).toEqual(["vault/secret-credential-type", "vault/sts-ttl"]);
  });
});

describe("limits and separation checks", () => {
  it("enforce the AWS role name and session bounds", () => {
    expect(rules(checkRoleLimits({ name: "x".repeat(65), inlinePolicies: [], maxSessionDuration: 50_000 }))).toEqual([
      "limits/role-name-length",
      "limits/session-duration",
    ]);
    expect(checkRoleLimits({ name: "x".repeat(64), inlinePolicies: [], maxSessionDuration: 43_200 })).toEqual([]);
  });

  it("require the audit identity's explicit Deny of log tampering", () => {
    const audit = compiled().identities[2];
    const withoutDeny = audit.iamRole.policies.map((p) => ({ ...p.document, Statement: p.document.Statement.filter((s) => s.Effect === "Allow") }));
    const grants = { kind: "audit" as const, policies: withoutDeny, vaultPaths: [], secretRoles: 0, auditLogGroupArns: [] };
    expect(rules(checkIdentitySeparation(grants))).toEqual(["separation/audit-tamper-deny"]);
  });

  it("every rule family runs on a plan and the dev-like fleet is clean", () => {
    const plan = compileFleet(parseDeclaration({ platform: PLATFORM, agents: [agent("a"), agent("ab")] }), "test");
    expect(evaluatePlan(plan, ALL_RULES, TODAY).violations).toEqual([]);
    expect([...new Set(ALL_RULES.map((r) => r.family))]).toEqual(
      expect.arrayContaining(["iam", "separation", "trust", "kubernetes", "vault", "limits", "stack"]),
    );
  });
});

describe("lifecycle and context checks", () => {
  it("judge expiry by date, skip revoked records and leave unreadable dates to the ownership check", () => {
    const record = { expires: "2026-11-27", sponsor: "s@example.com", revoked: false };
    expect(rules(checkExpiry(record, TODAY))).toEqual(["lifecycle/expired"]);
    expect(checkExpiry({ ...record, revoked: true }, TODAY)).toEqual([]);
    expect(rules(checkExpiry({ ...record, expires: "2026-11-28" }, TODAY))).toEqual(["lifecycle/expiring-soon"]);
    expect(checkExpiry({ ...record, expires: "someday" }, TODAY)).toEqual([]);
    const keys = { owner: "owner", expires: "expires", tier: "tier" };
    expect(checkOwnershipRecord({ where: "IAM tags", keys, values: { owner: "t", expires: "2027-01-01", tier: "batch" } })).toEqual([]);
    expect(checkOwnershipRecord({ where: "IAM tags", keys, values: { expires: "2027-02-30", tier: "batch" } }).map((p) => p.message)).toEqual([
      "IAM tags lack owner",
      'IAM tags: expires is "2027-02-30", not a date (YYYY-MM-DD)',
    ]);
  });

  it("ignore Deny statements for region, account and session-name binding (the revocation policy passes)", () => {
    const revoked = compiled({
      tier: "high-risk",
      approval: { ticket: "T", approvedBy: "security-review@example.com" },
      revoked: { at: "2026-11-01T00:00:00Z", reason: "incident" },
    });
    for (const identity of revoked.identities) {
      const role = { name: identity.iamRole.name, agent: "a", kind: identity.kind, tier: "high-risk", permissionsBoundary: null };
      expect(checkTraceableSessions(role, identity.iamRole.trustPolicy, effectiveTierPolicy("high-risk"))).toEqual([]);
      expect(sessionNamePrefixes(identity.iamRole.trustPolicy)).toEqual([sessionNamePrefix("a", identity.kind)]);
      for (const policy of identity.iamRole.policies)
        expect([...checkRegionBinding(policy.document, policy.name), ...checkAccountBinding(policy.document, "111122223333")]).toEqual([]);
    }
    const trust = doc({
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/x" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringLike: { "sts:RoleSessionName": ["a-audit-*", "*"] } },
    });
    expect(
      rules(
        checkTraceableSessions({ name: "r", agent: "a", kind: "audit", tier: "high-risk", permissionsBoundary: "b" }, trust, effectiveTierPolicy("high-risk")),
      ),
    ).toEqual(["context/traceable-sessions"]);
  });

  it("treat ARNs without an account (S3) as the platform's own", () => {
    const grants = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::b/*", "arn:aws:sqs:us-east-1:444455556666:q"] });
    expect(checkAccountBinding(grants, "111122223333").map((p) => p.message)).toEqual([
      expect.stringContaining("arn:aws:sqs:us-east-1:444455556666:q in account 444455556666"),
    ]);
  });
});
