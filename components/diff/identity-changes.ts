/** Changes to one identity: its ServiceAccount, IAM role (trust, permissions), Vault role and secrets. */
import { formatDuration } from "../core/durations";
import type { ActionCatalog } from "./access-level";
import { compareText } from "./conditions";
import { entryChanges, type LocalChange } from "./entry-changes";
import { globSubsumes, vaultPathSubsumes } from "./patterns";
import { compareCreation, compareRevocation } from "./sql-statements";
import type { Identity, SecretRole, VaultRole } from "./model";
import type { Entry, EntryRules } from "./statements";
import type { ChangeKind, Classification } from "./types";

const IAM_RULES: EntryRules = {
  actionSubsumes: (wide, narrow) => globSubsumes(wide, narrow, true),
  resourceSubsumes: (wide, narrow) => globSubsumes(wide, narrow),
};
/** Principals take no wildcards except a bare `*` (anyone); actions are IAM actions. */
const TRUST_RULES: EntryRules = {
  ...IAM_RULES,
  resourceSubsumes: (wide, narrow) => wide === narrow || wide === "*" || wide === "AWS:*",
};
const VAULT_RULES: EntryRules = {
  actionSubsumes: (wide, narrow) => wide === narrow,
  resourceSubsumes: vaultPathSubsumes,
};

const INCOMPARABLE = "neither side is provably narrower, so it is treated as widening";

function change(
  kind: ChangeKind,
  classification: Classification,
  subject: string,
  before: string | null,
  after: string | null,
  notes: string[] = [],
): LocalChange {
  return { kind, classification, before, after, detail: { subject, notes } };
}

/** A longer TTL widens (credentials live longer), a shorter one narrows. */
function ttlChange(subject: string, before: number | undefined, after: number | undefined): LocalChange[] {
  if (before === after || before === undefined || after === undefined) return [];
  return [change("ttl-changed", after > before ? "widens" : "narrows", subject, formatDuration(before), formatDuration(after))];
}

/** A set that gains members widens, one that loses them narrows; both at once: treated as widening. */
function setChange(kind: ChangeKind, subject: string, before: readonly string[], after: readonly string[]): LocalChange[] {
  const gained = after.filter((v) => !before.includes(v));
  const lost = before.filter((v) => !after.includes(v));
  if (gained.length === 0 && lost.length === 0) return [];
  const classification = gained.length === 0 ? "narrows" : "widens";
  return [
    change(
      kind,
      classification,
      subject,
      before.join(", ") || "(none)",
      after.join(", ") || "(none)",
      gained.length > 0 && lost.length > 0 ? [INCOMPARABLE] : [],
    ),
  ];
}

function describeIdentity(identity: Identity): string {
  const boundary = identity.iamRole.permissionsBoundary ? `boundary ${identity.iamRole.permissionsBoundary}` : "no permissions boundary";
  return `IAM role ${identity.iamRole.name}, ServiceAccount ${identity.serviceAccount}, session <= ${formatDuration(identity.iamRole.maxSessionDuration)}, ${boundary}`;
}

function describeVaultRole(role: VaultRole): string {
  return `${role.name} (token ttl ${formatDuration(role.tokenTtl)}, max ${formatDuration(role.tokenMaxTtl)}; policies ${role.tokenPolicies.join(", ")})`;
}

export function describeSecretRole(role: SecretRole): string {
  const ttls = Object.entries(role.ttls)
    .map(([field, seconds]) => `${field} ${formatDuration(seconds)}`)
    .join(", ");
  const target = role.type === "database" ? `database connection ${role.dbName ?? "?"}` : `assumes ${role.roleArns.join(", ")}`;
  return `${role.type} role: ${target}${ttls ? ` (${ttls})` : ""}`;
}

