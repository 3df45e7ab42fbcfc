/**
 * An agent's Vault resources as planned: every identity's ServiceAccount carries the inputs of the
 * Vault policy, Kubernetes-auth roles and secret roles its component creates (annotation
 * `agent-identity.io/vault-plan`, components/core/vault-plan.ts, written by the same functions the
 * component builds the resources with). Across the stack each of those resources (found by type,
 * mount and name) is compared with it: the policy's path rules as the pack's HCL parser reads them,
 * and every other input, where an input the components never set (policyDocument, policyArns,
 * iamGroups, a Vault namespace…) is a difference too. A stack policy: the record and the resource
 * are two resources. An input unknown at preview is not a change (skipped).
 */
import { VAULT_PLAN_ANNOTATION, ROLE_PLAN_ANNOTATION } from "../../components/core/compile";
import { inputChanges, pathRuleChanges, readVaultPlanRecord, type PlannedInputs } from "../../components/core/vault-plan";
import { asString, asStrings, readInputs } from "../inputs";
import { readVaultPolicy } from "../vault-hcl";
import { vaultPolicyName } from "../vault-names";
import type { Adapter, PackFinding } from "../types";
import { VAULT_AUTH_ROLE_TYPES } from "./vault-auth-roles";
import { VAULT_POLICY_TYPES } from "./vault-policies";
import { VAULT_SECRET_ROLE_TYPES } from "./vault-secret-roles";
import { declarablePlatformFinding, isUnknown, readOfType, type Read } from "./shared";
import { IDENTITY_KINDS } from "../../components/core/names";

const RULE = "vault/agent-resources-as-planned";
const FIX = "change the agent's declaration or the platform configuration (reviewed as a plan change), never an agent's Vault resource after compilation";

/** Mounts as Vault reads them (`/aws/` is `aws`); names compared without case, so a look-alike is compared too (fail closed). */
const mountKey = (backend: string, name: string) => `${backend.replace(/^\/+|\/+$/g, "").toLowerCase()}\u0000${name.toLowerCase()}`;

interface Kind {
  readonly type: string;
  /** The input holding the resource's name within its mount. */
  readonly nameField: string;
  readonly what: string;
  readonly planned: (record: NonNullable<ReturnType<typeof readVaultPlanRecord>>) => readonly PlannedInputs[];
}

const KINDS: readonly Kind[] = [
  { type: VAULT_AUTH_ROLE_TYPES.vaultAuthRole, nameField: "roleName", what: "Kubernetes-auth role", planned: (r) => r.authRoles },
  { type: VAULT_SECRET_ROLE_TYPES.vaultAwsRole, nameField: "name", what: "AWS secret role", planned: (r) => r.awsSecretRoles },
  { type: VAULT_SECRET_ROLE_TYPES.vaultDatabaseRole, nameField: "name", what: "database secret role", planned: (r) => r.databaseSecretRoles },
];

/** Resources of one type by mount and name; `unsure` when some name or mount is unknown at preview (a missing one may be it). */
function byMountAndName(reads: readonly Read[], nameField: string) {
  const map = new Map<string, Read[]>();
  let unsure = false;
  for (const r of reads) {
    const backend = asString(r.v.backend);
    const name = asString(r.v[nameField]);
    if (backend === undefined || name === undefined) {
      unsure ||= isUnknown(r, "backend") || isUnknown(r, nameField);
      continue;
    }
    const key = mountKey(backend, name);
    const list = map.get(key);
    if (list) list.push(r);
    else map.set(key, [r]);
  }
  return { map, unsure };
}

/**
 * The Vault namespace a resource's provider puts it in: the Vault provider sends every request of the
 * resources it creates with its `namespace` (X-Vault-Namespace), and a resource's own `namespace` is
 * read relative to it (terraform-provider-vault docs, "namespace": "always relative to the provider's
 * configured namespace"). The components create the agents' resources in the provider's root, so a
 * provider namespace is a difference as the resource's own field is; unknown at preview fails closed.
 */
