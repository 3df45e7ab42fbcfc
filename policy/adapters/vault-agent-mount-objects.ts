/**
 * Vault engine objects on the agents' own mounts (vault/agent-mount-object), in a stack with agents.
 *
 * A role, key or configuration of a secrets engine is written under its mount (`<mount>/roles/…`,
 * `<mount>/static-roles/…`, `<mount>/keys/…`, `<mount>/config/…`), and whoever's policy reaches its
 * path uses it. On a mount an agent's own resources use (the AWS engine whose `sts`/`creds` its tools
 * read, the database engine, the KV mount, its Kubernetes auth mount: agentMounts in
 * vault-mount-paths.ts), such an object is not the components' (they write only the AWS and database
 * secret roles, read by vault-secret-roles and vault/agent-path-reach) and shares the engine's own
 * credentials: a `vault.aws.SecretBackendStaticRole{backend:"aws", username:"terraform-admin"}` on
 * the agents' AWS engine hands a platform IAM user's keys, rotated with the engine's root
 * credentials, to anyone whose policy reaches `aws/static-creds/<name>` (round 12). Closed world: on
 * an agent mount, or on a mount unknown at preview, every such object is refused unless the security
 * team declares it (kubernetesPlatformResources, by URN and inputs digest). Elsewhere they stay what
 * they were: engines of other systems, reached only through a Vault policy, and every policy is read.
 * Except an AWS static role, refused unless declared on any mount: Vault rotates and hands out the
 * access keys of the IAM user it names (`aws/static-creds/<name>`), a credential for a user the stack
 * may not show, the same grant an `aws.iam.AccessKey` makes (refused unless declared by
 * iam/outside-principal); whose the engine is does not change whose keys they are.
 *
 * The mount input is `backend`, `path` or `mount` by type (@pulumi/vault 7.x args); when it is
 * absent, the provider's documented default for that type (`backend` of `aws.SecretBackendStaticRole`
 * "Defaults to `aws`", `ssh.SecretBackendCa` "Defaults to 'ssh'", …); a required one absent is read
 * as unknown, so it fails closed.
 */
import { asString } from "../inputs";
import type { Adapter } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding, isUnknown, readOfType, type Read } from "./shared";
import { agentMounts, mountKey } from "./vault-mount-paths";

const RULE = "vault/agent-mount-object";
const AWS_STATIC_ROLE = "vault:aws/secretBackendStaticRole:SecretBackendStaticRole";

/** Each engine object type, the input naming its mount, and the provider's default when it has one. */
const MOUNT_INPUT: Readonly<Record<string, readonly [input: "backend" | "path" | "mount", fallback?: string]>> = {
  "vault:ad/secretBackend:SecretBackend": ["backend", "ad"],
  "vault:ad/secretLibrary:SecretLibrary": ["backend"],
  "vault:ad/secretRole:SecretRole": ["backend"],
  "vault:aws/secretBackendStaticRole:SecretBackendStaticRole": ["backend", "aws"],
  "vault:azure/backend:Backend": ["path", "azure"],
  "vault:azure/backendRole:BackendRole": ["backend", "azure"],
  "vault:consul/secretBackend:SecretBackend": ["path", "consul"],
  "vault:gcp/secretBackend:SecretBackend": ["path", "gcp"],
  "vault:gcp/secretImpersonatedAccount:SecretImpersonatedAccount": ["backend"],
  "vault:gcp/secretRoleset:SecretRoleset": ["backend"],
  "vault:gcp/secretStaticAccount:SecretStaticAccount": ["backend"],
  "vault:index/nomadSecretBackend:NomadSecretBackend": ["backend", "nomad"],
  "vault:kmip/secretBackend:SecretBackend": ["path"],
  "vault:kmip/secretRole:SecretRole": ["path"],
  "vault:kmip/secretScope:SecretScope": ["path"],
  "vault:ldap/secretBackend:SecretBackend": ["path", "ldap"],
  "vault:ldap/secretBackendDynamicRole:SecretBackendDynamicRole": ["mount", "ldap"],
  "vault:ldap/secretBackendLibrarySet:SecretBackendLibrarySet": ["mount", "ldap"],
  "vault:ldap/secretBackendStaticRole:SecretBackendStaticRole": ["mount", "ldap"],
  "vault:mongodbatlas/secretBackend:SecretBackend": ["mount"],
  "vault:mongodbatlas/secretRole:SecretRole": ["mount"],
  "vault:pkiSecret/backendConfigAutoTidy:BackendConfigAutoTidy": ["backend"],
  "vault:pkiSecret/backendConfigCluster:BackendConfigCluster": ["backend"],
  "vault:pkiSecret/backendConfigCmpv2:BackendConfigCmpv2": ["backend"],
  "vault:pkiSecret/backendConfigEst:BackendConfigEst": ["backend"],
  "vault:pkiSecret/backendConfigScep:BackendConfigScep": ["backend"],
  "vault:pkiSecret/secretBackendConfigIssuers:SecretBackendConfigIssuers": ["backend"],
  "vault:pkiSecret/secretBackendConfigUrls:SecretBackendConfigUrls": ["backend"],
  "vault:pkiSecret/secretBackendCrlConfig:SecretBackendCrlConfig": ["backend"],
  "vault:pkiSecret/secretBackendIssuer:SecretBackendIssuer": ["backend"],
  "vault:rabbitMq/secretBackend:SecretBackend": ["path", "rabbitmq"],
  "vault:rabbitMq/secretBackendRole:SecretBackendRole": ["backend"],
  "vault:ssh/secretBackendCa:SecretBackendCa": ["backend", "ssh"],
  "vault:ssh/secretBackendRole:SecretBackendRole": ["backend"],
  "vault:terraformcloud/secretBackend:SecretBackend": ["backend", "terraform"],
  "vault:terraformcloud/secretRole:SecretRole": ["backend", "terraform"],
  "vault:transform/alphabet:Alphabet": ["path"],
  "vault:transform/role:Role": ["path"],
  "vault:transform/template:Template": ["path"],
  "vault:transform/transformation:Transformation": ["path"],
  "vault:transit/secretBackendKey:SecretBackendKey": ["backend"],
  "vault:transit/secretCacheConfig:SecretCacheConfig": ["backend"],
};