function vaultRoleChanges(base: VaultRole | null, head: VaultRole | null, revoked: boolean): LocalChange[] {
  if (!base && !head) return [];
  if (!base)
    return [
      change("vault-role-added", "widens", head!.name, null, describeVaultRole(head!), [
        "a Kubernetes-auth role: pods with the bound ServiceAccount can log in to Vault",
      ]),
    ];
  if (!head) {
    const note = revoked ? "agent revoked: no new Vault token can be issued" : "no new Vault token can be issued for this identity";
    return [change("vault-role-removed", "narrows", base.name, describeVaultRole(base), null, [note])];
  }
  const out: LocalChange[] = [];
  if (base.name !== head.name) {
    out.push(
      change("vault-role-replaced", "neutral", "Vault role", base.name, head.name, [
        "a rename replaces the Vault role: the old one is deleted and tokens must be issued again from the new one",
      ]),
    );
  }
  out.push(...setChange("vault-binding-changed", "bound ServiceAccount names", base.boundServiceAccountNames, head.boundServiceAccountNames));
  out.push(...setChange("vault-binding-changed", "bound namespaces", base.boundServiceAccountNamespaces, head.boundServiceAccountNamespaces));
  out.push(...setChange("vault-binding-changed", "token policies", base.tokenPolicies, head.tokenPolicies));
  if (base.audience !== head.audience) {
    out.push(change("vault-binding-changed", "widens", "token audience", base.audience ?? "(none)", head.audience ?? "(none)", [INCOMPARABLE]));
  }
  out.push(...ttlChange("Vault token TTL", base.tokenTtl, head.tokenTtl));
  out.push(...ttlChange("Vault token max TTL", base.tokenMaxTtl, head.tokenMaxTtl));
  return out;
}

/** Database statements compared as parsed SQL (see sql-statements.ts). */
function statementChanges(base: SecretRole, head: SecretRole): LocalChange[] {
  if (base.type !== "database" || head.type !== "database") return [];
  const text = (statements: readonly string[]) => statements.join(" ") || "(none)";
  const out: LocalChange[] = [];
  const creation = compareCreation(base.creationStatements, head.creationStatements);
  if (creation)
    out.push(
      change("secret-role-changed", creation.classification, `${base.name} creation statements`, text(base.creationStatements), text(head.creationStatements), [
        ...creation.notes,
      ]),
    );
  const revocation = compareRevocation(base.revocationStatements, head.revocationStatements, { base: base.creationStatements, head: head.creationStatements });
  if (revocation)
    out.push(
      change(
        "secret-role-changed",
        revocation.classification,
        `${base.name} revocation statements`,
        text(base.revocationStatements),
        text(head.revocationStatements),
        [...revocation.notes],
      ),
    );
  return out;
}

function secretRoleChanges(base: readonly SecretRole[], head: readonly SecretRole[]): LocalChange[] {
  const out: LocalChange[] = [];
  const baseByName = new Map(base.map((r) => [r.name, r]));
  const headByName = new Map(head.map((r) => [r.name, r]));
  for (const role of head) if (!baseByName.has(role.name)) out.push(change("secret-role-added", "widens", role.name, null, describeSecretRole(role)));
  for (const role of base) {
    const next = headByName.get(role.name);
    if (!next) {
      out.push(
        change("secret-role-removed", "narrows", role.name, describeSecretRole(role), null, [
          "new credentials can no longer be issued; leases already issued last until they expire or are revoked",
        ]),
      );
      continue;
    }
    if (role.type !== next.type) out.push(change("secret-role-changed", "widens", `${role.name} type`, role.type, next.type, [INCOMPARABLE]));
    out.push(...setChange("secret-role-changed", `${role.name} role ARNs`, role.roleArns, next.roleArns));
    if (role.dbName !== next.dbName)
      out.push(change("secret-role-changed", "widens", `${role.name} database connection`, role.dbName, next.dbName, [INCOMPARABLE]));
    out.push(...statementChanges(role, next));
    const fields = [...new Set([...Object.keys(role.ttls), ...Object.keys(next.ttls)])].sort(compareText);
    for (const field of fields) out.push(...ttlChange(`${role.name} ${field}`, role.ttls[field], next.ttls[field]));
  }
  return out;
}

