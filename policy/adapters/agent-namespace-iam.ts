/**
 * The closed world over agents' namespaces, for AWS identities: in an agent namespace only the
 * agents' planned identity ServiceAccounts get an IAM role, each its own planned role (the name in
 * its role-plan record, components/core/role-plan.ts; the role tagged with its identity when it has
 * no record). Any other ServiceAccount there (`default`, a `helper`) is one every pod of the
 * namespace may name, so a role bound to it hands the namespace rights outside the agents' plans.
 * Three ways bind one: a Pod Identity association, the IRSA annotation `eks.amazonaws.com/role-arn`
 * on the ServiceAccount, and an IRSA or Pod Identity trust naming it. A namespace, ServiceAccount or
 * role unknown at preview is refused (it may be any of these). Bindings of agent ServiceAccounts to
 * other agents' roles are judged where they were before (eks-access, service-accounts, iam-roles).
 */
import { roleNameOf } from "../../components/core/names";
import { globMatches } from "../../components/core/patterns";
import { trustedSubjects } from "../../components/rules/trust";
import { asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";
import { agentNamespaces, findingsFor, type AgentNamespace } from "./agent-namespaces";
import { rolePlanRecordOf } from "./agent-role-plan";
import { EKS_TYPES } from "./eks-access";
import { IAM_ROLE_TYPES } from "./iam-roles";
import { SERVICE_ACCOUNT_TYPES } from "./service-accounts";
import { agentRoles, isUnknown, namedAgentRole, readOfType, type Read } from "./shared";

const RULE = "kubernetes/agent-namespace-objects";
const DEFAULT_RULE = "kubernetes/default-service-account";
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const FIX =
  "bind an IAM role in an agent namespace only to an agent identity's ServiceAccount, its own planned role, through the Agent component; run anything else in a namespace of its own";

type Ix = StackIndex;
type IdentitySa = Ix["serviceAccounts"][number];

/** The role an identity ServiceAccount's plan names (lower case), or undefined when it carries no readable record. */
function plannedRoleName(ix: Ix, sa: IdentitySa): string | undefined {
  const record = rolePlanRecordOf(ix, sa);
  if (record) return record.name.toLowerCase();
  return [...agentRoles(ix).values()].find((r) => r.agent === sa.agent && r.kind === sa.kind)?.name.toLowerCase();
}

/** The agent namespaces a namespace (or a glob of one, from a trust) may be; "unknown" when it is not known. */
function agentNamespacesMatching(ix: Ix, namespace: string | undefined): AgentNamespace[] | "unknown" {
  if (namespace === undefined) return "unknown";
  const all = agentNamespaces(ix);
  if (!/[*?]/.test(namespace)) {
    const exact = all.get(namespace);
    return exact ? [exact] : [];
  }
  return [...all.values()].filter((ns) => globMatches(namespace, ns.name));
}

interface Binding {
  readonly urn: string;
  /** What binds, for the message: "Pod Identity association pia6", "ServiceAccount ns/helper's IRSA annotation" ... */
  readonly what: string;
  readonly namespace: string | undefined;
  readonly serviceAccount: string | undefined;
  /** The role's name (lower case), "unknown" at preview, or undefined when the binding's role is judged elsewhere. */
  readonly role: string | "unknown";
  readonly roleShown: string;
  /** Whether an identity ServiceAccount bound to another role is already refused by the family's own adapter. */
  readonly identityJudgedElsewhere: boolean;
}

/** One binding judged against the closed world: findings for every agent of the namespace it is in. */
function judge(ix: Ix, b: Binding): PackFinding[] {
  const namespaces = agentNamespacesMatching(ix, b.namespace);
  if (namespaces !== "unknown" && namespaces.length === 0) return [];
  const where: Array<AgentNamespace | "unknown"> = namespaces === "unknown" ? ["unknown"] : namespaces;
  const out: PackFinding[] = [];
  for (const ns of where) {
    const nsName = ns === "unknown" ? "(unknown at preview)" : ns.name;
    const problem = (rule: string, why: string) =>
      out.push(
        ...findingsFor(ns, b.urn, {
          rule,
          message: `${b.what} binds ServiceAccount ${nsName}/${b.serviceAccount ?? "(unknown at preview)"} to IAM role ${b.roleShown}: ${why}`,
          fix: FIX,
        }),
      );
    if (ns === "unknown") {
      problem(RULE, "its namespace is unknown at preview or missing, so it may be an agent's namespace");
      continue;
    }
    const name = b.serviceAccount;
    if (name === undefined || /[*?]/.test(name)) {
      problem(RULE, `in agent namespace ${ns.name} its ServiceAccount is ${name === undefined ? "unknown at preview" : "a pattern"}, so it may be any pod's`);
      continue;
    }
    const sa = ix.by.serviceAccountAt(ns.name, name);
    if (!sa) {
      problem(
        name === "default" ? DEFAULT_RULE : RULE,
        `${name} is not an agent identity's planned ServiceAccount in agent namespace ${ns.name}, so every pod there that names it gets the role`,
      );
      continue;
    }
    if (b.identityJudgedElsewhere) continue;
    const other = b.role === "unknown" ? undefined : agentRoles(ix).get(b.role);
    if (other && (other.agent !== sa.agent || other.kind !== sa.kind)) continue; // service-accounts: another identity's role
    const planned = plannedRoleName(ix, sa);
    if (b.role === "unknown" || planned === undefined || b.role !== planned)
      problem(
        RULE,
        b.role === "unknown"
          ? `the role is unknown at preview, and agent ${sa.agent}'s ${sa.kind} identity may use only its planned role ${planned ?? "(none planned)"}`
          : `agent ${sa.agent}'s ${sa.kind} identity may use only its planned role ${planned ?? "(none planned)"}`,
      );
  }
  return out;
}

/** Pod Identity associations: an agent role traced through an unknown ARN counts as that role. */
function podIdentityBindings(ix: Ix): Binding[] {
  const roles = agentRoles(ix);
  return readOfType(ix, EKS_TYPES.eksPodIdentityAssociation).flatMap((r): Binding[] => {
    const arn = asString(r.v.roleArn);
    const traced = namedAgentRole(roles, r, "roleArn", arn);
    const role = arn !== undefined ? roleNameOf(arn) : traced && traced !== "unknown" ? traced.name.toLowerCase() : "unknown";
    return [
      {
        urn: r.resource.urn,
        what: `Pod Identity association ${r.resource.name}`,
        namespace: isUnknown(r, "namespace") ? undefined : asString(r.v.namespace),
        serviceAccount: isUnknown(r, "serviceAccount") ? undefined : asString(r.v.serviceAccount),
        role,
        roleShown: arn ?? (role === "unknown" ? "(unknown at preview)" : role),
        // eks-access refuses an identity's association to any role but its own (unknown ones too).
        identityJudgedElsewhere: true,
      },
    ];
  });
}

/** ServiceAccounts and patches carrying the IRSA annotation (or annotations unknown at preview). */
function annotationBindings(ix: Ix): Binding[] {
  return readOfType(ix, SERVICE_ACCOUNT_TYPES.serviceAccount, SERVICE_ACCOUNT_TYPES.serviceAccountPatch).flatMap((r: Read): Binding[] => {
    const metadata = asRecord(r.v.metadata);
    // asRecord keeps string values only: the annotations are an object under metadata.
    const annotations = asRecord((r.v.metadata as { annotations?: unknown } | undefined)?.annotations);
    const unknownAnnotations = isUnknown(r, "metadata") || isUnknown(r, "metadata.annotations") || isUnknown(r, `metadata.annotations.${IRSA_ANNOTATION}`);
    const arn = asString(annotations[IRSA_ANNOTATION]);
    if (arn === undefined && !unknownAnnotations) return [];
    const name = isUnknown(r, "metadata.name") ? undefined : asString(metadata.name);
    const namespace = isUnknown(r, "metadata.namespace") ? undefined : asString(metadata.namespace);
    // The components' own ServiceAccount with annotations from an output: judged by agent-role-plan, not a change.
    const own = name !== undefined && namespace !== undefined ? ix.by.serviceAccountAt(namespace, name) : undefined;
    if (arn === undefined && own?.resource.urn === r.resource.urn) return [];
    return [
      {
        urn: r.resource.urn,
        what: `${r.resource.type === SERVICE_ACCOUNT_TYPES.serviceAccount ? "ServiceAccount" : "ServiceAccountPatch"} ${r.resource.name}'s ${IRSA_ANNOTATION} annotation`,
        namespace,
        serviceAccount: name,
        role: arn === undefined ? "unknown" : roleNameOf(arn),
        roleShown: arn ?? "(unknown at preview)",
        identityJudgedElsewhere: false,
      },
    ];
  });
}

/** Roles whose trust (IRSA `:sub`, Pod Identity session tags) names a ServiceAccount in an agent namespace. */
function trustBindings(ix: Ix): Binding[] {
  return ix.roles.flatMap((role): Binding[] => {
    if (!role.trust) return [];
    const name = (role.name ?? role.resource.name).toLowerCase();
    return trustedSubjects(role.trust).flatMap((subject): Binding[] => {
      const slash = subject.indexOf("/");
      if (slash < 0) return [];
      return [
        {
          urn: role.resource.urn,
          what: `the trust policy of IAM role ${role.name ?? role.resource.name}`,
          namespace: subject.slice(0, slash),
          serviceAccount: subject.slice(slash + 1),
          role: name,
          roleShown: role.name ?? role.resource.name,
          // iam-roles refuses a trust in an identity's ServiceAccount from any role not tagged as that identity's.
          identityJudgedElsewhere: true,
        },
      ];
    });
  });
}

export const agentNamespaceIam: Adapter = {
  family: "agent-namespace-iam",
  holdings: "none added: which ServiceAccount of an agent namespace may use which IAM role, against the identities' role-plan records",
  types: [
    {
      type: EKS_TYPES.eksPodIdentityAssociation,
      route: "in an agent namespace, only an identity's planned ServiceAccount uses its planned role through Pod Identity",
      checkedBy: [RULE, DEFAULT_RULE],
    },
    {
      type: SERVICE_ACCOUNT_TYPES.serviceAccount,
      route: "in an agent namespace, only an identity's planned ServiceAccount carries the IRSA role annotation, naming its planned role",
      checkedBy: [RULE, DEFAULT_RULE],
    },
    {
      type: SERVICE_ACCOUNT_TYPES.serviceAccountPatch,
      route: "in an agent namespace, no patch adds an IRSA role annotation outside the identities' plans",
      checkedBy: [RULE, DEFAULT_RULE],
    },
    {
      type: IAM_ROLE_TYPES.role,
      route: "a role's trust names, in an agent namespace, only an identity's planned ServiceAccount, and only from its planned role",
      checkedBy: [RULE, DEFAULT_RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const binding of [...podIdentityBindings(ix), ...annotationBindings(ix), ...trustBindings(ix)]) pass.findings.push(...judge(ix, binding));
  },
};
