/**
 * Trust policy rules: an IRSA role is assumable only by its own ServiceAccount through the cluster's
 * one OIDC provider. A revoked identity's single statement is a Deny, which admits nobody and passes.
 */
import { IRSA_AUDIENCE } from "../core/compile";
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import { hasWildcard } from "../core/patterns";
import { oidcProviderProblem } from "../core/platform-fields";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const AUTHN = standards(["NHI4", "NHI9"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const PRINCIPAL = standards(["NHI4", "NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure", "L7 Agent Ecosystem"], ["MEASURE 2.7", "GOVERN 6.1"]);

export const TRUST_RULES: readonly RuleMeta[] = [
  meta("trust/single-statement", "trust", "error", "A trust policy has exactly one statement.", AUTHN, PACK.resource),
  meta("trust/web-identity-only", "trust", "error", "The only action trusted is `sts:AssumeRoleWithWebIdentity`.", AUTHN, PACK.resource),
  meta("trust/principal-wildcard", "trust", "error", 'No `Principal: "*"` (or `AWS: "*"`).', PRINCIPAL, PACK.resource),
  meta("trust/account-principal", "trust", "error", "No AWS account, root or IAM principal in an agent role's trust policy.", PRINCIPAL, PACK.resource),
  meta("trust/service-principal", "trust", "error", "No AWS service principal in an agent role's trust policy.", PRINCIPAL, PACK.resource),
  meta("trust/single-provider", "trust", "error", "Exactly one federated principal: the cluster's OIDC provider.", PRINCIPAL, PACK.resource),
  meta("trust/string-equals", "trust", "error", "The `sub` and `aud` of the web identity are both pinned with `StringEquals`.", AUTHN, PACK.resource),
  meta("trust/no-wildcards", "trust", "error", "No wildcard in the provider, `sub` or `aud` (a `*` admits every ServiceAccount).", AUTHN, PACK.resource),
  meta("trust/own-service-account", "trust", "error", "`sub` names the identity's own ServiceAccount and `aud` is sts.amazonaws.com.", AUTHN, PACK.both),
];

/** What the trust policy must pin, when the caller knows it. */
export interface TrustExpectation {
  readonly oidcProviderArn?: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}


/** Every ServiceAccount (`namespace/name`) a trust statement admits by its `sub`, for the pack. */
export function trustedSubjects(document: PolicyDocument): string[] {
  return document.Statement.filter((s) => s.Effect === "Allow").flatMap((statement) =>
    Object.values(statement.Condition ?? {}).flatMap((block) =>
      Object.entries(block ?? {})
        .filter(([key]) => key.endsWith(":sub"))
        .flatMap(([, value]) => asList(value))
        .map((sub) => sub.replace(/^system:serviceaccount:/, "").replace(":", "/")),
    ),
  );
}

function principals(statement: PolicyStatement): { any: boolean; aws: string[]; service: string[]; federated: string[] } {
  const principal = statement.Principal;
  if (principal === undefined) return { any: false, aws: [], service: [], federated: [] };
  if (principal === "*") return { any: true, aws: [], service: [], federated: [] };
  const aws = asList(principal.AWS);
  return { any: aws.includes("*"), aws: aws.filter((p) => p !== "*"), service: asList(principal.Service), federated: asList(principal.Federated) };
}

function conditionValues(statement: PolicyStatement, suffix: string): Array<{ operator: string; values: string[] }> {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block ?? {})
      .filter(([key]) => key.endsWith(suffix))
      .map(([, value]) => ({ operator, values: asList(value) })),
  );
}

