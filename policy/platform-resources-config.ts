/**
 * Platform resources the security team declares for the pack, in CrossGuard policy configuration
 * (`kubernetesPlatformResources`, beside `exceptions` and `kubernetesOperators`): set on the policy
 * group outside the pull request, so a change cannot declare its own resource. In a stack with
 * agents, a cluster-scoped custom resource (its operator acts over every namespace) and a Helm v3
 * Release (its chart renders inside the provider, unread), a second Vault or Kubernetes provider
 * for another server or cluster (policy/adapters/providers.ts), a Vault JWT role nothing of which
 * excludes an agent's ServiceAccount token (vault-jwt-logins.ts) and a CSIDriver requesting tokens
 * for an agent audience (csi-drivers.ts) are refused unless declared here by type and Pulumi
 * resource name. A declaration never covers a resource that names an agent's namespace or
 * ServiceAccount (refused whatever it says). Vault entity aliases on agent-usable auth mounts and
 * groups adding members by ID with policies (vault-platform.ts), auth mounts' trust roots
 * (vault-auth-trust.ts), AWS resources that create other resources or run code at deployment
 * (CloudFormation stacks, Cloud Control resources ...: deploy-executors.ts, refused in every stack
 * unless declared) and a CloudTrail trail or event data store that records less than every
 * management event of every region, can be stopped, or hands the record to another account
 * (cloudtrail.ts), a destructive setting of a bucket the stack does not create (trail-buckets.ts) and
 * a DNS change that may redirect the Vault host (dns-redirection.ts) are declarable the same way; per-resource policies honour the declarations too.
 * A configuration that does not parse declares nothing.
 */
import { z } from "zod";

/** `<Pulumi type token>::<Pulumi resource name>`: how findings name a declarable resource. */
const RESOURCE =
  /^(kubernetes:[A-Za-z0-9.-]{1,253}\/[A-Za-z0-9]{1,63}:[A-Za-z0-9]{1,63}|pulumi:providers:(?:vault|kubernetes)|aws:[a-z0-9]{1,40}\/[A-Za-z0-9]{1,63}:[A-Za-z0-9]{1,63}|vault:jwt\/authBackendRole:AuthBackendRole|vault:(?:jwt|github|ldap|okta|saml|gcp)\/authBackend:AuthBackend|vault:azure\/authBackendConfig:AuthBackendConfig|vault:index\/ociAuthBackend:OciAuthBackend|vault:aws\/authBackend(?:Client:AuthBackendClient|Cert:AuthBackendCert|StsRole:AuthBackendStsRole|ConfigIdentity:AuthBackendConfigIdentity)|vault:identity\/(?:entityAlias:EntityAlias|group:Group|groupMemberEntityIds:GroupMemberEntityIds|groupMemberGroupIds:GroupMemberGroupIds))::[^\s]{1,253}$/;

const platformResourceSchema = z
  .object({
    resource: z.string().max(600).regex(RESOURCE, "<type token>::<resource name>, e.g. kubernetes:cert-manager.io/v1:ClusterIssuer::letsencrypt"),
    reason: z.string().min(10).max(500),
    approvedBy: z.string().min(1).max(200),
  })
  .strict();
const platformResourcesSchema = z.array(platformResourceSchema).max(200);

const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(platformResourcesSchema, { io: "input" }) as Record<string, unknown>;
void _drop;

/** The `kubernetesPlatformResources` property of every policy's configuration schema. */
export const PLATFORM_RESOURCES_CONFIG_PROPERTY = jsonSchema;

/** How a finding names a resource a declaration may cover. */
export const platformResourceKey = (type: string, name: string) => `${type}::${name}`;

/** The resources declared in a policy's configuration (none when it does not parse). */
export function declaredPlatformResources(config: unknown): ReadonlySet<string> {
  const raw = config && typeof config === "object" ? (config as { kubernetesPlatformResources?: unknown }).kubernetesPlatformResources : undefined;
  if (raw === undefined) return new Set();
  const parsed = platformResourcesSchema.safeParse(raw);
  return parsed.success ? new Set(parsed.data.map((entry) => entry.resource)) : new Set();
}