export const VAULT_AGENT_MOUNT_OBJECT_TYPES: readonly string[] = Object.keys(MOUNT_INPUT);

/** The mount key an engine object writes under, or undefined when unknown at preview (or a required input is absent). */
function mountOf(r: Read): string | undefined {
  const [input, fallback] = MOUNT_INPUT[r.resource.type];
  if (isUnknown(r, input)) return undefined;
  const path = asString(r.v[input]) ?? fallback;
  return path === undefined ? undefined : mountKey(path, false);
}

export const vaultAgentMountObjects: Adapter = {
  family: "vault-agent-mount-objects",
  holdings:
    "none by itself: a role or key on a mount is used by whoever's policy reaches its path (read by vault/policy-*); on an agent's own mount it shares the engine the agents' credentials come from",
  types: VAULT_AGENT_MOUNT_OBJECT_TYPES.map((type) => ({
    type,
    route:
      "a secrets engine, role, key or configuration for another system: on a mount an agent's own resources use (or one unknown at preview) declared in a stack with agents; elsewhere reached only through a Vault policy, and every policy is read",
    checkedBy: [RULE],
  })),
  stack: (ix, pass) => {
    if (agentNamespaces(ix).size === 0) return;
    const used = agentMounts(ix);
    for (const r of readOfType(ix, ...VAULT_AGENT_MOUNT_OBJECT_TYPES)) {
      const mount = mountOf(r);
      const label = `Vault ${r.resource.type.split(":").pop()} ${r.resource.name}`;
      if (mount !== undefined && !used.has(mount)) {
        if (r.resource.type === AWS_STATIC_ROLE)
          pass.findings.push(
            declarablePlatformFinding(
              r.resource,
              RULE,
              `${label} on ${mount} hands out the access keys of IAM user ${isUnknown(r, "username") ? "(unknown at preview)" : (asString(r.v.username) ?? "?")} to whoever's policy reaches ${mount}/static-creds/${asString(r.v.name) ?? "?"}: a credential for a user the pack cannot read, as an aws.iam.AccessKey would be (iam/outside-principal)`,
              "hand out IAM user keys outside the stack with agents",
            ),
          );
        continue;
      }
      const uses = mount === undefined ? "" : [...used.get(mount)!].join(", ");
      pass.findings.push(
        declarablePlatformFinding(
          r.resource,
          RULE,
          mount === undefined
            ? `${label} writes under a mount unknown at preview (maybe an agent's own engine or KV mount): a role or key there is used by whoever's policy reaches its path, with the engine's own credentials`
            : `${label} writes under ${mount}, a mount the agents' own resources use (${uses}): it is not one of the components' objects, and whoever's policy reaches its path gets what it mints with that engine's credentials (an AWS static role on the agents' AWS engine hands out a platform IAM user's keys)`,
          "put engines and roles for other systems on their own mounts (vault.Mount at a path no agent uses)",
        ),
      );
    }
  },
};