function checkStatement(statement: PolicyStatement, expected: TrustExpectation | undefined): Problem[] {
  const problems: Problem[] = [];
  const who = principals(statement);
  if (who.any) problems.push({ rule: "trust/principal-wildcard", message: "the role trusts every principal (*)", fix: "trust only the cluster's OIDC provider as Principal.Federated" });
  if (who.aws.length) problems.push({ rule: "trust/account-principal", message: `the role trusts AWS principal(s) ${who.aws.join(", ")}`, fix: "remove Principal.AWS; only the agent's ServiceAccount assumes its role" });
  if (who.service.length) problems.push({ rule: "trust/service-principal", message: `the role trusts service principal(s) ${who.service.join(", ")}`, fix: "remove Principal.Service; an agent role is for its ServiceAccount only" });
  const notEks = who.federated.length === 1 ? oidcProviderProblem(who.federated[0]) : null;
  if (who.federated.length !== 1 || notEks) {
    const why = notEks ?? "not exactly one OIDC provider";
    problems.push({ rule: "trust/single-provider", message: `the role trusts federated principal(s) [${who.federated.join(", ")}]: ${why}`, fix: "trust the one EKS OIDC provider named in the platform declaration" });
  } else if (expected?.oidcProviderArn && who.federated[0] !== expected.oidcProviderArn) {
    problems.push({ rule: "trust/single-provider", message: `the role trusts ${who.federated[0]}, not the platform's provider ${expected.oidcProviderArn}`, fix: "trust the platform's OIDC provider" });
  }
  const wildcardProvider = who.federated.filter(hasWildcard);
  if (wildcardProvider.length) problems.push({ rule: "trust/no-wildcards", message: `the federated principal ${wildcardProvider.join(", ")} contains a wildcard`, fix: "name the exact OIDC provider ARN" });
  const actions = [...asList(statement.Action), ...asList(statement.NotAction)];
  if (statement.NotAction !== undefined || actions.length !== 1 || actions[0] !== "sts:AssumeRoleWithWebIdentity") {
    problems.push({ rule: "trust/web-identity-only", message: `the role trusts actions [${actions.join(", ")}]`, fix: 'use exactly Action "sts:AssumeRoleWithWebIdentity"' });
  }

  const subs = conditionValues(statement, ":sub");
  const auds = conditionValues(statement, ":aud");
  for (const [name, entries] of [["sub", subs], ["aud", auds]] as const) {
    const pinned = entries.filter((entry) => entry.operator === "StringEquals");
    const other = entries.filter((entry) => entry.operator !== "StringEquals");
    if (pinned.length === 0 || other.length) {
      problems.push({ rule: "trust/string-equals", message: `${name} is ${entries.length ? `matched with ${entries.map((e) => e.operator).join(", ")}` : "not constrained"}`, fix: `pin <issuer>:${name} with StringEquals` });
    }
    const wild = entries.flatMap((entry) => entry.values).filter(hasWildcard);
    if (wild.length) problems.push({ rule: "trust/no-wildcards", message: `${name} admits ${wild.join(", ")}`, fix: `name one exact ${name === "sub" ? "system:serviceaccount:<namespace>:<name>" : "audience"}` });
  }
  const subValues = subs.flatMap((entry) => entry.values);
  const audValues = auds.flatMap((entry) => entry.values);
  if (expected) {
    const own = `system:serviceaccount:${expected.namespace}:${expected.serviceAccount}`;
    if (subValues.length !== 1 || subValues[0] !== own) {
      problems.push({ rule: "trust/own-service-account", message: `sub is [${subValues.join(", ")}], not its own ServiceAccount ${own}`, fix: `pin sub to ${own}` });
    }
  } else if (subValues.length !== 1 || !/^system:serviceaccount:[a-z0-9-]+:[a-z0-9.-]+$/.test(subValues[0])) {
    problems.push({ rule: "trust/own-service-account", message: `sub is [${subValues.join(", ")}], not exactly one ServiceAccount`, fix: "pin sub to system:serviceaccount:<namespace>:<name>" });
  }
  if (audValues.length !== 1 || audValues[0] !== IRSA_AUDIENCE) {
    problems.push({ rule: "trust/own-service-account", message: `aud is [${audValues.join(", ")}], not ${IRSA_AUDIENCE}`, fix: `pin aud to ${IRSA_AUDIENCE}` });
  }
  return problems;
}

export function checkTrustPolicy(document: PolicyDocument, expected?: TrustExpectation): Problem[] {
  const statements = document.Statement ?? [];
  if (statements.length !== 1) {
    return [
      { rule: "trust/single-statement", message: `the trust policy has ${statements.length} statements`, fix: "keep exactly one statement pinned to the identity's own ServiceAccount" },
      ...statements.filter((s) => s.Effect === "Allow").flatMap((s) => checkStatement(s, expected)),
    ];
  }
  return statements[0].Effect === "Deny" ? [] : checkStatement(statements[0], expected);
}

export const trustRules = familyRules(TRUST_RULES, ({ plan }) => {
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      const expected = { oidcProviderArn: plan.platform.aws.oidcProviderArn, namespace: identity.serviceAccount.namespace, serviceAccount: identity.serviceAccount.name };
      findings.push(...attribute(agent.name, identity.kind, checkTrustPolicy(identity.iamRole.trustPolicy, expected)));
    }
  }
  return findings;
});
