/**
 * The components' resources after a hand edit, with each identity's plan record (the
 * `agent-identity.io/role-plan` annotation) rewritten to describe the edited role: what a program
 * that forges the record along with the role would register. Tests of rules other than
 * iam/agent-role-as-planned use it to show those rules still refuse the edit on their own.
 */
import { ROLE_PLAN_ANNOTATION } from "../../components/core/compile";
import { readRolePlanRecord, type RolePlanRecord } from "../../components/core/role-plan";
import { readPolicyDocument } from "../../policy/inputs";
import { UNKNOWN, type Resource } from "./policy-args";

type Props = Record<string, unknown>;

const isKnownString = (value: unknown): value is string => typeof value === "string" && value !== UNKNOWN;

export function replanned(resources: readonly Resource[]): Resource[] {
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