export function providerNamespaceChange(r: Read): string | undefined {
  const provider = r.resource.provider;
  if (!provider || provider.type !== "pulumi:providers:vault") return undefined;
  const inputs = readInputs(provider.props as Record<string, unknown>);
  if (inputs.unknown.some((path) => path === "namespace")) return `its Vault provider ${provider.name} sets a namespace unknown at preview`;
  const namespace = asString(inputs.value.namespace);
  return namespace && namespace.replace(/^\/+|\/+$/g, "") !== "" ? `its Vault provider ${provider.name} puts it in namespace "${namespace}"` : undefined;
}

/** Token policies as Vault compares them. */
const normalisedPolicies = (value: unknown) => (Array.isArray(value) ? asStrings(value).map((name) => vaultPolicyName(name) ?? name) : value);

export const agentVaultPlan: Adapter = {
  family: "agent-vault-plan",
  holdings:
    "none added: an agent's Vault policy, Kubernetes-auth roles and secret roles are compared with the inputs its identity's plan record lists, which the components write on the identity's ServiceAccount",
  types: [
    { type: VAULT_POLICY_TYPES.vaultPolicy, route: "an agent's Vault policy has exactly its planned path rules", checkedBy: [RULE] },
    { type: VAULT_AUTH_ROLE_TYPES.vaultAuthRole, route: "an agent's Kubernetes-auth role has exactly its planned inputs", checkedBy: [RULE] },
    { type: VAULT_SECRET_ROLE_TYPES.vaultAwsRole, route: "an agent's AWS secret role has exactly its planned inputs", checkedBy: [RULE] },
    { type: VAULT_SECRET_ROLE_TYPES.vaultDatabaseRole, route: "an agent's database secret role has exactly its planned inputs", checkedBy: [RULE] },
  ],
  stack: (ix, pass) => {
    const policies = new Map<string, Read[]>();
    let policyNameUnsure = false;
    for (const r of readOfType(ix, VAULT_POLICY_TYPES.vaultPolicy)) {
      const name = vaultPolicyName(asString(r.v.name));
      if (name === undefined) {
        policyNameUnsure ||= isUnknown(r, "name");
        continue;
      }
      const list = policies.get(name);
      if (list) list.push(r);
      else policies.set(name, [r]);
    }
    const indexes = KINDS.map((kind) => byMountAndName(readOfType(ix, kind.type), kind.nameField));
    const saReads = new Map(readOfType(ix, "kubernetes:core/v1:ServiceAccount").map((r) => [r.resource.urn, r]));
    const judged = new Set<string>();
    const plannedPolicies = new Set<string>();
    let recordsUnsure = false;
    for (const sa of ix.serviceAccounts) {
      const read = saReads.get(sa.resource.urn);
      if (!read || isUnknown(read, "metadata.annotations") || isUnknown(read, "metadata")) {
        recordsUnsure = true;
        continue;
      }
      const who = `agent ${sa.agent}'s ${sa.kind} identity`;
      const at = (urn: string, message: string, fix = FIX): PackFinding => ({ rule: RULE, agent: sa.agent, identity: sa.kind, urn, message, fix });
      const text = sa.annotations[VAULT_PLAN_ANNOTATION];
      if (text === undefined) {
        // The components write both records; a hand-written agent (no role record either) has none to compare with.
        if (sa.annotations[ROLE_PLAN_ANNOTATION] !== undefined)
          pass.findings.push(
            at(
              sa.resource.urn,
              `ServiceAccount ${sa.namespace}/${sa.name} of ${who} carries a ${ROLE_PLAN_ANNOTATION} record but no ${VAULT_PLAN_ANNOTATION} record, so its Vault resources cannot be compared with its plan`,
              "let the Agent component create the ServiceAccount and keep its annotations as planned",
            ),
          );
        continue;
      }
      const record = readVaultPlanRecord(text);
      if (!record) {
        pass.findings.push(
          at(
            sa.resource.urn,
            `the ${VAULT_PLAN_ANNOTATION} record on ServiceAccount ${sa.namespace}/${sa.name} of ${who} is not the components' record`,
            "let the Agent component write the ServiceAccount's annotations",
          ),
        );
        continue;
      }
      // One record per identity, repeated on its ServiceAccount in every cluster.
      const key = `${sa.agent}\u0000${sa.kind}\u0000${text}`;
      if (judged.has(key)) continue;
      judged.add(key);

      if (record.policy) {
        const planned = record.policy;
        plannedPolicies.add(vaultPolicyName(planned.name) ?? planned.name);
        const found = policies.get(vaultPolicyName(planned.name) ?? planned.name) ?? [];
        if (found.length === 0 && !policyNameUnsure)
          pass.findings.push(
            at(
              sa.resource.urn,
              `${who} plans Vault policy ${planned.name}, which no vault.Policy of the stack names: it was renamed or removed after compilation`,
              "let the Agent component create the identity's Vault policy under its planned name",
            ),
          );
        for (const r of found) {
          const changes = inputChanges({ name: planned.name }, r.v, new Set(["name", "policy"]), (field) => isUnknown(r, field)).map((c) => c.text);
          const namespace = providerNamespaceChange(r);
          if (namespace) changes.push(namespace);
          if (!isUnknown(r, "policy")) {
            const parsed = typeof r.v.policy === "string" ? readVaultPolicy(r.v.policy) : undefined;
            if (!parsed || parsed.unreadable) changes.push(`policy is not readable as path rules${parsed?.unreadable ? ` (${parsed.unreadable})` : ""}`);
            else changes.push(...pathRuleChanges(planned.paths, parsed.paths));
          }
          if (changes.length)
            pass.findings.push(at(r.resource.urn, `${who}'s Vault policy ${asString(r.v.name) ?? planned.name} is not as planned: ${changes.join("; ")}`));
        }
      }

      KINDS.forEach((kind, index) => {
        const { map, unsure } = indexes[index];
        for (const planned of kind.planned(record)) {
          const backend = String(planned.backend);
          const name = String(planned[kind.nameField]);
          const found = map.get(mountKey(backend, name)) ?? [];
          if (found.length === 0 && !unsure)
            pass.findings.push(
              at(
                sa.resource.urn,
                `${who} plans ${kind.what} ${name} on mount ${backend}, which no ${kind.type} of the stack names: it was renamed, moved or removed after compilation`,
                `let the Agent component create the identity's ${kind.what} under its planned mount and name`,
              ),
            );
          const skip = new Set(["backend", kind.nameField]);
          for (const r of found) {
            const actual = "tokenPolicies" in r.v ? { ...r.v, tokenPolicies: normalisedPolicies(r.v.tokenPolicies) } : r.v;
            const want = "tokenPolicies" in planned ? { ...planned, tokenPolicies: normalisedPolicies(planned.tokenPolicies) as string[] } : planned;
            const changes = inputChanges(want, actual, skip, (field) => isUnknown(r, field)).map((c) => c.text);
            const namespace = providerNamespaceChange(r);
            if (namespace) changes.push(namespace);
            if (changes.length)
              pass.findings.push(at(r.resource.urn, `${who}'s ${kind.what} ${name} (mount ${backend}) is not as planned: ${changes.join("; ")}`));
          }
        }
      });
    }
    // A policy an agent identity's auth role carries (a hand-written agent has no record) is judged as that identity's.
    for (const role of ix.authRoles) if (role.meta.agent) for (const name of role.policies) if (name !== undefined) plannedPolicies.add(name);
    if (!recordsUnsure && ix.serviceAccounts.length > 0) strayAgentPolicies(policies, plannedPolicies, pass.findings);
  },
};

/**
 * A policy named as an agent identity's (`…-orchestration`, `…-execution`, `…-audit`, the components'
 * naming) that no identity of this stack plans: on a Vault several stacks share, it may be another
 * stack's agent's policy (`acme-prod-payout-execution` written from the dev stack), and Vault writes a
 * policy by name, so that agent would hold whatever this one grants. Only the security team knows it
 * is no agent's: declarable (kubernetesPlatformResources).
 */
function strayAgentPolicies(policies: ReadonlyMap<string, Read[]>, planned: ReadonlySet<string>, findings: PackFinding[]): void {
  for (const [name, reads] of policies) {
    if (planned.has(name) || !IDENTITY_KINDS.some((kind) => name.endsWith(`-${kind}`))) continue;
    for (const r of reads)
      findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `Vault policy ${name} (${r.resource.name}) is named as an agent identity's policy, but no identity of this stack plans it: on a Vault other stacks share it may be another stack's agent's policy, which this write replaces`,
          "name platform policies without an identity suffix (-orchestration, -execution, -audit)",
        ),
      );
  }
}
