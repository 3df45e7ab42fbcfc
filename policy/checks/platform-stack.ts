/**
 * Stack-wide platform checks, where one resource cannot tell: a second auth config or AWS engine,
 * a connection's allowedRoles against the stack's database roles, a namespace an agent runs in
 * without restricted Pod Security, two IAM roles tagged as one identity.
 */
import { IDENTITY_KINDS, type IdentityKind } from "../../components/core/names";
import { isToolRoleTags } from "../../components/rules/tool-session-checks";
import { asString, asStrings } from "../inputs";
import { PLATFORM_TYPES as TYPES } from "./platform-types";
import type { PackFinding } from "../types";
import type { StackIndex } from "../stack-index";
import { checkAuthBackendConfigs, type TrustedClusters } from "./auth-backend-config";
import { checkAwsEngines } from "./aws-engine";
import { checkConnectionRoles } from "./database-connection";
import { checkOneRolePerIdentity } from "./one-role-per-identity";
import { checkPodSecurityLabels } from "./pod-security";

const mount = (path: string | undefined) => (path ?? "").replace(/^\/+|\/+$/g, "");
const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/**
 * The EKS clusters agent roles trust: IRSA names a cluster by its OIDC issuer id (upper-cased here),
 * EKS Pod Identity by its cluster ARN, of which only the region can be compared with an endpoint.
 */
function trustedClusters(ix: StackIndex): TrustedClusters {
  const ids = new Set<string>();
  const podIdentityRegions = new Set<string>();
  for (const role of ix.roles) {
    if (!role.tags.agent) continue;
    for (const statement of role.trust?.Statement ?? []) {
      const principal = statement.Principal;
      const federated = typeof principal === "object" ? principal.Federated : undefined;
      for (const arn of Array.isArray(federated) ? federated : federated ? [federated] : []) {
        const id = /:oidc-provider\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/([A-Za-z0-9]+)$/.exec(String(arn))?.[1];
        if (id) ids.add(id.toUpperCase());
      }
      const cluster = (statement.Condition?.StringEquals as Record<string, unknown> | undefined)?.["aws:RequestTag/eks-cluster-arn"];
      const region = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):\d{12}:cluster\//.exec(String(cluster ?? ""))?.[1];
      if (region) podIdentityRegions.add(region);
    }
  }
  return { ids, podIdentityRegions };
}

export function checkPlatformStack(ix: StackIndex): PackFinding[] {
  const ofType = (type: string) => ix.inputs.filter((r) => r.resource.type === type);
  const platform = (urn: string) => ({ agent: "platform", identity: null, urn });
  const findings: PackFinding[] = [];

  const configs = ofType(TYPES.vaultAuthBackendConfig).map((r) => ({
    urn: r.resource.urn,
    name: r.resource.name,
    backend: asString(r.value.backend),
    kubernetesHost: asString(r.value.kubernetesHost),
  }));
  for (const f of checkAuthBackendConfigs(configs, trustedClusters(ix))) findings.push({ ...f, ...platform(f.urn) });

  const engines = ofType(TYPES.vaultAwsEngine).map((r) => ({
    urn: r.resource.urn,
    name: r.resource.name,
    path: asString(r.value.path),
    roleArn: asString(r.value.roleArn),
  }));
  for (const f of checkAwsEngines(engines)) findings.push({ ...f, ...platform(f.urn) });

  const connections = ofType(TYPES.vaultDatabaseConnection).map((r) => ({
    urn: r.resource.urn,
    mount: mount(asString(r.value.backend)),
    name: asString(r.value.name) ?? r.resource.name,
    allowedRoles: asStrings(r.value.allowedRoles),
  }));
  const roles = ix.secretRoles
    .filter((s) => s.resource.type === TYPES.vaultDatabaseRole)
    .map((s) => ({ mount: mount(asString(s.v.backend)), name: asString(s.v.name) ?? s.resource.name, dbName: asString(s.v.dbName) ?? "" }));
  for (const f of checkConnectionRoles(connections, roles)) findings.push({ ...f, ...platform(f.urn) });

  // A Namespace (created by hand, unlabelled) where an agent ServiceAccount lives: restricted too.
  for (const ns of ix.namespaces) {
    const agents = ns.name === undefined ? [] : (ix.by.serviceAccountsIn.get(ns.name) ?? []);
    if (agents.length === 0 || ns.labels["agent-identity.io/agent"] !== undefined) continue;
    const problems = checkPodSecurityLabels(`Namespace ${ns.resource.name}`, ns.labels, true, false).filter((p) => !/sets pod-security/.test(p.message));
    for (const p of problems) findings.push({ ...p, agent: agents[0].agent, identity: null, urn: ns.resource.urn });
  }

  const tagged = ix.roles.flatMap((r) =>
    r.tags.agent && isKind(r.tags.identity) && r.name && !isToolRoleTags(r.tags)
      ? [{ urn: r.resource.urn, name: r.name, agent: r.tags.agent, identity: r.tags.identity }]
      : [],
  );
  for (const f of checkOneRolePerIdentity(tagged))
    findings.push({ rule: f.rule, message: f.message, fix: f.fix, agent: f.agent, identity: f.identity, urn: f.urn });
  return findings;
}
