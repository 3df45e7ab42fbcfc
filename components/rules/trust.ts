/**
 * Trust policy rules: an agent role is assumable only by its own ServiceAccount, in each cluster it
 * runs in: through that cluster's OIDC provider (IRSA) or through EKS Pod Identity pinned by the
 * session tags EKS sets. A revoked identity's statements are Deny, which admit nobody and pass.
 */
import { IRSA_AUDIENCE } from "../core/compile";
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import { hasWildcard } from "../core/patterns";
import { oidcProviderProblem } from "../core/platform-fields";
import {
  MAX_CLUSTERS,
  POD_IDENTITY_ACTIONS,
  POD_IDENTITY_PRINCIPAL,
  POD_IDENTITY_TAGS,
  SOURCE_ACCOUNT,
  parseEksClusterArn,
  platformClusters,
  type Binding,
} from "../core/clusters";
import { vaultAwsEnginePrincipal } from "../core/tool-session-schema";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK } from "./define";
import { checkToolRoleTrust } from "./tool-session-checks";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const AUTHN = standards(["NHI4", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const PRINCIPAL = standards(["NHI4", "NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7", "GOVERN 6.1"]);

export const TRUST_RULES: readonly RuleMeta[] = [
  meta(
    "trust/single-statement",
    "trust",
    "error",
    "A trust policy has one statement per cluster the identity runs in (one for a single cluster), never two for one cluster.",
    AUTHN,
    PACK.resource,
  ),
  meta("trust/web-identity-only", "trust", "error", "An IRSA statement trusts only `sts:AssumeRoleWithWebIdentity`.", AUTHN, PACK.resource),
  meta(
    "trust/principal-wildcard",
    "trust",
    "error",
    'No `Principal: "*"` (or `AWS: "*"`), and no `Allow` with `NotPrincipal` (everyone but the named).',
    PRINCIPAL,
    PACK.resource,
  ),
  meta("trust/account-principal", "trust", "error", "No AWS account, root or IAM principal in an agent role's trust policy.", PRINCIPAL, PACK.resource),
  meta(
    "trust/service-principal",
    "trust",
    "error",
    "No AWS service principal other than EKS Pod Identity's `pods.eks.amazonaws.com`, alone in its statement.",
    PRINCIPAL,
    PACK.resource,
  ),
  meta(
    "trust/single-provider",
    "trust",
    "error",
    "Each IRSA statement trusts exactly one federated principal: the cluster's OIDC provider.",
    PRINCIPAL,
    PACK.resource,
  ),
  meta("trust/string-equals", "trust", "error", "The `sub` and `aud` of the web identity are both pinned with `StringEquals`.", AUTHN, PACK.resource),
  meta("trust/no-wildcards", "trust", "error", "No wildcard in the provider, `sub` or `aud` (a `*` admits every ServiceAccount).", AUTHN, PACK.resource),
  meta(
    "trust/own-service-account",
    "trust",
    "error",
    "Every statement names the identity's own ServiceAccount (`sub`, or the Pod Identity session tags) and IRSA's `aud` is sts.amazonaws.com.",
    AUTHN,
    PACK.both,
  ),
  meta(
    "trust/pod-identity-actions",
    "trust",
    "error",
    "A `pods.eks.amazonaws.com` statement trusts exactly `sts:AssumeRole` and `sts:TagSession`.",
    AUTHN,
    PACK.resource,
  ),
  meta(
    "trust/pod-identity-session-tags",
    "trust",
    "error",
    "A `pods.eks.amazonaws.com` statement pins `aws:SourceAccount` and the session tags `kubernetes-namespace`, `kubernetes-service-account` and `eks-cluster-arn` (`aws:RequestTag/...`) with `StringEquals` to one exact value each: no other pod, namespace, cluster or account assumes the role.",
    AUTHN,
    PACK.resource,
  ),
  meta(
    "trust/tool-role-vault-only",
    "trust",
    "error",
    "A tool role (`toolSessions: tagged-sessions`) trusts only the Vault AWS engine's role (one concrete IAM role ARN, in the plan the declared one; in the pack the stack's `vault.aws.SecretBackend` `roleArn` where there is one), only for `sts:AssumeRole` with `StringEquals` on one tool and its data class (`aws:RequestTag/agent-identity:tool`, `…:data-class`) and `sts:TagSession` with the agent, `execution`, environment, tool and data-class tags and `ForAllValues:StringEquals` `aws:TagKeys` within those five keys; no `*`, account root, user, service or federated principal, no NotPrincipal or NotAction, no other condition operator (StringLike, …IfExists, ForAnyValue, Null). In the plan the agent, environment and each tool/data-class pair are the agent's own aws tools.",
    PRINCIPAL,
    PACK.both,
  ),
];

/** A cluster the identity runs in, as the trust must name it. */
export interface TrustCluster {
  readonly binding: Binding;
  readonly oidcProviderArn: string | null;
  readonly clusterArn: string | null;
}

/** What the trust policy must pin, when the caller knows it. */
export interface TrustExpectation {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The clusters the identity runs in, one statement each; absent: any clusters (the pack). */
  readonly clusters?: readonly TrustCluster[];
  /** The account Pod Identity's `aws:SourceAccount` and cluster ARNs must name. */
  readonly accountId?: string;
  /** The single-cluster form: one IRSA cluster with this provider. */
  readonly oidcProviderArn?: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

function conditionEntries(statement: PolicyStatement): ConditionEntry[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block ?? {}).map(([key, value]) => ({ operator, key, values: asList(value) })),
  );
}

/** Condition keys are case-insensitive in IAM; compare them so. */
function entriesFor(statement: PolicyStatement, key: string): ConditionEntry[] {
  const wanted = key.toLowerCase();
  return conditionEntries(statement).filter((entry) => entry.key.toLowerCase() === wanted);
}

/** True when the statement names the EKS Pod Identity service as principal. */
export function isPodIdentityStatement(statement: PolicyStatement): boolean {
  const principal = statement.Principal;
  return principal !== undefined && principal !== "*" && asList(principal.Service).some((service) => service.toLowerCase() === POD_IDENTITY_PRINCIPAL);
}

/** True when any statement trusts EKS Pod Identity: the pack checks such roles as agent roles. */
export function trustsPodIdentity(document: PolicyDocument): boolean {
  return (document.Statement ?? []).some((statement) => statement.Effect === "Allow" && isPodIdentityStatement(statement));
}

/** The single exact value a Pod Identity statement pins `key` to, or null. */
function pinnedValue(statement: PolicyStatement, key: string): string | null {
  const entries = entriesFor(statement, key);
  if (entries.length !== 1 || entries[0].operator !== "StringEquals" || entries[0].values.length !== 1) return null;
  const value = entries[0].values[0];
  return hasWildcard(value) || value === "" ? null : value;
}

/** Every ServiceAccount (`namespace/name`) a trust statement admits, by its `sub` or its Pod Identity session tags, for the pack. */
export function trustedSubjects(document: PolicyDocument): string[] {
  return document.Statement.filter((s) => s.Effect === "Allow").flatMap((statement) => {
    if (isPodIdentityStatement(statement)) {
      const namespaces = entriesFor(statement, POD_IDENTITY_TAGS.namespace).flatMap((e) => e.values);
      const accounts = entriesFor(statement, POD_IDENTITY_TAGS.serviceAccount).flatMap((e) => e.values);
      return namespaces.flatMap((namespace) => accounts.map((account) => `${namespace}/${account}`));
    }
    return Object.values(statement.Condition ?? {}).flatMap((block) =>
      Object.entries(block ?? {})
        .filter(([key]) => key.endsWith(":sub"))
        .flatMap(([, value]) => asList(value))
        .map((sub) => sub.replace(/^system:serviceaccount:/, "").replace(":", "/")),
    );
  });
}

function principals(statement: PolicyStatement): { any: boolean; aws: string[]; service: string[]; federated: string[] } {
  // Allow + NotPrincipal trusts everyone but the principals it names: as world-assumable as `*`.
  if (statement.Effect === "Allow" && (statement as { NotPrincipal?: unknown }).NotPrincipal !== undefined)
    return { any: true, aws: [], service: [], federated: [] };
  const principal = statement.Principal;
  if (principal === undefined) return { any: false, aws: [], service: [], federated: [] };
  if (principal === "*") return { any: true, aws: [], service: [], federated: [] };
  const aws = asList(principal.AWS);
  return { any: aws.includes("*"), aws: aws.filter((p) => p !== "*"), service: asList(principal.Service), federated: asList(principal.Federated) };
}

function conditionValues(statement: PolicyStatement, suffix: string): Array<{ operator: string; values: string[] }> {
  // Loops rather than entries/flatMap/filter: asked several times of every trust statement of
  // every agent, and the intermediate arrays were most of its cost. Same keys, same order.
  const found: Array<{ operator: string; values: string[] }> = [];
  const condition = statement.Condition as Record<string, Record<string, string | string[]> | undefined> | undefined;
  if (!condition) return found;
  for (const operator of Object.keys(condition)) {
    const block = condition[operator];
    if (!block) continue;
    for (const key of Object.keys(block)) if (key.endsWith(suffix)) found.push({ operator, values: asList(block[key]) });
  }
  return found;
}

function principalProblems(who: ReturnType<typeof principals>, podIdentity: boolean): Problem[] {
  const problems: Problem[] = [];
  if (who.any)
    problems.push({
      rule: "trust/principal-wildcard",
      message: "the role trusts every principal (* or Allow with NotPrincipal)",
      fix: "trust only the cluster's OIDC provider as Principal.Federated, or pods.eks.amazonaws.com as Principal.Service",
    });
  if (who.aws.length)
    problems.push({
      rule: "trust/account-principal",
      message: `the role trusts AWS principal(s) ${who.aws.join(", ")}`,
      fix: "remove Principal.AWS; only the agent's ServiceAccount assumes its role",
    });
  const others = who.service.filter((service) => service.toLowerCase() !== POD_IDENTITY_PRINCIPAL);
  if (others.length)
    problems.push({
      rule: "trust/service-principal",
      message: `the role trusts service principal(s) ${others.join(", ")}`,
      fix: "remove Principal.Service; an agent role is for its ServiceAccount only (EKS Pod Identity: pods.eks.amazonaws.com alone)",
    });
  if (podIdentity && who.federated.length) {
    problems.push({
      rule: "trust/service-principal",
      message: `pods.eks.amazonaws.com shares its statement with federated principal(s) ${who.federated.join(", ")}`,
      fix: "one statement per cluster: the Pod Identity service alone, or one OIDC provider alone",
    });
  }
  return problems;
}

function checkIrsaStatement(statement: PolicyStatement, expected: TrustExpectation | undefined, providers: readonly string[] | undefined): Problem[] {
  const who = principals(statement);
  const problems = principalProblems(who, false);
  const notEks = who.federated.length === 1 ? oidcProviderProblem(who.federated[0]) : null;
  if (who.federated.length !== 1 || notEks) {
    const why = notEks ?? "not exactly one OIDC provider";
    problems.push({
      rule: "trust/single-provider",
      message: `the role trusts federated principal(s) [${who.federated.join(", ")}]: ${why}`,
      fix: "trust the one EKS OIDC provider named in the platform declaration",
    });
  } else if (providers && !providers.includes(who.federated[0])) {
    problems.push({
      rule: "trust/single-provider",
      message: `the role trusts ${who.federated[0]}, not the platform's provider ${providers.join(" or ")}`,
      fix: "trust the OIDC provider of a cluster the agent runs in",
    });
  }
  const wildcardProvider = who.federated.filter(hasWildcard);
  if (wildcardProvider.length)
    problems.push({
      rule: "trust/no-wildcards",
      message: `the federated principal ${wildcardProvider.join(", ")} contains a wildcard`,
      fix: "name the exact OIDC provider ARN",
    });
  const actions = [...asList(statement.Action), ...asList(statement.NotAction)];
  if (statement.NotAction !== undefined || actions.length !== 1 || actions[0] !== "sts:AssumeRoleWithWebIdentity") {
    problems.push({
      rule: "trust/web-identity-only",
      message: `the role trusts actions [${actions.join(", ")}]`,
      fix: 'use exactly Action "sts:AssumeRoleWithWebIdentity"',
    });
  }

  const subs = conditionValues(statement, ":sub");
  const auds = conditionValues(statement, ":aud");
  for (const [name, entries] of [
    ["sub", subs],
    ["aud", auds],
  ] as const) {
    const pinned = entries.filter((entry) => entry.operator === "StringEquals");
    const other = entries.filter((entry) => entry.operator !== "StringEquals");
    if (pinned.length === 0 || other.length) {
      problems.push({
        rule: "trust/string-equals",
        message: `${name} is ${entries.length ? `matched with ${entries.map((e) => e.operator).join(", ")}` : "not constrained"}`,
        fix: `pin <issuer>:${name} with StringEquals`,
      });
    }
    const wild = entries.flatMap((entry) => entry.values).filter(hasWildcard);
    if (wild.length)
      problems.push({
        rule: "trust/no-wildcards",
        message: `${name} admits ${wild.join(", ")}`,
        fix: `name one exact ${name === "sub" ? "system:serviceaccount:<namespace>:<name>" : "audience"}`,
      });
  }
  const subValues = subs.flatMap((entry) => entry.values);
  const audValues = auds.flatMap((entry) => entry.values);
  if (expected) {
    const own = `system:serviceaccount:${expected.namespace}:${expected.serviceAccount}`;
    if (subValues.length !== 1 || subValues[0] !== own) {
      problems.push({
        rule: "trust/own-service-account",
        message: `sub is [${subValues.join(", ")}], not its own ServiceAccount ${own}`,
        fix: `pin sub to ${own}`,
      });
    }
  } else if (subValues.length !== 1 || !/^system:serviceaccount:[a-z0-9-]+:[a-z0-9.-]+$/.test(subValues[0])) {
    problems.push({
      rule: "trust/own-service-account",
      message: `sub is [${subValues.join(", ")}], not exactly one ServiceAccount`,
      fix: "pin sub to system:serviceaccount:<namespace>:<name>",
    });
  }
  if (audValues.length !== 1 || audValues[0] !== IRSA_AUDIENCE) {
    problems.push({ rule: "trust/own-service-account", message: `aud is [${audValues.join(", ")}], not ${IRSA_AUDIENCE}`, fix: `pin aud to ${IRSA_AUDIENCE}` });
  }
  return problems;
}

/**
 * A Pod Identity statement (`pods.eks.amazonaws.com`). Without the session-tag conditions any
 * Pod Identity association in the account (any namespace, any cluster) could assume the role;
 * without `aws:SourceAccount`, an association in another account naming this role could.
 */
export function checkPodIdentityStatement(statement: PolicyStatement, expected?: TrustExpectation, clusterArns?: readonly string[]): Problem[] {
  const problems = principalProblems(principals(statement), true);
  const actions = asList(statement.Action).map((a) => a.toLowerCase());
  const wanted = POD_IDENTITY_ACTIONS.map((a) => a.toLowerCase());
  if (statement.NotAction !== undefined || actions.length !== wanted.length || !wanted.every((a) => actions.includes(a))) {
    problems.push({
      rule: "trust/pod-identity-actions",
      message: `the Pod Identity statement trusts actions [${[...asList(statement.Action), ...asList(statement.NotAction)].join(", ")}]`,
      fix: 'use exactly Action ["sts:AssumeRole", "sts:TagSession"]',
    });
  }
  const tag = (key: string, label: string, valid: (value: string) => boolean) => {
    const value = pinnedValue(statement, key);
    if (value === null || !valid(value)) {
      const found = entriesFor(statement, key);
      problems.push({
        rule: "trust/pod-identity-session-tags",
        message: `${key} is ${found.length ? `matched with ${found.map((e) => `${e.operator} [${e.values.join(", ")}]`).join(", ")}` : "not constrained"}: ${label}`,
        fix: `pin ${key} with StringEquals to exactly one ${label}`,
      });
    }
    return value;
  };
  const account = tag(SOURCE_ACCOUNT, "12-digit account id", (v) => /^\d{12}$/.test(v));
  const namespace = tag(POD_IDENTITY_TAGS.namespace, "namespace", (v) => DNS_SUBDOMAIN.test(v));
  const serviceAccount = tag(POD_IDENTITY_TAGS.serviceAccount, "ServiceAccount name", (v) => DNS_SUBDOMAIN.test(v));
  const clusterArn = tag(POD_IDENTITY_TAGS.clusterArn, "EKS cluster ARN", (v) => parseEksClusterArn(v) !== null);
  if (clusterArn && account && parseEksClusterArn(clusterArn)!.account !== account) {
    problems.push({
      rule: "trust/pod-identity-session-tags",
      message: `the cluster ${clusterArn} is not in the source account ${account}`,
      fix: "pin the cluster and source account of the platform",
    });
  }
  if (account && expected?.accountId && account !== expected.accountId) {
    problems.push({
      rule: "trust/pod-identity-session-tags",
      message: `aws:SourceAccount is ${account}, not the platform account ${expected.accountId}`,
      fix: `pin aws:SourceAccount to ${expected.accountId}`,
    });
  }
  if (clusterArn && clusterArns && !clusterArns.includes(clusterArn)) {
    problems.push({
      rule: "trust/pod-identity-session-tags",
      message: `the statement admits cluster ${clusterArn}, not a cluster the agent runs in (${clusterArns.join(", ") || "none with Pod Identity"})`,
      fix: "pin eks-cluster-arn to a cluster the agent runs in",
    });
  }
  if (expected && namespace && serviceAccount && (namespace !== expected.namespace || serviceAccount !== expected.serviceAccount)) {
    problems.push({
      rule: "trust/own-service-account",
      message: `the Pod Identity statement admits ${namespace}/${serviceAccount}, not its own ServiceAccount ${expected.namespace}/${expected.serviceAccount}`,
      fix: `pin the session tags to ${expected.namespace}/${expected.serviceAccount}`,
    });
  }
  return problems;
}

/** The cluster a statement is for: its OIDC provider or its pinned cluster ARN. */
function statementCluster(statement: PolicyStatement): string | null {
  if (isPodIdentityStatement(statement)) return pinnedValue(statement, POD_IDENTITY_TAGS.clusterArn);
  const who = principals(statement);
  return who.federated.length === 1 ? who.federated[0] : null;
}

export function checkTrustPolicy(document: PolicyDocument, expected?: TrustExpectation): Problem[] {
  const statements = document.Statement ?? [];
  const clusters =
    expected?.clusters ?? (expected?.oidcProviderArn ? [{ binding: "irsa" as const, oidcProviderArn: expected.oidcProviderArn, clusterArn: null }] : undefined);
  const providers = clusters?.flatMap((c) => (c.oidcProviderArn ? [c.oidcProviderArn] : []));
  const clusterArns = clusters?.flatMap((c) => (c.clusterArn ? [c.clusterArn] : []));
  const allows = statements.filter((s) => s.Effect !== "Deny");
  // A revoked identity's statements are all Deny: they admit nobody.
  if (statements.length > 0 && allows.length === 0) return [];
  const problems: Problem[] = [];
  const limit = clusters?.length ?? MAX_CLUSTERS;
  if (allows.length === 0 || allows.length > limit || (clusters && allows.length !== clusters.length)) {
    problems.push({
      rule: "trust/single-statement",
      message: `the trust policy has ${allows.length} Allow statement(s)${clusters ? ` for ${clusters.length} cluster(s)` : ""}`,
      fix: "keep exactly one statement per cluster, each pinned to the identity's own ServiceAccount",
    });
  }
  const seen = new Set<string>();
  for (const statement of allows) {
    const cluster = statementCluster(statement);
    if (cluster && seen.has(cluster)) {
      problems.push({ rule: "trust/single-statement", message: `two statements trust cluster ${cluster}`, fix: "keep one statement per cluster" });
    }
    if (cluster) seen.add(cluster);
    problems.push(
      ...(isPodIdentityStatement(statement) ? checkPodIdentityStatement(statement, expected, clusterArns) : checkIrsaStatement(statement, expected, providers)),
    );
  }
  // With an expectation each statement was held to its own ServiceAccount above; only without one
  // (the pack) do the statements have to agree among themselves.
  const subjects = expected ? undefined : new Set(trustedSubjects(document));
  if (subjects && subjects.size > 1) {
    problems.push({
      rule: "trust/own-service-account",
      message: `the statements admit ${subjects.size} ServiceAccounts (${[...subjects].join(", ")})`,
      fix: "every statement pins the same one ServiceAccount",
    });
  }
  return problems;
}

export const trustRules = familyRules(TRUST_RULES, ({ plan }) => {
  const findings: RuleFinding[] = [];
  const clustersByName = new Map(platformClusters(plan.platform).map((c) => [c.name, c]));
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      const clusters = identity.bindings.map((binding) => clustersByName.get(binding.cluster)).filter((c) => c !== undefined);
      const expected: TrustExpectation = {
        namespace: identity.serviceAccount.namespace,
        serviceAccount: identity.serviceAccount.name,
        clusters,
        accountId: plan.platform.aws.accountId,
      };
      findings.push(...attribute(agent.name, identity.kind, checkTrustPolicy(identity.iamRole.trustPolicy, expected)));
      // The tool role is not assumed by a ServiceAccount: only Vault's AWS engine, with one tool's tags.
      if (identity.toolRole) {
        const tools = agent.tools.filter((tool) => tool.kind === "aws").map((tool) => ({ name: tool.name, dataClass: tool.dataClass }));
        const engineRoleArn = vaultAwsEnginePrincipal(plan.platform);
        const missing: Problem[] = engineRoleArn
          ? []
          : [
              {
                rule: "trust/tool-role-vault-only",
                message: "the tool role has no declared principal: platform.vault.awsEngineRoleArn (or platform.bootstrap.aws) is missing",
                fix: "declare the role Vault's AWS secrets engine runs as",
              },
            ];
        const problems = checkToolRoleTrust(identity.toolRole.trustPolicy, {
          engineRoleArn,
          agent: agent.name,
          environment: plan.platform.environment,
          tools,
          accountId: plan.platform.aws.accountId,
        });
        findings.push(...attribute(agent.name, identity.kind, [...missing, ...problems]));
      }
    }
  }
  return findings;
});
