/**
 * The components' resources after a hand edit, with each identity's plan records (the
 * `agent-identity.io/role-plan` and `agent-identity.io/vault-plan` annotations) rewritten to describe
 * the edited role and Vault resources: what a program that forges the records along with the
 * resources would register. Tests of rules other than iam/agent-role-as-planned and
 * vault/agent-resources-as-planned use it to show those rules still refuse the edit on their own.
 */
import { ROLE_PLAN_ANNOTATION, VAULT_PLAN_ANNOTATION } from "../../components/core/compile";
import { readRolePlanRecord, type RolePlanRecord } from "../../components/core/role-plan";
import { readVaultPlanRecord, type PlannedInputs, type VaultPlanRecord } from "../../components/core/vault-plan";
import { readPolicyDocument } from "../../policy/inputs";
import { canonicalPolicyJson, fromHclJson } from "../../policy/vault-hcl";
import { UNKNOWN, type Resource } from "./policy-args";

type Props = Record<string, unknown>;

const isKnownString = (value: unknown): value is string => typeof value === "string" && value !== UNKNOWN;

export function replanned(resources: readonly Resource[]): Resource[] {
  return replannedVault(replannedRoles(resources));
}

function replannedRoles(resources: readonly Resource[]): Resource[] {
  const rolesNamed = new Map<string, Props>();
  for (const r of resources) if (r.type === "aws:iam/role:Role" && isKnownString(r.props.name)) rolesNamed.set(r.props.name.toLowerCase(), r.props);
  const rolePolicies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && isKnownString(r.props.role));
  return resources.map((r) => {
    const metadata = r.props.metadata as { annotations?: Record<string, string> } | undefined;
    const text = metadata?.annotations?.[ROLE_PLAN_ANNOTATION];
    if (r.type !== "kubernetes:core/v1:ServiceAccount" || typeof text !== "string") return r;
    const old = readRolePlanRecord(text);
    const role = old && rolesNamed.get(old.name.toLowerCase());
    if (!old || !role) return r;
    const documents = [
      ...(Array.isArray(role.inlinePolicies) ? role.inlinePolicies : []).map((entry) => readPolicyDocument((entry as Props).policy)),
      ...rolePolicies
        .filter((p) => (p.props.role as string).split("/").pop()!.toLowerCase() === old.name.toLowerCase())
        .map((p) => readPolicyDocument(p.props.policy)),
    ];
    const tags = Object.fromEntries(
      Object.entries((role.tags ?? {}) as Record<string, unknown>).filter((entry): entry is [string, string] => isKnownString(entry[1])),
    );
    const record: RolePlanRecord = {
      name: old.name,
      trustPolicy: readPolicyDocument(role.assumeRolePolicy) ?? old.trustPolicy,
      statements: documents.flatMap((document) => document?.Statement ?? []),
      maxSessionDuration:
        typeof role.maxSessionDuration === "number" ? role.maxSessionDuration : role.maxSessionDuration === undefined ? 3600 : old.maxSessionDuration,
      permissionsBoundary: isKnownString(role.permissionsBoundary)
        ? role.permissionsBoundary
        : role.permissionsBoundary === undefined
          ? null
          : old.permissionsBoundary,
      tags,
    };
    return {
      ...r,
      props: { ...r.props, metadata: { ...metadata, annotations: { ...metadata!.annotations, [ROLE_PLAN_ANNOTATION]: JSON.stringify(record) } } },
    };
  });
}

const known = (props: Props): PlannedInputs =>
  Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined && value !== UNKNOWN)) as PlannedInputs;

/** The Vault plan record rewritten from the Vault resources as they are (a policy in the components' layout only). */
function replannedVault(resources: readonly Resource[]): Resource[] {
  const of = (type: string, nameField: string) => {
    const map = new Map<string, Props>();
    for (const r of resources) if (r.type === type) map.set(`${String(r.props.backend)}\u0000${String(r.props[nameField])}`.toLowerCase(), r.props);
    return (planned: PlannedInputs) => {
      const props = map.get(`${String(planned.backend)}\u0000${String(planned[nameField])}`.toLowerCase());
      return props ? known(props) : planned;
    };
  };
  const authRole = of("vault:kubernetes/authBackendRole:AuthBackendRole", "roleName");
  const awsRole = of("vault:aws/secretBackendRole:SecretBackendRole", "name");
  const databaseRole = of("vault:database/secretBackendRole:SecretBackendRole", "name");
  const policies = new Map<string, Props>();
  for (const r of resources) if (r.type === "vault:index/policy:Policy" && isKnownString(r.props.name)) policies.set(r.props.name.toLowerCase(), r.props);
  return resources.map((r) => {
    const metadata = r.props.metadata as { annotations?: Record<string, string> } | undefined;
    const text = metadata?.annotations?.[VAULT_PLAN_ANNOTATION];
    if (r.type !== "kubernetes:core/v1:ServiceAccount" || typeof text !== "string") return r;
    const old = readVaultPlanRecord(text);
    if (!old) return r;
    const policyText = old.policy && policies.get(old.policy.name.toLowerCase())?.policy;
    const json = isKnownString(policyText) ? canonicalPolicyJson(policyText) : null;
    const record: VaultPlanRecord = {
      policy: old.policy && json ? { name: old.policy.name, paths: fromHclJson(json).paths } : old.policy,
      authRoles: old.authRoles.map(authRole),
      awsSecretRoles: old.awsSecretRoles.map(awsRole),
      databaseSecretRoles: old.databaseSecretRoles.map(databaseRole),
    };
    return {
      ...r,
      props: { ...r.props, metadata: { ...metadata, annotations: { ...metadata!.annotations, [VAULT_PLAN_ANNOTATION]: JSON.stringify(record) } } },
    };
  });
}