/** `auth/token/lookup-self (read); …` */
function vaultRules(entries: readonly Entry[]): string {
  const byPath = new Map<string, string[]>();
  for (const e of entries) byPath.set(e.resource, [...(byPath.get(e.resource) ?? []), e.action]);
  return [...byPath]
    .sort((x, y) => compareText(x[0], y[0]))
    .map(([path, caps]) => `${path} (${caps.sort(compareText).join(", ")})`)
    .join("; ");
}

const EMPTY: Omit<Identity, "kind" | "serviceAccount" | "iamRole" | "raw"> = {
  permissions: [],
  trust: [],
  vaultRole: null,
  vaultPolicy: null,
  vaultPaths: [],
  secretRoles: [],
};

/** Changes to one identity; `base` null means the identity is new (its whole content is listed). */
export function identityChanges(base: Identity | null, head: Identity | null, catalog: ActionCatalog, revoked: boolean): LocalChange[] {
  if (!head)
    return base
      ? [change("identity-removed", "narrows", base.kind, describeIdentity(base), null, ["deletes its IAM role, Vault role and ServiceAccount"])]
      : [];
  const out: LocalChange[] = [];
  const before = base ?? { ...EMPTY, raw: head.raw, kind: head.kind, serviceAccount: head.serviceAccount, iamRole: head.iamRole };
  if (!base) out.push(change("identity-added", "widens", head.kind, null, describeIdentity(head)));
  if (before.serviceAccount !== head.serviceAccount) {
    out.push(
      change("service-account-changed", "neutral", "ServiceAccount", before.serviceAccount, head.serviceAccount, [
        "the trust policy and the Vault role follow the ServiceAccount: see their changes",
      ]),
    );
  }
  if (before.iamRole.name !== head.iamRole.name || before.iamRole.arn !== head.iamRole.arn) {
    out.push(
      change("iam-role-replaced", "neutral", "IAM role", before.iamRole.arn, head.iamRole.arn, [
        "a rename replaces the IAM role: the old role is deleted and a new one (new ARN) created; anything that names the old ARN must change",
      ]),
    );
  }
  const boundary = [before.iamRole.permissionsBoundary, head.iamRole.permissionsBoundary] as const;
  if (boundary[0] !== boundary[1]) {
    const classification: Classification = boundary[1] === null ? "widens" : boundary[0] === null ? "narrows" : "widens";
    out.push(
      change(
        "permissions-boundary-changed",
        classification,
        "permissions boundary",
        boundary[0],
        boundary[1],
        boundary[0] && boundary[1] ? ["a different boundary policy cannot be compared here: treated as widening"] : [],
      ),
    );
  }
  out.push(...ttlChange("IAM max session duration", before.iamRole.maxSessionDuration, head.iamRole.maxSessionDuration));
  out.push(...entryChanges("trust", before.trust, head.trust, TRUST_RULES, catalog));
  out.push(...entryChanges("permission", before.permissions, head.permissions, IAM_RULES, catalog));
  out.push(...vaultRoleChanges(before.vaultRole, head.vaultRole, revoked));
  if (before.vaultPolicy !== null && head.vaultPolicy === null && head.vaultPaths.length === 0) {
    // Vault checks policies on every request, so deleting it strips tokens already issued.
    const paths = vaultRules(before.vaultPaths);
    out.push(
      change("vault-policy-removed", "narrows", before.vaultPolicy, paths, null, ["the policy is deleted: tokens already issued lose these paths at once"]),
    );
  } else {
    out.push(...entryChanges("vault-path", before.vaultPaths, head.vaultPaths, VAULT_RULES, catalog));
  }
  out.push(...secretRoleChanges(before.secretRoles, head.secretRoles));
  return out;
}
