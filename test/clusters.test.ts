/**
 * Several clusters and both bindings (issue #12, parts 2 and 3): the declaration refuses what is
 * too wide, the compiler writes one trust statement and one Vault role per cluster, each pinned to
 * its own cluster, the trust rules accept exactly that and refuse hand-written looser Pod Identity
 * trust, and the IAM oracle (iam-simulate) agrees on who can assume a Pod Identity role.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDiff } from "../cli/diff-command";
import { eksClusterArn } from "../components/core/clusters";
import type { PolicyDocument, PolicyStatement } from "../components/core/iam-document";
import type { IdentityPlan } from "../components/core/plan-types";
import { DeclarationError, parseDeclaration, type ClusterInput, type DeclarationInput, type PlatformInput } from "../components/core/schema";
import { checkTrustPolicy } from "../components/rules/trust";
import { errorsOf, evaluatePlan, ALL_RULES } from "../components/rules";
import { planAgentDeclaration, planDeclaration } from "../components/validate";
import { PLATFORM, TODAY, agent } from "./helpers/fixtures";
import { decideTrust } from "./helpers/iam-oracle";

const ACCOUNT = "111122223333";
const BLUE_OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const BLUE: ClusterInput = { name: "blue", region: "us-east-1", binding: "irsa", oidcProviderArn: BLUE_OIDC, vaultAuthPath: "kubernetes-blue" };
const GREEN: ClusterInput = { name: "green", region: "us-west-2", binding: "pod-identity", clusterName: "agents-green", vaultAuthPath: "kubernetes-green" };
const GREEN_ARN = eksClusterArn("aws", "us-west-2", ACCOUNT, "agents-green");

/** The multi-cluster form leaves out the single-cluster fields (each cluster names its own). */
function platform(clusters: ClusterInput[] | undefined, extra: Partial<PlatformInput> = {}): PlatformInput {
  const { oidcProviderArn: _drop, ...aws } = PLATFORM.aws;
  const { kubernetesAuthPath: _path, ...vault } = PLATFORM.vault;
  void [_drop, _path];
  return clusters ? { ...PLATFORM, aws, vault, clusters, ...extra } : { ...PLATFORM, ...extra };
}

