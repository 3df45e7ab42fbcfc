/**
 * Vault SSH roles that sign user logins (vault/ssh-user-certificate), in a stack with agents.
 *
 * Nodes whose sshd trusts a Vault SSH CA (`TrustedUserCAKeys`) accept any user certificate it signs
 * for the principals the certificate names (Vault docs, "Signed SSH certificates"). A role with
 * `allow_user_certificates` signs for the users `allowed_users` lists, `*` being any user, and
 * `default_user` when the request names none (it must also be in `allowed_users` for the CA type);
 * `allowed_users_template`/`default_user_template` expand identity templates the pack cannot resolve
 * (Vault API docs, SSH secrets engine, "Create role"). An OTP role (`key_type = "otp"`) logs in as
 * the listed users through vault-ssh-helper, any user when `allowed_users` is empty or `*`. On the
 * nodes that run agents, root (or a user with sudo: `ec2-user` on EKS AMIs has it without a
 * password) reads every agent's projected ServiceAccount token, which is its AWS and Vault identity,
 * and the pack cannot tell which users a node lets escalate. So, closed world: in a stack with
 * agents, every SSH role that can sign user certificates or issue OTPs is refused unless the security
 * team declares it (kubernetesPlatformResources, by URN and inputs digest), whatever the users, since
 * root and `*` are not the only users that lead to root; a CA role that signs host certificates only
 * (`allowUserCertificates` false or absent) grants no login and is admitted. Inputs unknown at
 * preview fail closed.
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, readOfType, type Read } from "./shared";

const RULE = "vault/ssh-user-certificate";
export const VAULT_SSH_ROLE = "vault:ssh/secretBackendRole:SecretBackendRole";

/** Why a role logs users in, or undefined when it signs host certificates only. */
function userLogins(r: Read): string | undefined {
  const keyType = isUnknown(r, "keyType") ? undefined : asString(r.v.keyType);
  const signsUsers = isUnknown(r, "allowUserCertificates") || r.v.allowUserCertificates === true;
  if (keyType === "ca" && !signsUsers) return undefined;
  const users = isUnknown(r, "allowedUsers") ? undefined : (asString(r.v.allowedUsers) ?? "");
  const list = (users ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  const templated = ["allowedUsersTemplate", "defaultUserTemplate"].some((p) => isUnknown(r, p) || r.v[p] === true);
  const who =
    users === undefined || templated
      ? "users unknown at preview or templated"
      : list.some((u) => u.includes("*")) || (keyType !== "ca" && list.length === 0)
        ? "any user"
        : `users ${[...new Set([...list, asString(r.v.defaultUser) ?? ""].filter(Boolean))].join(", ")}`;
  return keyType === "ca" ? `signs user certificates for ${who}` : `logs in (${keyType ?? "key type unknown at preview"}) as ${who}`;
}

export const vaultSshRoles: Adapter = {
  family: "vault-ssh-roles",
  holdings: "none through a policy: whoever's policy reaches `<mount>/sign/<role>` logs in to the hosts that trust the mount's CA",
  types: [
    {
      type: VAULT_SSH_ROLE,
      route:
        "signs SSH user certificates (or OTPs) for the users it allows: declared in a stack with agents, since root on a node reads every agent's token there",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    for (const r of readOfType(ix, VAULT_SSH_ROLE)) {
      const logins = userLogins(r);
      if (logins === undefined) continue;
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          `Vault SSH role ${asString(r.v.name) ?? r.resource.name} on ${asString(r.v.backend) ?? "a mount unknown at preview"} ${logins}: on nodes that trust its CA, whoever's policy reaches its sign path logs in, and root (or a user who can sudo) on a node running agents reads their ServiceAccount tokens, each an agent's AWS and Vault identity`,
          "sign SSH logins for agent nodes outside this stack, or sign host certificates only",
        ),
      );
    }
  },
};
