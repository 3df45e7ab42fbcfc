/**
 * In a stack with agents, Vault login material minted at deployment is declared by the security team
 * (vault/deploy-time-token). The pack judges a principal by the policies its inputs name, and for
 * these the inputs do not show what the credential carries:
 *
 * - `vault.Token` is created with the deployer's own token (auth/token/create). Vault API docs, "Create
 *   token": `policies` "If not specified, defaults to all the policies of the calling token", and
 *   `vault token create` "will inherit all policies and permissions of the currently authenticated token
 *   unless you explicitly define a subset list"; an empty list is "not specified". The deployer of a
 *   stack that writes Vault policies, auth methods and mounts holds near-root power, so a token with no
 *   policy list is that power, kept in Pulumi state (`noParent`/`period` make it outlive the deployer's
 *   token). With `roleName` it takes the token role's allowed policies, which for an existing role the
 *   pack never reads. A listed policy is judged too (vault/policy-in-stack), but the token itself is
 *   still a credential in state that no identity of the plan holds.
 * - `vault.appRole.AuthBackendRoleSecretId` is login material for an AppRole (of this stack or an
 *   existing one whose policies are unread), and `vault.appRole.AuthBackendLogin` /
 *   `vault.aws.AuthBackendLogin` log in at deployment and keep the token in state.
 * - A token role (`vault.tokenauth.AuthBackendRole`) whose `allowedPolicies` and `allowedPoliciesGlobs`
 *   are empty lets whoever creates a token against it give the token any subset of the creator's own
 *   policies (Vault API docs, token roles: allowed_policies "If set, tokens can be created with any subset
 *   of the policies in this list, rather than the normal semantics of tokens being a subset of the calling
 *   token's policies"), and a glob lets it carry any policy the glob matches, the creator's or not.
 *
 * The declaration (kubernetesPlatformResources, by URN and inputs digest) vouches for the credential.
 */
import { asString, asStrings } from "../inputs";
import { vaultPolicyName } from "../vault-names";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, readOfType, type Read } from "./shared";

const RULE = "vault/deploy-time-token";
const TOKEN = "vault:index/token:Token";
const APPROLE_SECRET_ID = "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId";
const APPROLE_LOGIN = "vault:appRole/authBackendLogin:AuthBackendLogin";
const AWS_LOGIN = "vault:aws/authBackendLogin:AuthBackendLogin";
const TOKEN_ROLE = "vault:tokenauth/authBackendRole:AuthBackendRole";
/** The same token role under its type of older @pulumi/vault releases (still sent by stacks on them). */
export const LEGACY_TOKEN_ROLE = "vault:index/tokenAuthBackendRole:TokenAuthBackendRole";

/** Whether a list input may be empty (absent or `[]`) or may hold names; unknown at preview may be either, so both fail closed. */
// Vault drops names that trim to nothing (policyutil.SanitizePolicies), so `[""]` or `[" "]` is an empty list.
const names = (r: Read, field: string) => asStrings(r.v[field]).filter((name) => (vaultPolicyName(name) ?? "") !== "");
const mayBeEmpty = (r: Read, field: string) => isUnknown(r, field) || names(r, field).length === 0;
const mayHoldNames = (r: Read, field: string) => isUnknown(r, field) || names(r, field).length > 0;

function tokenCarries(r: Read): string {
  const role = asString(r.v.roleName);
  const orphan = r.v.noParent === true || isUnknown(r, "noParent") ? ", as an orphan that outlives the deployer's token" : "";
  if (isUnknown(r, "policies")) return `policies unknown at preview (an empty list carries every policy of the deployer's token)${orphan}`;
  if (asStrings(r.v.policies).length)
    return `policies ${asStrings(r.v.policies).join(", ")}${role || isUnknown(r, "roleName") ? ` through token role ${role ?? "(unknown at preview)"}` : ""}${orphan}`;
  if (role || isUnknown(r, "roleName"))
    return `no policy list, so the allowed policies of token role ${role ?? "(unknown at preview)"} (an existing role's are unread; a role with none allows every policy of the deployer's token)${orphan}`;
  return `no policy list, so every policy of the deployer's token (Vault: policies default to all the policies of the calling token)${orphan}`;
}

const WHY: Readonly<Record<string, (r: Read) => string>> = {
  [TOKEN]: (r) => `is a Vault token created with the deployer's token and kept in Pulumi state, carrying ${tokenCarries(r)}`,
  [APPROLE_SECRET_ID]: (r) =>
    `is a SecretID of AppRole ${asString(r.v.roleName) ?? "(unknown at preview)"} on mount ${asString(r.v.backend) ?? "approle"}, kept in Pulumi state: whoever reads the state logs in with that role's policies (an existing role's are unread)`,
  [APPROLE_LOGIN]: (r) =>
    `logs in to AppRole ${asString(r.v.roleId) ?? "(role ID unknown at preview)"} at deployment and keeps the token in Pulumi state, with that role's policies (an existing role's are unread)`,
  [AWS_LOGIN]: (r) =>
    `logs in to AWS auth role ${asString(r.v.role) ?? "(unknown)"} at deployment and keeps the token in Pulumi state, with that role's policies (an existing role's are unread)`,
};

export const vaultDeployTimeTokens: Adapter = {
  family: "vault-deploy-time-tokens",
  holdings: "none: a token or login minted at deployment sits in Pulumi state, held by no identity of the plan",
  types: [
    {
      type: TOKEN,
      route: "a token created with the deployer's token (with no policy list, all of its policies), kept in Pulumi state: declared in a stack with agents",
      checkedBy: [RULE],
    },
    {
      type: APPROLE_SECRET_ID,
      route: "a SecretID of an AppRole (an existing role's policies are unread), kept in Pulumi state: declared in a stack with agents",
      checkedBy: [RULE],
    },
    ...[APPROLE_LOGIN, AWS_LOGIN].map((type) => ({
      type,
      route: "logs in at deployment and keeps the token in Pulumi state: declared in a stack with agents",
      checkedBy: [RULE],
    })),
    {
      type: TOKEN_ROLE,
      route: "a token role with no allowed policies (tokens take any of their creator's policies) or a policy glob: declared in a stack with agents",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, TOKEN, APPROLE_SECRET_ID, APPROLE_LOGIN, AWS_LOGIN)) {
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `${r.resource.type} ${r.resource.name} ${WHY[r.resource.type](r)}; the pack cannot tell what that credential reaches or who reads it`,
          "mint tokens and login material outside the stack (or let the workload log in itself with its own identity)",
        ),
      );
    }
    for (const r of readOfType(ix, TOKEN_ROLE, LEGACY_TOKEN_ROLE)) {
      const inherits = mayBeEmpty(r, "allowedPolicies") && mayBeEmpty(r, "allowedPoliciesGlobs");
      const globs = mayHoldNames(r, "allowedPoliciesGlobs");
      if (!inherits && !globs) continue;
      const role = asString(r.v.roleName) ?? r.resource.name;
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          inherits
            ? `token role ${role} (${r.resource.name}) allows no policy list (allowedPolicies and allowedPoliciesGlobs empty, or unknown at preview): a token created against it may carry any policy of its creator's token, the deployer's included`
            : `token role ${role} (${r.resource.name}) allows policies by glob (${asStrings(r.v.allowedPoliciesGlobs).join(", ") || "unknown at preview"}): a token created against it may carry any policy the glob matches, its creator's or not`,
          "list the token role's allowedPolicies by name (vault.Policy resources of the stack)",
        ),
      );
    }
  },
};