function issues(declaration: DeclarationInput): string[] {
  try {
    parseDeclaration(declaration);
    return [];
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

function plan(clusters: ClusterInput[] | undefined, agents = [agent("triage")]) {
  return planDeclaration({ platform: platform(clusters), agents }, "test", TODAY).plan;
}

const identity = (p: ReturnType<typeof plan>, name = "triage", kind = "execution"): IdentityPlan =>
  p.agents.find((a) => a.name === name)!.identities.find((i) => i.kind === kind)!;

describe("the declaration of clusters refuses what is too wide", () => {
  const cases: Array<[string, DeclarationInput, RegExp]> = [
    ["an empty cluster list", { platform: platform([]), agents: [] }, /clusters: at least one cluster/],
    [
      "Pod Identity on Fargate",
      { platform: platform([{ ...GREEN, computeType: "fargate" }]), agents: [] },
      /clusters\.0\.binding: EKS Pod Identity is not available for pods on Fargate.*use binding irsa/,
    ],
    [
      "a cluster ARN instead of a name (another account's cluster)",
      { platform: platform([{ ...GREEN, clusterArn: "arn:aws:eks:us-west-2:999999999999:cluster/x" } as never]), agents: [] },
      /clusterArn/,
    ],
    [
      "an IRSA provider in another account",
      { platform: platform([{ ...BLUE, oidcProviderArn: BLUE_OIDC.replace(ACCOUNT, "999999999999") }]), agents: [] },
      /clusters\.0\.oidcProviderArn: the provider belongs to account 999999999999/,
    ],
    [
      "an IRSA cluster without a provider",
      { platform: platform([{ ...BLUE, oidcProviderArn: undefined }]), agents: [] },
      /clusters\.0\.oidcProviderArn: required for binding irsa/,
    ],
    [
      "a Pod Identity cluster without a name",
      { platform: platform([{ ...GREEN, clusterName: undefined }]), agents: [] },
      /clusters\.0\.clusterName: required for binding pod-identity/,
    ],
    [
      "two clusters sharing one Vault auth mount",
      { platform: platform([BLUE, { ...GREEN, vaultAuthPath: "kubernetes-blue" }]), agents: [] },
      /clusters\.1\.vaultAuthPath: .*each cluster needs its own Kubernetes auth mount/,
    ],
    ["an auth mount inside a secrets mount path", { platform: platform([{ ...BLUE, vaultAuthPath: "kv" }]), agents: [] }, /overlaps the secrets mount "kv"/],
    [
      "a provider whose region is not the cluster's",
      { platform: platform([{ ...BLUE, region: "us-west-2" }]), agents: [] },
      /issuer is in us-east-1, the cluster in us-west-2/,
    ],
    [
      "a cluster in another partition",
      { platform: platform([{ ...GREEN, region: "cn-north-1" }]), agents: [] },
      /region cn-north-1 is not in the platform's partition aws/,
    ],
    [
      "the platform-wide provider next to clusters",
      { platform: { ...platform([BLUE]), aws: PLATFORM.aws }, agents: [] },
      /aws\.oidcProviderArn: declare each cluster's OIDC provider under platform\.clusters/,
    ],
    [
      "the single-cluster auth mount next to clusters",
      { platform: { ...platform([BLUE]), vault: PLATFORM.vault }, agents: [] },
      /^platform\.vault\.kubernetesAuthPath: ignored with platform\.clusters: .*remove vault\.kubernetesAuthPath$/,
    ],
    [
      "the single-cluster auth mount next to clusters, even equal to a cluster's",
      { platform: { ...platform([BLUE]), vault: { ...PLATFORM.vault, kubernetesAuthPath: "kubernetes-blue" } }, agents: [] },
      /^platform\.vault\.kubernetesAuthPath: ignored/,
    ],
    [
      "the single-cluster auth mount next to an invalid clusters list",
      { platform: platform([], { vault: PLATFORM.vault }), agents: [] },
      /platform\.vault\.kubernetesAuthPath: ignored/,
    ],
    [
      "neither clusters nor a provider",
      { platform: platform(undefined, { aws: { ...PLATFORM.aws, oidcProviderArn: undefined } }), agents: [] },
      /aws\.oidcProviderArn: required when platform\.clusters is not declared/,
    ],
    [
      "an agent listing a cluster that does not exist",
      { platform: platform([BLUE, GREEN]), agents: [agent("triage", { clusters: ["purple"] })] },
      /agents\.0\.clusters\.0: no cluster "purple"/,
    ],
    [
      "an agent listing no cluster",
      { platform: platform([BLUE, GREEN]), agents: [agent("triage", { clusters: [] })] },
      /agents\.0\.clusters: at least one cluster/,
    ],
    ["an agent listing a cluster twice", { platform: platform([BLUE, GREEN]), agents: [agent("triage", { clusters: ["blue", "blue"] })] }, /listed twice/],
    [
      "an agent listing clusters on a single-cluster platform",
      { platform: PLATFORM, agents: [agent("triage", { clusters: ["default"] })] },
      /the platform declares no clusters/,
    ],
  ];
  it.each(cases)("%s", (_label, declaration, message) => {
    expect(issues(declaration).join("\n")).toMatch(message);
  });

  it("vault.kubernetesAuthPath with clusters: refused where it is written, for the fleet and for one agent; fine without clusters", () => {
    const both = { ...platform([BLUE, GREEN]), vault: PLATFORM.vault };
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (error instanceof DeclarationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
        throw error;
      }
      return [];
    };
    const message =
      "ignored with platform.clusters: each cluster names its own Kubernetes auth mount (platform.clusters[].vaultAuthPath); remove vault.kubernetesAuthPath";
    expect(refusal(() => planDeclaration({ platform: both, agents: [agent("triage")] }, "test", TODAY))).toEqual([
      `platform.vault.kubernetesAuthPath: ${message}`,
    ]);
    expect(refusal(() => planAgentDeclaration(both, agent("triage"), "test", TODAY))).toEqual([`platform.vault.kubernetesAuthPath: ${message}`]);
    // Not written (absent or undefined): the default is not the user's and nothing is refused.
    expect(
      refusal(() =>
        planDeclaration({ platform: { ...both, vault: { ...PLATFORM.vault, kubernetesAuthPath: undefined } }, agents: [agent("triage")] }, "test", TODAY),
      ),
    ).toEqual([]);
    expect(refusal(() => planDeclaration({ platform: PLATFORM, agents: [agent("triage")] }, "test", TODAY))).toEqual([]);
  });

  it("the single-cluster form is valid unchanged and compiles to the same trust as before", () => {
    const single = plan(undefined);
    const trust = identity(single).iamRole.trustPolicy;
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Sid).toBe("IrsaOwnServiceAccountOnly");
    expect(identity(single).bindings).toEqual([{ cluster: "default", binding: "irsa", serviceAccountAnnotations: {}, podIdentityAssociation: null }]);
    expect(identity(single).serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(identity(single).iamRole.arn);
    expect(identity(single).vault.additionalRoles).toEqual([]);
  });
});

describe("an agent in two clusters (one IRSA, one Pod Identity)", () => {
  const p = plan([BLUE, GREEN]);
  const execution = identity(p);
  const ns = execution.serviceAccount.namespace;
  const sa = execution.serviceAccount.name;

  it("gets one trust statement per cluster, each pinned to its own ServiceAccount in its own cluster", () => {
    const [irsa, pod] = execution.iamRole.trustPolicy.Statement;
    expect(execution.iamRole.trustPolicy.Statement).toHaveLength(2);
    expect(irsa).toMatchObject({
      Sid: "IrsaOwnServiceAccountOnlyBlue",
      Effect: "Allow",
      Principal: { Federated: BLUE_OIDC },
      Action: ["sts:AssumeRoleWithWebIdentity"],
    });
    expect(irsa.Condition?.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub": `system:serviceaccount:${ns}:${sa}`,
      "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:aud": "sts.amazonaws.com",
    });
    expect(pod).toEqual({
      Sid: "PodIdentityOwnServiceAccountOnlyGreen",
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        StringEquals: {
          "aws:SourceAccount": ACCOUNT,
          "aws:RequestTag/eks-cluster-arn": GREEN_ARN,
          "aws:RequestTag/kubernetes-namespace": ns,
          "aws:RequestTag/kubernetes-service-account": sa,
        },
      },
    });
  });

  it("gets two Vault roles, each in its own cluster's auth mount and bound to its own ServiceAccount", () => {
    const roles = [execution.vault.role!, ...execution.vault.additionalRoles];
    expect(roles.map((r) => r.backend)).toEqual(["kubernetes-blue", "kubernetes-green"]);
    for (const role of roles) {
      expect(role.boundServiceAccountNames).toEqual([sa]);
      expect(role.boundServiceAccountNamespaces).toEqual([ns]);
      expect(role.tokenPolicies).toEqual(execution.vault.role!.tokenPolicies);
    }
  });

  it("gets a Pod Identity association in the Pod Identity cluster only, session tags on, and IRSA annotations only where IRSA binds", () => {
    expect(execution.bindings).toEqual([
      {
        cluster: "blue",
        binding: "irsa",
        serviceAccountAnnotations: expect.objectContaining({ "eks.amazonaws.com/role-arn": execution.iamRole.arn }),
        podIdentityAssociation: null,
      },
      {
        cluster: "green",
        binding: "pod-identity",
        serviceAccountAnnotations: {},
        podIdentityAssociation: {
          clusterName: "agents-green",
          region: "us-west-2",
          namespace: ns,
          serviceAccount: sa,
          roleArn: execution.iamRole.arn,
          disableSessionTags: false,
        },
      },
    ]);
    // A role-arn annotation in the Pod Identity cluster would make the webhook inject an IRSA token no trust accepts.
    expect(execution.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBeUndefined();
  });

  it("an agent listing one cluster gets only that cluster's statement, role and association", () => {
    const only = plan([BLUE, GREEN], [agent("triage", { clusters: ["green"] })]);
    const id = identity(only);
    expect(id.iamRole.trustPolicy.Statement.map((s) => s.Sid)).toEqual(["PodIdentityOwnServiceAccountOnly"]);
    expect(id.vault.role!.backend).toBe("kubernetes-green");
    expect(id.vault.additionalRoles).toEqual([]);
    expect(id.bindings.map((b) => b.cluster)).toEqual(["green"]);
  });

  it("a revoked agent's statements all turn Deny in every cluster and its Vault roles go", () => {
    const revoked = plan([BLUE, GREEN], [agent("triage", { revoked: { at: "2026-11-27T10:00:00Z", reason: "compromised" } })]);
    const id = identity(revoked);
    expect(id.iamRole.trustPolicy.Statement.map((s) => s.Effect)).toEqual(["Deny", "Deny"]);
    expect(id.vault).toMatchObject({ role: null, additionalRoles: [] });
  });

  it("passes every rule", () => {
    expect(errorsOf(evaluatePlan(p, ALL_RULES, TODAY))).toEqual([]);
  });
});

describe("trust rules over Pod Identity trust", () => {
  const p = plan([BLUE, GREEN], [agent("triage", { clusters: ["green"] })]);
  const execution = identity(p);
  const compiled = execution.iamRole.trustPolicy;
  const statement = compiled.Statement[0];
  const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });
  const withoutKey = (key: string): PolicyStatement => {
    const equals = { ...statement.Condition!.StringEquals! };
    delete equals[key];
    return { ...statement, Condition: { StringEquals: equals } };
  };
  const rules = (document: PolicyDocument) => [...new Set(checkTrustPolicy(document).map((p) => p.rule))].sort();

  it("accepts exactly the trust the compiler writes, with and without the plan's expectation", () => {
    expect(checkTrustPolicy(compiled)).toEqual([]);
    expect(errorsOf(evaluatePlan(p, ALL_RULES, TODAY))).toEqual([]);
  });

  it("refuses AWS's documented unconditioned Pod Identity trust (any pod of any cluster could assume the role)", () => {
    const bare: PolicyStatement = { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] };
    expect(rules(doc(bare))).toEqual(["trust/pod-identity-session-tags"]);
    expect(checkTrustPolicy(doc(bare)).filter((p) => p.rule === "trust/pod-identity-session-tags")).toHaveLength(4);
  });

  it.each([["aws:SourceAccount"], ["aws:RequestTag/kubernetes-namespace"], ["aws:RequestTag/kubernetes-service-account"], ["aws:RequestTag/eks-cluster-arn"]])(
    "refuses a partially conditioned trust missing %s",
    (key) => {
      expect(rules(doc(withoutKey(key)))).toEqual(["trust/pod-identity-session-tags"]);
    },
  );

  it("refuses wildcards, StringLike, IfExists and several values", () => {
    const edited = (operator: string, key: string, value: string | string[]) => {
      const equals = { ...statement.Condition!.StringEquals! };
      delete equals[key];
      return doc({ ...statement, Condition: { StringEquals: equals, [operator]: { [key]: value } } as never });
    };
    expect(rules(edited("StringLike", "aws:RequestTag/kubernetes-namespace", "*"))).toContain("trust/pod-identity-session-tags");
    expect(rules(edited("StringEqualsIfExists", "aws:RequestTag/kubernetes-service-account", "x"))).toContain("trust/pod-identity-session-tags");
    expect(rules(edited("StringEquals", "aws:RequestTag/eks-cluster-arn", [GREEN_ARN, GREEN_ARN.replace("green", "other")]))).toContain(
      "trust/pod-identity-session-tags",
    );
  });

  it("refuses other actions, other principals beside it, a cluster of another account, and two ServiceAccounts", () => {
    expect(rules(doc({ ...statement, Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"] }))).toEqual(["trust/pod-identity-actions"]);
    expect(rules(doc({ ...statement, Action: "sts:*" }))).toEqual(["trust/pod-identity-actions"]);
    expect(rules(doc({ ...statement, Principal: { Service: ["pods.eks.amazonaws.com", "ec2.amazonaws.com"] } }))).toEqual(["trust/service-principal"]);
    const foreign = {
      ...statement,
      Condition: { StringEquals: { ...statement.Condition!.StringEquals!, "aws:RequestTag/eks-cluster-arn": GREEN_ARN.replace(ACCOUNT, "999999999999") } },
    };
    expect(rules(doc(foreign))).toEqual(["trust/pod-identity-session-tags"]);
    const other = {
      ...statement,
      Condition: {
        StringEquals: {
          ...statement.Condition!.StringEquals!,
          "aws:RequestTag/kubernetes-service-account": "someone-else",
          "aws:RequestTag/eks-cluster-arn": GREEN_ARN.replace("green", "blue"),
        },
      },
    };
    expect(rules(doc(statement, other))).toEqual(["trust/own-service-account"]);
    expect(rules(doc(statement, statement))).toEqual(["trust/single-statement"]);
  });

  it("with the plan's expectation, a statement for another cluster, account or ServiceAccount is refused", () => {
    const expected = {
      namespace: execution.serviceAccount.namespace,
      serviceAccount: execution.serviceAccount.name,
      clusters: [{ binding: "pod-identity" as const, oidcProviderArn: null, clusterArn: GREEN_ARN }],
      accountId: ACCOUNT,
    };
    expect(checkTrustPolicy(compiled, expected)).toEqual([]);
    const otherCluster = GREEN_ARN.replace("agents-green", "agents-red");
    const moved = doc({ ...statement, Condition: { StringEquals: { ...statement.Condition!.StringEquals!, "aws:RequestTag/eks-cluster-arn": otherCluster } } });
    expect(checkTrustPolicy(moved, expected).map((p) => p.rule)).toEqual(["trust/pod-identity-session-tags"]);
    expect(checkTrustPolicy(compiled, { ...expected, serviceAccount: "triage-audit" }).map((p) => p.rule)).toEqual(["trust/own-service-account"]);
    expect(
      checkTrustPolicy(compiled, { ...expected, clusters: [...expected.clusters, { binding: "irsa", oidcProviderArn: BLUE_OIDC, clusterArn: null }] }).map(
        (p) => p.rule,
      ),
    ).toEqual(["trust/single-statement"]);
  });
});

describe("iam-simulate: who can assume a Pod Identity role", () => {
  const p = plan([BLUE, GREEN]);
  const execution = identity(p);
  const tags = {
    "aws:SourceAccount": ACCOUNT,
    "aws:RequestTag/kubernetes-namespace": execution.serviceAccount.namespace,
    "aws:RequestTag/kubernetes-service-account": execution.serviceAccount.name,
    "aws:RequestTag/eks-cluster-arn": GREEN_ARN,
    "aws:RequestTag/eks-cluster-name": "agents-green",
    "aws:RequestTag/kubernetes-pod-name": "triage-7c9d",
    "aws:RequestTag/kubernetes-pod-uid": "0d6f4f0e-1111-2222-3333-444455556666",
    "aws:TagKeys": ["eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-pod-name", "kubernetes-pod-uid", "kubernetes-service-account"],
  };
  const assume = (context: Record<string, string | string[]>, action = "sts:AssumeRole", principal = "pods.eks.amazonaws.com") =>
    decideTrust(execution.iamRole, principal, action, context);

  it("allows AssumeRole and TagSession with the session tags EKS sets for the agent's ServiceAccount in the Pod Identity cluster", async () => {
    expect(await assume(tags)).toBe("Allowed");
    expect(await assume(tags, "sts:TagSession")).toBe("Allowed");
  });

  it.each([
    ["another namespace", { "aws:RequestTag/kubernetes-namespace": "acme-test-other" }],
    ["another ServiceAccount", { "aws:RequestTag/kubernetes-service-account": "triage-orchestration" }],
    ["another cluster", { "aws:RequestTag/eks-cluster-arn": eksClusterArn("aws", "us-west-2", ACCOUNT, "agents-red") }],
    ["another source account", { "aws:SourceAccount": "999999999999" }],
  ])("refuses %s", async (_label, change) => {
    expect(await assume({ ...tags, ...change })).toBe("ImplicitlyDenied");
    expect(await assume({ ...tags, ...change }, "sts:TagSession")).toBe("ImplicitlyDenied");
  });

  it("refuses a request without session tags (an association with session tags disabled)", async () => {
    expect(await assume({ "aws:SourceAccount": ACCOUNT })).toBe("ImplicitlyDenied");
  });

  it("refuses another service principal with the same tags", async () => {
    expect(await assume(tags, "sts:AssumeRole", "ec2.amazonaws.com")).toBe("ImplicitlyDenied");
  });
});

describe("the diff classifies cluster changes as widening", () => {
  const dir = mkdtempSync(join(tmpdir(), "agent-identity-clusters-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, p: ReturnType<typeof plan>) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(p));
    return path;
  };
  type Change = { agent: string; identity: string | null; kind: string; classification: string };
  async function diff(base: ReturnType<typeof plan>, head: ReturnType<typeof plan>) {
    const result = await runDiff({ base: file("base", base), head: file("head", head), stack: "test", cwd: dir, failOn: "widen", format: "json" });
    const json = JSON.parse(result.stdout) as { platform: Change[]; changes: Change[] };
    return {
      exitCode: result.exitCode,
      lines: [...json.platform, ...json.changes].map((c) => `${c.agent}/${c.identity ?? "-"} ${c.kind} ${c.classification}`),
    };
  }

  it("an agent that gains a cluster widens (another trust statement, another Vault role)", async () => {
    const { exitCode, lines } = await diff(plan([BLUE, GREEN], [agent("triage", { clusters: ["blue"] })]), plan([BLUE, GREEN]));
    expect(exitCode).toBe(1);
    expect(lines).toEqual(expect.arrayContaining(["triage/execution trust-changed widens", "triage/execution vault-binding-changed widens"]));
  });

  it("a cluster switching binding widens at the platform", async () => {
    const { exitCode, lines } = await diff(
      plan([BLUE, GREEN]),
      plan([
        BLUE,
        {
          ...GREEN,
          binding: "irsa",
          clusterName: undefined,
          oidcProviderArn: BLUE_OIDC.replace("us-east-1", "us-west-2").replace("0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210"),
        },
      ]),
    );
    expect(exitCode).toBe(1);
    expect(lines.filter((l) => l.endsWith(" widens")).length).toBeGreaterThan(0);
  });

  it("the same declaration is no change", async () => {
    const { exitCode, lines } = await diff(plan([BLUE, GREEN]), plan([BLUE, GREEN]));
    expect({ exitCode, lines }).toEqual({ exitCode: 0, lines: [] });
  });
});

describe("a high-risk agent on Pod Identity", () => {
  const highRisk = agent("payout", { tier: "high-risk", approval: { ticket: "SEC-9", approvedBy: "sec@example.com" } });
  it("plans: the IRSA statement pins the session name, the Pod Identity statement is traced by its session tags", () => {
    const p = plan([BLUE, GREEN], [highRisk]);
    const [irsa, pod] = identity(p, "payout").iamRole.trustPolicy.Statement;
    expect(irsa.Condition?.StringLike).toEqual({ "sts:RoleSessionName": expect.stringMatching(/^payout-exec.*\*$/) });
    expect(pod.Condition?.StringLike).toBeUndefined();
    expect(errorsOf(evaluatePlan(p, ALL_RULES, TODAY))).toEqual([]);
  });
});
